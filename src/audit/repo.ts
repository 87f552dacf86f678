/** Queries of the audit report: filter by period, user, patient and action; sort by any column. */
import { and, asc, desc, eq, gte, lt, or, sql, type SQL } from "drizzle-orm";
import * as z from "zod/mini";
import type { ClinicDb } from "../platform/env";
import { AUDIT_ACTIONS, auditLog } from "./tables";

import { addDays, isIsoDate } from "../platform/time";

export const SORTABLE = {
  occurred_at: auditLog.occurredAt,
  user: auditLog.userEmail,
  action: auditLog.action,
  event: auditLog.event,
  entity_type: auditLog.entityType,
  entity_id: auditLog.entityId,
  patient: auditLog.patientId,
  outcome: auditLog.outcome,
  ip: auditLog.ip,
  request_id: auditLog.requestId,
} as const;
export type SortKey = keyof typeof SORTABLE;

const isoDate = (label: string) =>
  z._default(
    z.string().check(z.trim(), z.refine((v) => v === "" || isIsoDate(v), { error: `${label} must be a date, as YYYY-MM-DD.` })),
    "",
  );

const text = (max: number) => z._default(z.string().check(z.trim(), z.maxLength(max)), "");

export const auditFilterSchema = z.object({
  from: isoDate("From"),
  to: isoDate("To"),
  user: text(254),
  patient: text(64),
  action: z._default(z.union([z.enum(AUDIT_ACTIONS), z.literal("")], { error: "Choose an action from the list." }), ""),
  sort: z._default(z.enum(Object.keys(SORTABLE) as [SortKey, ...SortKey[]], { error: "Unknown sort column." }), "occurred_at"),
  dir: z._default(z.enum(["asc", "desc"], { error: "Sort direction must be asc or desc." }), "desc"),
  page: z._default(z.coerce.number({ error: "Page must be a number." }).check(z.refine(Number.isInteger, { error: "Page must be a whole number." }), z.gte(1), z.lte(10_000)), 1),
});
export type AuditFilter = z.output<typeof auditFilterSchema>;

export function auditWhere(f: AuditFilter): SQL | undefined {
  const conds: SQL[] = [];
  if (f.from) conds.push(gte(auditLog.occurredAt, `${f.from}T00:00:00.000Z`));
  if (f.to) conds.push(lt(auditLog.occurredAt, `${addDays(f.to, 1)}T00:00:00.000Z`));
  if (f.user) {
    const u = f.user.toLowerCase();
    conds.push(or(eq(auditLog.userId, f.user), sql`instr(${auditLog.userEmail}, ${u}) > 0`)!);
  }
  if (f.patient) conds.push(eq(auditLog.patientId, f.patient));
  if (f.action) conds.push(eq(auditLog.action, f.action));
  return conds.length ? and(...conds) : undefined;
}

export type AuditRow = typeof auditLog.$inferSelect;
export const REPORT_PAGE_SIZE = 50;

export async function queryAudit(db: ClinicDb, f: AuditFilter, limit: number, offset: number): Promise<AuditRow[]> {
  const col = SORTABLE[f.sort];
  const order = f.dir === "asc" ? asc(col) : desc(col);
  return db
    .select()
    .from(auditLog)
    .where(auditWhere(f))
    .orderBy(order, f.dir === "asc" ? asc(auditLog.id) : desc(auditLog.id))
    .limit(limit)
    .offset(offset);
}
