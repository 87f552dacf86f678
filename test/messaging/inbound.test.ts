import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signResponseToken } from "../../src/messaging/respond";
import type { Clinic, Env } from "../../src/platform/env";
import { directoryDb, findClinic } from "../../src/platform/tenancy";
import { CLINICS, USERS } from "../fixtures";
import { auditRows, Browser, clinicD1, fetchWorker, host, signedIn } from "../helpers";
import { nyInstant, seedSchedule, tomorrowNY, type ScheduleWorld } from "../schedule-fixtures";

const DAY = 86_400_000;
const TOKEN = "test-token";
const db = () => clinicD1("north");
const vars = env as unknown as Record<string, string | undefined>;
const inboundUrl = `https://${host("north")}/webhooks/sms/inbound`;

let w: ScheduleWorld;
let savedToken: string | undefined;

beforeAll(async () => {
  w = await seedSchedule("north");
  savedToken = vars.SMS_AUTH_TOKEN;
  vars.SMS_AUTH_TOKEN = TOKEN;
});

afterAll(() => {
  if (savedToken === undefined) delete vars.SMS_AUTH_TOKEN;
  else vars.SMS_AUTH_TOKEN = savedToken;
});

/** The date `n` days from today in New York. */
function dayNY(n: number): string {
  return tomorrowNY(Date.now() + (n - 1) * DAY);
}

/** Twilio's signature, computed here independently: base64 HMAC-SHA1 of the URL and the sorted name+value pairs. */
async function twilioSig(token: string, url: string, params: Record<string, string>): Promise<string> {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join("");
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(token), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(data)));
  return btoa(String.fromCharCode(...mac));
}

let sidSeq = 0;
/** Posts an SMS reply as Twilio would (signed with the test token unless told otherwise). */
async function reply(from: string, body: string, o: { sid?: string; signature?: string | null } = {}) {
  const params = { AccountSid: "AC0001", Body: body, From: from, MessageSid: o.sid ?? `SMin${++sidSeq}`, NumMedia: "0", To: "+15550001111" };
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  const sig = o.signature === undefined ? await twilioSig(TOKEN, inboundUrl, params) : o.signature;
  if (sig !== null) headers["x-twilio-signature"] = sig;
  const res = await fetchWorker(inboundUrl, { method: "POST", body: new URLSearchParams(params), headers });
  return { res, sid: params.MessageSid, text: await res.text() };
}

interface Booked {
  id: string;
  patientId: string;
}

/** Books through the public booking pages, as the patient would. */
async function book(person: { given: string; family: string; phone: string }, startsAt: number, providerIndex = 0): Promise<Booked> {
  const b = Browser.at("north");
  const p = w.providers[providerIndex]!;
  const held = await b.post("/book/hold", { slot: `${p.id}|${w.locationId}|${startsAt}`, type: w.typeSlug, provider: p.slug, back: `/book/${p.slug}/${w.typeSlug}` });
  expect(held.status).toBe(303);
  const hold = new URL(`https://x${held.headers.get("location")}`).searchParams.get("h")!;
  const done = await b.post("/book/confirm", { hold, given_name: person.given, family_name: person.family, date_of_birth: "1980-05-05", phone: person.phone, email: "" });
  expect(done.status).toBe(303);
  const row = await db()
    .prepare("SELECT id, patient_id AS patientId FROM appointments WHERE provider_id = ? AND starts_at = ? AND status = 'booked'")
    .bind(p.id, startsAt)
    .first<Booked>();
  return row!;
}

async function appointment(id: string) {
  return (await db().prepare("SELECT status, version FROM appointments WHERE id = ?").bind(id).first<{ status: string; version: number }>())!;
}

async function inbound(sid: string) {
  return db().prepare("SELECT * FROM inbound_messages WHERE provider_id = ?").bind(sid).first<Record<string, string | number | null>>();
}

async function count(sql: string, ...params: unknown[]): Promise<number> {
  return (await db().prepare(`SELECT COUNT(*) AS n FROM ${sql}`).bind(...params).first<{ n: number }>())!.n;
}

