/**
 * SMS replies from patients (POST /webhooks/sms/inbound): who sent it, what it asks, and what it
 * changes, recorded once per provider message id in inbound_messages.
 *
 * Keywords (the first word of the message, any case, punctuation ignored):
 *   C, Y, YES, CONFIRM                         confirm the sender's next appointment (booked → confirmed)
 *   N, NO, CANCEL                              ask to cancel it: nothing is cancelled, the front desk
 *                                              gets a task to call the patient
 *   STOP, STOPALL, UNSUBSCRIBE, END, QUIT,     opt out of SMS (patient_contact_prefs.sms_opted_out_at)
 *   OPTOUT, REVOKE
 *   START, UNSTOP                              opt back in
 *   anything else                              ignored, with a reply saying what works
 *
 * CANCEL is also a carrier opt-out keyword (CTIA), and Twilio's default opt-out handling blocks
 * the number on it (and re-subscribes on YES). Here CANCEL means "cancel my visit", because that
 * is what a patient replying to a reminder means by it; a clinic should remove CANCEL from its
 * Twilio Advanced Opt-Out keywords, or its patients who answer CANCEL will stop getting texts.
 * See: https://help.twilio.com/articles/223134027
 *
 * The sender's number, read as E.164 (in the clinic's country when it comes without a country
 * code), is matched against patients.phone (stored in E.164), through the indexed phone_digits
 * (a family may share a number: the soonest upcoming visit of any of them is the one meant, and
 * an opt-out applies to all of them).
 */
import { auditStatementWhere, scheduleSeal } from "../audit/service";
import { and, desc, eq, exists, gt, inArray, notExists, sql } from "drizzle-orm";
import { patients } from "../patients/tables";
import { insertWhere, type Statements } from "../platform/guarded-writes";
import type { ClinicScope } from "../platform/scope";
import { appointments, locations } from "../scheduling/tables";
import { confirmByPatientStatements } from "../appointments/service";
import { phoneDigits, toE164 } from "../platform/phone";
import { whenLabel } from "../platform/time";
import { tasks } from "../workflows/tables";
import { inboundMessages, outbox, patientContactPrefs } from "./tables";

export type SmsIntent = "confirm" | "cancel_request" | "opt_out" | "opt_in" | "other";

const KEYWORDS: Record<string, SmsIntent> = {
  C: "confirm",
  Y: "confirm",
  YES: "confirm",
  CONFIRM: "confirm",
  N: "cancel_request",
  NO: "cancel_request",
  CANCEL: "cancel_request",
  STOP: "opt_out",
  STOPALL: "opt_out",
  UNSUBSCRIBE: "opt_out",
  END: "opt_out",
  QUIT: "opt_out",
  OPTOUT: "opt_out",
  REVOKE: "opt_out",
  START: "opt_in",
  UNSTOP: "opt_in",
};

/** What a reply asks for: its first word, trimmed, any case, without punctuation ("y." is Y). */
export function intentOf(body: string): SmsIntent {
  const first = body.trim().split(/\s+/)[0] ?? "";
  return KEYWORDS[first.toUpperCase().replace(/[^A-Z]/g, "")] ?? "other";
}

/** What a reply did, as stored in inbound_messages.outcome. */
export type InboundOutcome = "confirmed" | "cancel_requested" | "opted_out" | "opted_in" | "unmatched" | "ignored";

export interface InboundSms {
  from: string;
  to: string;
  body: string;
  /** The provider's message id (Twilio's MessageSid): a repeated delivery has the same one. */
  providerId: string;
}

export interface InboundResult {
  outcome: InboundOutcome;
  /** The text to answer with; null = answer nothing (after STOP the carrier sends its own). */
  reply: string | null;
  /** This message was processed before: nothing was done again. */
  duplicate: boolean;
}

export const CANCEL_TASK_TITLE = "Patient asked to cancel by SMS";

const REPLIES = {
  cancelRequested: "We got your request; the clinic will call you.",
  noAppointment: "We could not find an upcoming appointment for this number. Please call the clinic.",
  unmatched: "We could not match this number to a patient. Please call the clinic.",
  help: "Reply C to confirm your appointment or N to ask to cancel it. Or call the clinic.",
} as const;

interface NextVisit {
  id: string;
  patientId: string;
  startsAt: number;
  status: string;
  timezone: string;
}

/**
 * Applies one inbound SMS and records it. Everything it writes goes in one D1 batch behind the
 * insert of its inbound_messages row: that insert does nothing for a provider id already seen
 * (the unique index), and every later statement requires the new row to exist, so a repeated or
 * concurrent delivery of the same message changes nothing.
 */
