/**
 * Booking from a free slot: one visit, or a weekly series, through the clinic's calendar object,
 * idempotent by the booking form's key, with the audit rows (and a quick-added patient) in the
 * same D1 batch as each visit.
 */
import { audit, auditMany, auditRow, scheduleSeal } from "../../audit/service";
import { bookedUnderKey, bookForStaff } from "../../appointments/service";
import { nearest } from "../../booking/slots";
import { draftAt, type AppointmentDraft, type WrittenWith } from "../../calendar/intents";
import { AppError, notFound } from "../../platform/errors";
import { requirePermission } from "../../platform/scope";
import { identityKey } from "../../patients/repo";
import { newPatientRow } from "../../patients/service";
import type { TypeRow } from "../data";
import { checkSlot, computeSlots, type Slot, type SlotRefusal } from "../slots";
import { addDays, daysBetween, localParts, utcDateOf, zonedInstant } from "../../platform/time";
import { MAX_SERIES_DAYS, seriesDates } from "./days";
import { bookingPrelude, patientBrief, type CalLocation, type CalProvider, type CalRoom, type PatientBrief } from "./repo";
import type { BookingInput } from "./input";
import { SlotRefused, loadWithLive, slotQuery, type CalendarScope } from "./service";
import { emitEvent } from "../../workflows/engine";

/** The quick-added patient looks like someone already registered. */
export class PossibleDuplicate extends AppError {
  constructor(readonly duplicates: PatientBrief[]) {
    super(
      "conflict",
      "A patient with this name and date of birth is already registered. Pick them below, or confirm that this is a different person.",
    );
  }
}

/** No visit of a series could be booked. */
export class SeriesRefused extends AppError {
  constructor(readonly skipped: Skipped[]) {
    super("conflict", "None of the visits of this series could be booked. Nothing was booked.");
  }
}

export interface Skipped {
  startsAt: number;
  reason: SlotRefusal | "unavailable";
}

export interface SlotContext {
  type: TypeRow;
  provider: CalProvider;
  location: CalLocation;
  room: CalRoom | null;
  startsAt: number;
  check: { ok: true; slot: Slot } | { ok: false; reason: SlotRefusal; alternatives: Slot[] };
  providerNames: Record<string, string>;
}

/**
 * Checks a wanted start against fresh data (the booking form shows whether it is still free, and
 * the nearest open starts when it is not).
 */
export async function slotContext(
  scope: CalendarScope,
  want: { providerId: string; locationId: string; typeId: string; startsAt: number; roomId: string | null },
  now: number,
): Promise<SlotContext> {
  const utcDate = utcDateOf(want.startsAt);
  const world = await loadWithLive(scope, { fromDate: addDays(utcDate, -1), toDate: addDays(utcDate, 1) }, now);
  const type = world.types.find((t) => t.id === want.typeId);
  const provider = world.providers.find((p) => p.id === want.providerId);
  const location = world.locations.find((l) => l.id === want.locationId);
  if (!type) throw notFound("This appointment type");
  if (!provider) throw notFound("This provider");
  if (!location) throw notFound("This location");
  const room = want.roomId ? (world.rooms.find((r) => r.id === want.roomId && r.locationId === location.id) ?? null) : null;
  const date = localParts(want.startsAt, location.timezone).date;
  const query = slotQuery(world, { type, locationId: location.id, roomId: room?.id, fromDate: date, toDate: date, now });
  const checked = checkSlot(query, { providerId: provider.id, locationId: location.id, startsAt: want.startsAt });
  const check: SlotContext["check"] = checked.ok
    ? checked
    : { ok: false, reason: checked.reason, alternatives: nearest(computeSlots(query), { providerId: provider.id, startsAt: want.startsAt }) };
  const providerNames = Object.fromEntries(world.providers.map((p) => [p.id, p.displayName]));
  return { type, provider, location, room, startsAt: want.startsAt, check, providerNames };
}

export interface Booked {
  appointmentId: string;
  replayed: boolean;
  /** For a series: how many of how many were booked, and which were skipped (and why). */
  series: { booked: number; total: number; skipped: Skipped[] } | null;
}

type BookOne = { ok: true; appointmentId: string; replayed: boolean } | { ok: false; reason: "taken" | "unavailable" };

