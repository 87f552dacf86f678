/**
 * The one owner of appointment writes. Every booking (online, staff, waitlist claim), move,
 * cancellation, no-show, status step (confirmed, arrived, in room, completed) and hold of time
 * goes through a function here, named for what it does; each puts its audit row in the same D1
 * batch as its change. Changes of time go through the clinic's calendar object (the single writer
 * of appointment times); status steps that leave the time as it is are written here directly.
 * Callers keep their own checks (permissions, windows, versions shown on forms) and their own
 * follow-ups (notices, waitlist offers, workflow events).
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { auditRow, auditStatementWhere, scheduleSeal, type AuditEntry } from "../audit/service";
import type { ChangeResult, ClaimRequest, ConfirmResult, HoldClient, HoldResult } from "../calendar/calendar";
import type { AppointmentDraft, WrittenWith } from "../calendar/intents";
import type { Env } from "../platform/env";
import type { ClinicScope } from "../platform/scope";
import { calendarOf, clinicRef } from "../scheduling/data";
import { appointments, type AppointmentStatus } from "../scheduling/tables";

/** What every appointment write needs: the clinic's database, its calendar object, and who acts. */
export type AppointmentScope = ClinicScope & { env: Env };

/** The appointment a change is about (its id, and its patient for the audit row). */
export interface Target {
  id: string;
  patientId: string;
}

// ---- time: holds and bookings ------------------------------------------------------------------

/** Holds time for a patient who picked it (or for a waitlist offer): check and claim, atomically. */
export function holdTime(scope: AppointmentScope, claim: ClaimRequest & { ttlMs: number; now?: number; clients?: HoldClient[] }): Promise<HoldResult> {
  return calendarOf(scope.env, scope.clinic).hold(clinicRef(scope.clinic), claim);
}

/** Lets held time go back to everyone (the patient went back, a move failed, nobody was offered it). */
export function releaseHold(scope: AppointmentScope, holdId: string): Promise<void> {
  return calendarOf(scope.env, scope.clinic).release(clinicRef(scope.clinic), holdId);
}

/**
 * Books held time (online booking, a waitlist claim): idempotent by key. The rows `along` with it
 * (new patient, audit rows, messages, the claimed offer) are written only if the appointment is.
 */
export function bookHeldTime(
  scope: AppointmentScope,
  b: { holdId: string; idempotencyKey: string; appointment: AppointmentDraft; along?: WrittenWith; now?: number },
): Promise<ConfirmResult> {
  return calendarOf(scope.env, scope.clinic).confirm(clinicRef(scope.clinic), {
    holdId: b.holdId,
    idempotencyKey: b.idempotencyKey,
    appointment: b.appointment,
    with: b.along,
    now: b.now,
  });
}

/** Books a visit straight from the staff calendar (claim and confirm in one step), idempotent by key. */
export function bookForStaff(
  scope: AppointmentScope,
  b: { idempotencyKey: string; appointment: AppointmentDraft; along?: WrittenWith; now?: number },
): Promise<ConfirmResult> {
  return calendarOf(scope.env, scope.clinic).book(clinicRef(scope.clinic), { idempotencyKey: b.idempotencyKey, appointment: b.appointment, with: b.along, now: b.now });
}

/**
 * The appointment already booked under `key`, waiting for it if a booking with the same key is
 * still confirming (confirming with a hold that does not exist only ever answers from the key).
 */
export async function bookedUnderKey(scope: AppointmentScope, key: string, draft: AppointmentDraft, now?: number): Promise<string | null> {
  const again = await calendarOf(scope.env, scope.clinic).confirm(clinicRef(scope.clinic), { holdId: `replay:${key}`, idempotencyKey: key, appointment: draft, now });
  return again.ok ? again.appointmentId : null;
}

// ---- time: moves and endings -------------------------------------------------------------------

/**
 * Moves a booked or confirmed appointment to `to` (onto the patient's own hold, if given), with
 * its `appointment.reschedule` audit row.
 */
export function moveAppointment(
  scope: AppointmentScope,
  a: Target,
  m: { to: AppointmentDraft; holdId?: string; detail: string; now?: number },
): Promise<ChangeResult> {
  return calendarOf(scope.env, scope.clinic).reschedule(clinicRef(scope.clinic), {
    appointmentId: a.id,
    to: m.to,
    holdId: m.holdId,
    audit: auditRow(scope, { action: "update", event: "appointment.reschedule", entityType: "appointment", entityId: a.id, patientId: a.patientId, detail: m.detail }),
    now: m.now,
  });
}

