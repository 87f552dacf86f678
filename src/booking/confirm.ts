/**
 * Confirming an online booking: the held slot becomes an appointment for the patient (matched to
 * an existing record, or registered), with its audit rows and confirmation email in the same
 * batch, through the appointments module.
 */
import { phoneDigits } from "../platform/phone";
import { and, count, eq, gt, inArray } from "drizzle-orm";
import { contactVouched } from "../patients/contact";
import { auditRow, scheduleSeal, type AuditEntry } from "../audit/service";
import { bookHeldTime } from "../appointments/service";
import { draftAt, placeFor, type WrittenWith } from "../calendar/intents";
import { patientContactPrefs, type outbox } from "../messaging/tables";
import { patients } from "../patients/tables";
import { formatWhen } from "../platform/time";
import { locationLabel } from "../messaging/template-values";
import { localeOf, type Locale, type TemplateText } from "../messaging/template-catalogue";
import { render } from "../messaging/template-render";
import { templateFor } from "../messaging/template-repo";
import { AppError } from "../platform/errors";
import { identityKey } from "../patients/repo";
import { newPatientRow } from "../patients/service";

import { findType } from "../scheduling/data";
import type { Slot } from "../scheduling/slots";
import { localParts } from "../platform/time";
import { appointments, bookingRules, locations, providers } from "../scheduling/tables";
import { findSlots, locationZone, nearest, SlotUnavailable, type BookingScope } from "./slots";
import { readHold, signManage } from "./tokens";

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
  /** Staff created or edited the record: they saw its contact details. */
  vouched: boolean;
}

/** Exact match on name and date of birth, plus the same phone or email. */
async function matchPatient(scope: BookingScope, d: PatientDetails): Promise<MatchRow | null> {
  const rows = await scope.db
    .select({
      id: patients.id,
      givenName: patients.givenName,
      familyName: patients.familyName,
      email: patients.email,
      phoneDigits: patients.phoneDigits,
      vouched: contactVouched().mapWith(Boolean),
    })
    .from(patients)
    .where(eq(patients.identityKey, identityKey(d.given_name, d.family_name, d.date_of_birth)));
  const digits = phoneDigits(d.phone);
  return (
    rows.find((p) => (p.phoneDigits && p.phoneDigits === digits) || (d.email && p.email && p.email.toLowerCase() === d.email.toLowerCase())) ?? null
  );
}

/**
 * A confirmed contact: the email typed in the booking form is the one already stored on the
 * existing patient the booking matched (name, date of birth and phone or email), and that record
 * is vouched for (`contactVouched`: staff created or edited it, or the patient was seen). Any other
 * address (a new patient, an address that differs from the record's, a record only ever made
 * online) is unconfirmed: whoever typed it may not own it, so messages to it carry none of the
 * booker's text (see `confirmationMessage`).
 */
export function isConfirmedContact(matched: Pick<MatchRow, "email" | "vouched"> | null, typedEmail: string): boolean {
  return !!matched && matched.vouched && !!matched.email && matched.email.trim().toLowerCase() === typedEmail.trim().toLowerCase();
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
  const type = await findType(scope.db, hold.typeId);
  if (!type) throw new SlotUnavailable("mismatch", []);
  const matched = await matchPatient(scope, d);
  if (type.eligibility === "new" && matched) {
    throw new AppError("validation", "This kind of visit is for new patients. You are already a patient here: pick a follow-up visit instead.");
  }
  if (type.eligibility === "existing" && !matched) {
    throw new AppError("validation", "This kind of visit is for existing patients. Check your name, date of birth and phone, or book a new-patient visit.");
  }
  const rules = await scope.db.select({ maxUpcoming: bookingRules.maxUpcomingPerPatient }).from(bookingRules).where(eq(bookingRules.id, 1)).get();
  if (matched) {
    const upcoming = await scope.db
      .select({ n: count() })
      .from(appointments)
      .where(and(eq(appointments.patientId, matched.id), gt(appointments.startsAt, now), inArray(appointments.status, ["booked", "confirmed"])))
      .get();
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

  const manageToken = await signManage(scope.env, scope.clinic, appointmentId, draft.endsAt);
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
        // The booker's name goes only to an address the clinic already knows for this patient.
        givenName: isConfirmedContact(matched, d.email) ? d.given_name : null,
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
    const booked = await scope.db
      .select({ identityKey: patients.identityKey })
      .from(appointments)
      .innerJoin(patients, eq(patients.id, appointments.patientId))
      .where(eq(appointments.id, result.appointmentId))
      .get();
    if (booked?.identityKey !== identityKey(d.given_name, d.family_name, d.date_of_birth)) {
      throw new AppError("conflict", "This time was already booked with this link. Pick a time again to make a new booking.");
    }
    return { appointmentId: result.appointmentId, manageToken: await signManage(scope.env, scope.clinic, result.appointmentId, draft.endsAt), replayed: true };
  }
  return { appointmentId: result.appointmentId, manageToken, replayed: result.replayed };
}

/**
 * The booking confirmation email, from the clinic's template in the patient's language, with the
 * calendar file's link added below (written with the appointment, only if it is).
 */
async function confirmationMessage(
  scope: BookingScope,
  m: { appointmentId: string; patientId: string; email: string; givenName: string | null; startsAt: number; origin: string; manageToken: string; providerId: string; locationId: string; modality: string },
): Promise<typeof outbox.$inferInsert> {
  const manage = `${m.origin}/book/manage?m=${encodeURIComponent(m.manageToken)}`;
  const ics = `${m.origin}/book/ics?m=${encodeURIComponent(m.manageToken)}`;
  const [who, prefs] = await scope.db.batch([
    scope.db
      .select({ provider: providers.displayName, location: locations.name, timezone: locations.timezone })
      .from(providers)
      .innerJoin(locations, eq(locations.id, m.locationId))
      .where(eq(providers.id, m.providerId)),
    scope.db.select({ locale: patientContactPrefs.locale }).from(patientContactPrefs).where(eq(patientContactPrefs.patientId, m.patientId)),
  ]);
  const place = who[0];
  const locale = localeOf(prefs[0]?.locale);
  const { date, time } = formatWhen(m.startsAt, place?.timezone ?? scope.clinic.timezone, locale, "long");
  // To an unconfirmed address: a fixed neutral text, not the clinic's template, and no name.
  const template = m.givenName === null ? NEUTRAL_CONFIRMATION[locale] : await templateFor(scope.d1, "booking.confirmation", "email", locale);
  const message = render(
    template,
    {
      ...(m.givenName === null ? {} : { first_name: m.givenName }),
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

/**
 * The confirmation to an unconfirmed address: only what the clinic knows (its name, the provider,
 * the time and place, the manage link), nothing the booker typed, and a way out for someone who
 * did not book. Not editable per clinic, so no template can put the booker's name back.
 */
const NEUTRAL_CONFIRMATION: Record<Locale, TemplateText> = {
  en: {
    subject: "Appointment booked at {{clinic}}",
    body:
      "Hello,\n\nAn appointment with {{provider}} at {{clinic}} was booked online with this email address, for {{date}} at {{time}} ({{location}}).\n\n" +
      "To change or cancel it, or if you did not book it:\n{{link}}\n\n{{clinic}}",
  },
  es: {
    subject: "Cita reservada en {{clinic}}",
    body:
      "Hola:\n\nSe reservó en línea con esta dirección de correo una cita con {{provider}} en {{clinic}} para el {{date}} a las {{time}} ({{location}}).\n\n" +
      "Para cambiarla o cancelarla, o si usted no la reservó:\n{{link}}\n\n{{clinic}}",
  },
};