/** One visit through the calendar object, idempotent by key. */
async function bookThroughCalendar(scope: CalendarScope, key: string, draft: AppointmentDraft, along: WrittenWith, now: number): Promise<BookOne> {
  const result = await bookForStaff(scope, { idempotencyKey: key, appointment: draft, along, now });
  if (result.ok) return result;
  if (result.reason === "taken") {
    const replay = await bookedUnder(scope, key, draft, now);
    return replay ? { ok: true, appointmentId: replay, replayed: true } : { ok: false, reason: "taken" };
  }
  return { ok: false, reason: result.reason === "unavailable" ? "unavailable" : "taken" };
}

/**
 * The appointment booked under `key`, waiting for it if a submission of the same form is still
 * confirming (the same form sent twice at once: the first holds the time, so the second sees it
 * taken). Confirming by key with a hold that does not exist only ever answers from the key.
 */
async function bookedUnder(scope: CalendarScope, key: string, draft: AppointmentDraft, now: number): Promise<string | null> {
  return bookedUnderKey(scope, key, draft, now);
}

/**
 * Books a visit, or a weekly series, from the booking form. Idempotent by the form's key: sending
 * the same form again (or twice at once) books nothing more. A single visit that cannot be had
 * throws SlotRefused with the nearest open starts; a series books what it can and reports what
 * it skipped (SeriesRefused when it booked nothing). A quick-added patient is written in the
 * same D1 batch as the (first) visit, so a refused booking leaves no patient behind.
 */
