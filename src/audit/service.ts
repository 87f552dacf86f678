/**
 * Writing the audit trail. Every read and write of patient data, every sign-in event, privilege
 * change and export goes through `audit` (or `auditStatement` inside a write batch, so the row and
 * its audit entry commit together). Sealing into the hash chain happens after the response.
 */
import { getTableColumns, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { auditLog, type AuditAction } from "./tables";
import { computeSeals, type ChainRow } from "./chain";
import type { Clinic, ClinicDb, RequestMeta, Staff } from "../platform/env";

export interface AuditEntry {
  action: AuditAction;
  event: string;
  entityType: string;
  entityId?: string | null;
  patientId?: string | null;
  outcome?: "success" | "failure" | "denied";
  detail?: string | null;
  /** Overrides the signed-in user, e.g. for a failed sign-in of a known account. */
  user?: { id: string | null; email: string | null };
}

/** Who and where: everything an audit row needs beyond the entry itself. */
export interface AuditScope {
  db: ClinicDb;
  d1: D1Database;
  clinic: Pick<Clinic, "slug">;
  staff: Pick<Staff, "id" | "email"> | null;
  meta: RequestMeta;
  waitUntil(p: Promise<unknown>): void;
}

function values(scope: AuditScope, e: AuditEntry): typeof auditLog.$inferInsert {
  return {
    occurredAt: new Date().toISOString(),
    userId: e.user ? e.user.id : (scope.staff?.id ?? null),
    userEmail: e.user ? e.user.email : (scope.staff?.email ?? null),
    clinicSlug: scope.clinic.slug,
    action: e.action,
    event: e.event,
    entityType: e.entityType,
    entityId: e.entityId ?? null,
    patientId: e.patientId ?? null,
    outcome: e.outcome ?? "success",
    ip: scope.meta.ip,
    userAgent: scope.meta.userAgent?.slice(0, 512) ?? null,
    requestId: scope.meta.requestId,
    detail: e.detail ?? null,
  };
}

/** The complete audit row of an entry (who and where from the scope): what the calendar object writes. */
export function auditRow(scope: Omit<AuditScope, "db" | "d1" | "waitUntil">, e: AuditEntry): typeof auditLog.$inferInsert {
  return values(scope as AuditScope, e);
}

/** An insert to put in the same `db.batch` as the write it records. Call `scheduleSeal` after. */
export function auditStatement(scope: AuditScope, e: AuditEntry): BatchItem<"sqlite"> {
  return scope.db.insert(auditLog).values(values(scope, e));
}

/**
 * The audit insert as plain SQL, written only when `guard` (an SQL condition) holds: for batches
 * that must record a change only if it happened, and for the calendar Durable Object.
 */
export function auditSql(scope: AuditScope, e: AuditEntry, guard: { sql: string; params: (string | number | null)[] }) {
  const v = values(scope, e);
  return {
    sql: `INSERT INTO audit_log (occurred_at, user_id, user_email, clinic_slug, action, event, entity_type, entity_id, patient_id,
            outcome, ip, user_agent, request_id, detail)
          SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ${guard.sql}`,
    params: [v.occurredAt, v.userId ?? null, v.userEmail ?? null, v.clinicSlug, v.action, v.event, v.entityType, v.entityId ?? null,
      v.patientId ?? null, v.outcome ?? "success", v.ip ?? null, v.userAgent ?? null, v.requestId ?? null, v.detail ?? null, ...guard.params],
  };
}

/**
 * The audit insert for a drizzle `db.batch`, written only when `condition` holds (e.g. that the
 * patient whose record the batch reads exists, so a 404 leaves no success row).
 */
export function auditStatementWhere(scope: AuditScope, e: AuditEntry, condition: SQL): BatchItem<"sqlite"> {
  const row = values(scope, e) as Record<string, unknown>;
  // Every column in table order; the id is assigned and the chain columns are filled by the sealer.
  const cells = Object.keys(getTableColumns(auditLog)).map((key) => sql`${row[key] ?? null}`);
  return scope.db.insert(auditLog).select(sql`SELECT ${sql.join(cells, sql`, `)} WHERE ${condition}`);
}

/**
 * A raw D1 statement that writes the audit row only if the statement just before it in the same
 * `d1.batch` changed exactly one row (an update guarded by a version check, say).
 */
export function auditIfChanged(scope: AuditScope, e: AuditEntry): D1PreparedStatement {
  const s = auditSql(scope, e, { sql: "changes() = 1", params: [] });
  return scope.d1.prepare(s.sql).bind(...s.params);
}

/** Writes several audit rows in one round trip (one per patient shown on a list, say). */
export async function auditMany(scope: AuditScope, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const [first, ...rest] = entries.map((e) => scope.db.insert(auditLog).values(values(scope, e)));
  await scope.db.batch([first!, ...rest]);
  scheduleSeal(scope);
}

/** Writes one audit row now and seals the chain after the response. */
export async function audit(scope: AuditScope, e: AuditEntry): Promise<void> {
  await scope.db.insert(auditLog).values(values(scope, e));
  scheduleSeal(scope);
}

export function scheduleSeal(scope: Pick<AuditScope, "d1" | "waitUntil">): void {
  scope.waitUntil(sealAuditChain(scope.d1).catch((err) => console.error("audit seal failed", err)));
}

const SEAL_BATCH = 200;

/** Seals unsealed rows into the chain in id order. Safe to run concurrently and repeatedly. */
export async function sealAuditChain(d1: D1Database): Promise<number> {
  let sealed = 0;
  for (;;) {
    const [lastRes, pendingRes] = await d1.batch([
      d1.prepare("SELECT hash FROM audit_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1"),
      d1.prepare(`SELECT ${CHAIN_COLUMNS} FROM audit_log WHERE hash IS NULL ORDER BY id LIMIT ?`).bind(SEAL_BATCH),
    ]);
    const last = (lastRes?.results[0] as { hash: string } | undefined) ?? null;
    const unsealed = (pendingRes?.results ?? []) as unknown as ChainRow[];
    if (unsealed.length === 0) return sealed;
    const seals = await computeSeals(last, unsealed);
    await d1.batch(
      seals.map((s) =>
        d1.prepare("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ? AND hash IS NULL").bind(s.prevHash, s.hash, s.id),
      ),
    );
    sealed += seals.length;
    if (unsealed.length < SEAL_BATCH) return sealed;
  }
}

/** Columns of audit_log under their ChainRow names, for raw SQL. */
export const CHAIN_COLUMNS = [
  "id",
  "occurred_at AS occurredAt",
  "user_id AS userId",
  "user_email AS userEmail",
  "clinic_slug AS clinicSlug",
  "action",
  "event",
  "entity_type AS entityType",
  "entity_id AS entityId",
  "patient_id AS patientId",
  "outcome",
  "ip",
  "user_agent AS userAgent",
  "request_id AS requestId",
  "detail",
  "prev_hash AS prevHash",
  "hash",
].join(", ");
