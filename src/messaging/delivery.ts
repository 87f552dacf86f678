/**
 * Delivery of outbox messages. The cron scan (or a writer in a hurry, through `deliverSoon`) hands
 * due rows to the MESSAGES queue, one job per row; the consumer claims the row, checks the
 * patient's consent and sends it through the channel's adapter. The row is the record; a queue job
 * is only a wake-up call, so a lost, late or repeated job neither loses nor repeats a message:
 *
 * - `next_attempt_at` works as a lease. A row handed to the queue, being sent, or waiting for a
 *   retry is stamped into the future and scans skip it; if its job is lost, the first scan after
 *   the lease takes the row back.
 * - Claiming is one conditional UPDATE (queued -> sending), so of two deliveries of a job (or two
 *   jobs for one row) only one sends.
 * - A transient provider error puts the row back to queued and retries the job with backoff
 *   (30 s, 2 min, 10 min, 30 min, 2 h). After the last delivery that `max_retries` allows, the
 *   platform moves the job to the dead-letter queue, whose consumer marks the row failed and
 *   audits it. A permanent error (a 4xx: invalid number, bad credentials) fails the row at once.
 */
import { and, eq, exists, gt, inArray, isNotNull, isNull, lte, notExists, or, sql } from "drizzle-orm";
import { auditStatementWhere, scheduleSeal } from "../audit/service";
import type { Clinic, ClinicDb, Env, MessageJob } from "../platform/env";
import { runWrites } from "../platform/guarded-writes";
import { systemScope, type ClinicScope } from "../platform/scope";
import { clinicDb, directoryDb, findClinic } from "../platform/tenancy";
import { appointments } from "../scheduling/tables";
import { adapterFor, ProviderError } from "./adapters";
import { outbox, patientContactPrefs, type Channel, type OUTBOX_STATUSES } from "./tables";
import { toE164 } from "../platform/phone";

/** How long a row handed to the queue is left alone by scans. */
export const DISPATCH_LEASE_MS = 10 * 60_000;
/** How long a claimed row may stay in `sending` before its attempt counts as interrupted. */
export const SEND_LEASE_MS = 2 * 60_000;
/** Delay before delivery n + 1 after n failed deliveries of a job. */
export const BACKOFF_SECONDS = [30, 120, 600, 1800, 7200] as const;
/** wrangler.toml: `max_retries = 5`, so a job is delivered at most six times before the DLQ. */
export const MAX_DELIVERIES = 6;
/** A row whose job went to the DLQ waits this long for the DLQ consumer before scans retry it. */
const DEAD_LETTER_HOLD_MS = 24 * 3600_000;
const DISPATCH_BATCH = 100;
const DISPATCH_ROUNDS = 10;
/** D1 allows 100 bound parameters per statement. */
const IDS_PER_STATEMENT = 90;
const ERROR_MAX = 500;

/** Which queue a batch comes from: the dead-letter queue's name ends in `-dlq` (clinic-messages-dlq). */
export function isDeadLetterQueue(queue: string): boolean {
  return queue.endsWith("-dlq");
}

export function backoffSeconds(deliveries: number): number {
  return BACKOFF_SECONDS[Math.min(Math.max(deliveries, 1), BACKOFF_SECONDS.length) - 1]!;
}

/** A queued row whose delay (if any) is over and that no lease holds. */
const due = (now: number) =>
  and(
    eq(outbox.status, "queued"),
    or(isNull(outbox.sendAfter), lte(outbox.sendAfter, now)),
    or(isNull(outbox.nextAttemptAt), lte(outbox.nextAttemptAt, now)),
  );

async function enqueue(env: Env, clinic: string, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 100) {
    await env.MESSAGES.sendBatch(ids.slice(i, i + 100).map((outboxId) => ({ body: { clinic, outboxId } })));
  }
}

/**
 * Hands due outbox rows of one clinic to the delivery queue (oldest first); returns how many. Each
 * row is stamped with a lease by the same conditional UPDATE that selects it, and only stamped rows
 * are enqueued, so concurrent scans never enqueue a row twice.
 */
