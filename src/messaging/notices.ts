/**
 * Telling a patient that their appointment moved or was cancelled, by the channels they accept, in
 * their language, from the clinic's templates. Written to the outbox once per change (the key
 * carries the appointment's version), after the change itself succeeded.
 */
import { nameForMessages } from "../patients/contact";
import { eq } from "drizzle-orm";
import { patients } from "../patients/tables";
import type { Env } from "../platform/env";
import type { ClinicScope } from "../platform/scope";
import { publicClinicOrigin } from "../platform/tenancy";
import { appointments, appointmentTypes, locations, providers } from "../scheduling/tables";
import { outbox, patientContactPrefs } from "./tables";
import { formatWhen } from "../platform/time";
import { localeOf, type TemplateKey } from "./template-catalogue";
import { render } from "./template-render";
import { templateFor } from "./template-repo";
import { dateStyle, locationLabel } from "./template-values";

type NoticeKey = Extract<TemplateKey, "appointment.rescheduled" | "appointment.cancelled">;


/** Writes the notice for each channel the patient accepts; returns how many rows were written. */
export async function sendAppointmentNotice(scope: ClinicScope & { env: Env }, appointmentId: string, key: NoticeKey): Promise<number> {
  const a = await scope.db
    .select({
      id: appointments.id,
      version: appointments.version,
      startsAt: appointments.startsAt,
      patientId: appointments.patientId,
      // No name to a contact nobody confirmed (a record made online holds what its booker typed).
      firstName: nameForMessages(),
      email: patients.email,
      phone: patients.phone,
      providerName: providers.displayName,
      locationName: locations.name,
      timezone: locations.timezone,
      modality: appointmentTypes.modality,
      locale: patientContactPrefs.locale,
      emailConsent: patientContactPrefs.emailConsent,
      smsConsent: patientContactPrefs.smsConsent,
      smsOptedOutAt: patientContactPrefs.smsOptedOutAt,
      preferredChannel: patientContactPrefs.preferredChannel,
    })
    .from(appointments)
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .innerJoin(providers, eq(providers.id, appointments.providerId))
    .innerJoin(locations, eq(locations.id, appointments.locationId))
    .innerJoin(appointmentTypes, eq(appointmentTypes.id, appointments.appointmentTypeId))
    .leftJoin(patientContactPrefs, eq(patientContactPrefs.patientId, appointments.patientId))
    .where(eq(appointments.id, appointmentId))
    .get();
  if (!a) return 0;
  const preferred = a.preferredChannel ?? "both";
  const channels: ("email" | "sms")[] = [];
  if (a.email && a.emailConsent !== false && preferred !== "sms") channels.push("email");
  if (a.phone && a.smsConsent !== false && a.smsOptedOutAt === null && preferred !== "email") channels.push("sms");
  const locale = localeOf(a.locale);
  const origin = publicClinicOrigin(scope.env, scope.clinic);
  let written = 0;
  for (const channel of channels) {
    const { date, time } = formatWhen(a.startsAt, a.timezone, locale, dateStyle(channel));
    const message = render(
      await templateFor(scope.db, key, channel, locale),
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
    const res = await scope.db
      .insert(outbox)
      .values({
        id: crypto.randomUUID(),
        channel,
        recipient: (channel === "email" ? a.email : a.phone)!,
        template: key,
        subject: message.subject,
        body: message.body,
        idempotencyKey: `${key}:${a.id}:v${a.version}:${channel}`,
        patientId: a.patientId,
        appointmentId: a.id,
        locale,
      })
      .onConflictDoNothing({ target: outbox.idempotencyKey });
    written += res.meta.changes;
  }
  return written;
}
