/**
 * Online booking for patients without an account: find slots, hold one, confirm with the
 * patient's details (matched to an existing record or registered), and manage the booking later
 * through a signed link. Every change goes through the clinic's calendar object.
 */
import { auditRow, scheduleSeal, type AuditEntry } from "../audit/service";
import { bookHeldTime, cancelAppointment, holdTime, moveAppointment } from "../appointments/service";
import { draftAt, placeFor, type WrittenWith } from "../calendar/intents";
import type { outbox } from "../messaging/tables";
import { WAITLIST_HOLD_MS } from "../scheduling/waitlist";
import { sendAppointmentNotice } from "../messaging/notices";
import { formatWhen, locationLabel, localeOf, render, templateFor } from "../messaging/templates";
import type { Clinic, Env } from "../platform/env";
import { AppError } from "../platform/errors";
import type { ClinicScope } from "../platform/scope";
import { signToken, verifyToken } from "../platform/tokens";
import { identityKey } from "../patients/repo";
import { newPatientRow } from "../patients/service";
import { digitsOf } from "../patients/input";
import { findType, loadSchedulingData, type SchedulingData, type TypeRow } from "../scheduling/data";
import { checkSlot, computeSlots, localParts, type Slot, type SlotRefusal } from "../scheduling/slots";
import { buildIcs } from "./ics";

export interface BookingScope extends ClinicScope {
  env: Env;
}

const DAY = 86_400_000;

export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The clinic's "today" in the timezone of its first location (or the clinic's own). */
export function todayIn(timezone: string, now: number): string {
  return localParts(now, timezone).date;
}

export async function bookableType(scope: BookingScope, slug: string): Promise<TypeRow> {
  const type = await findType(scope.d1, slug);
  if (!type || !type.bookableOnline) throw new AppError("not_found", "This kind of visit cannot be booked online. Call the clinic to book it.");
  return type;
}

export async function providerBySlug(scope: BookingScope, slug: string): Promise<{ id: string; slug: string; displayName: string } | null> {
  return scope.d1
    .prepare("SELECT id, slug, display_name AS displayName FROM providers WHERE slug = ? AND active = 1")
    .bind(slug)
    .first();
}

