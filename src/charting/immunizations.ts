/**
 * Immunizations: a vaccine from the CVX list, the date given (never in the future), lot,
 * manufacturer, site and route. The table has no version column, so an edit is last-save-wins.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import { auditStatementIfChanged, auditStatement, scheduleSeal, type AuditEntry } from "../audit/service";
import { requirePermission, type StaffScope } from "../platform/scope";
import { readChart, recordNotFound, requirePatientForWrite } from "./access";
import { cvxVaccine } from "./cvx";
import { immunizations } from "./tables";
import type { ImmunizationInput } from "./input";

export type Immunization = typeof immunizations.$inferSelect;

const entry = (patientId: string, event: string, action: AuditEntry["action"], id: string | null, detail?: string): AuditEntry => ({
  action,
  event,
  entityType: "immunization",
  entityId: id,
  patientId,
  detail: detail ?? null,
});

const columns = (i: ImmunizationInput) => ({
  cvxCode: i.cvx_code,
  vaccine: cvxVaccine(i.cvx_code)?.name ?? i.cvx_code,
  administeredOn: i.administered_on,
  lotNumber: i.lot_number,
  manufacturer: i.manufacturer,
  site: i.site,
  route: i.route,
  doseNumber: i.dose_number,
  note: i.note,
});

export async function immunizationList(scope: StaffScope, patientId: string) {
  const { header, results } = await readChart(scope, patientId, { event: "immunizations.view" }, [
    scope.db
      .select()
      .from(immunizations)
      .where(eq(immunizations.patientId, patientId))
      .orderBy(sql`${immunizations.status} = 'entered_in_error'`, desc(immunizations.administeredOn))
      .limit(300),
  ] as const);
  return { header, rows: results[0] };
}

export async function immunizationForEdit(scope: StaffScope, patientId: string, id: string) {
  const { header, results } = await readChart(scope, patientId, { event: "immunization.view", entityType: "immunization", entityId: id }, [
    scope.db.select().from(immunizations).where(and(eq(immunizations.id, id), eq(immunizations.patientId, patientId))).limit(1),
  ] as const);
  const row = results[0][0];
  if (!row) return recordNotFound(scope, entry(patientId, "immunization.view", "read", id), "This immunization");
  return { header, row };
}

export async function createImmunization(scope: StaffScope, patientId: string, input: ImmunizationInput): Promise<void> {
  await requirePatientForWrite(scope, patientId, entry(patientId, "immunization.create", "create", null));
  const id = crypto.randomUUID();
  const now = Date.now();
  await scope.db.batch([
    scope.db.insert(immunizations).values({ id, patientId, ...columns(input), createdAt: now, updatedAt: now, createdBy: scope.staff.id, updatedBy: scope.staff.id }),
    auditStatement(scope, entry(patientId, "immunization.create", "create", id)),
  ]);
  scheduleSeal(scope);
}

/** An update and its audit row together; nothing changed means no such immunization for this patient. */
async function update(scope: StaffScope, patientId: string, id: string, set: Partial<Immunization>, e: AuditEntry): Promise<void> {
  requirePermission(scope, "chart:write");
  const q = scope.db
    .update(immunizations)
    .set({ ...set, updatedAt: Date.now(), updatedBy: scope.staff.id })
    .where(and(eq(immunizations.id, id), eq(immunizations.patientId, patientId), sql`${immunizations.status} != 'entered_in_error'`));
  const [result] = await scope.db.batch([q, auditStatementIfChanged(scope, e)]);
  if (!result || result.meta.changes !== 1) await recordNotFound(scope, e, "This immunization");
  scheduleSeal(scope);
}

export async function updateImmunization(scope: StaffScope, patientId: string, id: string, input: ImmunizationInput): Promise<void> {
  const set = columns(input);
  await update(scope, patientId, id, set, entry(patientId, "immunization.update", "update", id, `fields: ${Object.keys(set).join(", ")}`));
}

export async function markImmunizationInError(scope: StaffScope, patientId: string, id: string): Promise<void> {
  await update(scope, patientId, id, { status: "entered_in_error" }, entry(patientId, "immunization.entered_in_error", "update", id));
}