export async function dispatchOutbox(scope: ClinicScope, env: Env, now: number): Promise<number> {
  let total = 0;
  for (let round = 0; round < DISPATCH_ROUNDS; round++) {
    const db = scope.db;
    const oldest = db.select({ id: outbox.id }).from(outbox).where(due(now)).orderBy(outbox.createdAt, outbox.id).limit(DISPATCH_BATCH);
    const stamped = await db
      .update(outbox)
      .set({ nextAttemptAt: now + DISPATCH_LEASE_MS })
      .where(and(inArray(outbox.id, oldest), due(now)))
      .returning({ id: outbox.id });
    const ids = stamped.map((r) => r.id);
    // If the queue refuses, the leases run out and a later scan hands the rows over again.
    if (ids.length) await enqueue(env, scope.clinic.slug, ids);
    total += ids.length;
    if (ids.length < DISPATCH_BATCH) break;
  }
  return total;
}

/**
 * Enqueues these rows now (after a write, or a staff retry) instead of at the next scan. Rows that
 * are not due (delayed, already handed over) are left to the scan. Returns how many were enqueued.
 */
export async function deliverSoon(env: Env, clinic: Pick<Clinic, "slug" | "dbBinding">, ids: string[], now = Date.now()): Promise<number> {
  const db = clinicDb(env, clinic);
  let total = 0;
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    const chunk = ids.slice(i, i + IDS_PER_STATEMENT);
    const rows = await db
      .update(outbox)
      .set({ nextAttemptAt: now + DISPATCH_LEASE_MS })
      .where(and(inArray(outbox.id, chunk), due(now)))
      .returning({ id: outbox.id });
    const stamped = rows.map((r) => r.id);
    if (stamped.length) await enqueue(env, clinic.slug, stamped);
    total += stamped.length;
  }
  return total;
}

// ---- the consumer -----------------------------------------------------------------------------

interface ClaimedRow {
  id: string;
  channel: Channel;
  recipient: string;
  template: string;
  subject: string | null;
  body: string;
  status: "sending" | "cancelled";
  attempts: number;
  patientId: string | null;
}

/** The patient withdrew consent for this row's channel (STOP, or consent off). */
const optedOut = (db: ClinicDb) =>
  exists(
    db
      .select({ patientId: patientContactPrefs.patientId })
      .from(patientContactPrefs)
      .where(
        and(
          eq(patientContactPrefs.patientId, outbox.patientId),
          or(
            and(eq(outbox.channel, "sms"), or(isNotNull(patientContactPrefs.smsOptedOutAt), eq(patientContactPrefs.smsConsent, false))),
            and(eq(outbox.channel, "email"), eq(patientContactPrefs.emailConsent, false)),
          ),
        ),
      ),
  );

/** A reminder whose appointment was cancelled, moved away from the reminder's time or has begun. */
const staleReminder = (db: ClinicDb, now: number) =>
  and(
    eq(outbox.template, "reminder"),
    isNotNull(outbox.appointmentId),
    notExists(
      db
        .select({ id: appointments.id })
        .from(appointments)
        .where(and(eq(appointments.id, outbox.appointmentId), inArray(appointments.status, ["booked", "confirmed"]), gt(appointments.startsAt, now))),
    ),
  )!;

/**
 * Takes the row for one attempt, atomically: to `sending` (with a lease), or straight to
 * `cancelled` when the patient opted out or the reminder's appointment is no longer ahead. `from = "stale"` takes back a row whose previous attempt
 * was interrupted (its sending lease ran out).
 */
async function claim(db: ClinicDb, id: string, now: number, from: "queued" | "stale"): Promise<ClaimedRow | null> {
  const where = from === "queued" ? eq(outbox.status, "queued") : and(eq(outbox.status, "sending"), lte(outbox.nextAttemptAt, now));
  const opted = optedOut(db);
  const stale = staleReminder(db, now);
  const [row] = await db
    .update(outbox)
    .set({
      status: sql`CASE WHEN ${opted} OR ${stale} THEN 'cancelled' ELSE 'sending' END`,
      attempts: sql`${outbox.attempts} + CASE WHEN ${opted} OR ${stale} THEN 0 ELSE 1 END`,
      lastError: sql`CASE WHEN ${opted} THEN 'patient opted out' WHEN ${stale} THEN 'appointment no longer upcoming' ELSE ${outbox.lastError} END`,
      nextAttemptAt: sql`CASE WHEN ${opted} OR ${stale} THEN NULL ELSE ${now + SEND_LEASE_MS} END`,
    })
    .where(and(eq(outbox.id, id), where))
    .returning({
      id: outbox.id,
      channel: outbox.channel,
      recipient: outbox.recipient,
      template: outbox.template,
      subject: outbox.subject,
      body: outbox.body,
      status: outbox.status,
      attempts: outbox.attempts,
      patientId: outbox.patientId,
    });
  return row ? { ...row, status: row.status === "cancelled" ? "cancelled" : "sending" } : null;
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.slice(0, ERROR_MAX);
}

