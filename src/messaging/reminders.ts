/**
 * Appointment reminders. The cron scan calls `scanReminders` for every clinic; it writes the
 * reminders that are due to the outbox, and delivery takes them from there.
 *
 * The schedule is the clinic's (reminder_settings, one row): an email some hours before (default
 * 72), an SMS (default 24) and an optional short-notice SMS (e.g. 2). Each is one reminder kind with
 * a fixed name, `email-72h`, `sms-24h` and `sms-2h`, whatever hours the clinic picked, and its
 * outbox idempotency key is `reminder:<appointment id>:<kind>`: the insert is
 * `ON CONFLICT (idempotency_key) DO NOTHING`, so a repeated scan, two scans at once, or a change of
 * the hours never writes a reminder twice.
 *
 * When a reminder is due: "N hours before" means N real hours before the start instant, not the
 * same wall-clock time N/24 days earlier. Across a daylight-saving change the two differ:
 *   America/New_York, spring forward on 2027-03-14 (02:00 -> 03:00): a visit at 09:00 EDT that
 *   morning (13:00Z) gets its 24 h SMS at 2027-03-13T13:00Z, 08:00 EST the day before.
 *   Fall back on 2027-11-07 (02:00 -> 01:00): a visit at 09:00 EST (14:00Z) gets it at
 *   2027-11-06T14:00Z, 10:00 EDT the day before.
 *   Australia/Sydney, 2027-04-04 (03:00 -> 02:00): 09:00 AEST (04-03T23:00Z) -> 10:00 AEDT the day
 *   before; 2027-10-03 (02:00 -> 03:00): 09:00 AEDT (10-02T22:00Z) -> 08:00 AEST the day before.
 *
 * The scan window: a reminder is written when its due instant is in (now - 6 h, now] and the
 * appointment is still booked or confirmed and has not started. A scan that was missed for a while
 * still sends; one that is far too late (a visit booked 3 hours ahead has no 24 h reminder) does not.
 *
 * Patients' choices: email needs email consent and an address; SMS needs SMS consent, no opt-out
 * (STOP) and a phone; the preferred channel (email, sms, both) picks among those that remain; no
 * fallback to a channel the patient did not choose. Quiet hours (reminder_settings quiet_start to
 * quiet_end, in the location's timezone) hold an SMS: one due then is written with send_after = the
 * end of the quiet hours (that wall time on the right local date, as an instant); if that is not
 * before the visit, the SMS is skipped. Email is not held.
 */