describe("POST /webhooks/sms/inbound", () => {
  it("confirms the sender's next appointment on a signed Y, and the front desk sees it confirmed on the calendar", async () => {
    const day = dayNY(1);
    const person = { given: "Yolanda", family: "Yes", phone: "(555) 010-1001" };
    const later = await book(person, nyInstant(day, "14:00"));
    const next = await book(person, nyInstant(day, "10:00"));

    const { res, sid, text } = await reply("+15550101001", "  y ");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/xml");
    expect(text).toContain("<Response><Message>Thanks, your appointment on ");
    expect(text).toContain("at 10:00 AM is confirmed.</Message></Response>");

    expect(await appointment(next.id)).toEqual({ status: "confirmed", version: 2 });
    expect((await appointment(later.id)).status).toBe("booked");
    expect(await inbound(sid)).toMatchObject({ channel: "sms", sender: "+15550101001", body: "  y ", patient_id: next.patientId, appointment_id: next.id, outcome: "confirmed" });
    const audited = await auditRows("north", "event = 'appointment.status' AND entity_id = ?", next.id);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ action: "update", patient_id: next.patientId, user_id: null, outcome: "success" });
    expect(audited[0]!.detail).toContain("booked → confirmed by the patient's SMS reply");

    const desk = await signedIn("north", USERS.frontDesk.email);
    const cal = await desk.get(`/calendar?date=${day}`);
    expect(cal.status).toBe(200);
    const html = await cal.text();
    const confirmed = html.match(new RegExp(`<a class="appt st-confirmed" href="/calendar/appointments/${next.id}">[\\s\\S]*?</a>`));
    expect(confirmed?.[0]).toContain("Confirmed");
    expect(html).toContain(`<a class="appt st-booked" href="/calendar/appointments/${later.id}">`);
  });

  it("changes nothing when the same message is delivered again", async () => {
    const person = { given: "Rita", family: "Repeat", phone: "(555) 010-1005" };
    const a = await book(person, nyInstant(dayNY(1), "10:00"), 1);
    const first = await reply("+1 555 010 1005", "N", { sid: "SMrepeat1" });
    expect(first.res.status).toBe(200);
    const before = { inbound: await count("inbound_messages"), tasks: await count("tasks"), audit: await count("audit_log"), appt: await appointment(a.id) };

    const again = await reply("+1 555 010 1005", "N", { sid: "SMrepeat1" });
    expect(again.res.status).toBe(200);
    expect(again.text).toContain("<Response/>");
    expect({ inbound: await count("inbound_messages"), tasks: await count("tasks"), audit: await count("audit_log"), appt: await appointment(a.id) }).toEqual(before);

    // A repeated Y cannot confirm twice either: the second delivery is recognised before anything is written.
    const y = await reply("+1 555 010 1005", "Y", { sid: "SMrepeat2" });
    expect(y.text).toContain("is confirmed");
    const afterY = { audit: await count("audit_log"), appt: await appointment(a.id) };
    expect((await reply("+1 555 010 1005", "Y", { sid: "SMrepeat2" })).text).toContain("<Response/>");
    expect({ audit: await count("audit_log"), appt: await appointment(a.id) }).toEqual(afterY);
  });

  it("writes once when two deliveries of the same message arrive together", async () => {
    const a = await book({ given: "Cora", family: "Concurrent", phone: "(555) 010-1008" }, nyInstant(dayNY(1), "11:00"), 1);
    const [one, two] = await Promise.all([reply("+15550101008", "N", { sid: "SMtwin" }), reply("+15550101008", "N", { sid: "SMtwin" })]);
    expect([one.res.status, two.res.status]).toEqual([200, 200]);
    // One of them answers the patient; the other answers nothing.
    expect([one.text, two.text].filter((t) => t.includes("<Message>"))).toHaveLength(1);
    expect(await count("inbound_messages WHERE provider_id = 'SMtwin'")).toBe(1);
    expect(await count("tasks WHERE appointment_id = ?", a.id)).toBe(1);
    expect(await auditRows("north", "event = 'task.create' AND patient_id = ?", a.patientId)).toHaveLength(1);
  });

  it("turns N into a task for the front desk and leaves the appointment booked", async () => {
    const a = await book({ given: "Nina", family: "No", phone: "(555) 010-1002" }, nyInstant(dayNY(1), "11:00"));
    const before = Date.now();
    const { res, sid, text } = await reply("+15550101002", "No, I can't make it");
    expect(res.status).toBe(200);
    expect(text).toContain("<Message>We got your request; the clinic will call you.</Message>");

    expect(await appointment(a.id)).toEqual({ status: "booked", version: 1 });
    expect(await inbound(sid)).toMatchObject({ patient_id: a.patientId, appointment_id: a.id, outcome: "cancel_requested" });
    const task = await db().prepare("SELECT * FROM tasks WHERE appointment_id = ?").bind(a.id).first<Record<string, string | number | null>>();
    expect(task).toMatchObject({ title: "Patient asked to cancel by SMS", patient_id: a.patientId, status: "open", assignee_id: null });
    expect(task!.due_at as number).toBeGreaterThanOrEqual(before);
    expect(task!.due_at as number).toBeLessThanOrEqual(Date.now());
    expect(await auditRows("north", "event = 'task.create' AND entity_id = ?", task!.id)).toHaveLength(1);

    // A second N (a new message) records the request but does not open a second task.
    expect((await reply("+15550101002", "N")).text).toContain("the clinic will call you");
    expect(await count("tasks WHERE appointment_id = ?", a.id)).toBe(1);

    const desk = await signedIn("north", USERS.frontDesk.email);
    expect(await (await desk.get("/tasks")).text()).toContain("Patient asked to cancel by SMS");
  });

  it("records STOP as an opt-out and answers nothing (the carrier does), and START clears it", async () => {
    const a = await book({ given: "Stella", family: "Stop", phone: "(555) 010-1003" }, nyInstant(dayNY(1), "12:00"));
    const stop = await reply("+15550101003", "STOP");
    expect(stop.res.status).toBe(200);
    expect(stop.text).toContain("<Response/>");
    expect(stop.text).not.toContain("<Message>");
    const prefs = () => db().prepare("SELECT sms_opted_out_at AS at FROM patient_contact_prefs WHERE patient_id = ?").bind(a.patientId).first<{ at: number | null }>();
    expect((await prefs())?.at).toBeTypeOf("number");
    expect(await inbound(stop.sid)).toMatchObject({ patient_id: a.patientId, outcome: "opted_out" });
    expect(await auditRows("north", "event = 'patient.sms_opt_out' AND patient_id = ?", a.patientId)).toHaveLength(1);
    expect(await appointment(a.id)).toEqual({ status: "booked", version: 1 });

    const start = await reply("+15550101003", "start");
    expect(start.text).toContain("<Response/>");
    expect((await prefs())?.at).toBeNull();
    expect(await inbound(start.sid)).toMatchObject({ outcome: "opted_in" });
  });

  it("refuses a bad or missing signature with 403, audits it, and records nothing", async () => {
    const a = await book({ given: "Bart", family: "Bad", phone: "(555) 010-1006" }, nyInstant(dayNY(1), "13:00"));
    const forged = await twilioSig("not-the-token", inboundUrl, { Body: "Y", From: "+15550101006", MessageSid: "SMforged" });
    const bad = await reply("+15550101006", "Y", { sid: "SMforged", signature: forged });
    expect(bad.res.status).toBe(403);
    const missing = await reply("+15550101006", "Y", { sid: "SMunsigned", signature: null });
    expect(missing.res.status).toBe(403);

    expect(await inbound("SMforged")).toBeNull();
    expect(await inbound("SMunsigned")).toBeNull();
    expect(await appointment(a.id)).toEqual({ status: "booked", version: 1 });
    const refused = await auditRows("north", "event = 'webhook.refused' AND entity_id = 'POST /webhooks/sms/inbound'");
    expect(refused.map((r) => [r.action, r.outcome, r.detail])).toEqual([
      ["execute", "denied", "bad signature"],
      ["execute", "denied", "missing signature"],
    ]);
  });

  it("records a message from an unknown number as unmatched, and other words as ignored", async () => {
    const unknown = await reply("+15559990000", "Y");
    expect(unknown.res.status).toBe(200);
    expect(unknown.text).toContain("could not match this number");
    expect(await inbound(unknown.sid)).toMatchObject({ outcome: "unmatched", patient_id: null, appointment_id: null });
    expect((await reply("+15559990000", "STOP")).text).toContain("<Response/>");

    await book({ given: "Ivan", family: "Ignored", phone: "(555) 010-1007" }, nyInstant(dayNY(1), "15:00"));
    const chat = await reply("+15550101007", "What time is it again?");
    expect(chat.text).toContain("Reply C to confirm");
    expect(await inbound(chat.sid)).toMatchObject({ outcome: "ignored" });
  });

  it("matches the whole number: another country's number with the same digits, or no number at all, is unmatched", async () => {
    const a = await book({ given: "Mona", family: "Match", phone: "(555) 010-1009" }, nyInstant(dayNY(1), "16:00"));
    const foreign = await reply("+525550101009", "Y");
    expect(foreign.text).toContain("could not match this number");
    expect(await inbound(foreign.sid)).toMatchObject({ outcome: "unmatched", patient_id: null });
    const garbled = await reply("12", "Y");
    expect(await inbound(garbled.sid)).toMatchObject({ outcome: "unmatched", patient_id: null });
    const own = await reply("+15550101009", "Y");
    expect(await inbound(own.sid)).toMatchObject({ outcome: "confirmed", patient_id: a.patientId, appointment_id: a.id });
  });
});

