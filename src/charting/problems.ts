/**
 * The coded problem list: read, add, edit, resolve, and mark entered in error (a problem is never
 * deleted). A code must exist in icd10_codes; a problem may also be words only.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { auditStatement, scheduleSeal, type AuditEntry } from "../audit/service";
import { AppError } from "../platform/errors";
import { requirePermission, type StaffScope } from "../platform/scope";
import { readChart, recordNotFound, requirePatientForWrite, updateChecked } from "./access";
import { CODE_RESULTS, findCode, searchCodes } from "./icd10";
import { problems } from "./tables";
import type { ProblemInput } from "./input";

export type Problem = typeof problems.$inferSelect;

const STATUS_ORDER = sql`CASE ${problems.status} WHEN 'active' THEN 0 WHEN 'inactive' THEN 1 WHEN 'resolved' THEN 2 ELSE 3 END`;

const entry = (patientId: string, event: string, action: AuditEntry["action"], id: string | null, detail?: string): AuditEntry => ({
  action,
  event,
  entityType: "problem",
  entityId: id,
  patientId,
  detail: detail ?? null,
});

/** The problem list (active first, then inactive, resolved, and entries in error) and the header. */
export async function problemList(scope: StaffScope, patientId: string) {
  const { header, results } = await readChart(scope, patientId, { event: "problems.view" }, [
    scope.db
      .select()
      .from(problems)
      .where(eq(problems.patientId, patientId))
      .orderBy(STATUS_ORDER, asc(problems.code), asc(problems.description))
      .limit(300),
  ] as const);
  return { header, problems: results[0] };
}

/** One problem for its edit form; another patient's (or none) is a 404. */
export async function problemForEdit(scope: StaffScope, patientId: string, id: string) {
  requirePermission(scope, "problems:write");
  const { header, results } = await readChart(scope, patientId, { event: "problem.view", entityType: "problem", entityId: id }, [
    scope.db.select().from(problems).where(and(eq(problems.id, id), eq(problems.patientId, patientId))).limit(1),
  ] as const);
  const problem = results[0][0];
  if (!problem) return recordNotFound(scope, entry(patientId, "problem.view", "read", id), "This problem");
  return { header, problem };
}

/** Codes for the picker: up to CODE_RESULTS matches and whether there are more. Not patient data. */
export async function findCodes(scope: StaffScope, q: string) {
  requirePermission(scope, "problems:write");
  const rows = q.trim() ? await searchCodes(scope.db, q) : [];
  return { codes: rows.slice(0, CODE_RESULTS), more: rows.length > CODE_RESULTS };
}

/** The official description of a code, or a 422 naming the code field when the list has no such code. */
async function describeCode(scope: StaffScope, code: string): Promise<string> {
  const [row] = await findCode(scope.db, code);
  if (!row) {
    const msg = `ICD-10-CM code ${code} is not in the clinic's code list. Search for the code and pick it from the results.`;
    throw new AppError("validation", msg, { code: msg });
  }
  return row.description;
}

function columns(input: ProblemInput, codeDescription: string | null) {
  return {
    code: input.code,
    description: input.description ?? codeDescription ?? "",
    status: input.status,
    onsetDate: input.onset_date,
    resolvedDate: input.status === "resolved" ? input.resolved_date : null,
    note: input.note,
  };
}

export async function createProblem(scope: StaffScope, patientId: string, input: ProblemInput, today: string): Promise<string> {
  await requirePatientForWrite(scope, patientId, entry(patientId, "problem.create", "create", null));
  const codeDescription = input.code ? await describeCode(scope, input.code) : null;
  const id = crypto.randomUUID();
  const now = Date.now();
  const row = columns(input, codeDescription);
  if (row.status === "resolved" && !row.resolvedDate) row.resolvedDate = today;
  await scope.db.batch([
    scope.db.insert(problems).values({ id, patientId, ...row, createdAt: now, updatedAt: now, createdBy: scope.staff.id, updatedBy: scope.staff.id }),
    auditStatement(scope, entry(patientId, "problem.create", "create", id, input.code ? "coded" : "words only")),
  ]);
  scheduleSeal(scope);
  return id;
}

function versioned(scope: StaffScope, patientId: string, id: string, version: number, set: Partial<typeof problems.$inferInsert>) {
  return scope.db
    .update(problems)
    .set({ ...set, version: version + 1, updatedAt: Date.now(), updatedBy: scope.staff.id })
    .where(and(eq(problems.id, id), eq(problems.patientId, patientId), eq(problems.version, version)));
}

const exists = (scope: StaffScope, patientId: string, id: string) => () =>
  scope.db.select({ id: problems.id }).from(problems).where(and(eq(problems.id, id), eq(problems.patientId, patientId))).limit(1);

export async function updateProblem(scope: StaffScope, patientId: string, id: string, version: number, input: ProblemInput, today: string): Promise<void> {
  requirePermission(scope, "problems:write");
  const codeDescription = input.code ? await describeCode(scope, input.code) : null;
  const row = columns(input, codeDescription);
  if (row.status === "resolved" && !row.resolvedDate) row.resolvedDate = today;
  await updateChecked(scope, {
    update: versioned(scope, patientId, id, version, row),
    entry: entry(patientId, "problem.update", "update", id, `fields: ${Object.keys(row).join(", ")}`),
    exists: exists(scope, patientId, id),
    what: "This problem",
  });
}

/** Resolve (today) or mark entered in error, from the list's buttons. */
export async function setProblemStatus(
  scope: StaffScope,
  patientId: string,
  id: string,
  version: number,
  status: "resolved" | "entered_in_error",
  today: string,
): Promise<void> {
  requirePermission(scope, "problems:write");
  await updateChecked(scope, {
    update: versioned(scope, patientId, id, version, status === "resolved" ? { status, resolvedDate: today } : { status }),
    entry: entry(patientId, status === "resolved" ? "problem.resolve" : "problem.entered_in_error", "update", id),
    exists: exists(scope, patientId, id),
    what: "This problem",
  });
}