export async function bookAppointment(scope: CalendarScope, input: BookingInput, now: number): Promise<Booked> {
  requirePermission(scope, "schedule:write");
  const newPatient = "new" in input.patient ? input.patient.new : null;
  if (newPatient) requirePermission(scope, "patients:write");
  const pre = await bookingPrelude(scope.db, {
    key: input.key,
    patientId: "id" in input.patient ? input.patient.id : null,
    identityKey: newPatient ? identityKey(newPatient.given_name, newPatient.family_name, newPatient.date_of_birth) : null,
    typeId: input.type,
    locationId: input.location,
  });
  const single = pre.prior.find((p) => p.idempotencyKey === input.key);
  if (single) return { appointmentId: single.id, replayed: true, series: null };
  if (!pre.type) throw notFound("This appointment type");
  if (!pre.location) throw notFound("This location");
  if ("id" in input.patient && !pre.patientExists) throw new AppError("validation", "That patient could not be found.", { patient_id: "Pick a patient, or add a new one." });
  if (newPatient && pre.duplicates.length > 0 && !("new" in input.patient && input.patient.confirmDuplicate) && pre.prior.length === 0) {
    await auditMany(
      scope,
      pre.duplicates.map((d) => ({ action: "read", event: "patient.duplicate_warning", entityType: "patient", entityId: d.id, patientId: d.id, detail: "quick add while booking" })),
    );
    throw new PossibleDuplicate(pre.duplicates);
  }
  const type = pre.type;
  const tz = pre.location.timezone;
  const first = localParts(input.start, tz);
  const dates = input.repeat ? seriesDates(first.date, input.repeat.everyWeeks, input.repeat.end) : [first.date];
  if (input.repeat && "until" in input.repeat.end && input.repeat.end.until <= first.date) {
    throw new AppError("validation", "The series could not be booked: check the repeat.", { repeat_until: "End date must be after the first visit." });
  }
  if (daysBetween(first.date, dates[dates.length - 1]!) > MAX_SERIES_DAYS) {
    const field = input.repeat && "count" in input.repeat.end ? "repeat_count" : "repeat_until";
    throw new AppError("validation", "The series could not be booked: check the repeat.", { [field]: "A series can run at most a year ahead: book fewer visits." });
  }
  const starts = dates.map((d, i) => (i === 0 ? input.start : zonedInstant(d, first.time, tz)));
  const world = await loadWithLive(
    scope,
    { fromDate: dates[0]!, toDate: dates[dates.length - 1]!, busyFor: { providerId: input.provider, anyRoom: type.needsRoom, resourceId: type.resourceId } },
    now,
  );
  const query = (date: string) => slotQuery(world, { type, locationId: pre.location!.id, roomId: input.room, fromDate: date, toDate: date, now });
  // A replayed series keeps its first submission's series and patient.
  const seriesId = input.repeat ? (pre.prior.find((p) => p.seriesId)?.seriesId ?? crypto.randomUUID()) : null;
  const patientId = "id" in input.patient ? input.patient.id : (pre.prior[0]?.patientId ?? crypto.randomUUID());

  const booked: string[] = [];
  const skipped: Skipped[] = [];
  let replayed = 0;
  for (let i = 0; i < dates.length; i++) {
    const key = input.repeat ? `${input.key}:${i + 1}` : input.key;
    const prior = pre.prior.find((p) => p.idempotencyKey === key);
    if (prior) {
      booked.push(prior.id);
      replayed++;
      continue;
    }
    const q = query(dates[i]!);
    const checked = checkSlot(q, { providerId: input.provider, locationId: pre.location.id, startsAt: starts[i]! });
    if (!checked.ok && (checked.reason === "taken" || checked.reason === "no_room" || checked.reason === "resource_busy")) {
      // Perhaps taken by this very form, sent twice at once and still confirming.
      const endsAt = starts[i]! + type.durationMinutes * 60_000;
      const placeholder: AppointmentDraft = {
        id: crypto.randomUUID(),
        patientId,
        providerId: input.provider,
        locationId: pre.location.id,
        appointmentTypeId: type.id,
        roomId: null,
        resourceId: type.resourceId,
        startsAt: starts[i]!,
        endsAt,
        blockStart: starts[i]! - type.bufferBeforeMinutes * 60_000,
        blockEnd: endsAt + type.bufferAfterMinutes * 60_000,
        source: input.repeat ? "recurring" : "staff",
        seriesId,
        createdBy: scope.staff.id,
      };
      const replay = await bookedUnder(scope, key, placeholder, now);
      if (replay) {
        booked.push(replay);
        replayed++;
        continue;
      }
    }
    if (!checked.ok) {
      if (!input.repeat) throw new SlotRefused(checked.reason, nearest(computeSlots(q), { providerId: input.provider, startsAt: input.start }));
      skipped.push({ startsAt: starts[i]!, reason: checked.reason });
      continue;
    }
    const slot = checked.slot;
    const draft = draftAt(slot, {
      id: crypto.randomUUID(),
      patientId,
      appointmentTypeId: type.id,
      source: input.repeat ? "recurring" : "staff",
      seriesId,
      createdBy: scope.staff.id,
    });
    const detail = input.repeat ? `booked by staff, visit ${i + 1} of ${dates.length} of a series every ${input.repeat.everyWeeks} week(s)` : "booked by staff";
    const along: WrittenWith = {
      // Recorded only by the visit that actually created the patient.
      newPatient: newPatient
        ? {
            row: newPatientRow(patientId, newPatient, scope.staff.id),
            audit: auditRow(scope, { action: "create", event: "patient.create", entityType: "patient", entityId: patientId, patientId, detail: "quick add while booking" }),
          }
        : undefined,
      series:
        input.repeat && seriesId
          ? {
              id: seriesId,
              everyWeeks: input.repeat.everyWeeks,
              untilDate: "until" in input.repeat.end ? input.repeat.end.until : null,
              count: "count" in input.repeat.end ? input.repeat.end.count : null,
            }
          : undefined,
      audit: [auditRow(scope, { action: "create", event: "appointment.create", entityType: "appointment", entityId: draft.id, patientId, detail })],
    };
    const result = await bookThroughCalendar(scope, key, draft, along, now);
    if (result.ok) {
      booked.push(result.appointmentId);
      if (!result.replayed) {
        await emitEvent(scope, scope.env, { trigger: "appointment.booked", key: `appointment.booked:${result.appointmentId}`, patientId, appointmentId: result.appointmentId, at: now }).catch((err) =>
          console.error("workflow event failed", err),
        );
      }
      if (result.replayed) replayed++;
      continue;
    }
    if (!input.repeat) {
      if (result.reason === "unavailable") throw new SlotRefused("unavailable", []);
      const others = computeSlots(q).filter((s) => !(s.providerId === slot.providerId && s.startsAt === slot.startsAt));
      throw new SlotRefused("taken", nearest(others, { providerId: input.provider, startsAt: input.start }));
    }
    skipped.push({ startsAt: starts[i]!, reason: result.reason });
  }
  scheduleSeal(scope);
  if (booked.length === 0) throw new SeriesRefused(skipped);
  return {
    appointmentId: booked[0]!,
    replayed: replayed === booked.length,
    series: input.repeat ? { booked: booked.length, total: dates.length, skipped } : null,
  };
}

/** A patient picked on a re-rendered booking form (their name is shown again: a read). */
export async function pickedPatient(scope: CalendarScope, id: string): Promise<PatientBrief | null> {
  const p = await patientBrief(scope.db, id);
  if (p) await audit(scope, { action: "read", event: "patient.view", entityType: "patient", entityId: p.id, patientId: p.id, detail: "picked on the booking form" });
  return p;
}
