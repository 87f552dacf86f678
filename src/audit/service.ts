/**
 * Writing the audit trail. Every read and write of patient data, every sign-in event, privilege
 * change and export goes through `audit` (or `auditStatement` inside a write batch, so the row and
 * its audit entry commit together). Sealing into the keyed hash chain happens after the response,
 * and again in every cron scan (which also anchors the chain: ./anchors.ts).
 */
import { and, asc, desc, eq, getTableColumns, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { auditLog, type AuditAction } from "./tables";
import { computeSeals, parseAuditKeys, type AuditKeyring } from "./chain";
import { AppError } from "../platform/errors";
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
  /** The AUDIT_KEYS secret (`kid:secret,...`) that seals the chain. */
  auditKeys: string | undefined;
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
    detail: underGrant(scope.meta, e.detail ?? null),
  };
}

/** A row written under an emergency grant says so, with the grant, whatever else its detail holds. */
function underGrant(meta: RequestMeta, detail: string | null): string | null {
  if (!meta.emergencyGrantId) return detail;
  const mark = `emergency access (grant ${meta.emergencyGrantId})`;
  return detail ? `${mark}; ${detail}` : mark;
}

/** The complete audit row of an entry (who and where from the scope): what the calendar object writes. */
export function auditRow(scope: Omit<AuditScope, "db" | "d1" | "waitUntil" | "auditKeys">, e: AuditEntry): typeof auditLog.$inferInsert {
  return values(scope as AuditScope, e);
}

/** An insert to put in the same `db.batch` as the write it records. Call `scheduleSeal` after. */
export function auditStatement(scope: AuditScope, e: AuditEntry): BatchItem<"sqlite"> {
  return scope.db.insert(auditLog).values(values(scope, e));
}

/**
 * The audit insert for a `db.batch`, written only when `condition` holds: that the patient whose
 * record the batch reads exists (so a 404 leaves no success row), or that the write just before
 * it changed a row (`auditStatementIfChanged`).
 */
export function auditStatementWhere(scope: AuditScope, e: AuditEntry, condition: SQL): BatchItem<"sqlite"> {
  const row = values(scope, e) as Record<string, unknown>;
  // Every column in table order; the id is assigned and the chain columns are filled by the sealer.
  const cells = Object.keys(getTableColumns(auditLog)).map((key) => sql`${row[key] ?? null}`);
  return scope.db.insert(auditLog).select(sql`SELECT ${sql.join(cells, sql`, `)} WHERE ${condition}`);
}

/** The condition that the statement just before, in the same batch, changed exactly one row. */
export const CHANGED_ONE: SQL = sql`changes() = 1`;

/**
 * The audit insert for a `db.batch` that is written only if the statement just before it changed
 * exactly one row (an update guarded by a version check, an insert that may meet a conflict).
 */
export function auditStatementIfChanged(scope: AuditScope, e: AuditEntry): BatchItem<"sqlite"> {
  return auditStatementWhere(scope, e, CHANGED_ONE);
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

export function scheduleSeal(scope: Pick<AuditScope, "d1" | "waitUntil" | "auditKeys">): void {
  scope.waitUntil(sealAuditChain(scope.d1, scope.auditKeys).catch((err) => console.error("audit seal failed", err)));
}

const keyrings = new Map<string, Promise<AuditKeyring>>();

/** The keyring of an AUDIT_KEYS value, parsed and imported once per isolate. */
export function auditKeyring(raw: string | undefined): Promise<AuditKeyring> {
  const k = raw ?? "";
  let ring = keyrings.get(k);
  if (!ring) {
    ring = parseAuditKeys(k).catch((err: Error) => {
      keyrings.delete(k);
      throw new AppError("internal", err.message);
    });
    keyrings.set(k, ring);
  }
  return ring;
}

const SEAL_BATCH = 200;

/** Every column of audit_log under its `ChainRow` name: what the sealer and verifier read. */
export const chainColumns = getTableColumns(auditLog);

/**
 * Seals unsealed rows into the chain in id order, with the current key of `auditKeys`. Safe to run
 * concurrently and repeatedly. Without valid keys it seals nothing and throws.
 */
export async function sealAuditChain(d1: D1Database, auditKeys: string | undefined): Promise<number> {
  const keyring = await auditKeyring(auditKeys);
  const db = drizzle(d1);
  let sealed = 0;
  for (;;) {
    const [lastRows, unsealed] = await db.batch([
      db.select({ hash: auditLog.hash }).from(auditLog).where(isNotNull(auditLog.hash)).orderBy(desc(auditLog.id)).limit(1),
      db.select(chainColumns).from(auditLog).where(isNull(auditLog.hash)).orderBy(asc(auditLog.id)).limit(SEAL_BATCH),
    ]);
    const last = lastRows[0] ?? null;
    if (unsealed.length === 0) return sealed;
    const seals = await computeSeals(last, unsealed, keyring);
    const [first, ...rest] = seals.map((s) =>
      db
        .update(auditLog)
        .set({ prevHash: s.prevHash, hash: s.hash, keyId: s.keyId })
        .where(and(eq(auditLog.id, s.id), isNull(auditLog.hash))),
    );
    if (first) await db.batch([first, ...rest]);
    sealed += seals.length;
    if (unsealed.length < SEAL_BATCH) return sealed;
  }
}