describe("GET /appointment/respond (the reminder's link)", () => {
  let clinic: Clinic;
  const person = { given: "Lina", family: "Link", phone: "(555) 010-1004" };

  beforeAll(async () => {
    clinic = (await findClinic(directoryDb(env as unknown as Env), CLINICS.north.slug))!;
  });

  it("shows the appointment, confirms it from its page, and says so when it is already confirmed", async () => {
    const a = await book(person, nyInstant(dayNY(3), "10:00"), 1);
    const t = await signResponseToken(env as unknown as Env, clinic, a.id);
    const b = Browser.at("north");
    const res = await b.get(`/appointment/respond?t=${encodeURIComponent(t)}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("at 10:00 AM");
    expect(html).toContain(`Dr. ${w.providers[1]!.slug}`);
    expect(html).toContain("Main office, 12 Main St, Springfield");
    expect(html).toContain('action="/appointment/respond/confirm"');
    expect(html).toContain('action="/appointment/respond/cancel"');
    expect(html).toContain(">Confirm</button>");
    expect(html).toContain(">Cancel</button>");
    // No clinical detail: a link may be forwarded.
    expect(html).not.toContain("Check-up");
    expect(await auditRows("north", "event = 'appointment.view' AND entity_id = ? AND action = 'read'", a.id)).toHaveLength(1);
    expect((await auditRows("north", "event = 'appointment.view' AND entity_id = ?", a.id))[0]!.patient_id).toBe(a.patientId);

    // Without the form's CSRF token, nothing happens.
    expect((await b.post("/appointment/respond/confirm", { t }, { csrf: null })).status).toBe(403);
    expect((await appointment(a.id)).status).toBe("booked");

    const done = await b.post("/appointment/respond/confirm", { t });
    expect(done.status).toBe(303);
    expect(await appointment(a.id)).toEqual({ status: "confirmed", version: 2 });
    const after = await (await b.get(done.headers.get("location")!)).text();
    expect(after).toContain("your appointment is confirmed");
    expect(after).not.toContain(">Confirm</button>");
    const audited = await auditRows("north", "event = 'appointment.status' AND entity_id = ?", a.id);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ action: "update", patient_id: a.patientId });

    const twice = await b.post("/appointment/respond/confirm", { t });
    expect(twice.status).toBe(303);
    expect(await (await b.get(twice.headers.get("location")!)).text()).toContain("already confirmed");
    expect(await auditRows("north", "event = 'appointment.status' AND entity_id = ?", a.id)).toHaveLength(1);
  });

  it("cancels inside the clinic's window, and outside it answers 409 with the advice to call", async () => {
    const inside = await book(person, nyInstant(dayNY(3), "11:00"), 1);
    const b = Browser.at("north");
    const t1 = await signResponseToken(env as unknown as Env, clinic, inside.id);
    const res = await b.post("/appointment/respond/cancel", { t: t1 });
    expect(res.status).toBe(303);
    expect((await appointment(inside.id)).status).toBe("cancelled");
    expect(await auditRows("north", "event = 'appointment.cancel' AND entity_id = ?", inside.id)).toHaveLength(1);
    expect(await (await b.get(res.headers.get("location")!)).text()).toContain("Your appointment was cancelled.");

    const outside = await book(person, nyInstant(dayNY(3), "12:00"), 1);
    const t2 = await signResponseToken(env as unknown as Env, clinic, outside.id);
    await db().prepare("UPDATE booking_rules SET cancel_window_hours = 10000 WHERE id = 1").run();
    try {
      const refused = await b.post("/appointment/respond/cancel", { t: t2 });
      expect(refused.status).toBe(409);
      expect(await refused.text()).toContain("Call the clinic");
      expect(await appointment(outside.id)).toEqual({ status: "booked", version: 1 });
    } finally {
      await db().prepare("UPDATE booking_rules SET cancel_window_hours = 24 WHERE id = 1").run();
    }
  });

  it("answers 410 to a tampered token and to a token of another clinic", async () => {
    // Another patient: one phone number books at most three times a day online without the human check.
    const a = await book({ given: "Tara", family: "Tamper", phone: "(555) 010-1010" }, nyInstant(dayNY(4), "10:00"), 1);
    const t = await signResponseToken(env as unknown as Env, clinic, a.id);
    const b = Browser.at("north");
    const tampered = `${t.slice(0, -2)}${t.endsWith("AA") ? "BB" : "AA"}`;
    expect((await b.get(`/appointment/respond?t=${encodeURIComponent(tampered)}`)).status).toBe(410);
    expect((await b.post("/appointment/respond/confirm", { t: tampered })).status).toBe(410);
    expect((await b.get("/appointment/respond")).status).toBe(410);

    const south = (await findClinic(directoryDb(env as unknown as Env), CLINICS.south.slug))!;
    const foreign = await signResponseToken(env as unknown as Env, south, a.id, Date.now() + DAY);
    expect((await b.get(`/appointment/respond?t=${encodeURIComponent(foreign)}`)).status).toBe(410);
    expect((await b.post("/appointment/respond/cancel", { t: foreign })).status).toBe(410);
    expect(await appointment(a.id)).toEqual({ status: "booked", version: 1 });
  });
});
