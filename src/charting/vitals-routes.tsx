/**
 * /patients/:id/chart/vitals: the list, and the form at /new (optionally `?encounter=<id>&return=<path>`,
 * from the note editor: after saving, back to that local path).
 */
import { Hono, type Context } from "hono";
import { VitalsFormPage, VitalsPage } from "../../views/charting/vitals";
import type { AppEnv } from "../platform/env";
import { AppError, type FieldErrors } from "../platform/errors";
import { localPath, seeOther } from "../platform/render";
import { can, requirePermission, staffScope } from "../platform/scope";
import * as z from "zod/mini";
import { formInput, queryInput } from "../platform/validation";
import { chartPage, patientIdOf, recordIdOf } from "./http";
import { parseVitals, VITALS_FIELDS } from "./vitals";
import { markVitalsInError, recordVitals, vitalsForm, vitalsList } from "./vitals-service";
import { fieldsForm, savedQuery, typedFields } from "./input";

export const vitalsRoutes = new Hono<AppEnv>();

type C = Context<AppEnv>;
const listUrl = (pid: string) => `/patients/${pid}/chart/vitals`;

/** The address of the form: the encounter it is for and the local path to go back to, both optional. */
const targetQuery = z.object({
  encounter: z.pipe(z.optional(z.string()), z.transform((v) => (v ?? "").slice(0, 64) || null)),
  return: z.pipe(z.optional(z.string()), z.transform((v) => localPath(v))),
});
type Target = z.output<typeof targetQuery>;

/** The vitals form read by the vitals reader; its messages keep their keys (`_form` when nothing was measured). */
const vitalsSchema = z.transform((values: Record<string, string>, ctx) => {
  const parsed = parseVitals(values);
  if (parsed.ok) return parsed.data;
  for (const [key, message] of Object.entries(parsed.errors)) ctx.issues.push({ code: "custom", message, path: key === "_form" ? [] : [key], input: values });
  return z.NEVER;
});

/** The form's target as read by `queryInput(targetQuery)` before the form (also in the form's failure answer). */
const targetOf = (c: C): Target => c.req.valid("query" as never) as unknown as Target;

/** The encounter and return link of the URL, and the form's action that keeps them. */
function target(c: C) {
  const { encounter, return: back } = targetOf(c);
  const qs = new URLSearchParams({ ...(encounter ? { encounter } : {}), ...(back ? { return: back } : {}) }).toString();
  return { encounter, back, action: `${listUrl(patientIdOf(c))}/new${qs ? `?${qs}` : ""}` };
}

vitalsRoutes.get("/", queryInput(savedQuery), async (c) => {
  const scope = staffScope(c);
  const pid = patientIdOf(c);
  const { header, rows } = await vitalsList(scope, pid);
  return chartPage(
    c,
    { title: "Vitals", header, active: "vitals" },
    <VitalsPage pid={pid} rows={rows} timezone={c.var.clinic.timezone} csrf={c.var.csrfToken} canWrite={can(scope.staff, "chart:write")} saved={c.req.valid("query").saved} />,
  );
});

async function formPage(c: C, values: Record<string, string> = {}, errors?: FieldErrors) {
  const scope = staffScope(c);
  const pid = patientIdOf(c);
  const t = target(c);
  const { header, encounter } = await vitalsForm(scope, pid, t.encounter);
  return chartPage(
    c,
    { title: "Record vitals", header, active: "vitals", status: errors ? 422 : 200 },
    <VitalsFormPage
      pid={pid}
      csrf={c.var.csrfToken}
      action={t.action}
      cancelHref={t.back ?? listUrl(pid)}
      values={values}
      errors={errors}
      encounter={encounter}
      timezone={c.var.clinic.timezone}
    />,
  );
}

vitalsRoutes.get("/new", queryInput(targetQuery), (c) => formPage(c));

// The permission comes before the form's own errors.
const vitalsInput = formInput(fieldsForm(VITALS_FIELDS, vitalsSchema), (c, errors, raw) => {
  requirePermission(staffScope(c), "chart:write");
  return formPage(c, typedFields(raw, VITALS_FIELDS), errors);
});

vitalsRoutes.post("/new", queryInput(targetQuery), vitalsInput, async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "chart:write");
  const pid = patientIdOf(c);
  const { values, data } = c.req.valid("form");
  const t = target(c);
  try {
    await recordVitals(scope, pid, t.encounter, data, c.var.clinic.timezone);
  } catch (err) {
    if (err instanceof AppError && err.code === "validation") return formPage(c, values, err.fields);
    throw err;
  }
  return seeOther(c, t.back ?? `${listUrl(pid)}?saved=1`);
});

vitalsRoutes.post("/:rid/error", async (c) => {
  const scope = staffScope(c);
  const pid = patientIdOf(c);
  await markVitalsInError(scope, pid, recordIdOf(c));
  return seeOther(c, `${listUrl(pid)}?saved=1`);
});
