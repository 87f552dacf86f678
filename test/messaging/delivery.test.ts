import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clinicSecret, hmacSha256Hex, twilioSignature } from "../../src/messaging/adapters";
import { BACKOFF_SECONDS, dispatchOutbox, handleDelivery, MAX_DELIVERIES } from "../../src/messaging/delivery";
import type { Clinic, Env, MessageJob } from "../../src/platform/env";
import { systemScope } from "../../src/platform/scope";
import { directoryDb, findClinic } from "../../src/platform/tenancy";
import { maskRecipient } from "../../views/messaging/outbox";
import { CLINICS, USERS } from "../fixtures";
import { auditRows, clinicD1, fetchWorker, host, signedIn } from "../helpers";

const db = () => clinicD1("north");
const SLUG = CLINICS.north.slug;
const SMS = { SMS_ACCOUNT_SID: "AC0001", SMS_AUTH_TOKEN: "twilio-token", SMS_FROM: "+15550001111" };
const EMAIL = { EMAIL_API_URL: "https://mail.example.test/send", EMAIL_API_KEY: "mail-key", EMAIL_FROM: "clinic@example.test" };

/** The test bindings plus provider secrets, for functions called directly. */
function withSecrets(extra: Record<string, string>): Env {
  return { ...(env as unknown as Env), ...extra } as Env;
}

let seq = 0;
async function outboxRow(over: Partial<Record<string, string | number | null>> = {}): Promise<string> {
  const row = {
    id: `m-${++seq}`,
    channel: "sms",
    recipient: "+15552013344",
    template: "reminder",
    subject: null,
    body: "See you tomorrow at 9:00.",
    status: "queued",
    idempotency_key: `test:${seq}`,
    created_at: Date.now() - 60_000 + seq,
    ...over,
  };
  const cols = Object.keys(row);
  await db()
    .prepare(`INSERT INTO outbox (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`)
    .bind(...Object.values(row))
    .run();
  return row.id as string;
}

async function outbox(id: string) {
  return (await db().prepare("SELECT * FROM outbox WHERE id = ?").bind(id).first<Record<string, string | number | null>>())!;
}

interface Recorded {
  acked: boolean;
  retried: { delaySeconds?: number } | undefined | null;
}

/** A hand-made batch whose messages record ack() and retry(). */
function batchOf(queue: string, jobs: { outboxId: string; attempts?: number; clinic?: string }[]) {
  const recorded: Recorded[] = [];
  const messages = jobs.map((j, i) => {
    const r: Recorded = { acked: false, retried: null };
    recorded.push(r);
    return {
      id: `q-${i}`,
      timestamp: new Date(),
      body: { clinic: j.clinic ?? SLUG, outboxId: j.outboxId },
      attempts: j.attempts ?? 1,
      ack: () => void (r.acked = true),
      retry: (o?: { delaySeconds?: number }) => void (r.retried = o),
    };
  });
  const batch = { queue, messages, metadata: {}, ackAll() {}, retryAll() {} } as unknown as MessageBatch<MessageJob>;
  return { batch, recorded };
}

async function deliver(e: Env, jobs: { outboxId: string; attempts?: number }[], queue = "clinic-messages") {
  const { batch, recorded } = batchOf(queue, jobs);
  const ctx = createExecutionContext();
  await handleDelivery(batch, e, ctx);
  await waitOnExecutionContext(ctx);
  return recorded;
}

function providerAnswers(...answers: (() => Response)[]) {
  let i = 0;
  return vi.spyOn(globalThis, "fetch").mockImplementation(async () => answers[Math.min(i++, answers.length - 1)]!());
}

const twilioOk = (sid = "SM0001") => () => Response.json({ sid, status: "queued" }, { status: 201 });

async function north(): Promise<Clinic> {
  return (await findClinic(directoryDb(env as unknown as Env), SLUG))!;
}

