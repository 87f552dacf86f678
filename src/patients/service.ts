/**
 * Patient demographics: search, view, create and edit. Each function checks the permission,
 * reads or writes through the clinic-scoped database and leaves an audit row.
 */
import { and, eq, exists } from "drizzle-orm";
import { audit, auditStatementIfChanged, auditStatementWhere, auditMany, auditStatement, scheduleSeal, type AuditEntry } from "../audit/service";
import { AppError, notFound } from "../platform/errors";
import { requirePermission, type StaffScope } from "../platform/scope";
import { findByIdentity, findPatient, searchPatients, toRow, type Patient, type SearchKind } from "./repo";
import { patients } from "./tables";
import type { PatientInput } from "./input";

export async function searchPatientList(
  scope: StaffScope,
  q: string,
  pageNo: number,
): Promise<{ rows: Patient[]; more: boolean; kind: SearchKind }> {
  requirePermission(scope, "patients:read");
  const result = await searchPatients(scope.db, q, pageNo);
  const detail = `${result.kind} search${q ? ` "${q.slice(0, 100)}"` : ""}, page ${pageNo}: ${result.rows.length} shown`;
  // One row per patient shown, so "who has seen this patient" has an answer.
  await auditMany(
    scope,
    result.rows.length === 0
      ? [{ action: "read", event: "patient.search", entityType: "patient", detail }]
      : result.rows.map((r) => ({ action: "read", event: "patient.search", entityType: "patient", entityId: r.id, patientId: r.id, detail })),
  );
  return result;
}

/**
 * A patient's record, to show (`patients:read`) or to edit (`patients:write`): the read and its
 * audit row in one batch, the row written only if the patient exists. Not found is a 404 after
 * a failure row.
 */
export async function viewPatient(scope: StaffScope, id: string, purpose: "view" | "edit" = "view"): Promise<Patient> {
  requirePermission(scope, purpose === "edit" ? "patients:write" : "patients:read");
  const entry: AuditEntry = { action: "read", event: `patient.${purpose}`, entityType: "patient", entityId: id, patientId: id };
  const thisPatient = eq(patients.id, id);
  const [rows] = await scope.db.batch([
    scope.db.select().from(patients).where(thisPatient).limit(1),
    auditStatementWhere(scope, entry, exists(scope.db.select({ id: patients.id }).from(patients).where(thisPatient))),
  ]);
  const patient = rows[0];
  if (!patient) {
    await audit(scope, { action: "read", event: `patient.${purpose}`, entityType: "patient", entityId: id.slice(0, 64), outcome: "failure", detail: "not found" });
    throw notFound("This patient");
  }
  scheduleSeal(scope);
  return patient;
}

export type CreateResult = { created: Patient } | { duplicates: Patient[] };

/** What a booking knows of a new patient (names, date of birth, contact); the rest is left empty. */
export type NewPatientDetails = Pick<PatientInput, "given_name" | "family_name" | "date_of_birth"> & Partial<PatientInput>;

/**
 * The row of a new patient, for every path that creates one (staff registration, online booking,
 * the calendar's quick add), so all apply the same normalization: names trimmed, email trimmed
 * and lower-cased, the derived search and duplicate-check columns (`toRow`). `by` is the staff
 * member who registers the patient (null online).
 */
export function newPatientRow(id: string, d: NewPatientDetails, by: string | null, now = Date.now()): typeof patients.$inferInsert {
  const email = d.email?.trim().toLowerCase() || null;
  const input: PatientInput = {
    preferred_name: null,
    sex_at_birth: "unknown",
    gender_identity: null,
    phone: null,
    address_line1: null,
    address_line2: null,
    city: null,
    region: null,
    postal_code: null,
    country: null,
    preferred_language: null,
    emergency_name: null,
    emergency_relationship: null,
    emergency_phone: null,
    insurance_payer: null,
    insurance_member_id: null,
    insurance_group: null,
    ...d,
    given_name: d.given_name.trim(),
    family_name: d.family_name.trim(),
    email,
  };
  return { id, ...toRow(input), createdAt: now, updatedAt: now, createdBy: by, updatedBy: by };
}

/**
 * Registers a patient. A patient with the same legal name and date of birth is returned as a
 * possible duplicate instead, unless the user confirmed that this is a different person.
 */
export async function createPatient(scope: StaffScope, input: PatientInput, confirmDuplicate: boolean): Promise<CreateResult> {
  requirePermission(scope, "patients:write");
  const row = toRow(input);
  if (!confirmDuplicate) {
    const duplicates = await findByIdentity(scope.db, row.identityKey);
    if (duplicates.length > 0) {
      await auditMany(
        scope,
        duplicates.map((d) => ({ action: "read", event: "patient.duplicate_warning", entityType: "patient", entityId: d.id, patientId: d.id })),
      );
      return { duplicates };
    }
  }
  const id = crypto.randomUUID();
  const now = Date.now();
  const [inserted] = await scope.db.batch([
    scope.db
      .insert(patients)
      .values(newPatientRow(id, input, scope.staff.id, now))
      .returning(),
    auditStatement(scope, {
      action: "create",
      event: "patient.create",
      entityType: "patient",
      entityId: id,
      patientId: id,
      detail: confirmDuplicate ? "created after a duplicate warning" : null,
    }),
  ]);
  scheduleSeal(scope);
  const created = (inserted as Patient[])[0];
  if (!created) throw new AppError("internal", "The patient could not be saved.");
  return { created };
}

/** Field names whose values differ, for the audit detail (names only, never values). */
function changedFields(before: Patient, after: ReturnType<typeof toRow>): string[] {
  return (Object.keys(after) as (keyof typeof after)[]).filter(
    (k) => k !== "searchName" && k !== "identityKey" && k !== "phoneDigits" && (before[k] ?? null) !== (after[k] ?? null),
  );
}

/**
 * Saves edits when the record is still at the version the form was opened on; otherwise it is a
 * conflict, and nothing is overwritten.
 */
export async function updatePatient(scope: StaffScope, id: string, version: number, input: PatientInput): Promise<void> {
  requirePermission(scope, "patients:write");
  const before = await findPatient(scope.db, id);
  if (!before) {
    await audit(scope, { action: "update", event: "patient.update", entityType: "patient", entityId: id.slice(0, 64), outcome: "failure", detail: "not found" });
    throw notFound("This patient");
  }
  const row = toRow(input);
  const changed = changedFields(before, row);
  const update = scope.db
    .update(patients)
    .set({ ...row, version: version + 1, updatedAt: Date.now(), updatedBy: scope.staff.id })
    .where(and(eq(patients.id, id), eq(patients.version, version)));
  // One transaction: the update, and its audit row only if the update took.
  const [result] = await scope.db.batch([
    update,
    auditStatementIfChanged(scope, {
      action: "update",
      event: "patient.update",
      entityType: "patient",
      entityId: id,
      patientId: id,
      detail: changed.length ? `changed: ${changed.join(", ")}` : "no changes",
    }),
  ]);
  if (!result || result.meta.changes !== 1) {
    await audit(scope, { action: "update", event: "patient.update", entityType: "patient", entityId: id, patientId: id, outcome: "failure", detail: "version conflict" });
    throw new AppError(
      "conflict",
      "Someone else saved changes to this patient after you opened the form. Your changes were not saved: reopen the record to see the latest version.",
    );
  }
  scheduleSeal(scope);
}