/**
 * Marks a message failed (keeping it visible on /messages) and audits it, both or neither: the
 * audit row is written only if the update happened. `from` lists the statuses it may leave.
 */
export async function failMessage(
  scope: ClinicScope,
  row: { id: string; patientId: string | null; channel: string; template: string },
  error: string,
  from: readonly (typeof OUTBOX_STATUSES)[number][],
): Promise<boolean> {
  const [update] = await runWrites(scope.db, [
    scope.db
      .update(outbox)
      .set({ status: "failed", lastError: error.slice(0, ERROR_MAX), nextAttemptAt: null })
      .where(and(eq(outbox.id, row.id), inArray(outbox.status, [...from]))),
    auditStatementWhere(scope, {
      action: "execute",
      event: "message.failed",
      entityType: "outbox",
      entityId: row.id,
      patientId: row.patientId,
      outcome: "failure",
      detail: `${row.channel} ${row.template}: ${error}`.slice(0, ERROR_MAX),
    }, sql`changes() = 1`),
  ]);
  scheduleSeal(scope);
  return (update?.meta.changes ?? 0) === 1;
}

type Job = Message<MessageJob>;

async function send(scope: ClinicScope, env: Env, message: Job, row: ClaimedRow): Promise<void> {
  if (row.status === "cancelled") return message.ack();
  // An SMS goes to the E.164 number, whatever path queued it: a number stored before conversion is
  // read with the clinic's country, and one that is no phone number fails here, never sent as typed.
  const to = row.channel === "sms" ? toE164(row.recipient, scope.clinic.country) : row.recipient;
  if (to === null) {
    await failMessage(scope, row, "The recipient is not a phone number that can receive SMS: fix the number on the patient's record.", ["sending"]);
    return message.ack();
  }
  const adapter = adapterFor(env, scope.clinic, row.channel);
  let providerId: string;
  try {
    ({ providerId } = await adapter.send({ id: row.id, to, subject: row.subject, body: row.body }));
  } catch (err) {
    if (!adapter.idempotent && err instanceof ProviderError && err.uncertain) {
      // Sending again could text the patient twice: stop, and leave the decision to staff (/messages).
      await failMessage(scope, row, `${errorText(err)} (it may have been sent; not retried automatically, to avoid a duplicate)`, ["sending"]);
      return message.ack();
    }
    return providerFailed(scope, message, row, err);
  }
  // Only the provider's failures count as failed sends; a D1 error from here on leaves the row in
  // `sending` until its lease ends (see settleUnclaimed), so the message is not sent again blindly.
  await scope.db
    .update(outbox)
    .set({ status: "sent", providerId, sentAt: Date.now(), lastError: null, nextAttemptAt: null })
    .where(and(eq(outbox.id, row.id), eq(outbox.status, "sending")));
  return message.ack();
}

async function providerFailed(scope: ClinicScope, message: Job, row: ClaimedRow, err: unknown): Promise<void> {
  const error = errorText(err);
  if (err instanceof ProviderError && err.permanent) {
    await failMessage(scope, row, error, ["sending"]);
    return message.ack();
  }
  const last = message.attempts >= MAX_DELIVERIES;
  const delay = backoffSeconds(message.attempts);
  // Scans leave the row alone while the queue still owns the retry (or the DLQ owns the job).
  const hold = last ? DEAD_LETTER_HOLD_MS : delay * 1000 + DISPATCH_LEASE_MS;
  await scope.db
    .update(outbox)
    .set({ status: "queued", lastError: error, nextAttemptAt: Date.now() + hold })
    .where(and(eq(outbox.id, row.id), eq(outbox.status, "sending")));
  console.warn(JSON.stringify({ delivery: "retry", clinic: scope.clinic.slug, outboxId: row.id, attempt: message.attempts, error }));
  // On the last delivery the platform moves the job to the dead-letter queue.
  return message.retry(last ? undefined : { delaySeconds: delay });
}