export async function receiveSms(scope: ClinicScope, sms: InboundSms, now: number): Promise<InboundResult> {
  const e164 = toE164(sms.from, scope.clinic.country);
  const intent = intentOf(sms.body);
  const db = scope.db;
  // A sender whose number cannot be read matches nobody. The digits come first so the lookup
  // uses the phone_digits index; the full number then tells apart numbers of other countries.
  const sender = e164 ? and(eq(patients.phoneDigits, phoneDigits(e164)), eq(patients.phone, e164))! : sql`0`;
  // Whether we texted this number about the visit (reminders are sent to the stored E.164 number).
  const reminded = sql<number>`EXISTS (SELECT 1 FROM ${outbox} WHERE ${outbox.appointmentId} = ${appointments.id} AND ${outbox.channel} = 'sms'
    AND ${outbox.recipient} = ${e164 ?? ""})`;
  const [seenRows, patientRows, nextRows] = await db.batch([
    db.select({ outcome: inboundMessages.outcome }).from(inboundMessages).where(eq(inboundMessages.providerId, sms.providerId)),
    db.select({ id: patients.id }).from(patients).where(sender).orderBy(patients.id),
    db
      .select({
        id: appointments.id,
        patientId: appointments.patientId,
        startsAt: appointments.startsAt,
        status: appointments.status,
        timezone: locations.timezone,
        reminded: reminded.as("reminded"),
      })
      .from(appointments)
      .innerJoin(patients, eq(patients.id, appointments.patientId))
      .innerJoin(locations, eq(locations.id, appointments.locationId))
      .where(and(sender, inArray(appointments.status, ["booked", "confirmed"]), gt(appointments.startsAt, now)))
      .orderBy(desc(sql`reminded`), appointments.startsAt, appointments.id)
      .limit(1),
  ]);
  const seen = seenRows[0] as { outcome: InboundOutcome } | undefined;
  if (seen) return { outcome: seen.outcome, reply: null, duplicate: true };
  const patientIds = patientRows.map((p) => p.id);
  const found = nextRows[0] ?? null;
  // The visit we texted this number about wins. Several patients on one number and none texted
  // about a visit: acting on the soonest could touch a stranger's appointment, so nothing is done.
  const next = found && (found.reminded || new Set(patientIds).size <= 1) ? found : null;

  const inboundId = crypto.randomUUID();
  // Every write below happens only if this message's row was inserted just now.
  const mine = exists(db.select({ id: inboundMessages.id }).from(inboundMessages).where(eq(inboundMessages.id, inboundId)));
  const row = (outcome: InboundOutcome, patientId: string | null, appointmentId: string | null) => ({
    id: inboundId,
    channel: "sms" as const,
    sender: sms.from,
    body: sms.body.slice(0, 1600),
    providerId: sms.providerId,
    patientId,
    appointmentId,
    outcome,
    receivedAt: now,
  });
  const record = (outcome: InboundOutcome, patientId: string | null, appointmentId: string | null) =>
    db
      .insert(inboundMessages)
      .values(row(outcome, patientId, appointmentId))
      .onConflictDoNothing({ target: inboundMessages.providerId })
      .returning({ outcome: inboundMessages.outcome });
  const onlyPatient = patientIds.length === 1 ? patientIds[0]! : null;

  type Plan = { outcome: InboundOutcome; reply: string | null; record: ReturnType<typeof record>; writes: Statements };
  let plan: Plan;
  if (patientIds.length === 0) {
    plan = { outcome: "unmatched", reply: intent === "opt_out" ? null : REPLIES.unmatched, record: record("unmatched", null, null), writes: [] };
  } else if (intent === "opt_out" || intent === "opt_in") {
    const out = intent === "opt_out";
    const outcome: InboundOutcome = out ? "opted_out" : "opted_in";
    const writes: Statements = [];
    for (const id of patientIds) {
      writes.push(
        out
          ? insertWhere(db, patientContactPrefs, { patientId: id, smsOptedOutAt: now, updatedAt: now }, mine).onConflictDoUpdate({
              target: patientContactPrefs.patientId,
              // The first STOP counts: a later one does not move the date.
              set: {
                smsOptedOutAt: sql`coalesce(${patientContactPrefs.smsOptedOutAt}, excluded.${sql.identifier(patientContactPrefs.smsOptedOutAt.name)})`,
                updatedAt: sql`excluded.${sql.identifier(patientContactPrefs.updatedAt.name)}`,
              },
            })
          : db
              .update(patientContactPrefs)
              .set({ smsOptedOutAt: null, updatedAt: now })
              .where(and(eq(patientContactPrefs.patientId, id), mine)),
        auditStatementWhere(
          scope,
          {
            action: "update",
            event: out ? "patient.sms_opt_out" : "patient.sms_opt_in",
            entityType: "patient",
            entityId: id,
            patientId: id,
            detail: `replied ${out ? "STOP" : "START"} by SMS`,
          },
          mine,
        ),
      );
    }
    // Carriers answer STOP and START themselves; a second text would only confuse.
    plan = { outcome, reply: null, record: record(outcome, onlyPatient, null), writes };
  } else if (intent === "other") {
    plan = { outcome: "ignored", reply: REPLIES.help, record: record("ignored", onlyPatient, null), writes: [] };
  } else if (!next) {
    plan = { outcome: "ignored", reply: REPLIES.noAppointment, record: record("ignored", onlyPatient, null), writes: [] };
  } else if (intent === "confirm") {
    return confirmBySms(scope, sms, next, inboundId, now);
  } else {
    const taskId = crypto.randomUUID();
    // One open task per visit is enough, however often the patient answers N.
    const noOpenTask = notExists(
      db
        .select({ id: tasks.id })
        .from(tasks)
        .where(and(eq(tasks.appointmentId, next.id), eq(tasks.title, CANCEL_TASK_TITLE), eq(tasks.status, "open"))),
    );
    plan = {
      outcome: "cancel_requested",
      reply: REPLIES.cancelRequested,
      record: record("cancel_requested", next.patientId, next.id),
      writes: [
        insertWhere(
          db,
          tasks,
          {
            id: taskId,
            title: CANCEL_TASK_TITLE,
            detail: `Replied "${sms.body.trim().slice(0, 60)}" about the visit on ${whenLabel(next.startsAt, next.timezone)}. Call them to cancel or move it.`,
            patientId: next.patientId,
            appointmentId: next.id,
            dueAt: now,
            status: "open",
            createdAt: now,
          },
          and(mine, noOpenTask)!,
        ),
        auditStatementWhere(
          scope,
          { action: "create", event: "task.create", entityType: "task", entityId: taskId, patientId: next.patientId, detail: "the patient asked to cancel by SMS" },
          sql`changes() = 1`,
        ),
      ],
    };
  }

  const [inserted] = await db.batch([plan.record, ...plan.writes]);
  const recorded = inserted[0] as { outcome: InboundOutcome } | undefined;
  // Another delivery of the same message got in first (between our read and our batch).
  if (!recorded) return { outcome: plan.outcome, reply: null, duplicate: true };
  if (plan.writes.length > 0) scheduleSeal(scope);
  return { outcome: recorded.outcome, reply: plan.reply, duplicate: false };
}

