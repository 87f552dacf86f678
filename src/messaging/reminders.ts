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
import { auditSql, scheduleSeal } from "../audit/service";
import type { Env } from "../platform/env";
import type { ClinicScope } from "../platform/scope";
import { addDays, localParts, zonedInstant } from "../platform/time";
import { shortResponseCode, signResponseToken } from "./respond";
import { publicClinicOrigin } from "../platform/tenancy";
import {
  chooseTemplate,
  dateStyle,
  formatWhen,
  locationLabel,
  localeOf,
  overridesQuery,
  render,
  type Locale,
  type StoredTemplate,
  type TemplateValues,
} from "./templates";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

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
  emailConsent: number | null;
  smsConsent: number | null;
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
    email: pref !== "sms" && a.emailConsent !== 0 && !!a.email?.trim() ? a.email.trim() : null,
    sms: pref !== "email" && a.smsConsent !== 0 && a.smsOptedOutAt == null && !!a.phone?.trim() ? a.phone.trim() : null,
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
export function reminderSettingsQuery(d1: D1Database): D1PreparedStatement {
  return d1.prepare(`SELECT enabled, email_hours_before AS emailHoursBefore, sms_hours_before AS smsHoursBefore,
    sms2_hours_before AS sms2HoursBefore, quiet_start AS quietStart, quiet_end AS quietEnd FROM reminder_settings WHERE id = 1`);
}

/** Whether the reminder of one kind is in the outbox already, as a 0/1 column. */
const queuedColumn = (kind: ReminderKind, alias: string) =>
  `EXISTS (SELECT 1 FROM outbox o WHERE o.idempotency_key = 'reminder:' || a.id || ':${kind}') AS ${alias}`;

/**
 * Appointments with a reminder due in the window, by the settings row itself (so settings,
 * appointments and templates come in one batch). ?1 = now, ?2 = the window.
 */
const CANDIDATES_SQL = `
  WITH s AS (SELECT email_hours_before * ${HOUR} AS e, sms_hours_before * ${HOUR} AS m, sms2_hours_before * ${HOUR} AS m2
             FROM reminder_settings WHERE id = 1 AND enabled = 1)
  SELECT a.id, a.patient_id AS patientId, a.starts_at AS startsAt,
    coalesce(nullif(trim(p.preferred_name), ''), p.given_name) AS firstName, p.email, p.phone,
    cp.email_consent AS emailConsent, cp.sms_consent AS smsConsent, cp.sms_opted_out_at AS smsOptedOutAt,
    cp.preferred_channel AS preferredChannel, cp.locale,
    pr.display_name AS providerName, l.name AS locationName, l.timezone, t.modality,
    ${queuedColumn("email-72h", "queuedEmail")}, ${queuedColumn("sms-24h", "queuedSms")}, ${queuedColumn("sms-2h", "queuedSms2")}
  FROM s, appointments a
    JOIN patients p ON p.id = a.patient_id
    JOIN providers pr ON pr.id = a.provider_id
    JOIN locations l ON l.id = a.location_id
    JOIN appointment_types t ON t.id = a.appointment_type_id
    LEFT JOIN patient_contact_prefs cp ON cp.patient_id = a.patient_id
  WHERE a.status IN ('booked', 'confirmed')
    AND a.starts_at > ?1
    AND a.starts_at <= ?1 + max(coalesce(s.e, 0), coalesce(s.m, 0), coalesce(s.m2, 0))
    AND ((s.e IS NOT NULL AND a.starts_at - s.e <= ?1 AND a.starts_at - s.e > ?1 - ?2)
      OR (s.m IS NOT NULL AND a.starts_at - s.m <= ?1 AND a.starts_at - s.m > ?1 - ?2)
      OR (s.m2 IS NOT NULL AND a.starts_at - s.m2 <= ?1 AND a.starts_at - s.m2 > ?1 - ?2))
  ORDER BY a.starts_at, a.id`;

type CandidateRow = Omit<ReminderCandidate, "queued"> & { queuedEmail: number; queuedSms: number; queuedSms2: number };

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
  const d1 = scope.d1;
  const [settingsRes, candidatesRes, templatesRes] = await d1.batch([
    reminderSettingsQuery(d1),
    d1.prepare(CANDIDATES_SQL).bind(now, REMINDER_WINDOW_MS),
    overridesQuery(d1, ["reminder"]),
  ]);
  const settings = settingsRes?.results[0] as ReminderSettings | undefined;
  if (!settings) return 0;
  const candidates = ((candidatesRes?.results ?? []) as CandidateRow[]).map(({ queuedEmail, queuedSms, queuedSms2, ...a }) => ({
    ...a,
    queued: REMINDER_KINDS.filter((_, i) => [queuedEmail, queuedSms, queuedSms2][i]),
  }));
  const planned = planReminders(candidates, settings, now);
  if (planned.length === 0) return 0;
  const overrides = (templatesRes?.results ?? []) as StoredTemplate[];

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

  const statements: D1PreparedStatement[] = [];
  for (const p of planned) {
    const a = p.appointment;
    const locale = localeOf(a.locale);
    const message = render(chooseTemplate(overrides, "reminder", p.channel, locale), reminderValues(a, p.channel, scope.clinic.name, locale, links.get(a.id)!), {
      channel: p.channel,
    });
    const outboxId = crypto.randomUUID();
    statements.push(
      d1
        .prepare(
          `INSERT INTO outbox (id, channel, recipient, template, subject, body, idempotency_key, patient_id, appointment_id, locale, send_after)
           SELECT ?, ?, ?, 'reminder', ?, ?, ?, ?, ?, ?, ?
           WHERE EXISTS (SELECT 1 FROM appointments WHERE id = ? AND status IN ('booked', 'confirmed') AND starts_at > ?)
           ON CONFLICT (idempotency_key) DO NOTHING`,
        )
        .bind(outboxId, p.channel, p.recipient, message.subject, message.body, `reminder:${a.id}:${p.kind}`, a.patientId, a.id, locale, p.sendAfter, a.id, now),
    );
    const entry = auditSql(
      scope,
      {
        action: "execute",
        event: "reminder.queue",
        entityType: "outbox",
        entityId: outboxId,
        patientId: a.patientId,
        detail: `${p.kind} by ${p.channel} for appointment ${a.id}${p.sendAfter ? `, held until ${new Date(p.sendAfter).toISOString()} (quiet hours)` : ""}`,
      },
      { sql: "changes() = 1", params: [] },
    );
    statements.push(d1.prepare(entry.sql).bind(...entry.params));
  }

  let inserted = 0;
  for (let i = 0; i < statements.length; i += WRITE_BATCH) {
    const results = await d1.batch(statements.slice(i, i + WRITE_BATCH));
    // Even positions are the outbox inserts, odd ones their audit rows.
    results.forEach((r, j) => {
      if (j % 2 === 0) inserted += r.meta.changes ?? 0;
    });
  }
  if (inserted > 0) scheduleSeal(scope);
  return inserted;
}