/** A job whose row could not be claimed: sent, cancelled or failed already, or busy elsewhere. */
async function settleUnclaimed(scope: ClinicScope, env: Env, message: Job, now: number): Promise<void> {
  const row = await scope.db
    .select({ id: outbox.id, channel: outbox.channel, template: outbox.template, status: outbox.status, nextAttemptAt: outbox.nextAttemptAt, patientId: outbox.patientId })
    .from(outbox)
    .where(eq(outbox.id, message.body.outboxId))
    .get();
  // Done, gone, or queued again by another job that now owns the retry.
  if (!row || row.status !== "sending") return message.ack();
  const leaseEnd = row.nextAttemptAt ?? 0;
  if (leaseEnd > now) {
    // Another delivery is sending it right now: look again when its lease ends.
    return message.retry({ delaySeconds: Math.ceil((leaseEnd - now) / 1000) + 1 });
  }
  // The previous attempt stopped mid-send: repeat it only where a repeat cannot reach the patient twice.
  if (adapterFor(env, scope.clinic, row.channel).idempotent) {
    const again = await claim(scope.db, row.id, now, "stale");
    if (again) return send(scope, env, message, again);
    return message.ack();
  }
  await failMessage(scope, row, "Delivery was interrupted; the provider may have sent it. Check with the patient before retrying.", ["sending"]);
  return message.ack();
}

async function deliver(env: Env, ctx: ExecutionContext, message: Job): Promise<void> {
  const clinic = await findClinic(directoryDb(env), message.body.clinic);
  if (!clinic) {
    // Unknown or suspended: its rows stay queued, and scans hand them over once it is active again.
    console.warn(JSON.stringify({ delivery: "skipped", clinic: message.body.clinic, outboxId: message.body.outboxId }));
    return message.ack();
  }
  const scope = systemScope(env, clinic, "delivery", ctx);
  const now = Date.now();
  const row = await claim(scope.db, message.body.outboxId, now, "queued");
  if (!row) return settleUnclaimed(scope, env, message, now);
  return send(scope, env, message, row);
}

/** A job in the dead-letter queue: its retries are spent. The row becomes failed, for staff to see. */
async function settleDeadLetter(env: Env, ctx: ExecutionContext, message: Job): Promise<void> {
  const clinic = await findClinic(directoryDb(env), message.body.clinic);
  if (!clinic) return message.ack();
  const scope = systemScope(env, clinic, "dead-letter", ctx);
  const row = await scope.db
    .select({ id: outbox.id, channel: outbox.channel, template: outbox.template, lastError: outbox.lastError, patientId: outbox.patientId })
    .from(outbox)
    .where(eq(outbox.id, message.body.outboxId))
    .get();
  if (row) await failMessage(scope, row, row.lastError ?? "Delivery gave up after its retries.", ["queued", "sending"]);
  return message.ack();
}

function isJob(body: unknown): body is MessageJob {
  const b = body as Partial<MessageJob> | null;
  return !!b && typeof b.clinic === "string" && typeof b.outboxId === "string";
}

/**
 * The queue consumer of both queues: delivers each job of clinic-messages, and settles each job of
 * clinic-messages-dlq (`batch.queue` tells which). One job's trouble never holds up the others.
 */
export async function handleDelivery(batch: MessageBatch<MessageJob>, env: Env, ctx: ExecutionContext): Promise<void> {
  const dead = isDeadLetterQueue(batch.queue);
  for (const message of batch.messages) {
    if (!isJob(message.body)) {
      console.error(JSON.stringify({ delivery: "malformed", queue: batch.queue, id: message.id }));
      message.ack();
      continue;
    }
    try {
      await (dead ? settleDeadLetter(env, ctx, message) : deliver(env, ctx, message));
    } catch (err) {
      // Our own storage failed (D1, the directory), not the provider: try the job again later.
      console.error(JSON.stringify({ delivery: "error", queue: batch.queue, job: message.body, error: String(err) }));
      message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    }
  }
}
