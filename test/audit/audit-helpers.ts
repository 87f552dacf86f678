/** Helpers of the audit chain tests: rows written straight to a clinic's log, and the log read back. */
import { asc } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { ChainRow } from "../../src/audit/chain";
import { chainColumns } from "../../src/audit/service";
import { auditLog } from "../../src/audit/tables";

/** Appends `n` unsealed audit rows (a chart read each), as the services would. */
export async function appendRows(d1: D1Database, clinicSlug: string, n: number, label = "row"): Promise<void> {
  const db = drizzle(d1);
  const rows = Array.from({ length: n }, (_, i) => ({
    occurredAt: new Date().toISOString(),
    userId: "u-prov",
    userEmail: "provider@riverside.test",
    clinicSlug,
    action: "read" as const,
    event: "chart.view",
    entityType: "patient",
    entityId: `p-${label}-${i}`,
    patientId: `p-${label}-${i}`,
    outcome: "success" as const,
    ip: "203.0.113.9",
    userAgent: "ChainTest/1.0",
    requestId: crypto.randomUUID(),
    detail: `${label} ${i}`,
  }));
  const [first, ...rest] = rows.map((r) => db.insert(auditLog).values(r));
  await db.batch([first!, ...rest]);
}

export async function chainRows(d1: D1Database): Promise<ChainRow[]> {
  return drizzle(d1).select(chainColumns).from(auditLog).orderBy(asc(auditLog.id));
}

/** Writes the chain columns (and detail) of `rows` back, as someone with database access could. */
export async function rewriteRows(d1: D1Database, rows: ChainRow[]): Promise<void> {
  await d1.batch(
    rows.map((r) => d1.prepare("UPDATE audit_log SET detail = ?, prev_hash = ?, hash = ?, key_id = ? WHERE id = ?").bind(r.detail, r.prevHash, r.hash, r.keyId, r.id)),
  );
}

/** A secret long enough for AUDIT_KEYS. */
export const secret = (seed: string) => `${seed}-`.repeat(40).slice(0, 48);
