/**
 * How every chart page reads and writes: the permission first, then one batch (the header, the
 * page's own queries and its audit row), and the shared rules for a record that is missing,
 * belongs to another patient, or changed since the form was opened.
 */
import { eq, sql } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { RunnableQuery } from "drizzle-orm/runnable-query";
import { audit, auditStatementIfChanged, auditStatementWhere, scheduleSeal, type AuditEntry, type AuditScope } from "../audit/service";
import { patients } from "../patients/tables";
import { AppError, notFound } from "../platform/errors";
import { requirePermission, type StaffScope } from "../platform/scope";
import { headerQueries, readHeader, type ChartHeaderData, type HeaderResults } from "./header";

type Item = BatchItem<"sqlite">;

/** An audit row for a read of the chart of `patientId`, written only if that patient exists. */
export function chartReadAudit(scope: AuditScope, e: AuditEntry & { patientId: string }): Item {
  return auditStatementWhere(scope, e, sql`EXISTS (SELECT 1 FROM ${patients} WHERE ${patients.id} = ${e.patientId})`);
}

/**
 * One round trip for a whole chart page: the header, `queries` and the audit row (`chart:read`
 * first). A patient of another clinic, or none, is a 404 with a failed audit row.
 */
export async function readChart<T extends readonly Item[]>(
  scope: StaffScope,
  patientId: string,
  entry: Omit<AuditEntry, "action" | "patientId" | "entityType" | "entityId"> & { entityType?: string; entityId?: string },
  queries: T,
): Promise<{ header: ChartHeaderData; results: BatchResponse<T> }> {
  requirePermission(scope, "chart:read");
  const full: AuditEntry & { patientId: string } = { action: "read", entityType: "patient", entityId: patientId, ...entry, patientId };
  const items = [...headerQueries(scope.db, patientId), ...queries, chartReadAudit(scope, full)] as unknown as [Item, ...Item[]];
  const all = (await scope.db.batch(items)) as unknown[];
  const [p, a, al] = all as HeaderResults;
  if (p.length === 0) await missingPatient(scope, full);
  scheduleSeal(scope);
  return { header: readHeader(scope.staff, patientId, [p, a, al]), results: all.slice(3, 3 + queries.length) as BatchResponse<T> };
}

/**
 * The chart header from the first three results of a page's batch (see `headerQueries`); a
 * patient who is not in this clinic is a 404, after a failure row for `event`.
 */
export async function headerOr404(scope: StaffScope, patientId: string, event: string, results: readonly unknown[]): Promise<ChartHeaderData> {
  const rows = results.slice(0, 3) as unknown as HeaderResults;
  if (rows[0].length === 0) {
    await audit(scope, { action: "read", event, entityType: "patient", entityId: patientId.slice(0, 64), outcome: "failure", detail: "not found" });
    throw notFound("This patient");
  }
  return readHeader(scope.staff, patientId, rows);
}

async function missingPatient(scope: StaffScope, e: AuditEntry): Promise<never> {
  await audit(scope, { ...e, entityId: (e.entityId ?? "").slice(0, 64), patientId: null, outcome: "failure", detail: "patient not found" });
  throw notFound("This patient");
}

/** Before a write: `chart:write`, and the patient must exist in this clinic (404 otherwise). */
export async function requirePatientForWrite(scope: StaffScope, patientId: string, e: Omit<AuditEntry, "patientId">): Promise<void> {
  requirePermission(scope, "chart:write");
  const [row] = await scope.db.select({ id: patients.id }).from(patients).where(eq(patients.id, patientId)).limit(1);
  if (!row) await missingPatient(scope, { ...e, entityId: patientId });
}

/** A record that is not this patient's (or not there at all): a failed audit row, then 404. */
export async function recordNotFound(scope: StaffScope, e: AuditEntry, what: string): Promise<never> {
  await audit(scope, { ...e, entityId: (e.entityId ?? "").slice(0, 64), outcome: "failure", detail: "not found" });
  throw notFound(what);
}

/**
 * A version-checked update (`chart:write`) and its audit row in one transaction (the row only if the update
 * took). When nothing changed, `exists` tells a missing record (404) from a stale form (409).
 */
export async function updateChecked(
  scope: StaffScope,
  o: {
    /** A drizzle update (no `returning`) whose run result tells how many rows it changed. */
    update: RunnableQuery<D1Result, "sqlite">;
    entry: AuditEntry;
    exists: () => Promise<unknown[]>;
    /** "This allergy": the subject of the 404 and 409 messages. */
    what: string;
  },
): Promise<void> {
  requirePermission(scope, "chart:write");
  const [result] = await scope.db.batch([o.update, auditStatementIfChanged(scope, o.entry)]);
  if (result.meta.changes === 1) {
    scheduleSeal(scope);
    return;
  }
  if ((await o.exists()).length === 0) await recordNotFound(scope, o.entry, o.what);
  await audit(scope, { ...o.entry, outcome: "failure", detail: "version conflict" });
  throw new AppError(
    "conflict",
    `${o.what} was changed by someone else after you opened the form. Your changes were not saved; what is shown now is the latest version.`,
  );
}
