/**
 * A booking managed through its signed link: what the patient sees of it, whether it can still be
 * changed online, and the patient's cancellation and move (through the appointments module).
 */
import { eq, sql } from "drizzle-orm";
import { scheduleSeal } from "../audit/service";
import { cancelAppointment, moveAppointment } from "../appointments/service";
import { draftAt, placeFor } from "../calendar/intents";
import { sendAppointmentNotice } from "../messaging/notices";
import { AppError } from "../platform/errors";
import { findType } from "../scheduling/data";
import { appointments, appointmentTypes, bookingRules, locations, providers } from "../scheduling/tables";
import { WAITLIST_HOLD_MS } from "../scheduling/waitlist";
import { REFUSALS, SlotUnavailable, type BookingScope } from "./slots";
import { readHold } from "./tokens";

export interface ManagedAppointment {
  id: string;
  patientId: string;
  providerId: string;
  providerName: string;
  locationId: string;
  locationName: string;
  address: string | null;
  timezone: string;
  typeId: string;
  typeSlug: string;
  typeName: string;
  modality: string;
  startsAt: number;
  endsAt: number;
  status: string;
  version: number;
  cancelWindowHours: number;
}

export async function loadManaged(scope: BookingScope, appointmentId: string): Promise<ManagedAppointment> {
  const a = appointments;
  const l = locations;
  const row: ManagedAppointment | undefined = await scope.db
    .select({
      id: a.id,
      patientId: a.patientId,
      providerId: a.providerId,
      providerName: providers.displayName,
      locationId: a.locationId,
      locationName: l.name,
      address: sql<string | null>`trim(coalesce(${l.addressLine1}, '') || ', ' || coalesce(${l.city}, ''), ', ')`,
      timezone: l.timezone,
      typeId: appointmentTypes.id,
      typeSlug: appointmentTypes.slug,
      typeName: appointmentTypes.name,
      modality: appointmentTypes.modality,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      status: a.status,
      version: a.version,
      cancelWindowHours: sql<number>`(SELECT ${bookingRules.cancelWindowHours} FROM ${bookingRules} WHERE ${bookingRules.id} = 1)`,
    })
    .from(a)
    .innerJoin(providers, eq(providers.id, a.providerId))
    .innerJoin(l, eq(l.id, a.locationId))
    .innerJoin(appointmentTypes, eq(appointmentTypes.id, a.appointmentTypeId))
    .where(eq(a.id, appointmentId))
    .get();
  if (!row) throw new AppError("not_found", "This appointment could not be found.");
  return row;
}

/** Whether the patient may still change the booking online (the clinic's window, and its state). */
export function changeableOnline(a: ManagedAppointment, now: number): { ok: true } | { ok: false; why: string } {
  if (a.status !== "booked" && a.status !== "confirmed") return { ok: false, why: "This appointment can no longer be changed online." };
  if (a.startsAt - now < a.cancelWindowHours * 3600_000) {
    return { ok: false, why: `Online changes close ${a.cancelWindowHours} hours before the visit. Call the clinic to change it.` };
  }
  return { ok: true };
}

/** Cancels from the manage link; the freed time comes back held for the waitlist (see offerFreedTime). */
export async function cancelOnline(scope: BookingScope, a: ManagedAppointment, now = Date.now()): Promise<{ holdId: string; expiresAt: number } | null> {
  const allowed = changeableOnline(a, now);
  if (!allowed.ok) throw new AppError("conflict", allowed.why);
  const result = await cancelAppointment(scope, a, { reason: "cancelled by the patient online", detail: "cancelled by the patient online", holdForMs: WAITLIST_HOLD_MS, now });
  if (!result.ok) throw new AppError(result.reason === "unavailable" ? "internal" : "conflict", result.reason === "unavailable" ? REFUSALS.unavailable : "This appointment can no longer be cancelled online.");
  scheduleSeal(scope);
  await sendAppointmentNotice(scope, a.id, "appointment.cancelled").catch((err) => console.error("cancel notice failed", err));
  return result.holdId && result.expiresAt ? { holdId: result.holdId, expiresAt: result.expiresAt } : null;
}

/** Moves a booking to a held slot (the manage link's reschedule); answers the visit's new end. */
export async function rescheduleOnline(scope: BookingScope, a: ManagedAppointment, holdToken: string, now = Date.now()): Promise<{ endsAt: number }> {
  const allowed = changeableOnline(a, now);
  if (!allowed.ok) throw new AppError("conflict", allowed.why);
  const hold = await readHold(scope.env, scope.clinic, holdToken);
  // A move keeps the visit: same appointment, same type (its length and buffers decide the block).
  if (hold.appointmentId !== a.id || hold.typeId !== a.typeId) throw new SlotUnavailable("mismatch", []);
  const type = await findType(scope.db, hold.typeId);
  if (!type) throw new SlotUnavailable("mismatch", []);
  // The calendar object moves the appointment onto the patient's own hold (and its room).
  const to = draftAt(placeFor(type, { providerId: hold.providerId, locationId: hold.locationId, roomId: null, startsAt: hold.startsAt }), {
    id: a.id,
    patientId: a.patientId,
    appointmentTypeId: type.id,
    source: "online",
    seriesId: null,
    createdBy: null,
  });
  const result = await moveAppointment(scope, a, { to, holdId: hold.holdId, detail: `moved online from ${new Date(a.startsAt).toISOString()}`, now });
  if (!result.ok) throw new SlotUnavailable(result.reason === "unavailable" ? "unavailable" : "taken", []);
  scheduleSeal(scope);
  await sendAppointmentNotice(scope, a.id, "appointment.rescheduled").catch((err) => console.error("reschedule notice failed", err));
  return { endsAt: to.endsAt };
}
