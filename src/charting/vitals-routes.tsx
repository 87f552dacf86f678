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
import { formOf } from "../platform/validation";
import { chartPage, patientIdOf, recordIdOf } from "./http";
import { parseVitals, VITALS_FIELDS } from "./vitals";
import { markVitalsInError, recordVitals, vitalsForm, vitalsList } from "./vitals-service";
import { pick } from "./input";

export const vitalsRoutes = new Hono<AppEnv>();

type C = Context<AppEnv>;
const listUrl = (pid: string) => `/patients/${pid}/chart/vitals`;

/** The encounter and return link of the URL, and the form's action that keeps them. */
function target(c: C) {
  const encounter = (c.req.query("encounter") ?? "").slice(0, 64) || null;
  const back = localPath(c.req.query("return"));
  const qs = new URLSearchParams({ ...(encounter ? { encounter } : {}), ...(back ? { return: back } : {}) }).toString();
  return { encounter, back, action: `${listUrl(patientIdOf(c))}/new${qs ? `?${qs}` : ""}` };
}

vitalsRoutes.get("/", async (c) => {
  const scope = staffScope(c);
  const pid = patientIdOf(c);
  const { header, rows } = await vitalsList(scope, pid);
  return chartPage(
    c,
    { title: "Vitals", header, active: "vitals" },
    <VitalsPage pid={pid} rows={rows} timezone={c.var.clinic.timezone} csrf={c.var.csrfToken} canWrite={can(scope.staff, "chart:write")} saved={c.req.query("saved") === "1"} />,
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

vitalsRoutes.get("/new", (c) => formPage(c));

vitalsRoutes.post("/new", async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "chart:write");
  const pid = patientIdOf(c);
  const values = pick(await formOf(c), VITALS_FIELDS);
  const parsed = parseVitals(values);
  if (!parsed.ok) return formPage(c, values, parsed.errors);
  const t = target(c);
  try {
    await recordVitals(scope, pid, t.encounter, parsed.data, c.var.clinic.timezone);
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
