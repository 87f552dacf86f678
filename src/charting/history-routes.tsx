/** /patients/:id/chart/history: the medical, surgical, family and social history form. */
import { Hono, type Context } from "hono";
import { HISTORY_FIELDS, HistoryPage, historyToForm } from "../../views/charting/history";
import type { AppEnv } from "../platform/env";
import type { FieldErrors } from "../platform/errors";
import { seeOther } from "../platform/render";
import { can, requirePermission, staffScope } from "../platform/scope";
import { formInput, queryInput, type FormValues } from "../platform/validation";
import { shortInstant } from "../../views/charting/parts";
import { readHistory, saveHistory } from "./history";
import { chartPage, conflictOr, patientIdOf } from "./http";
import { fieldsForm, historySchema, savedQuery, typedFields } from "./input";
import { lastText } from "../platform/validation";

export const historyRoutes = new Hono<AppEnv>();

async function historyPage(c: Context<AppEnv>, o: { values?: Record<string, string>; errors?: FieldErrors; conflict?: string | null; version?: number; saved?: boolean } = {}) {
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
      saved={o.saved ?? false}
      updated={history ? shortInstant(history.updatedAt, c.var.clinic.timezone) : null}
    />,
  );
}

historyRoutes.get("/", queryInput(savedQuery), (c) => historyPage(c, { saved: c.req.valid("query").saved }));

/** The history's version: 0 before the first save, so any whole number; null when missing. */
const historyVersion = (raw: FormValues): number | null => {
  const v = lastText(raw.version);
  return /^\d{1,9}$/.test(v) ? Number(v) : null;
};

const MISSING_VERSION = "The form is missing its version; reopen it and try again.";

// The permission, then a missing version (a conflict), then the form's own errors.
const historyInput = formInput(fieldsForm(HISTORY_FIELDS, historySchema, historyVersion), (c, errors, raw) => {
  requirePermission(staffScope(c), "chart:write");
  const version = historyVersion(raw);
  if (version === null) return historyPage(c, { conflict: MISSING_VERSION });
  return historyPage(c, { values: typedFields(raw, HISTORY_FIELDS), errors, version });
});

historyRoutes.post("/", historyInput, async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "chart:write");
  const { data, version } = c.req.valid("form");
  if (version === null) return historyPage(c, { conflict: MISSING_VERSION });
  const conflict = await conflictOr(() => saveHistory(scope, patientIdOf(c), version, data));
  if (conflict) return historyPage(c, { conflict });
  return seeOther(c, `/patients/${patientIdOf(c)}/chart/history?saved=1`);
});
