/** Encounters: opened from an appointment or ad hoc, each holding its notes (mounted at /encounters). */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../platform/env";
import { AppError } from "../platform/errors";
import { page, seeOther } from "../platform/render";
import { can, clinicToday, requirePermission, staffScope } from "../platform/scope";
import * as z from "zod/mini";
import { formInput, queryInput } from "../platform/validation";
import { allFields } from "../charting/input";
import { CosignList, EncounterList } from "../../views/notes/encounters";
import { EncounterPage } from "../../views/notes/encounter";
import { listAwaitingCosign, listEncounters, startEncounter, viewEncounter } from "./encounters";
import { newNoteSchema, startEncounterSchema } from "./note-input";
import { createNote } from "./notes";
import { listUsableTemplates } from "./templates";
import type { FieldErrors } from "../platform/errors";

export const encounterRoutes = new Hono<AppEnv>();

type Ctx = Context<AppEnv>;

encounterRoutes.get("/", queryInput(z.object({ cosign: z.optional(z.string()) })), async (c) => {
  const scope = staffScope(c);
  const tz = c.var.clinic.timezone;
  if (c.req.valid("query").cosign === "1") {
    const rows = await listAwaitingCosign(scope);
    return page(c, "Notes awaiting my co-signature", <CosignList rows={rows} timezone={tz} />);
  }
  const { rows, billing } = await listEncounters(scope);
  return page(c, "Encounters", <EncounterList rows={rows} billing={billing} timezone={tz} cosignLink={can(scope.staff, "notes:cosign")} />);
});

// The permission comes before the form's own errors.
const startInput = formInput(z.pipe(z.transform(allFields), startEncounterSchema), (c, errors) => {
  requirePermission(staffScope(c), "notes:write");
  throw new AppError("validation", Object.values(errors).join(" "), errors);
});

encounterRoutes.post("/", startInput, async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "notes:write");
  const { id } = await startEncounter(scope, c.req.valid("form"));
  return seeOther(c, `/encounters/${id}`);
});

async function encounterPage(c: Ctx, id: string, extra: { status?: 422; errors?: FieldErrors; message?: string } = {}) {
  const scope = staffScope(c);
  const v = await viewEncounter(scope, id);
  const templates = can(scope.staff, "notes:write") ? await listUsableTemplates(scope) : null;
  return page(
    c,
    `Encounter · ${v.h.name}`,
    <EncounterPage csrfToken={c.var.csrfToken} today={clinicToday(c)} timezone={c.var.clinic.timezone} v={v} templates={templates} errors={extra.errors} message={extra.message} />,
    extra.status ?? 200,
  );
}

encounterRoutes.get("/:id", (c) => encounterPage(c, c.req.param("id")));

const newNoteInput = formInput(z.pipe(z.transform(allFields), newNoteSchema), (c, errors) => {
  requirePermission(staffScope(c), "notes:write");
  return encounterPage(c, c.req.param("id") ?? "", { status: 422, errors, message: "No note was started." });
});

encounterRoutes.post("/:id/notes", newNoteInput, async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "notes:write");
  const id = c.req.param("id");
  const noteId = await createNote(scope, id, c.req.valid("form").template_id);
  return seeOther(c, `/notes/${noteId}`);
});
