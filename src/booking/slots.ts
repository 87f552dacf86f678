/**
 * Slot search for online booking: the visit types and providers a patient can book, the open
 * slots over some days (and the next available one), and what a refused slot is told (with the
 * nearest open alternatives).
 */
import { and, asc, eq, exists } from "drizzle-orm";
import { AppError } from "../platform/errors";
import type { Env } from "../platform/env";
import type { ClinicScope } from "../platform/scope";
import { findType, loadSchedulingData, type SchedulingData, type TypeRow } from "../scheduling/data";
import { computeSlots, type Slot, type SlotRefusal } from "../scheduling/slots";
import { appointmentTypes, locations, providerAppointmentTypes, providers } from "../scheduling/tables";
import { addDays } from "../platform/time";

export interface BookingScope extends ClinicScope {
  env: Env;
}

export async function bookableType(scope: BookingScope, slug: string): Promise<TypeRow> {
  const type = await findType(scope.db, slug);
  if (!type || !type.bookableOnline) throw new AppError("not_found", "This kind of visit cannot be booked online. Call the clinic to book it.");
  return type;
}

export async function providerBySlug(scope: BookingScope, slug: string): Promise<{ id: string; slug: string; displayName: string } | null> {
  const row = await scope.db
    .select({ id: providers.id, slug: providers.slug, displayName: providers.displayName })
    .from(providers)
    .where(and(eq(providers.slug, slug), eq(providers.active, true)))
    .get();
  return row ?? null;
}

/** Appointment types a patient can book online (optionally only those a provider offers). */
export async function onlineTypes(scope: BookingScope, providerId: string | null) {
  const t = appointmentTypes;
  const pt = providerAppointmentTypes;
  return scope.db
    .select({ id: t.id, slug: t.slug, name: t.name, durationMinutes: t.durationMinutes, priceCents: t.priceCents, modality: t.modality, eligibility: t.eligibility })
    .from(t)
    .where(
      and(
        eq(t.active, true),
        eq(t.bookableOnline, true),
        providerId === null
          ? undefined
          : exists(scope.db.select({ one: pt.providerId }).from(pt).where(and(eq(pt.appointmentTypeId, t.id), eq(pt.providerId, providerId)))),
      ),
    )
    .orderBy(asc(t.name));
}

export interface SlotPage {
  data: SchedulingData;
  slots: Slot[];
  fromDate: string;
  toDate: string;
  nextAvailable: Slot | null;
}

/** Slots for `days` days from `fromDate` (and the next available one, looking further if needed). */
export async function findSlots(
  scope: BookingScope,
  o: { type: TypeRow; providerId: string | null; fromDate: string; days: number; now: number },
): Promise<SlotPage> {
  const toDate = addDays(o.fromDate, o.days - 1);
  const data = await loadSchedulingData(scope, scope.env, scope.clinic, { type: o.type, providerId: o.providerId, fromDate: o.fromDate, toDate });
  const slots = computeSlots({ ...data.query, now: o.now });
  let nextAvailable = slots[0] ?? null;
  if (!nextAvailable) {
    // Look ahead (up to the booking horizon) for the first opening, so the page can offer it.
    const horizon = addDays(o.fromDate, Math.min(data.rules.maxDaysAhead, 90));
    if (horizon > toDate) {
      const later = await loadSchedulingData(scope, scope.env, scope.clinic, { type: o.type, providerId: o.providerId, fromDate: addDays(toDate, 1), toDate: horizon });
      nextAvailable = computeSlots({ ...later.query, now: o.now })[0] ?? null;
    }
  }
  return { data, slots, fromDate: o.fromDate, toDate, nextAvailable };
}

export const REFUSALS: Record<SlotRefusal | "hold_expired" | "mismatch" | "unavailable", string> = {
  past: "That time has already passed. Pick another time.",
  too_soon: "That time is too soon to book online. Pick a later time, or call the clinic.",
  too_far: "That time is too far ahead to book yet. Pick an earlier time.",
  outside_hours: "That time is not open for booking. Pick one of the times shown.",
  taken: "Someone else just booked that time. Here are the nearest times still open.",
  no_room: "No room is free at that time. Pick another time.",
  resource_busy: "The equipment this visit needs is in use at that time. Pick another time.",
  hold_expired: "Your hold on that time ran out and the time was released. Pick a time again.",
  mismatch: "That booking step did not match the time you picked. Pick a time again.",
  unavailable: "We could not finish your booking just now. Nothing was booked; please try again in a moment.",
};

export class SlotUnavailable extends AppError {
  constructor(
    readonly reason: keyof typeof REFUSALS,
    readonly alternatives: Slot[],
  ) {
    super(reason === "unavailable" ? "internal" : reason === "hold_expired" ? "gone" : "conflict", REFUSALS[reason]);
  }
}

/** The nearest open slots to a wanted start (same provider first), for "pick another time". */
export function nearest(slots: Slot[], want: { providerId: string | null; startsAt: number }, n = 3): Slot[] {
  return [...slots]
    .sort(
      (a, b) =>
        Number(b.providerId === want.providerId) - Number(a.providerId === want.providerId) ||
        Math.abs(a.startsAt - want.startsAt) - Math.abs(b.startsAt - want.startsAt),
    )
    .slice(0, n)
    .sort((a, b) => a.startsAt - b.startsAt);
}

/** The timezone of a location (404 when it does not exist). */
export async function locationZone(scope: BookingScope, locationId: string): Promise<string> {
  const row = await scope.db.select({ timezone: locations.timezone }).from(locations).where(eq(locations.id, locationId)).get();
  if (!row) throw new AppError("not_found", "That location could not be found.");
  return row.timezone;
}
