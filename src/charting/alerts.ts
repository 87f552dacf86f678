/** Chart alerts (fall risk, interpreter needed, ...) shown in the header: add and deactivate. */
import { and, desc, eq } from "drizzle-orm";
import { audit, auditStatementIfChanged, auditStatement, scheduleSeal, type AuditEntry } from "../audit/service";
import { requirePermission, type StaffScope } from "../platform/scope";
import { readChart, recordNotFound, requirePatientForWrite } from "./access";
import { chartAlerts } from "./tables";
import type { AlertInput } from "./input";

export type ChartAlert = typeof chartAlerts.$inferSelect;

const entry = (patientId: string, event: string, action: AuditEntry["action"], id: string | null): AuditEntry => ({
  action,
  event,
  entityType: "chart_alert",
  entityId: id,
  patientId,
});

/** Active alerts first, then the deactivated ones (kept: who raised what, and when, stays readable). */
export async function alertList(scope: StaffScope, patientId: string) {
  const { header, results } = await readChart(scope, patientId, { event: "alerts.view" }, [
    scope.db
      .select()
      .from(chartAlerts)
      .where(eq(chartAlerts.patientId, patientId))
      .orderBy(desc(chartAlerts.active), desc(chartAlerts.createdAt))
      .limit(200),
  ] as const);
  return { header, rows: results[0] };
}

export async function createAlert(scope: StaffScope, patientId: string, input: AlertInput): Promise<void> {
  await requirePatientForWrite(scope, patientId, entry(patientId, "alert.create", "create", null));
  const id = crypto.randomUUID();
  const now = Date.now();
  await scope.db.batch([
    scope.db.insert(chartAlerts).values({ id, patientId, ...input, createdAt: now, updatedAt: now, createdBy: scope.staff.id, updatedBy: scope.staff.id }),
    auditStatement(scope, entry(patientId, "alert.create", "create", id)),
  ]);
  scheduleSeal(scope);
}

/** Deactivates an alert; one already inactive stays so (the second click changes nothing). */
export async function deactivateAlert(scope: StaffScope, patientId: string, id: string): Promise<void> {
  requirePermission(scope, "chart:write");
  const e = entry(patientId, "alert.deactivate", "update", id);
  const q = scope.db
    .update(chartAlerts)
    .set({ active: 0, updatedAt: Date.now(), updatedBy: scope.staff.id })
    .where(and(eq(chartAlerts.id, id), eq(chartAlerts.patientId, patientId), eq(chartAlerts.active, 1)));
  const [result] = await scope.db.batch([q, auditStatementIfChanged(scope, e)]);
  if (result && result.meta.changes === 1) {
    scheduleSeal(scope);
    return;
  }
  const [row] = await scope.db.select({ id: chartAlerts.id }).from(chartAlerts).where(and(eq(chartAlerts.id, id), eq(chartAlerts.patientId, patientId))).limit(1);
  if (!row) await recordNotFound(scope, e, "This alert");
  // The second click is in the trail too, though it changed nothing.
  await audit(scope, { action: "update", event: "alert.deactivate", entityType: "chart_alert", entityId: id, patientId, detail: "already inactive; no changes" });
}