beforeEach(async () => {
  await db().batch([db().prepare("DELETE FROM outbox"), db().prepare("DELETE FROM patient_contact_prefs")]);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("dispatching the outbox to the delivery queue", () => {
  it("enqueues each due row once even when two scans run at once, and leaves delayed rows alone", async () => {
    const now = Date.now();
    const due = [await outboxRow(), await outboxRow({ channel: "email", recipient: "a@example.org" }), await outboxRow({ send_after: now - 1000 })];
    const later = await outboxRow({ send_after: now + 3600_000 });
    await outboxRow({ status: "sent" });
    const sent: MessageJob[] = [];
    const queue = { sendBatch: async (ms: Iterable<{ body: MessageJob }>) => void sent.push(...[...ms].map((m) => m.body)) };
    const e = { ...(env as unknown as Env), MESSAGES: queue } as unknown as Env;
    const scope = systemScope(e, await north(), "test");

    const counts = await Promise.all([dispatchOutbox(scope, e, now), dispatchOutbox(scope, e, now)]);

    expect(counts[0]! + counts[1]!).toBe(3);
    expect(sent.map((j) => j.outboxId).sort()).toEqual([...due].sort());
    expect(sent.every((j) => j.clinic === SLUG)).toBe(true);
    expect(sent.some((j) => j.outboxId === later)).toBe(false);
    // Handed over: the next scan skips them while they wait in the queue...
    expect(await dispatchOutbox(scope, e, now + 60_000)).toBe(0);
    // ...and takes them back if the queue lost them (the lease ran out).
    expect(await dispatchOutbox(scope, e, now + 11 * 60_000)).toBe(3);
  });
});

describe("the delivery queue consumer", () => {
  it("texts the E.164 form of a number stored as typed, and fails one that is no phone number without sending", async () => {
    const typed = await outboxRow({ recipient: "(555) 201-3344" });
    const fetch = providerAnswers(twilioOk("SM77"));
    const e = withSecrets(SMS);
    expect(await deliver(e, [{ outboxId: typed }])).toEqual([{ acked: true, retried: null }]);
    const [, init] = fetch.mock.calls[0]! as [string, RequestInit];
    expect(new URLSearchParams(String(init.body)).get("To")).toBe("+15552013344");
    expect((await outbox(typed)).status).toBe("sent");

    const junk = await outboxRow({ recipient: "call me maybe" });
    expect(await deliver(e, [{ outboxId: junk }])).toEqual([{ acked: true, retried: null }]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(await outbox(junk)).toMatchObject({ status: "failed" });
    expect(String((await outbox(junk)).last_error)).toContain("not a phone number");
    expect(await auditRows("north", "event = 'message.failed' AND entity_id = ?", junk)).toHaveLength(1);
  });

  it("sends an SMS through the Twilio API with the clinic's credentials and records the provider's sid", async () => {
    const id = await outboxRow();
    const fetch = providerAnswers(twilioOk("SM42"));
    const e = withSecrets({ ...SMS, SMS_AUTH_TOKEN__RIVERSIDE_NORTH: "north-token" });

    const [r] = await deliver(e, [{ outboxId: id }]);

    expect(r).toEqual({ acked: true, retried: null });
    const row = await outbox(id);
    expect(row).toMatchObject({ status: "sent", provider_id: "SM42", attempts: 1, last_error: null });
    expect(row.sent_at).toBeGreaterThan(Date.now() - 60_000);
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0]! as [string, RequestInit];
    expect(url).toBe("https://api.twilio.com/2010-04-01/Accounts/AC0001/Messages.json");
    expect(init.method).toBe("POST");
    const headers = new Headers(init.headers);
    // The clinic's own token wins over the shared one.
    expect(headers.get("authorization")).toBe(`Basic ${btoa("AC0001:north-token")}`);
    expect(headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    const form = new URLSearchParams(String(init.body));
    expect(form.get("To")).toBe("+15552013344");
    expect(form.get("From")).toBe("+15550001111");
    expect(form.get("Body")).toBe("See you tomorrow at 9:00.");
    expect(form.get("StatusCallback")).toBe(`https://${SLUG}.example.test/webhooks/sms/status`);
  });

  it("sends email through the HTTP API with the outbox id as idempotency key", async () => {
    const id = await outboxRow({ channel: "email", recipient: "rosa@example.org", subject: "Your visit" });
    const fetch = providerAnswers(() => Response.json({ id: "em_7" }));

    const [r] = await deliver(withSecrets(EMAIL), [{ outboxId: id }]);

    expect(r!.acked).toBe(true);
    expect(await outbox(id)).toMatchObject({ status: "sent", provider_id: "em_7" });
    const [url, init] = fetch.mock.calls[0]! as [string, RequestInit];
    expect(url).toBe(EMAIL.EMAIL_API_URL);
    const headers = new Headers(init.headers);
    expect(headers.get("authorization")).toBe("Bearer mail-key");
    expect(headers.get("idempotency-key")).toBe(id);
    expect(JSON.parse(String(init.body))).toEqual({ from: "clinic@example.test", to: "rosa@example.org", subject: "Your visit", text: "See you tomorrow at 9:00." });
  });

  it("needs no provider outside production: the development adapter marks the message sent for the dev mailbox", async () => {
    const sms = await outboxRow();
    const portal = await outboxRow({ channel: "portal", recipient: "patient-1" });
    const fetch = vi.spyOn(globalThis, "fetch");

    await deliver(env as unknown as Env, [{ outboxId: sms }, { outboxId: portal }]);

    expect(fetch).not.toHaveBeenCalled();
    expect(await outbox(sms)).toMatchObject({ status: "sent", provider_id: `dev:${sms}` });
    expect(await outbox(portal)).toMatchObject({ status: "sent", provider_id: `portal:${portal}` });
  });

  it("fails at once, visibly, when production has no provider configured", async () => {
    const id = await outboxRow();
    const [r] = await deliver(withSecrets({ ENVIRONMENT: "production" }), [{ outboxId: id }]);
    expect(r!.acked).toBe(true);
    const row = await outbox(id);
    expect(row.status).toBe("failed");
    expect(row.last_error).toContain("SMS_ACCOUNT_SID, SMS_AUTH_TOKEN, SMS_FROM");
  });

  it("retries a provider outage (5xx) with backoff and keeps the row queued with the error", async () => {
    const id = await outboxRow();
    providerAnswers(() => Response.json({ code: 20500, message: "Internal Server Error" }, { status: 503 }));
    const e = withSecrets(SMS);

    const [first] = await deliver(e, [{ outboxId: id }]);
    expect(first).toEqual({ acked: false, retried: { delaySeconds: 30 } });
    let row = await outbox(id);
    expect(row).toMatchObject({ status: "queued", attempts: 1 });
    expect(row.last_error).toContain("503");
    // Scans leave it to the queue's retry.
    expect(row.next_attempt_at).toBeGreaterThan(Date.now() + 30_000);

    const [second] = await deliver(e, [{ outboxId: id, attempts: 2 }]);
    expect(second!.retried).toEqual({ delaySeconds: 120 });
    row = await outbox(id);
    expect(row).toMatchObject({ status: "queued", attempts: 2 });
  });

  it("lets the last delivery go to the dead-letter queue, whose consumer marks the message failed and audits it", async () => {
    const id = await outboxRow({ attempts: MAX_DELIVERIES - 1 });
    providerAnswers(() => new Response("service unavailable", { status: 503 }));

    const [last] = await deliver(withSecrets(SMS), [{ outboxId: id, attempts: MAX_DELIVERIES }]);
    expect(last!.acked).toBe(false);
    expect(last!.retried).toBeUndefined();
    expect(BACKOFF_SECONDS.length).toBe(MAX_DELIVERIES - 1);
    expect((await outbox(id)).status).toBe("queued");

    const [dead] = await deliver(env as unknown as Env, [{ outboxId: id }], "clinic-messages-dlq");
    expect(dead!.acked).toBe(true);
    const row = await outbox(id);
    expect(row).toMatchObject({ status: "failed", attempts: MAX_DELIVERIES, next_attempt_at: null });
    expect(row.last_error).toContain("503");
    const audits = await auditRows("north", "event = 'message.failed' AND entity_id = ?", id);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ action: "execute", entity_type: "outbox", outcome: "failure", user_id: null });
  });

  it("does not send an SMS again when the provider may have taken it (a 504), and leaves it to staff", async () => {
    const id = await outboxRow();
    const fetch = providerAnswers(() => new Response("gateway timeout", { status: 504 }));
    const [r] = await deliver(withSecrets(SMS), [{ outboxId: id }]);
    expect(r).toMatchObject({ acked: true });
    expect(fetch).toHaveBeenCalledTimes(1);
    const row = await outbox(id);
    expect(row.status).toBe("failed");
    expect(row.last_error).toContain("may have been sent");
  });

  it("fails a permanent provider error (4xx) at once, without retries", async () => {
    const id = await outboxRow({ recipient: "+15559990000" });
    providerAnswers(() => Response.json({ code: 21211, message: "The 'To' number +15559990000 is not a valid phone number." }, { status: 400 }));

    const [r] = await deliver(withSecrets(SMS), [{ outboxId: id }]);

    expect(r).toEqual({ acked: true, retried: null });
    const row = await outbox(id);
    expect(row.status).toBe("failed");
    expect(row.last_error).toContain("21211");
    expect(await auditRows("north", "event = 'message.failed' AND entity_id = ?", id)).toHaveLength(1);
  });

  it("cancels, and does not send, an SMS to a patient who opted out (and email without consent)", async () => {
    await db()
      .prepare("INSERT INTO patient_contact_prefs (patient_id, sms_opted_out_at, email_consent) VALUES ('p-stop', ?, 0)")
      .bind(Date.now() - 1000)
      .run();
    const sms = await outboxRow({ patient_id: "p-stop" });
    const email = await outboxRow({ patient_id: "p-stop", channel: "email", recipient: "stop@example.org" });
    const fetch = vi.spyOn(globalThis, "fetch");

    const recorded = await deliver(withSecrets({ ...SMS, ...EMAIL }), [{ outboxId: sms }, { outboxId: email }]);

    expect(recorded.every((r) => r.acked)).toBe(true);
    expect(fetch).not.toHaveBeenCalled();
    for (const id of [sms, email]) expect(await outbox(id)).toMatchObject({ status: "cancelled", last_error: "patient opted out", attempts: 0 });
  });

  it("does not send a reminder whose appointment was cancelled, but sends one whose appointment is still ahead", async () => {
    const at = Date.now() + 86_400_000;
    await db().batch([
      db().prepare("INSERT OR IGNORE INTO locations (id, name, timezone) VALUES ('loc-r', 'L', 'America/New_York')"),
      db().prepare("INSERT OR IGNORE INTO providers (id, slug, display_name) VALUES ('prov-r', 'prov-r', 'P')"),
      db().prepare("INSERT OR IGNORE INTO appointment_types (id, slug, name, duration_minutes) VALUES ('type-r', 'type-r', 'T', 30)"),
      db()
        .prepare(
          `INSERT INTO appointments (id, patient_id, provider_id, location_id, appointment_type_id, starts_at, ends_at, block_start, block_end, status, source, idempotency_key)
           VALUES ('appt-gone', 'p-r', 'prov-r', 'loc-r', 'type-r', ?1, ?2, ?1, ?2, 'cancelled', 'staff', 'k-gone'),
                  ('appt-on', 'p-r', 'prov-r', 'loc-r', 'type-r', ?1, ?2, ?1, ?2, 'booked', 'staff', 'k-on')`,
        )
        .bind(at, at + 1_800_000),
    ]);
    const gone = await outboxRow({ template: "reminder", appointment_id: "appt-gone" });
    const on = await outboxRow({ template: "reminder", appointment_id: "appt-on" });
    const fetch = providerAnswers(twilioOk("SM-on"));
    await deliver(withSecrets(SMS), [{ outboxId: gone }, { outboxId: on }]);
    expect(await outbox(gone)).toMatchObject({ status: "cancelled", last_error: "appointment no longer upcoming" });
    expect(await outbox(on)).toMatchObject({ status: "sent", provider_id: "SM-on" });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("sends once when the same job is delivered twice, one after the other or at the same time", async () => {
    const fetch = providerAnswers(twilioOk("SM1"), twilioOk("SM2"));
    const e = withSecrets(SMS);
    const a = await outboxRow();
    await deliver(e, [{ outboxId: a }]);
    const [again] = await deliver(e, [{ outboxId: a }]);
    expect(again).toEqual({ acked: true, retried: null });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(await outbox(a)).toMatchObject({ status: "sent", provider_id: "SM1", attempts: 1 });

    const b = await outboxRow();
    const both = await Promise.all([deliver(e, [{ outboxId: b }]), deliver(e, [{ outboxId: b }])]);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(await outbox(b)).toMatchObject({ status: "sent", attempts: 1 });
    // The loser either saw it sent (ack) or saw it being sent (looks again later); it never sends.
    expect(both.flat().filter((r) => r.acked)).not.toHaveLength(0);
  });

  it("never repeats an interrupted SMS blindly: it waits out the sending lease, then fails it for staff to check", async () => {
    const fetch = providerAnswers(twilioOk());
    const e = withSecrets(SMS);
    const busy = await outboxRow({ status: "sending", attempts: 1, next_attempt_at: Date.now() + 60_000 });
    const [wait] = await deliver(e, [{ outboxId: busy }]);
    expect(wait!.acked).toBe(false);
    expect(wait!.retried!.delaySeconds).toBeGreaterThan(50);

    const stale = await outboxRow({ status: "sending", attempts: 1, next_attempt_at: Date.now() - 1000 });
    const [settled] = await deliver(e, [{ outboxId: stale }]);
    expect(settled!.acked).toBe(true);
    expect(fetch).not.toHaveBeenCalled();
    expect(await outbox(stale)).toMatchObject({ status: "failed" });
    expect(String((await outbox(stale)).last_error)).toContain("interrupted");
  });

  it("repeats an interrupted email, whose idempotency key keeps the provider from sending it twice", async () => {
    const fetch = providerAnswers(() => Response.json({ id: "em_again" }));
    const stale = await outboxRow({ channel: "email", recipient: "a@example.org", status: "sending", attempts: 1, next_attempt_at: Date.now() - 1000 });
    const [r] = await deliver(withSecrets(EMAIL), [{ outboxId: stale }]);
    expect(r!.acked).toBe(true);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(await outbox(stale)).toMatchObject({ status: "sent", provider_id: "em_again", attempts: 2 });
  });
});

describe("delivery status callbacks", () => {
  const vars = env as unknown as Record<string, string | undefined>;
  let saved: Record<string, string | undefined> = {};
  function setVars(v: Record<string, string>) {
    for (const [k, value] of Object.entries(v)) {
      saved[k] = vars[k];
      vars[k] = value;
    }
  }
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete vars[k];
      else vars[k] = v;
    }
    saved = {};
  });

  const smsUrl = `https://${host("north")}/webhooks/sms/status`;

  async function postTwilio(params: Record<string, string>, signature?: string) {
    const body = new URLSearchParams(params);
    const token = clinicSecret(env as unknown as Env, { slug: SLUG }, "SMS_AUTH_TOKEN") ?? "";
    const sig = signature ?? (await twilioSignature(token, smsUrl, body));
    return fetchWorker(smsUrl, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": sig } });
  }

  it("marks an SMS delivered on a correctly signed Twilio callback", async () => {
    setVars({ SMS_AUTH_TOKEN: "twilio-token" });
    const id = await outboxRow({ status: "sent", provider_id: "SMcb1", sent_at: Date.now() - 5000 });

    const res = await postTwilio({ MessageSid: "SMcb1", MessageStatus: "delivered", AccountSid: "AC0001", To: "+15552013344" });

    expect(res.status).toBe(204);
    const row = await outbox(id);
    expect(row.status).toBe("delivered");
    expect(row.delivered_at).toBeGreaterThan(Date.now() - 60_000);
  });

  it("marks an undelivered SMS failed, with the provider's error code, and audits it", async () => {
    setVars({ SMS_AUTH_TOKEN: "twilio-token" });
    const id = await outboxRow({ status: "sent", provider_id: "SMcb2" });

    const res = await postTwilio({ MessageSid: "SMcb2", MessageStatus: "undelivered", ErrorCode: "30003" });

    expect(res.status).toBe(204);
    const row = await outbox(id);
    expect(row.status).toBe("failed");
    expect(row.last_error).toContain("30003");
    expect(await auditRows("north", "event = 'message.failed' AND entity_id = ?", id)).toHaveLength(1);
  });

  it("refuses a bad or missing signature with 403, audits it, and changes nothing", async () => {
    setVars({ SMS_AUTH_TOKEN: "twilio-token" });
    const id = await outboxRow({ status: "sent", provider_id: "SMcb3" });
    const forged = await twilioSignature("not-the-token", smsUrl, new URLSearchParams({ MessageSid: "SMcb3", MessageStatus: "delivered" }));

    const bad = await postTwilio({ MessageSid: "SMcb3", MessageStatus: "delivered" }, forged);
    const missing = await fetchWorker(smsUrl, {
      method: "POST",
      body: new URLSearchParams({ MessageSid: "SMcb3", MessageStatus: "delivered" }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });

    expect(bad.status).toBe(403);
    expect(missing.status).toBe(403);
    expect(await outbox(id)).toMatchObject({ status: "sent", delivered_at: null });
    const refused = await auditRows("north", "event = 'webhook.refused'");
    expect(refused.slice(-2).map((r) => [r.outcome, r.detail])).toEqual([
      ["denied", "bad signature"],
      ["denied", "missing signature"],
    ]);
    expect(refused.at(-1)).toMatchObject({ action: "execute", entity_type: "webhook", entity_id: "POST /webhooks/sms/status" });
  });

  it("accepts an email callback signed with EMAIL_WEBHOOK_SECRET and refuses one that is not", async () => {
    setVars({ EMAIL_WEBHOOK_SECRET: "hook-secret" });
    const id = await outboxRow({ channel: "email", recipient: "rosa@example.org", status: "sent", provider_id: "em_9" });
    const url = `https://${host("north")}/webhooks/email/status`;
    const body = JSON.stringify({ id: "em_9", status: "delivered" });

    const forged = await fetchWorker(url, { method: "POST", body, headers: { "content-type": "application/json", "x-webhook-signature": await hmacSha256Hex("nope", body) } });
    expect(forged.status).toBe(403);
    expect((await outbox(id)).status).toBe("sent");

    const ok = await fetchWorker(url, { method: "POST", body, headers: { "content-type": "application/json", "x-webhook-signature": await hmacSha256Hex("hook-secret", body) } });
    expect(ok.status).toBe(204);
    expect((await outbox(id)).status).toBe("delivered");
  });
});

describe("GET /messages (the staff outbox)", () => {
  it("lists the failed message for an owner, and retry puts it back in the queue", async () => {
    const id = await outboxRow({ status: "failed", attempts: 6, last_error: "The SMS provider answered 503", patient_id: "p-77" });
    await outboxRow({ status: "sent", template: "booking.confirmation" });
    const sendBatch = vi.spyOn(env.MESSAGES, "sendBatch").mockResolvedValue(undefined as unknown as QueueSendBatchResponse);
    const owner = await signedIn("north", USERS.owner.email);

    const res = await owner.get("/messages?status=failed");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("The SMS provider answered 503");
    expect(html).toContain("•••3344");
    expect(html).not.toContain("+15552013344");
    expect(html).not.toContain("booking.confirmation</td>");
    expect(html).toContain(`action="/messages/${id}/retry"`);
    const views = await auditRows("north", "event = 'outbox.view'");
    expect(views.map((v) => v.patient_id)).toContain("p-77");

    const retry = await owner.post(`/messages/${id}/retry`, {});
    expect(retry.status).toBe(303);
    expect(retry.headers.get("location")).toBe("/messages?retried=1");
    const row = await outbox(id);
    expect(row).toMatchObject({ status: "queued", attempts: 6, last_error: "The SMS provider answered 503" });
    expect(sendBatch).toHaveBeenCalledWith([{ body: { clinic: SLUG, outboxId: id } }]);
    expect(await auditRows("north", "event = 'message.retry' AND entity_id = ?", id)).toMatchObject([
      { action: "update", user_id: USERS.owner.id, patient_id: "p-77" },
    ]);

    // Only failed messages can be retried.
    expect((await owner.post(`/messages/${id}/retry`, {})).status).toBe(409);
  });

  it("is closed to front desk staff", async () => {
    const id = await outboxRow({ status: "failed" });
    const desk = await signedIn("north", USERS.frontDesk.email);
    expect((await desk.get("/messages")).status).toBe(403);
    expect((await desk.post(`/messages/${id}/retry`, {})).status).toBe(403);
    expect((await outbox(id)).status).toBe("failed");
  });

  it("masks recipients: enough to recognise, not to copy", () => {
    expect(maskRecipient("email", "maria.rivera@example.org")).toBe("m•••@example.org");
    expect(maskRecipient("sms", "(555) 201-3344")).toBe("•••3344");
    expect(maskRecipient("portal", "patient-123")).toBe("pati•••");
  });
});
