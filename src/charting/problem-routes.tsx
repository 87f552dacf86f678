/** /patients/:id/chart/problems: the problem list, the ICD-10-CM picker, add, edit, resolve, entered in error. */
import { Hono, type Context } from "hono";
import { CodeResults, CODES_ID, EditProblemPage, NewProblemPage, PROBLEM_FIELDS, ProblemsPage, problemToForm, type CodePick } from "../../views/charting/problems";
import type { AppEnv } from "../platform/env";
import { AppError, type FieldErrors } from "../platform/errors";
import { fragment, seeOther, wantsFragment } from "../platform/render";
import { can, clinicToday, requirePermission, staffScope, type StaffScope } from "../platform/scope";
import * as z from "zod/mini";
import { formInput, queryInput } from "../platform/validation";
import { chartPage, conflictOr, patientIdOf, recordIdOf } from "./http";
import { findCode, normalizeCode } from "./icd10";
import { createProblem, findCodes, problemForEdit, problemList, setProblemStatus, updateProblem } from "./problems";
import { fieldsForm, problemSchema, savedQuery, sentVersion, typedFields, versionOnlyForm } from "./input";

export const problemRoutes = new Hono<AppEnv>();

const base = (pid: string) => `/patients/${pid}/chart/problems`;
/** The picker's search in the address, at most 100 characters; blank when left out. */
const pickerQuery = z.object({ q: z.pipe(z.optional(z.string()), z.transform((v) => (v ?? "").slice(0, 100))) });

/** The picker's state: matches for `q`, and the chosen code (with its description when the list has it). */
async function pickFor(scope: StaffScope, q: string, chosen: string | undefined): Promise<CodePick> {
  const { codes, more } = await findCodes(scope, q);
  const raw = (chosen ?? "").trim();
  if (!raw) return { q, codes, more, selected: null };
  const code = normalizeCode(raw) ?? raw.slice(0, 10);
  const known = codes.find((c) => c.code === code) ?? (await findCode(scope.db, code))[0];
  return { q, codes, more, selected: { code, description: known?.description ?? null } };
}

async function listPage(c: Context<AppEnv>, form?: { values: Record<string, string>; errors: FieldErrors }, saved = false) {
  const scope = staffScope(c);
  const pid = patientIdOf(c);
  const { header, problems } = await problemList(scope, pid);
  const formState = form ? { ...form, pick: await pickFor(scope, "", form.values.code) } : undefined;
  return chartPage(
    c,
    { title: "Problems", header, active: "problems", status: form ? 422 : 200 },
    <ProblemsPage pid={pid} rows={problems} csrf={c.var.csrfToken} canWrite={can(scope.staff, "problems:write")} form={formState} saved={saved} />,
  );
}

problemRoutes.get("/", queryInput(savedQuery), (c) => listPage(c, undefined, c.req.valid("query").saved));

async function newPage(c: Context<AppEnv>, q: string) {
  const scope = staffScope(c);
  requirePermission(scope, "problems:write");
  const pid = patientIdOf(c);
  const { header } = await problemList(scope, pid);
  return chartPage(c, { title: "Add a problem", header, active: "problems" }, <NewProblemPage pid={pid} csrf={c.var.csrfToken} values={{}} pick={await pickFor(scope, q, undefined)} />);
}

problemRoutes.get("/new", queryInput(pickerQuery), (c) => newPage(c, c.req.valid("query").q));

/** The picker's matches: a fragment for htmx, the add page otherwise. */
problemRoutes.get("/codes", queryInput(pickerQuery), async (c) => {
  const { q } = c.req.valid("query");
  if (!wantsFragment(c, CODES_ID)) return newPage(c, q);
  const scope = staffScope(c);
  return fragment(c, <CodeResults {...await pickFor(scope, q, undefined)} />);
});