/** Appointment types a patient can book online (optionally only those a provider offers). */
export async function onlineTypes(scope: BookingScope, providerId: string | null) {
  const res = await scope.d1
    .prepare(
      `SELECT t.id, t.slug, t.name, t.duration_minutes AS durationMinutes, t.price_cents AS priceCents, t.modality, t.eligibility
       FROM appointment_types t WHERE t.active = 1 AND t.bookable_online = 1
         AND (?1 IS NULL OR EXISTS (SELECT 1 FROM provider_appointment_types pt WHERE pt.appointment_type_id = t.id AND pt.provider_id = ?1))
       ORDER BY t.name`,
    )
    .bind(providerId)
    .all<{ id: string; slug: string; name: string; durationMinutes: number; priceCents: number; modality: string; eligibility: string }>();
  return res.results;
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

export interface HoldClaims {
  holdId: string;
  typeId: string;
  providerId: string;
  locationId: string;
  startsAt: number;
  expiresAt: number;
  /** The appointment being moved, for a reschedule. */
  appointmentId?: string;
  /** Personal invitation: the patient it prefills. */
  invitedPatientId?: string;
}

/**
 * Checks the wanted slot against fresh data and claims it in the calendar. Throws SlotUnavailable
 * with the nearest open alternatives when it cannot be had.
 */
export async function holdSlot(
  scope: BookingScope,
  o: { type: TypeRow; providerId: string; locationId: string; startsAt: number; now: number; anyProvider: boolean },
): Promise<{ slot: Slot; holdId: string; expiresAt: number; holdMinutes: number }> {
  const tz = await locationZone(scope, o.locationId);
  const day = localParts(o.startsAt, tz).date;
  const data = await loadSchedulingData(scope, scope.env, scope.clinic, {
    type: o.type,
    providerId: o.anyProvider ? null : o.providerId,
    fromDate: addDays(day, -1),
    toDate: addDays(day, 7),
  });
  const query = { ...data.query, now: o.now };
  const checked = checkSlot(query, { providerId: o.providerId, locationId: o.locationId, startsAt: o.startsAt });
  if (!checked.ok) throw new SlotUnavailable(checked.reason, nearest(computeSlots(query), o));
  const slot = checked.slot;
  const held = await holdTime(scope, {
    providerId: slot.providerId,
    roomId: slot.roomId,
    resourceId: slot.resourceId,
    blockStart: slot.blockStart,
    blockEnd: slot.blockEnd,
    ttlMs: data.rules.holdMinutes * 60_000,
    now: o.now,
  });
  if (!held.ok) {
    const others = computeSlots(query).filter((s) => !(s.providerId === slot.providerId && s.startsAt === slot.startsAt));
    throw new SlotUnavailable("taken", nearest(others, o));
  }
  return { slot, holdId: held.holdId, expiresAt: held.expiresAt, holdMinutes: data.rules.holdMinutes };
}

async function locationZone(scope: BookingScope, locationId: string): Promise<string> {
  const row = await scope.d1.prepare("SELECT timezone FROM locations WHERE id = ?").bind(locationId).first<{ timezone: string }>();
  if (!row) throw new AppError("not_found", "That location could not be found.");
  return row.timezone;
}

// ---- tokens -------------------------------------------------------------------------------

export async function signHold(env: Env, clinic: Clinic, h: HoldClaims): Promise<string> {
  return signToken(env.SESSION_SECRET, {
    use: "hold",
    subject: h.holdId,
    clinicSlug: clinic.slug,
    ttl: Math.max(60, Math.ceil((h.expiresAt - Date.now()) / 1000) + 60),
    claims: {
      t: h.typeId,
      p: h.providerId,
      l: h.locationId,
      s: h.startsAt,
      x: h.expiresAt,
      ...(h.appointmentId ? { a: h.appointmentId } : {}),
      ...(h.invitedPatientId ? { i: h.invitedPatientId } : {}),
    },
  });
}

export async function readHold(env: Env, clinic: Clinic, token: string): Promise<HoldClaims> {
  const c = await verifyToken(env.SESSION_SECRET, token, "hold", clinic.slug);
  if (!c || typeof c.t !== "string" || typeof c.p !== "string" || typeof c.l !== "string" || typeof c.s !== "number" || typeof c.x !== "number") {
    throw new SlotUnavailable("hold_expired", []);
  }
  return {
    holdId: c.sub,
    typeId: c.t,
    providerId: c.p,
    locationId: c.l,
    startsAt: c.s,
    expiresAt: c.x,
    appointmentId: typeof c.a === "string" ? c.a : undefined,
    invitedPatientId: typeof c.i === "string" ? c.i : undefined,
  };
}

/**
 * A manage link lives until a week after the latest time the visit could be moved to (booking
 * horizons are at most a year), so a reschedule never strands it.
 */
export async function signManage(env: Env, clinic: Clinic, appointmentId: string, startsAt: number): Promise<string> {
  const ttl = Math.ceil((Math.max(startsAt, Date.now()) + 372 * DAY - Date.now()) / 1000);
  return signToken(env.SESSION_SECRET, { use: "manage", subject: appointmentId, clinicSlug: clinic.slug, ttl });
}

export async function readManage(env: Env, clinic: Clinic, token: string): Promise<string> {
  const c = await verifyToken(env.SESSION_SECRET, token, "manage", clinic.slug);
  if (!c) throw new AppError("gone", "This booking link is invalid or has expired. Call the clinic to change your appointment.");
  return c.sub;
}

/** A personal invitation that prefills the patient (sent by staff). */
export async function signInvite(env: Env, clinic: Clinic, patientId: string, days = 14): Promise<string> {
  return signToken(env.SESSION_SECRET, { use: "invite", subject: patientId, clinicSlug: clinic.slug, ttl: days * 86_400 });
}

export async function readInvite(env: Env, clinic: Clinic, token: string): Promise<string> {
  const c = await verifyToken(env.SESSION_SECRET, token, "invite", clinic.slug);
  if (!c) throw new AppError("gone", "This invitation link is invalid or has expired. You can still book from the clinic's booking page.");
  return c.sub;
}

// ---- confirming -----------------------------------------------------------------------------

export interface PatientDetails {
  given_name: string;
  family_name: string;
  date_of_birth: string;
  phone: string;
  email: string | null;
}

interface MatchRow {
  id: string;
  givenName: string;
  familyName: string;
  email: string | null;
}

/** Exact match on name and date of birth, plus the same phone or email. */
async function matchPatient(scope: BookingScope, d: PatientDetails): Promise<MatchRow | null> {
  const res = await scope.d1
    .prepare(
      `SELECT id, given_name AS givenName, family_name AS familyName, email, phone_digits AS phoneDigits FROM patients WHERE identity_key = ?`,
    )
    .bind(identityKey(d.given_name, d.family_name, d.date_of_birth))
    .all<MatchRow & { phoneDigits: string | null }>();
  const digits = digitsOf(d.phone);
  return (
    res.results.find((p) => (p.phoneDigits && p.phoneDigits === digits) || (d.email && p.email && p.email.toLowerCase() === d.email.toLowerCase())) ?? null
  );
}

export interface Confirmed {
  appointmentId: string;
  manageToken: string;
  replayed: boolean;
}

/**
 * Books the held slot for the patient. Idempotent by the hold: submitting twice yields one
 * appointment. The new patient (if any), the audit rows and the confirmation message are written
 * in the same D1 batch as the appointment, each only if the appointment was.
 */
export async function confirmBooking(scope: BookingScope, token: string, d: PatientDetails, origin: string, now = Date.now()): Promise<Confirmed> {
  const hold = await readHold(scope.env, scope.clinic, token);
  const type = await findType(scope.d1, hold.typeId);
  if (!type) throw new SlotUnavailable("mismatch", []);
  const matched = await matchPatient(scope, d);
  if (type.eligibility === "new" && matched) {
    throw new AppError("validation", "This kind of visit is for new patients. You are already a patient here: pick a follow-up visit instead.");
  }
  if (type.eligibility === "existing" && !matched) {
    throw new AppError("validation", "This kind of visit is for existing patients. Check your name, date of birth and phone, or book a new-patient visit.");
  }
  const rules = await scope.d1
    .prepare("SELECT max_upcoming_per_patient AS maxUpcoming FROM booking_rules WHERE id = 1")
    .first<{ maxUpcoming: number }>();
  if (matched) {
    const upcoming = await scope.d1
      .prepare("SELECT COUNT(*) AS n FROM appointments WHERE patient_id = ? AND starts_at > ? AND status IN ('booked', 'confirmed')")
      .bind(matched.id, now)
      .first<{ n: number }>();
    if ((upcoming?.n ?? 0) >= (rules?.maxUpcoming ?? 3)) {
      throw new AppError(
        "conflict",
        `You already have ${upcoming?.n} upcoming appointments here, the most that can be booked online. Call the clinic to book more.`,
      );
    }
  }
  const appointmentId = crypto.randomUUID();
  const patientId = matched?.id ?? crypto.randomUUID();
  const draft = draftAt(placeFor(type, { providerId: hold.providerId, locationId: hold.locationId, roomId: null, startsAt: hold.startsAt }), {
    id: appointmentId,
    patientId,
    appointmentTypeId: type.id,
    source: "online",
    seriesId: null,
    createdBy: null,
  });

  const manageToken = await signManage(scope.env, scope.clinic, appointmentId, hold.startsAt);
  const entries: AuditEntry[] = [
    ...(matched ? [{ action: "read" as const, event: "patient.match", entityType: "patient", entityId: patientId, patientId, detail: "matched by online booking" }] : []),
    { action: "create", event: "appointment.create", entityType: "appointment", entityId: appointmentId, patientId, detail: "booked online" },
  ];
  const along: WrittenWith = {
    newPatient: matched
      ? undefined
      : {
          row: newPatientRow(patientId, d, null),
          audit: auditRow(scope, { action: "create", event: "patient.create", entityType: "patient", entityId: patientId, patientId, detail: "registered by online booking" }),
        },
    audit: entries.map((e) => auditRow(scope, e)),
  };
  if (d.email) {
    along.messages = [
      await confirmationMessage(scope, {
        appointmentId,
        patientId,
        email: d.email,
        givenName: d.given_name,
        startsAt: hold.startsAt,
        origin,
        manageToken,
        providerId: hold.providerId,
        locationId: hold.locationId,
        modality: type.modality,
      }),
    ];
  }

  const result = await bookHeldTime(scope, { holdId: hold.holdId, idempotencyKey: `hold:${hold.holdId}`, appointment: draft, along, now });
  if (!result.ok) {
    const type2 = type;
    let alternatives: Slot[] = [];
    if (result.reason === "hold_expired" || result.reason === "taken") {
      const tz = await locationZone(scope, hold.locationId);
      const day = localParts(hold.startsAt, tz).date;
      const page = await findSlots(scope, { type: type2, providerId: null, fromDate: day, days: 7, now });
      alternatives = nearest(page.slots, hold);
    }
    throw new SlotUnavailable(result.reason, alternatives);
  }
  scheduleSeal(scope);
  if (result.appointmentId !== appointmentId) {
    // Booked before (a double submit, or a retry): only the same person gets its manage link.
    const booked = await scope.d1
      .prepare("SELECT p.identity_key AS identityKey FROM appointments a JOIN patients p ON p.id = a.patient_id WHERE a.id = ?")
      .bind(result.appointmentId)
      .first<{ identityKey: string }>();
    if (booked?.identityKey !== identityKey(d.given_name, d.family_name, d.date_of_birth)) {
      throw new AppError("conflict", "This time was already booked with this link. Pick a time again to make a new booking.");
    }
    return { appointmentId: result.appointmentId, manageToken: await signManage(scope.env, scope.clinic, result.appointmentId, hold.startsAt), replayed: true };
  }
  return { appointmentId: result.appointmentId, manageToken, replayed: result.replayed };
}

/**
 * The booking confirmation email, from the clinic's template in the patient's language, with the
 * calendar file's link added below (written with the appointment, only if it is).
 */
async function confirmationMessage(
  scope: BookingScope,
  m: { appointmentId: string; patientId: string; email: string; givenName: string; startsAt: number; origin: string; manageToken: string; providerId: string; locationId: string; modality: string },
): Promise<typeof outbox.$inferInsert> {
  const manage = `${m.origin}/book/manage?m=${encodeURIComponent(m.manageToken)}`;
  const ics = `${m.origin}/book/ics?m=${encodeURIComponent(m.manageToken)}`;
  const [who, prefs] = await scope.d1.batch([
    scope.d1
      .prepare("SELECT p.display_name AS provider, l.name AS location, l.timezone FROM providers p, locations l WHERE p.id = ? AND l.id = ?")
      .bind(m.providerId, m.locationId),
    scope.d1.prepare("SELECT locale FROM patient_contact_prefs WHERE patient_id = ?").bind(m.patientId),
  ]);
  const place = who?.results[0] as { provider: string; location: string; timezone: string } | undefined;
  const locale = localeOf((prefs?.results[0] as { locale: string } | undefined)?.locale);
  const { date, time } = formatWhen(m.startsAt, place?.timezone ?? scope.clinic.timezone, locale, "long");
  const message = render(
    await templateFor(scope.d1, "booking.confirmation", "email", locale),
    {
      first_name: m.givenName,
      clinic: scope.clinic.name,
      provider: place?.provider ?? "",
      date,
      time,
      location: locationLabel(m.modality, place?.location ?? "", locale),
      link: manage,
    },
    { channel: "email" },
  );
  const body = `${message.body}\n\n${locale === "es" ? "Añádala a su calendario" : "Add it to your calendar"}: ${ics}`;
  return {
    id: crypto.randomUUID(),
    channel: "email",
    recipient: m.email,
    template: "booking.confirmation",
    subject: message.subject ?? `Your appointment at ${scope.clinic.name}`,
    body,
    idempotencyKey: `booking-confirmation:${m.appointmentId}:${new Date(m.startsAt).toISOString()}`,
    patientId: m.patientId,
    appointmentId: m.appointmentId,
    locale,
  };
}

// ---- managing -------------------------------------------------------------------------------

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
  const row = await scope.d1
    .prepare(
      `SELECT a.id, a.patient_id AS patientId, a.provider_id AS providerId, p.display_name AS providerName, a.location_id AS locationId,
         l.name AS locationName, trim(coalesce(l.address_line1, '') || ', ' || coalesce(l.city, ''), ', ') AS address, l.timezone,
         t.id AS typeId, t.slug AS typeSlug, t.name AS typeName, t.modality, a.starts_at AS startsAt, a.ends_at AS endsAt, a.status, a.version,
         (SELECT cancel_window_hours FROM booking_rules WHERE id = 1) AS cancelWindowHours
       FROM appointments a JOIN providers p ON p.id = a.provider_id JOIN locations l ON l.id = a.location_id
         JOIN appointment_types t ON t.id = a.appointment_type_id WHERE a.id = ?`,
    )
    .bind(appointmentId)
    .first<ManagedAppointment>();
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

/** Moves a booking to a held slot (the manage link's reschedule). */
export async function rescheduleOnline(scope: BookingScope, a: ManagedAppointment, holdToken: string, now = Date.now()): Promise<void> {
  const allowed = changeableOnline(a, now);
  if (!allowed.ok) throw new AppError("conflict", allowed.why);
  const hold = await readHold(scope.env, scope.clinic, holdToken);
  // A move keeps the visit: same appointment, same type (its length and buffers decide the block).
  if (hold.appointmentId !== a.id || hold.typeId !== a.typeId) throw new SlotUnavailable("mismatch", []);
  const type = await findType(scope.d1, hold.typeId);
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
}

export function icsFor(a: ManagedAppointment, clinic: Clinic, manageUrl: string, now: number): string {
  return buildIcs({
    uid: `${a.id}@${clinic.slug}`,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    timezone: a.timezone,
    summary: `Appointment at ${clinic.name}`,
    location: a.modality === "telehealth" ? "Video visit (link sent before the visit)" : [a.locationName, a.address].filter(Boolean).join(", "),
    description: `Change or cancel: ${manageUrl}`,
    url: manageUrl,
    stamp: now,
    status: a.status === "cancelled" ? "CANCELLED" : "CONFIRMED",
    // Each change of the appointment bumps its version, so calendars replace their copy.
    sequence: a.version - 1,
  });
}

/**
 * Sends a patient a personal booking link (two weeks) through the outbox; the booking pages it
 * opens prefill the patient's details. Returns the link for staff to copy.
 */
export async function sendInvitation(scope: BookingScope, patientId: string, origin: string): Promise<string> {
  const p = await scope.d1
    .prepare("SELECT id, given_name AS givenName, email, phone FROM patients WHERE id = ?")
    .bind(patientId)
    .first<{ id: string; givenName: string; email: string | null; phone: string | null }>();
  if (!p) throw new AppError("not_found", "This patient could not be found.");
  const token = await signInvite(scope.env, scope.clinic, p.id);
  const link = `${origin}/book?invite=${encodeURIComponent(token)}`;
  const channel = p.email ? "email" : p.phone ? "sms" : null;
  const statements = [
    scope.d1
      .prepare(
        `INSERT INTO audit_log (occurred_at, user_id, user_email, clinic_slug, action, event, entity_type, entity_id, patient_id, outcome, ip, user_agent, request_id, detail)
         VALUES (?, ?, ?, ?, 'execute', 'booking.invite', 'patient', ?, ?, 'success', ?, ?, ?, ?)`,
      )
      .bind(new Date().toISOString(), scope.staff?.id ?? null, scope.staff?.email ?? null, scope.clinic.slug, p.id, p.id, scope.meta.ip, scope.meta.userAgent?.slice(0, 512) ?? null, scope.meta.requestId, channel ? `sent by ${channel}` : "link shown only"),
  ];
  if (channel) {
    statements.push(
      scope.d1
        .prepare("INSERT INTO outbox (id, channel, recipient, template, subject, body, idempotency_key, patient_id) VALUES (?, ?, ?, 'booking.invitation', ?, ?, ?, ?)")
        .bind(
          crypto.randomUUID(),
          channel,
          channel === "email" ? p.email : p.phone,
          `Book your visit at ${scope.clinic.name}`,
          `Hello ${p.givenName}, book your next visit at ${scope.clinic.name} here: ${link}`,
          `booking-invite:${crypto.randomUUID()}`,
          p.id,
        ),
    );
  }
  await scope.d1.batch(statements);
  scheduleSeal(scope);
  return link;
}