/**
 * Cancels a booked or confirmed appointment with its reason (at `version`, when a form names
 * one), with its `appointment.cancel` audit row. With `holdForMs` the freed time comes back held
 * (for the waitlist), so nobody else takes it first.
 */
export function cancelAppointment(
  scope: AppointmentScope,
  a: Target,
  c: { reason: string; detail: string; version?: number; holdForMs?: number; now: number },
): Promise<ChangeResult> {
  return calendarOf(scope.env, scope.clinic).cancel(clinicRef(scope.clinic), {
    appointmentId: a.id,
    ending: {
      status: "cancelled",
      reason: c.reason,
      version: c.version,
      audit: auditRow(scope, { action: "update", event: "appointment.cancel", entityType: "appointment", entityId: a.id, patientId: a.patientId, detail: c.detail }),
    },
    holdForMs: c.holdForMs,
    now: c.now,
  });
}

/**
 * Marks a booked or confirmed appointment (at `version`) a no-show, with its audit row. Its claim
 * is let go; the row stays busy time in D1, so the past is not offered again.
 */
export function markNoShow(scope: AppointmentScope, a: Target & { status: AppointmentStatus }, version: number, now: number): Promise<ChangeResult> {
  return calendarOf(scope.env, scope.clinic).cancel(clinicRef(scope.clinic), {
    appointmentId: a.id,
    ending: {
      status: "no_show",
      version,
      audit: auditRow(scope, { action: "update", event: "appointment.status", entityType: "appointment", entityId: a.id, patientId: a.patientId, detail: `${a.status} → no_show` }),
    },
    now,
  });
}

// ---- status steps that leave the time as it is -------------------------------------------------

/**
 * One status step along booked → confirmed → arrived → in room → completed (check-in, rooming,
 * completion), from `from` at `version`, with its audit row. The time stays claimed exactly as
 * before, so the calendar object is not involved. False when the row changed meanwhile.
 */
export async function advanceStatus(
  scope: AppointmentScope,
  a: Target,
  s: { from: AppointmentStatus; to: AppointmentStatus; version: number; now: number },
): Promise<boolean> {
  const [changed] = await scope.db.batch([
    scope.db
      .update(appointments)
      .set({ status: s.to, version: sql`${appointments.version} + 1`, updatedAt: s.now })
      .where(and(eq(appointments.id, a.id), eq(appointments.version, s.version), eq(appointments.status, s.from))),
    auditStatementWhere(
      scope,
      { action: "update", event: "appointment.status", entityType: "appointment", entityId: a.id, patientId: a.patientId, detail: `${s.from} → ${s.to}` },
      sql`changes() = 1`,
    ),
  ]);
  if (changed.meta.changes !== 1) return false;
  scheduleSeal(scope);
  return true;
}

/**
 * booked → confirmed by the patient, for one `db.batch`: the guarded update, then its audit row
 * (written only if the update changed the row). `onlyIf` adds a condition of the caller's (the
 * SMS reply's own row, say). The time does not move, so the calendar object is not involved.
 */
export function confirmByPatientStatements(scope: AppointmentScope | ClinicScope, a: Target, o: { now: number; detail: string; onlyIf?: SQL }): [BatchItem<"sqlite">, BatchItem<"sqlite">] {
  const entry: AuditEntry = { action: "update", event: "appointment.status", entityType: "appointment", entityId: a.id, patientId: a.patientId, detail: `booked → confirmed ${o.detail}` };
  return [
    scope.db
      .update(appointments)
      .set({ status: "confirmed", version: sql`${appointments.version} + 1`, updatedAt: o.now })
      .where(and(eq(appointments.id, a.id), eq(appointments.status, "booked"), o.onlyIf)),
    auditStatementWhere(scope, entry, sql`changes() = 1`),
  ];
}

/** booked → confirmed by the patient now; false when the row was not booked any more. */
export async function confirmAppointment(scope: ClinicScope, a: Target, o: { now: number; detail: string }): Promise<boolean> {
  const [changed] = await scope.db.batch(confirmByPatientStatements(scope, a, o));
  if (changed.meta.changes !== 1) return false;
  scheduleSeal(scope);
  return true;
}