/** The problem form read by the problem rules for the clinic's today. */
const problemForm = (c: Context<AppEnv>) => fieldsForm(PROBLEM_FIELDS, problemSchema(clinicToday(c)));

// The permission comes before the form's own errors.
const addInput = formInput(problemForm, (c, errors, raw) => {
  requirePermission(staffScope(c), "problems:write");
  return listPage(c, { values: typedFields(raw, PROBLEM_FIELDS), errors });
});

problemRoutes.post("/", addInput, async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "problems:write");
  const pid = patientIdOf(c);
  const { values, data } = c.req.valid("form");
  const today = clinicToday(c);
  try {
    await createProblem(scope, pid, data, today);
  } catch (err) {
    if (err instanceof AppError && err.code === "validation") return listPage(c, { values, errors: err.fields });
    throw err;
  }
  return seeOther(c, `${base(pid)}?saved=1`);
});

async function editPage(c: Context<AppEnv>, o: { values?: Record<string, string>; errors?: FieldErrors; conflict?: string | null; version?: number; q?: string } = {}) {
  const scope = staffScope(c);
  const pid = patientIdOf(c);
  const id = recordIdOf(c);
  const { header, problem } = await problemForEdit(scope, pid, id);
  // After a conflict the form shows what is saved now, so nothing typed over it goes unseen.
  const values = o.conflict || !o.values ? problemToForm(problem) : o.values;
  const status = o.conflict ? 409 : o.errors ? 422 : 200;
  return chartPage(
    c,
    { title: "Edit problem", header, active: "problems", status },
    <EditProblemPage
      pid={pid}
      id={id}
      csrf={c.var.csrfToken}
      version={o.conflict ? problem.version : (o.version ?? problem.version)}
      values={values}
      errors={o.errors}
      conflict={o.conflict}
      pick={await pickFor(scope, o.values || o.conflict ? "" : (o.q ?? ""), values.code)}
    />,
  );
}

problemRoutes.get("/:rid/edit", queryInput(pickerQuery), (c) => editPage(c, { q: c.req.valid("query").q }));

const MISSING_VERSION = "The form is missing its version; reopen it and try again.";

// The permission, then a missing version (a conflict), then the form's own errors.
const editInput = formInput(problemForm, (c, errors, raw) => {
  requirePermission(staffScope(c), "problems:write");
  const values = typedFields(raw, PROBLEM_FIELDS);
  const version = sentVersion(raw);
  if (version === null) return editPage(c, { values, conflict: MISSING_VERSION });
  return editPage(c, { values, errors, version });
});

problemRoutes.post("/:rid", editInput, async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "problems:write");
  const { values, data, version } = c.req.valid("form");
  const today = clinicToday(c);
  if (version === null) return editPage(c, { values, conflict: MISSING_VERSION });
  try {
    const conflict = await conflictOr(() => updateProblem(scope, patientIdOf(c), recordIdOf(c), version, data, today));
    if (conflict) return editPage(c, { values, conflict });
  } catch (err) {
    if (err instanceof AppError && err.code === "validation") return editPage(c, { values, errors: err.fields, version });
    throw err;
  }
  return seeOther(c, `${base(patientIdOf(c))}?saved=1`);
});

/** The list's one-button forms: resolve today, or entered in error. A stale button is a 409 page. */
for (const [path, status] of [["resolve", "resolved"], ["error", "entered_in_error"]] as const) {
  problemRoutes.post(`/:rid/${path}`, formInput(versionOnlyForm), async (c) => {
    const scope = staffScope(c);
    requirePermission(scope, "problems:write");
    const { version } = c.req.valid("form");
    const pid = patientIdOf(c);
    const conflict = version !== null
      ? await conflictOr(() => setProblemStatus(scope, pid, recordIdOf(c), version, status, clinicToday(c)))
      : "The form is missing its version; reload the list and try again.";
    if (conflict) return editPage(c, { conflict });
    return seeOther(c, `${base(pid)}?saved=1`);
  });
}
