/**
 * The medication list: add, edit (version-checked), stop (the medication stays listed, stopped, with
 * its reason) and entered in error. Prescriptions written by e-prescribing arrive here with source
 * `prescription`.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { auditStatement, scheduleSeal, type AuditEntry } from "../audit/service";
import type { StaffScope } from "../platform/scope";
import { readChart, recordNotFound, requirePatientForWrite, updateChecked } from "./access";
import { medications } from "./tables";
import type { MedicationInput } from "./input";

export type Medication = typeof medications.$inferSelect;

const entry = (patientId: string, event: string, action: AuditEntry["action"], id: string | null, detail?: string): AuditEntry => ({
  action,
  event,
  entityType: "medication",
  entityId: id,
  patientId,
  detail: detail ?? null,
});

/** The prescriber is linked to the staff account when it is the signed-in clinician's own name. */
function columns(scope: StaffScope, i: MedicationInput) {
  return {
    name: i.name,
    dose: i.dose,
    route: i.route,
    frequency: i.frequency,
    startDate: i.start_date,
    stopDate: i.stop_date,
    status: i.status,
    stopReason: i.status === "stopped" ? i.stop_reason : null,
    prescriber: i.prescriber,
    prescriberStaffId: i.prescriber !== null && i.prescriber === scope.staff.name ? scope.staff.id : null,
    note: i.note,
  };
}

export async function medicationList(scope: StaffScope, patientId: string) {
  const { header, results } = await readChart(scope, patientId, { event: "medications.view" }, [
    scope.db
      .select()
      .from(medications)
      .where(eq(medications.patientId, patientId))
      .orderBy(sql`CASE ${medications.status} WHEN 'active' THEN 0 WHEN 'stopped' THEN 1 ELSE 2 END`, asc(medications.name))
      .limit(300),
  ] as const);
  return { header, rows: results[0] };
}

export async function medicationForEdit(scope: StaffScope, patientId: string, id: string) {
  const { header, results } = await readChart(scope, patientId, { event: "medication.view", entityType: "medication", entityId: id }, [
    scope.db.select().from(medications).where(and(eq(medications.id, id), eq(medications.patientId, patientId))).limit(1),
  ] as const);
  const row = results[0][0];
  if (!row) return recordNotFound(scope, entry(patientId, "medication.view", "read", id), "This medication");
  return { header, row };
}

export async function createMedication(scope: StaffScope, patientId: string, input: MedicationInput): Promise<void> {
  await requirePatientForWrite(scope, patientId, entry(patientId, "medication.create", "create", null));
  const id = crypto.randomUUID();
  const now = Date.now();
  await scope.db.batch([
    scope.db
      .insert(medications)
      .values({ id, patientId, ...columns(scope, input), source: "manual", createdAt: now, updatedAt: now, createdBy: scope.staff.id, updatedBy: scope.staff.id }),
    auditStatement(scope, entry(patientId, "medication.create", "create", id)),
  ]);
  scheduleSeal(scope);
}

function checkedUpdate(scope: StaffScope, patientId: string, id: string, version: number, set: Partial<Medication>, e: AuditEntry) {
  return updateChecked(scope, {
    update: scope.db
      .update(medications)
      .set({ ...set, version: version + 1, updatedAt: Date.now(), updatedBy: scope.staff.id })
      .where(and(eq(medications.id, id), eq(medications.patientId, patientId), eq(medications.version, version))),
    entry: e,
    exists: () =>
      scope.db.select({ id: medications.id }).from(medications).where(and(eq(medications.id, id), eq(medications.patientId, patientId))).limit(1),
    what: "This medication",
  });
}

export async function updateMedication(scope: StaffScope, patientId: string, id: string, version: number, input: MedicationInput): Promise<void> {
  const set = columns(scope, input);
  await checkedUpdate(scope, patientId, id, version, set, entry(patientId, "medication.update", "update", id, `fields: ${Object.keys(set).join(", ")}`));
}

export async function stopMedication(scope: StaffScope, patientId: string, id: string, version: number, stop: { stopDate: string; stopReason: string }) {
  await checkedUpdate(scope, patientId, id, version, { status: "stopped", ...stop }, entry(patientId, "medication.stop", "update", id, "fields: status, stopDate, stopReason"));
}

export async function markMedicationInError(scope: StaffScope, patientId: string, id: string, version: number): Promise<void> {
  await checkedUpdate(scope, patientId, id, version, { status: "entered_in_error" }, entry(patientId, "medication.entered_in_error", "update", id));
}
