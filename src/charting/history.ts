/**
 * Medical, surgical, family and social history: one row per patient, edited as one form under a
 * version check. Version 0 means "no history recorded yet"; a stale form, including two first
 * saves racing each other, is a conflict and overwrites nothing.
 */
import { and, eq } from "drizzle-orm";
import { audit, auditStatementIfChanged, scheduleSeal, type AuditEntry } from "../audit/service";
import { AppError } from "../platform/errors";
import type { StaffScope } from "../platform/scope";
import { readChart, requirePatientForWrite } from "./access";
import { histories } from "./tables";
import type { HistoryInput } from "./input";

export type History = typeof histories.$inferSelect;

export async function readHistory(scope: StaffScope, patientId: string) {
  const { header, results } = await readChart(scope, patientId, { event: "history.view", entityType: "history" }, [
    scope.db.select().from(histories).where(eq(histories.patientId, patientId)).limit(1),
  ] as const);
  return { header, history: results[0][0] ?? null };
}

const columns = (i: HistoryInput) => ({
  medical: i.medical,
  surgical: i.surgical,
  family: i.family,
  smokingStatus: i.smoking_status,
  alcoholUse: i.alcohol_use,
  occupation: i.occupation,
  socialNote: i.social_note,
});

export async function saveHistory(scope: StaffScope, patientId: string, version: number, input: HistoryInput): Promise<void> {
  const first = version === 0;
  const e: AuditEntry = {
    action: first ? "create" : "update",
    event: first ? "history.create" : "history.update",
    entityType: "history",
    entityId: patientId,
    patientId,
    detail: `fields: ${Object.keys(columns(input)).join(", ")}`,
  };
  await requirePatientForWrite(scope, patientId, e);
  const now = Date.now();
  const write = first
    ? scope.db
        .insert(histories)
        .values({ patientId, ...columns(input), createdAt: now, updatedAt: now, createdBy: scope.staff.id, updatedBy: scope.staff.id })
        .onConflictDoNothing()
    : scope.db
        .update(histories)
        .set({ ...columns(input), version: version + 1, updatedAt: now, updatedBy: scope.staff.id })
        .where(and(eq(histories.patientId, patientId), eq(histories.version, version)))
        ;
  const [result] = await scope.db.batch([write, auditStatementIfChanged(scope, e)]);
  if (!result || result.meta.changes !== 1) {
    await audit(scope, { ...e, outcome: "failure", detail: "version conflict" });
    throw new AppError(
      "conflict",
      "Someone else saved this patient's history after you opened the form. Your changes were not saved; what is shown now is the latest version.",
    );
  }
  scheduleSeal(scope);
}
