/** Allergies and intolerances: list, add, edit (version-checked) and entered in error. */
import { and, asc, eq, sql } from "drizzle-orm";
import { auditStatement, scheduleSeal, type AuditEntry } from "../audit/service";
import type { StaffScope } from "../platform/scope";
import { readChart, recordNotFound, requirePatientForWrite, updateChecked } from "./access";
import { allergies } from "./tables";
import type { AllergyInput } from "./input";

export type Allergy = typeof allergies.$inferSelect;

const entry = (patientId: string, event: string, action: AuditEntry["action"], id: string | null, detail?: string): AuditEntry => ({
  action,
  event,
  entityType: "allergy",
  entityId: id,
  patientId,
  detail: detail ?? null,
});

const columns = (i: AllergyInput) => ({
  substance: i.substance,
  category: i.category,
  reaction: i.reaction,
  severity: i.severity,
  status: i.status,
  onsetDate: i.onset_date,
  note: i.note,
});

export async function allergyList(scope: StaffScope, patientId: string) {
  const { header, results } = await readChart(scope, patientId, { event: "allergies.view" }, [
    scope.db
      .select()
      .from(allergies)
      .where(eq(allergies.patientId, patientId))
      .orderBy(sql`${allergies.status} = 'entered_in_error'`, sql`${allergies.status} != 'active'`, asc(allergies.substance))
      .limit(200),
  ] as const);
  return { header, rows: results[0] };
}

export async function allergyForEdit(scope: StaffScope, patientId: string, id: string) {
  const { header, results } = await readChart(scope, patientId, { event: "allergy.view", entityType: "allergy", entityId: id }, [
    scope.db.select().from(allergies).where(and(eq(allergies.id, id), eq(allergies.patientId, patientId))).limit(1),
  ] as const);
  const row = results[0][0];
  if (!row) return recordNotFound(scope, entry(patientId, "allergy.view", "read", id), "This allergy");
  return { header, row };
}

export async function createAllergy(scope: StaffScope, patientId: string, input: AllergyInput): Promise<void> {
  await requirePatientForWrite(scope, patientId, entry(patientId, "allergy.create", "create", null));
  const id = crypto.randomUUID();
  const now = Date.now();
  await scope.db.batch([
    scope.db.insert(allergies).values({ id, patientId, ...columns(input), createdAt: now, updatedAt: now, createdBy: scope.staff.id, updatedBy: scope.staff.id }),
    auditStatement(scope, entry(patientId, "allergy.create", "create", id)),
  ]);
  scheduleSeal(scope);
}

function checkedUpdate(scope: StaffScope, patientId: string, id: string, version: number, set: Partial<Allergy>, e: AuditEntry) {
  return updateChecked(scope, {
    update: scope.db
      .update(allergies)
      .set({ ...set, version: version + 1, updatedAt: Date.now(), updatedBy: scope.staff.id })
      .where(and(eq(allergies.id, id), eq(allergies.patientId, patientId), eq(allergies.version, version))),
    entry: e,
    exists: () => scope.db.select({ id: allergies.id }).from(allergies).where(and(eq(allergies.id, id), eq(allergies.patientId, patientId))).limit(1),
    what: "This allergy",
  });
}

export async function updateAllergy(scope: StaffScope, patientId: string, id: string, version: number, input: AllergyInput): Promise<void> {
  const set = columns(input);
  await checkedUpdate(scope, patientId, id, version, set, entry(patientId, "allergy.update", "update", id, `fields: ${Object.keys(set).join(", ")}`));
}

export async function markAllergyInError(scope: StaffScope, patientId: string, id: string, version: number): Promise<void> {
  await checkedUpdate(scope, patientId, id, version, { status: "entered_in_error" }, entry(patientId, "allergy.entered_in_error", "update", id));
}
