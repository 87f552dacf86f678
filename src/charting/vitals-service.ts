/**
 * Recording and reading vital signs. A set may belong to an encounter of the same patient (the
 * note editor links here during a visit); BMI is computed from the weight and the height taken
 * with it, or the latest height on record.
 */
import { and, desc, eq, isNotNull, sql } from "drizzle-orm";
import { auditStatementIfChanged, auditStatement, scheduleSeal, type AuditEntry } from "../audit/service";

import { patients } from "../patients/tables";
import { AppError } from "../platform/errors";
import { requirePermission, type StaffScope } from "../platform/scope";
import { zonedInstant, isIsoDate } from "../platform/time";
import { readChart, recordNotFound } from "./access";
import { encounters, vitals } from "./tables";
import { bmiOf, type VitalsInput } from "./vitals";

export type VitalsSet = typeof vitals.$inferSelect;

const entry = (patientId: string, event: string, action: AuditEntry["action"], id: string | null, detail?: string): AuditEntry => ({
  action,
  event,
  entityType: "vitals",
  entityId: id,
  patientId,
  detail: detail ?? null,
});

export async function vitalsList(scope: StaffScope, patientId: string) {
  const { header, results } = await readChart(scope, patientId, { event: "vitals.view" }, [
    scope.db.select().from(vitals).where(eq(vitals.patientId, patientId)).orderBy(desc(vitals.takenAt)).limit(200),
  ] as const);
  return { header, rows: results[0] };
}

const encounterOf = (scope: StaffScope, patientId: string, encounterId: string) =>
  scope.db
    .select({ id: encounters.id, startedAt: encounters.startedAt, reason: encounters.reason })
    .from(encounters)
    .where(and(eq(encounters.id, encounterId), eq(encounters.patientId, patientId)))
    .limit(1);

/** The header for the form, and the encounter it records for (another patient's encounter is a 404). */
export async function vitalsForm(scope: StaffScope, patientId: string, encounterId: string | null) {
  requirePermission(scope, "chart:write");
  const { header, results } = await readChart(scope, patientId, { event: "vitals.form", entityType: "vitals", entityId: encounterId ?? undefined }, [
    encounterOf(scope, patientId, encounterId ?? ""),
  ] as const);
  const encounter = results[0][0] ?? null;
  if (encounterId && !encounter) return recordNotFound(scope, { ...entry(patientId, "vitals.form", "read", encounterId), entityType: "encounter" }, "This encounter");
  return { header, encounter };
}

/** When the set was taken: now, or the clinic-local date and time typed (not in the future). */
function takenAtOf(input: VitalsInput, timezone: string, now: number): number {
  if (!input.takenAt) return now;
  const { date, time } = input.takenAt;
  const invalid = (msg: string) => new AppError("validation", msg, { taken_date: msg });
  if (!isIsoDate(date) || date < "1900-01-01") throw invalid("Date taken must be a real date, as YYYY-MM-DD.");
  const at = zonedInstant(date, time, timezone);
  // A few minutes of leeway for a clock typed from the wall.
  if (at > now + 5 * 60_000) throw invalid("Date and time taken cannot be in the future.");
  return at;
}

/**
 * Records a set of vitals; returns its id. One read (the patient, the encounter, the latest height)
 * and one write batch with its audit row.
 */
export async function recordVitals(scope: StaffScope, patientId: string, encounterId: string | null, input: VitalsInput, timezone: string): Promise<string> {
  requirePermission(scope, "chart:write");
  const e = entry(patientId, "vitals.create", "create", null);
  const now = Date.now();
  const takenAt = takenAtOf(input, timezone, now);
  const [patient, encounter, lastHeight] = await scope.db.batch([
    scope.db.select({ id: patients.id }).from(patients).where(eq(patients.id, patientId)).limit(1),
    encounterOf(scope, patientId, encounterId ?? ""),
    scope.db
      .select({ heightCm: vitals.heightCm })
      .from(vitals)
      .where(and(eq(vitals.patientId, patientId), eq(vitals.status, "final"), isNotNull(vitals.heightCm)))
      .orderBy(desc(vitals.takenAt))
      .limit(1),
  ]);
  if (patient.length === 0) await recordNotFound(scope, { ...e, entityType: "patient", entityId: patientId, patientId: null }, "This patient");
  if (encounterId && encounter.length === 0) await recordNotFound(scope, { ...e, entityType: "encounter", entityId: encounterId }, "This encounter");
  const height = input.heightCm ?? lastHeight[0]?.heightCm ?? null;
  const bmi = input.weightKg !== null && height !== null ? bmiOf(input.weightKg, height) : null;
  const id = crypto.randomUUID();
  const { takenAt: _typed, ...measures } = input;
  const taken = Object.entries(measures)
    .filter(([k, v]) => v !== null && k !== "note")
    .map(([k]) => k);
  await scope.db.batch([
    scope.db.insert(vitals).values({
      id,
      patientId,
      encounterId,
      takenAt,
      ...measures,
      bmi,
      createdAt: now,
      updatedAt: now,
      createdBy: scope.staff.id,
      updatedBy: scope.staff.id,
    }),
    auditStatement(scope, { ...e, entityId: id, detail: `fields: ${[...taken, ...(bmi !== null ? ["bmi"] : [])].join(", ")}${encounterId ? `; encounter ${encounterId}` : ""}` }),
  ]);
  scheduleSeal(scope);
  return id;
}

/** Vitals are never deleted: a wrong set is marked entered in error and leaves the trends. */
export async function markVitalsInError(scope: StaffScope, patientId: string, id: string): Promise<void> {
  requirePermission(scope, "chart:write");
  const e = entry(patientId, "vitals.entered_in_error", "update", id);
  const q = scope.db
    .update(vitals)
    .set({ status: "entered_in_error", updatedAt: Date.now(), updatedBy: scope.staff.id })
    .where(and(eq(vitals.id, id), eq(vitals.patientId, patientId), sql`${vitals.status} != 'entered_in_error'`));
  const [result] = await scope.db.batch([q, auditStatementIfChanged(scope, e)]);
  if (!result || result.meta.changes !== 1) await recordNotFound(scope, e, "This set of vitals");
  scheduleSeal(scope);
}