/**
 * C / YES: the record of the message and the confirmation of the visit, in one batch. The
 * outcome is decided in the insert itself: a visit cancelled since it was read is not reported
 * confirmed. The confirmation happens only if this message's row was inserted just now.
 */
async function confirmBySms(scope: ClinicScope, sms: InboundSms, next: NextVisit, inboundId: string, now: number): Promise<InboundResult> {
  const db = scope.db;
  const mine = exists(db.select({ id: inboundMessages.id }).from(inboundMessages).where(eq(inboundMessages.id, inboundId)));
  const stillOpen = exists(
    db
      .select({ id: appointments.id })
      .from(appointments)
      .where(and(eq(appointments.id, next.id), inArray(appointments.status, ["booked", "confirmed"]))),
  );
  const record = db
    .insert(inboundMessages)
    .values({
      id: inboundId,
      channel: "sms",
      sender: sms.from,
      body: sms.body.slice(0, 1600),
      providerId: sms.providerId,
      patientId: next.patientId,
      appointmentId: next.id,
      outcome: sql`CASE WHEN ${stillOpen} THEN 'confirmed' ELSE 'ignored' END`,
      receivedAt: now,
    })
    .onConflictDoNothing({ target: inboundMessages.providerId })
    .returning({ outcome: inboundMessages.outcome });
  const [inserted] = await db.batch([record, ...confirmByPatientStatements(scope, next, { now, detail: "by the patient's SMS reply", onlyIf: mine })]);
  const row = inserted[0] as { outcome: InboundOutcome } | undefined;
  // Another delivery of the same message got in first (between our read and our batch).
  if (!row) return { outcome: "confirmed", reply: null, duplicate: true };
  scheduleSeal(scope);
  if (row.outcome === "ignored") return { outcome: "ignored", reply: REPLIES.noAppointment, duplicate: false };
  return { outcome: row.outcome, reply: `Thanks, your appointment on ${whenLabel(next.startsAt, next.timezone)} is confirmed.`, duplicate: false };
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[ch]!);
}

/** The TwiML answer: one reply message, or an empty <Response/> to send nothing. See: https://www.twilio.com/docs/messaging/twiml */
export function twiml(reply: string | null): string {
  const head = '<?xml version="1.0" encoding="UTF-8"?>';
  return reply === null ? `${head}<Response/>` : `${head}<Response><Message>${escapeXml(reply)}</Message></Response>`;
}
