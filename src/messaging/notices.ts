/**
 * Telling a patient that their appointment moved or was cancelled, by the channels they accept, in
 * their language, from the clinic's templates. Written to the outbox once per change (the key
 * carries the appointment's version), after the change itself succeeded.
 */
import type { Env } from "../platform/env";
import type { ClinicScope } from "../platform/scope";
import { publicClinicOrigin } from "../platform/tenancy";
import { dateStyle, formatWhen, locationLabel, localeOf, render, templateFor, type TemplateKey } from "./templates";

type NoticeKey = Extract<TemplateKey, "appointment.rescheduled" | "appointment.cancelled">;

interface NoticeRow {
  id: string;
  version: number;
  startsAt: number;
  patientId: string;
  firstName: string;
  email: string | null;
  phone: string | null;
  providerName: string;
  locationName: string;
  timezone: string;
  modality: string;
  locale: string | null;
  emailConsent: number | null;
  smsConsent: number | null;
  smsOptedOutAt: number | null;
  preferredChannel: string | null;
}

/** Writes the notice for each channel the patient accepts; returns how many rows were written. */
export async function sendAppointmentNotice(scope: ClinicScope & { env: Env }, appointmentId: string, key: NoticeKey): Promise<number> {
  const a = await scope.d1
    .prepare(
      `SELECT a.id, a.version, a.starts_at AS startsAt, a.patient_id AS patientId, p.given_name AS firstName, p.email, p.phone,
         pr.display_name AS providerName, l.name AS locationName, l.timezone, t.modality,
         c.locale, c.email_consent AS emailConsent, c.sms_consent AS smsConsent, c.sms_opted_out_at AS smsOptedOutAt,
         c.preferred_channel AS preferredChannel
       FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN providers pr ON pr.id = a.provider_id
         JOIN locations l ON l.id = a.location_id JOIN appointment_types t ON t.id = a.appointment_type_id
         LEFT JOIN patient_contact_prefs c ON c.patient_id = a.patient_id
       WHERE a.id = ?`,
    )
    .bind(appointmentId)
    .first<NoticeRow>();
  if (!a) return 0;
  const preferred = a.preferredChannel ?? "both";
  const channels: ("email" | "sms")[] = [];
  if (a.email && a.emailConsent !== 0 && preferred !== "sms") channels.push("email");
  if (a.phone && a.smsConsent !== 0 && a.smsOptedOutAt === null && preferred !== "email") channels.push("sms");
  const locale = localeOf(a.locale);
  const origin = publicClinicOrigin(scope.env, scope.clinic);
  let written = 0;
  for (const channel of channels) {
    const { date, time } = formatWhen(a.startsAt, a.timezone, locale, dateStyle(channel));
    const message = render(
      await templateFor(scope.d1, key, channel, locale),
      {
        first_name: a.firstName,
        clinic: scope.clinic.name,
        provider: a.providerName,
        date,
        time,
        location: locationLabel(a.modality, a.locationName, locale),
        link: `${origin}/book`,
      },
      { channel },
    );
    const res = await scope.d1
      .prepare(
        `INSERT INTO outbox (id, channel, recipient, template, subject, body, idempotency_key, patient_id, appointment_id, locale)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
      )
      .bind(
        crypto.randomUUID(),
        channel,
        channel === "email" ? a.email : a.phone,
        key,
        message.subject,
        message.body,
        `${key}:${a.id}:v${a.version}:${channel}`,
        a.patientId,
        a.id,
        locale,
      )
      .run();
    written += res.meta.changes;
  }
  return written;
}
