/** /patients/:id/chart/history: the medical, surgical, family and social history form. */
import { Hono, type Context } from "hono";
import { HISTORY_FIELDS, HistoryPage, historyToForm } from "../../views/charting/history";
import type { AppEnv } from "../platform/env";
import type { FieldErrors } from "../platform/errors";
import { seeOther } from "../platform/render";
import { can, requirePermission, staffScope } from "../platform/scope";
import { formOf, validate } from "../platform/validation";
import { shortInstant } from "../../views/charting/parts";
import { readHistory, saveHistory } from "./history";
import { chartPage, conflictOr, patientIdOf } from "./http";
import { historySchema, pick } from "./input";

export const historyRoutes = new Hono<AppEnv>();

async function historyPage(c: Context<AppEnv>, o: { values?: Record<string, string>; errors?: FieldErrors; conflict?: string | null; version?: number } = {}) {
  const scope = staffScope(c);
  const pid = patientIdOf(c);
  const { header, history } = await readHistory(scope, pid);
  // After a conflict the form shows what is saved now, with its version.
  const values = o.conflict || !o.values ? historyToForm(history) : o.values;
  const version = o.conflict || o.version === undefined ? (history?.version ?? 0) : o.version;
  return chartPage(
    c,
    { title: "History", header, active: "history", status: o.conflict ? 409 : o.errors ? 422 : 200 },
    <HistoryPage
      pid={pid}
      csrf={c.var.csrfToken}
      canWrite={can(scope.staff, "chart:write")}
      version={version}
      values={values}
      errors={o.errors}
      conflict={o.conflict}
      saved={c.req.query("saved") === "1"}
      updated={history ? shortInstant(history.updatedAt, c.var.clinic.timezone) : null}
    />,
  );
}

historyRoutes.get("/", (c) => historyPage(c));

historyRoutes.post("/", async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "chart:write");
  const form = await formOf(c);
  const values = pick(form, HISTORY_FIELDS);
  const rawVersion = form.version ?? "";
  if (!/^\d{1,9}$/.test(rawVersion)) return historyPage(c, { conflict: "The form is missing its version; reopen it and try again." });
  const version = Number(rawVersion);
  const parsed = validate(historySchema, values);
  if (!parsed.ok) return historyPage(c, { values, errors: parsed.errors, version });
  const conflict = await conflictOr(() => saveHistory(scope, patientIdOf(c), version, parsed.data));
  if (conflict) return historyPage(c, { conflict });
  return seeOther(c, `/patients/${patientIdOf(c)}/chart/history?saved=1`);
});