import { nameForMessages } from "../patients/contact";
import { and, eq, exists, gt, inArray, or, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { auditStatementWhere, scheduleSeal } from "../audit/service";
import { patients } from "../patients/tables";
import type { ClinicDb, Env } from "../platform/env";
import { insertWhere, runWrites, type Statements } from "../platform/guarded-writes";
import { appointments, appointmentTypes, locations, providers } from "../scheduling/tables";
import type { ClinicScope } from "../platform/scope";
import { addDays, localParts, zonedInstant } from "../platform/time";
import { shortResponseCode, signResponseToken } from "./respond";
import { publicClinicOrigin } from "../platform/tenancy";
import { formatWhen } from "../platform/time";
import { localeOf, type Locale, type TemplateValues } from "./template-catalogue";
import { render } from "./template-render";
import { chooseTemplate, overridesQuery } from "./template-repo";
import { dateStyle, locationLabel } from "./template-values";
import { outbox, patientContactPrefs, reminderSettings } from "./tables";

const HOUR = 3_600_000;

/** How late a reminder may still be written after its due instant. */
export const REMINDER_WINDOW_MS = 6 * HOUR;

export const REMINDER_KINDS = ["email-72h", "sms-24h", "sms-2h"] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

export interface ReminderSettings {
  enabled: boolean | number;
  emailHoursBefore: number | null;
  smsHoursBefore: number | null;
  sms2HoursBefore: number | null;
  /** HH:MM, local. */
  quietStart: string;
  quietEnd: string;
}

export interface ReminderSlot {
  kind: ReminderKind;
  channel: "email" | "sms";
  hoursBefore: number;
}

/** The reminders a clinic's schedule sends (none when reminders are off). */
export function reminderSlots(s: ReminderSettings): ReminderSlot[] {
  if (!s.enabled) return [];
  const out: ReminderSlot[] = [];
  if (s.emailHoursBefore) out.push({ kind: "email-72h", channel: "email", hoursBefore: s.emailHoursBefore });
  if (s.smsHoursBefore) out.push({ kind: "sms-24h", channel: "sms", hoursBefore: s.smsHoursBefore });
  if (s.sms2HoursBefore) out.push({ kind: "sms-2h", channel: "sms", hoursBefore: s.sms2HoursBefore });
  return out;
}

/** When a reminder `hoursBefore` a visit is due: that many real hours before its start instant. */
export function reminderDueAt(startsAt: number, hoursBefore: number): number {
  return startsAt - hoursBefore * HOUR;
}

/** True when a reminder due at `due` is to be written by a scan at `now`. */
export function inScanWindow(due: number, now: number): boolean {
  return due <= now && due > now - REMINDER_WINDOW_MS;
}

/**
 * When the quiet hours around `at` end, as an instant, or null when `at` is not in them. Quiet
 * hours are wall times in `timezone`; a start after the end runs past midnight (21:00-08:00). A
 * start equal to the end means no quiet hours.
 *   at 2027-03-12 22:30 EST, 21:00-08:00 -> 2027-03-13 08:00 EST
 *   at 2027-03-13 06:10 EST, 21:00-08:00 -> 2027-03-13 08:00 EST (same day)
 */
export function quietHoursEnd(at: number, timezone: string, quietStart: string, quietEnd: string): number | null {
  if (quietStart === quietEnd) return null;
  const { date, time } = localParts(at, timezone);
  const wraps = quietStart > quietEnd;
  const quiet = wraps ? time >= quietStart || time < quietEnd : time >= quietStart && time < quietEnd;
  if (!quiet) return null;
  const endDate = wraps && time >= quietStart ? addDays(date, 1) : date;
  const end = zonedInstant(endDate, quietEnd, timezone);
  return end > at ? end : null;
}

/** One appointment that may need reminders, with what they need to be written. */
export interface ReminderCandidate {
  id: string;
  patientId: string;
  startsAt: number;
  firstName: string;
  email: string | null;
  phone: string | null;
  /** null when the patient has no preferences row (consent is then assumed). */
  emailConsent: boolean | null;
  smsConsent: boolean | null;
  smsOptedOutAt: number | null;
  preferredChannel: string | null;
  locale: string | null;
  providerName: string;
  locationName: string;
  timezone: string;
  modality: string;
  /** Kinds already in the outbox (read with the candidate, to skip work; the insert decides). */
  queued: ReminderKind[];
}

export interface PlannedReminder {
  appointment: ReminderCandidate;
  kind: ReminderKind;
  channel: "email" | "sms";
  recipient: string;
  due: number;
  /** Not before this instant (quiet hours), or null. */
  sendAfter: number | null;
}

/** Where a patient may be reached for reminders, per their consent, opt-out and preference. */
export function reachableChannels(a: Pick<ReminderCandidate, "email" | "phone" | "emailConsent" | "smsConsent" | "smsOptedOutAt" | "preferredChannel">) {
  const pref = a.preferredChannel ?? "both";
  return {
    email: pref !== "sms" && a.emailConsent !== false && !!a.email?.trim() ? a.email.trim() : null,
    sms: pref !== "email" && a.smsConsent !== false && a.smsOptedOutAt == null && !!a.phone?.trim() ? a.phone.trim() : null,
  };
}

/** The reminders to write at `now` (pure: the clock and settings are parameters). */
export function planReminders(candidates: readonly ReminderCandidate[], settings: ReminderSettings, now: number): PlannedReminder[] {
  const slots = reminderSlots(settings);
  const out: PlannedReminder[] = [];
  for (const a of candidates) {
    if (a.startsAt <= now) continue;
    const reach = reachableChannels(a);
    for (const slot of slots) {
      if (a.queued.includes(slot.kind)) continue;
      const due = reminderDueAt(a.startsAt, slot.hoursBefore);
      if (!inScanWindow(due, now)) continue;
      const recipient = reach[slot.channel];
      if (!recipient) continue;
      let sendAfter: number | null = null;
      if (slot.channel === "sms") {
        // It leaves now (the scan is at or after the due instant), so now is what must not be quiet.
        sendAfter = quietHoursEnd(now, a.timezone, settings.quietStart, settings.quietEnd);
        if (sendAfter !== null && sendAfter >= a.startsAt) continue;
      }
      out.push({ appointment: a, kind: slot.kind, channel: slot.channel, recipient, due, sendAfter });
    }
  }
  return out;
}


/** The values of one reminder's template. */
export function reminderValues(a: ReminderCandidate, channel: "email" | "sms", clinicName: string, locale: Locale, respondLink: string): TemplateValues {
  const { date, time } = formatWhen(a.startsAt, a.timezone, locale, dateStyle(channel));
  return {
    first_name: a.firstName,
    clinic: clinicName,
    provider: a.providerName,
    date,
    time,
    location: locationLabel(a.modality, a.locationName, locale),
    link: respondLink,
    confirm_link: respondLink,
  };
}

/** The schedule a clinic starts with (the migration writes this row). */
export const DEFAULT_REMINDER_SETTINGS: ReminderSettings = {
  enabled: true,
  emailHoursBefore: 72,
  smsHoursBefore: 24,
  sms2HoursBefore: null,
  quietStart: "21:00",
  quietEnd: "08:00",
};

/** The clinic's reminder settings row, as ReminderSettings. */
export function reminderSettingsQuery(db: ClinicDb) {
  return db
    .select({
      enabled: reminderSettings.enabled,
      emailHoursBefore: reminderSettings.emailHoursBefore,
      smsHoursBefore: reminderSettings.smsHoursBefore,
      sms2HoursBefore: reminderSettings.sms2HoursBefore,
      quietStart: reminderSettings.quietStart,
      quietEnd: reminderSettings.quietEnd,
    })
    .from(reminderSettings)
    .where(eq(reminderSettings.id, 1));
}

/** Whether the reminder of one kind is in the outbox already. */
const queued = (kind: ReminderKind) =>
  sql<number>`EXISTS (SELECT 1 FROM ${outbox} WHERE ${outbox.idempotencyKey} = 'reminder:' || ${appointments.id} || ${`:${kind}`})`;

/**
 * Appointments with a reminder due in the window, by the settings row itself (joined, so settings,
 * appointments and templates come in one batch): a visit still booked or confirmed, not begun,
 * with one of the clinic's reminders due in (now - window, now].
 */
function candidatesQuery(db: ClinicDb, now: number) {
  const s = reminderSettings;
  const dueIn = (hours: SQLiteColumn) =>
    sql`(${hours} IS NOT NULL AND ${appointments.startsAt} - ${hours} * ${HOUR} <= ${now} AND ${appointments.startsAt} - ${hours} * ${HOUR} > ${now - REMINDER_WINDOW_MS})`;
  // Every expression has its own name: in a D1 batch rows come back keyed by column name.
  return db
    .select({
      id: appointments.id,
      patientId: appointments.patientId,
      startsAt: appointments.startsAt,
      // No name to a contact nobody confirmed (a record made online holds what its booker typed).
      firstName: nameForMessages().as("first_name"),
      email: patients.email,
      phone: patients.phone,
      emailConsent: patientContactPrefs.emailConsent,
      smsConsent: patientContactPrefs.smsConsent,
      smsOptedOutAt: patientContactPrefs.smsOptedOutAt,
      preferredChannel: patientContactPrefs.preferredChannel,
      locale: patientContactPrefs.locale,
      providerName: providers.displayName,
      locationName: locations.name,
      timezone: locations.timezone,
      modality: appointmentTypes.modality,
      queuedEmail: queued("email-72h").as("queued_email"),
      queuedSms: queued("sms-24h").as("queued_sms"),
      queuedSms2: queued("sms-2h").as("queued_sms2"),
    })
    .from(appointments)
    .innerJoin(s, and(eq(s.id, 1), eq(s.enabled, true)))
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .innerJoin(providers, eq(providers.id, appointments.providerId))
    .innerJoin(locations, eq(locations.id, appointments.locationId))
    .innerJoin(appointmentTypes, eq(appointmentTypes.id, appointments.appointmentTypeId))
    .leftJoin(patientContactPrefs, eq(patientContactPrefs.patientId, appointments.patientId))
    .where(
      and(
        inArray(appointments.status, ["booked", "confirmed"]),
        gt(appointments.startsAt, now),
        sql`${appointments.startsAt} <= ${now} + max(coalesce(${s.emailHoursBefore}, 0), coalesce(${s.smsHoursBefore}, 0), coalesce(${s.sms2HoursBefore}, 0)) * ${HOUR}`,
        or(dueIn(s.emailHoursBefore), dueIn(s.smsHoursBefore), dueIn(s.sms2HoursBefore)),
      ),
    )
    .orderBy(appointments.startsAt, appointments.id);
}

/** Statements per D1 batch when writing (two per reminder: the message and its audit row). */
const WRITE_BATCH = 100;

/**
 * Writes the reminders that are due for one clinic to its outbox; returns how many rows were
 * actually inserted. One batch reads the settings, the due appointments (with patient, contact
 * preferences, provider, location and type) and the clinic's reminder templates; the writes go
 * in batches, each reminder guarded by its appointment still being booked and in the future, and
 * audited only when it was inserted.
 */
export async function scanReminders(scope: ClinicScope, env: Env, now: number): Promise<number> {
  const db = scope.db;
  const [settingsRows, candidateRows, overrides] = await db.batch([reminderSettingsQuery(db), candidatesQuery(db, now), overridesQuery(db, ["reminder"])]);
  const settings = settingsRows[0];
  if (!settings) return 0;
  const candidates = candidateRows.map(({ queuedEmail, queuedSms, queuedSms2, ...a }) => ({
    ...a,
    queued: REMINDER_KINDS.filter((_, i) => [queuedEmail, queuedSms, queuedSms2][i]),
  }));
  const planned = planReminders(candidates, settings, now);
  if (planned.length === 0) return 0;

  const origin = publicClinicOrigin(env, scope.clinic);
  const links = new Map<string, string>();
  for (const p of planned) {
    if (links.has(p.appointment.id)) continue;
    // A short link (see shortResponseCode) keeps a reminder SMS within two segments; it names
    // appointments by UUID, which every booking path creates (others get the full signed link).
    const id = p.appointment.id;
    links.set(
      id,
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
        ? `${origin}/r/${await shortResponseCode(env, scope.clinic, id)}`
        : `${origin}/appointment/respond?t=${encodeURIComponent(await signResponseToken(env, scope.clinic, id, p.appointment.startsAt))}`,
    );
  }

  const statements: Statements = [];
  for (const p of planned) {
    const a = p.appointment;
    const locale = localeOf(a.locale);
    const message = render(chooseTemplate(overrides, "reminder", p.channel, locale), reminderValues(a, p.channel, scope.clinic.name, locale, links.get(a.id)!), {
      channel: p.channel,
    });
    const outboxId = crypto.randomUUID();
    const stillAhead = exists(
      db
        .select({ id: appointments.id })
        .from(appointments)
        .where(and(eq(appointments.id, a.id), inArray(appointments.status, ["booked", "confirmed"]), gt(appointments.startsAt, now))),
    );
    statements.push(
      insertWhere(
        db,
        outbox,
        {
          id: outboxId,
          channel: p.channel,
          recipient: p.recipient,
          template: "reminder",
          subject: message.subject,
          body: message.body,
          idempotencyKey: `reminder:${a.id}:${p.kind}`,
          patientId: a.patientId,
          appointmentId: a.id,
          locale,
          sendAfter: p.sendAfter,
        },
        stillAhead,
      ).onConflictDoNothing({ target: outbox.idempotencyKey }),
    );
    statements.push(
      auditStatementWhere(
        scope,
      {
        action: "execute",
        event: "reminder.queue",
        entityType: "outbox",
        entityId: outboxId,
        patientId: a.patientId,
        detail: `${p.kind} by ${p.channel} for appointment ${a.id}${p.sendAfter ? `, held until ${new Date(p.sendAfter).toISOString()} (quiet hours)` : ""}`,
      },
        sql`changes() = 1`,
      ),
    );
  }

  let inserted = 0;
  for (let i = 0; i < statements.length; i += WRITE_BATCH) {
    const results = await runWrites(db, statements.slice(i, i + WRITE_BATCH));
    // Even positions are the outbox inserts, odd ones their audit rows.
    results.forEach((r, j) => {
      if (j % 2 === 0) inserted += r.meta.changes ?? 0;
    });
  }
  if (inserted > 0) scheduleSeal(scope);
  return inserted;
}
