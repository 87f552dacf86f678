/**
 * Encounters: a visit opened from an appointment (at most one each, so a double click is safe) or
 * ad hoc from the chart, by the signed-in clinician. Also the list of recent encounters for
 * clinicians and billers (diagnosis codes of signed notes, never note text), and the notes
 * waiting for a supervisor's co-signature.
 */
import { eq } from "drizzle-orm";
import { audit, auditMany, auditStatement, auditStatementIfChanged, scheduleSeal } from "../audit/service";
import { encounters } from "../charting/tables";
import { readHeader, type ChartHeaderData } from "../charting/header";
import { AppError, notFound } from "../platform/errors";
import { can, requirePermission, type StaffScope } from "../platform/scope";
import {
  encounterPage,
  findAppointment,
  findEncounter,
  notesAwaitingCosign,
  patientExists,
  recentEncounters,
  type Encounter,
  type EncounterListRow,
} from "./repo";
import type { StartEncounterInput } from "./note-input";

function refuseStart(scope: StaffScope, entityType: string, entityId: string, detail: string) {
  return audit(scope, { action: "create", event: "encounter.create", entityType, entityId: entityId.slice(0, 64), outcome: "failure", detail });
}

/**
 * Opens the encounter of an appointment (or returns the one already open for it) or an ad hoc
 * one for a patient. The clinician is the signed-in staff member.
 */
export async function startEncounter(scope: StaffScope, input: StartEncounterInput): Promise<{ id: string; created: boolean }> {
  requirePermission(scope, "notes:write");
  let patientId: string;
  if (input.appointment_id) {
    const appt = await findAppointment(scope.db, input.appointment_id);
    if (!appt) {
      await refuseStart(scope, "appointment", input.appointment_id, "appointment not found");
      throw notFound("This appointment");
    }
    if (appt.status === "cancelled") {
      await refuseStart(scope, "appointment", appt.id, "appointment cancelled");
      throw new AppError("conflict", "This appointment was cancelled. Start an ad hoc visit from the patient's chart instead.");
    }
    patientId = appt.patientId;
  } else {
    patientId = input.patient_id!;
    if (!(await patientExists(scope.db, patientId))) {
      await refuseStart(scope, "patient", patientId, "patient not found");
      throw notFound("This patient");
    }
  }
  const id = crypto.randomUUID();
  const now = Date.now();
  const appointmentId = input.appointment_id ?? null;
  // The unique index on appointment_id makes a second start (a double click, another tab) a no-op.
  const [, , existing] = await scope.db.batch([
    scope.db
      .insert(encounters)
      .values({
        id,
        patientId,
        appointmentId,
        providerStaffId: scope.staff.id,
        providerName: scope.staff.name,
        kind: appointmentId ? "appointment" : "ad_hoc",
        reason: input.reason,
        startedAt: now,
        status: "open",
        createdAt: now,
        createdBy: scope.staff.id,
        updatedAt: now,
        updatedBy: scope.staff.id,
      })
      .onConflictDoNothing({ target: encounters.appointmentId }),
    auditStatementIfChanged(scope, {
      action: "create",
      event: "encounter.create",
      entityType: "encounter",
      entityId: id,
      patientId,
      detail: appointmentId ? `from appointment ${appointmentId}` : "ad hoc",
    }),
    // The encounter of this appointment (ours or the one a concurrent start made), or the new ad hoc one.
    scope.db
      .select({ id: encounters.id })
      .from(encounters)
      .where(appointmentId ? eq(encounters.appointmentId, appointmentId) : eq(encounters.id, id)),
  ]);
  scheduleSeal(scope);
  const found = existing[0]?.id;
  if (!found) throw new AppError("internal", "The encounter could not be saved.");
  return { id: found, created: found === id };
}

export type EncounterView = Awaited<ReturnType<typeof encounterPage>> & { encounter: Encounter; h: ChartHeaderData };

/** One encounter's page data, audited as a read of the patient's chart. */
export async function viewEncounter(scope: StaffScope, id: string): Promise<EncounterView> {
  requirePermission(scope, "chart:read");
  const encounter = await findEncounter(scope.db, id);
  if (!encounter) {
    await audit(scope, { action: "read", event: "encounter.view", entityType: "encounter", entityId: id.slice(0, 64), outcome: "failure", detail: "not found" });
    throw notFound("This encounter");
  }
  const data = await encounterPage(
    scope.db,
    encounter,
    auditStatement(scope, { action: "read", event: "encounter.view", entityType: "encounter", entityId: id, patientId: encounter.patientId }),
  );
  scheduleSeal(scope);
  const h = readHeader(scope.staff, encounter.patientId, data.header as unknown as Parameters<typeof readHeader>[2]);
  return { ...data, encounter, h };
}

/**
 * Recent encounters. Billers (`encounters:read_billing`) get dates, patients, providers, note
 * status and diagnosis codes; note titles are left out for them. One audit row per encounter shown.
 */
export async function listEncounters(scope: StaffScope): Promise<{ rows: EncounterListRow[]; billing: boolean }> {
  const clinical = can(scope.staff, "chart:read");
  if (!clinical) requirePermission(scope, "encounters:read_billing");
  const rows = await recentEncounters(scope.db);
  const billing = !clinical;
  await auditMany(
    scope,
    rows.length === 0
      ? [{ action: "read", event: "encounter.list", entityType: "encounter", detail: "no encounters" }]
      : rows.map((r) => ({ action: "read", event: "encounter.list", entityType: "encounter", entityId: r.id, patientId: r.patientId, detail: billing ? "billing view" : null })),
  );
  return { rows: billing ? rows.map((r) => ({ ...r, notes: r.notes.map((n) => ({ id: n.id, status: n.status, title: "" })) })) : rows, billing };
}

/** Notes waiting for the signed-in supervisor's co-signature. */
export async function listAwaitingCosign(scope: StaffScope) {
  requirePermission(scope, "notes:cosign");
  const rows = await notesAwaitingCosign(scope.db, scope.staff.id);
  await auditMany(
    scope,
    rows.length === 0
      ? [{ action: "read", event: "note.cosign_list", entityType: "note", detail: "none waiting" }]
      : rows.map((r) => ({ action: "read", event: "note.cosign_list", entityType: "note", entityId: r.id, patientId: r.patientId })),
  );
  return rows;
}
