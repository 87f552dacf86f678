// Clinic-defined workflows: a rule fires once per event (also when the event comes again, or twice
// at once), its delayed actions run once when due (also with two scans at once), conditions and
// pausing decide whether it fires, birthdays come from the cron scan, and the rules page is
// validated, permission-checked and tenant-bound.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { systemScope } from "../../src/platform/scope";
import { zonedInstant } from "../../src/platform/time";
import { emitEvent, runDueActions, runTimeTriggers } from "../../src/workflows/engine";
import { fillPlaceholders } from "../../src/workflows/messages";
import { NORTH_CLINIC, USERS } from "../fixtures";
import { auditRows, Browser, clinicD1, registerPatient, signedIn } from "../helpers";
import { nyInstant, seedSchedule, tomorrowNY, type ScheduleWorld } from "../schedule-fixtures";

const NORTH = NORTH_CLINIC;

/** The scope of a cron job at North; its audit seals are awaited by `settle`. */
const pending: Promise<unknown>[] = [];
const scope = () => systemScope(env, NORTH, "test", { waitUntil: (p) => pending.push(p) });
const settle = () => Promise.all(pending.splice(0));

const d1 = () => clinicD1("north");
async function one<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T | null> {
  return d1().prepare(sql).bind(...params).first<T>();
}
async function count(sql: string, ...params: unknown[]): Promise<number> {
  return (await one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${sql}`, ...params))!.n;
}

let w: ScheduleWorld;
let admin: Browser;
let otherTypeId: string;

beforeAll(async () => {
  w = await seedSchedule("north", { providers: 2 });
  otherTypeId = "type-riv-consult";
  await d1()
    .prepare("INSERT INTO appointment_types (id, slug, name, duration_minutes) VALUES (?, 'consult', 'Consultation', 45)")
    .bind(otherTypeId)
    .run();
  admin = await signedIn("north", USERS.admin.email);
});

/** A rule form: a name, a trigger and the first action; override any field. */
function ruleForm(over: Record<string, string> = {}): Record<string, string> {
  return { name: "Rule", trigger: "appointment.completed", a1_type: "task", a1_delay: "0", a1_unit: "minutes", a1_channel: "email", a1_title: "Call the patient", ...over };
}

async function createRule(over: Record<string, string>): Promise<string> {
  const res = await admin.post("/settings/workflows", ruleForm(over));
  if (res.status !== 303) throw new Error(`rule not created: ${res.status} ${await res.text()}`);
  return res.headers.get("location")!.match(/\/settings\/workflows\/([0-9a-f-]{36})\?saved=1$/)![1]!;
}

/** An appointment row written directly (the engine only reads it). */
let seq = 0;
async function appointment(patientId: string, o: { provider?: number; typeId?: string; startsAt?: number; status?: string } = {}): Promise<string> {
  const id = `appt-wf-${++seq}`;
  const start = o.startsAt ?? nyInstant(tomorrowNY(), "09:00") + seq * 3_600_000 * 24;
  await d1()
    .prepare(
      `INSERT INTO appointments (id, patient_id, provider_id, location_id, appointment_type_id, starts_at, ends_at, block_start, block_end, status, source, idempotency_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'staff', ?)`,
    )
    .bind(id, patientId, w.providers[o.provider ?? 0]!.id, w.locationId, o.typeId ?? w.typeId, start, start + 1_800_000, start - 300_000, start + 2_100_000, o.status ?? "completed", `k-${id}`)
    .run();
  return id;
}

const completed = (appointmentId: string, patientId: string, at = Date.now()) =>
  emitEvent(scope(), env, { trigger: "appointment.completed", key: `appointment.completed:${appointmentId}`, patientId, appointmentId, at });

describe("a rule on appointment.booked with an email an hour later", () => {
  it("fires once per booking, however often the event comes, and sends once when due", async () => {
    const ruleId = await createRule({
      name: "See you soon",
      trigger: "appointment.booked",
      a1_type: "send",
      a1_delay: "60",
      a1_subject: "See you soon, {{first_name}}",
      a1_body: "Hello {{first_name}}, see you at {{clinic}}. Change it here: {{link}}",
      a1_title: "",
    });
    expect(await auditRows("north", "event = 'workflow.rule_create' AND entity_id = ?", ruleId)).toHaveLength(1);

    // Booked through the online booking flow.
    const b = Browser.at("north");
    const p = w.providers[0]!;
    const start = nyInstant(tomorrowNY(), "10:00");
    const held = await b.post("/book/hold", { slot: `${p.id}|${w.locationId}|${start}`, type: w.typeSlug, provider: p.slug, back: `/book/${p.slug}/${w.typeSlug}` });
    const hold = new URL(`https://x${held.headers.get("location")}`).searchParams.get("h")!;
    const before = Date.now();
    const done = await b.post("/book/confirm", { hold, given_name: "Rosa", family_name: "Parks", date_of_birth: "1985-02-04", phone: "(555) 010-7788", email: "rosa@example.org" });
    expect(done.status).toBe(303);
    const appt = (await one<{ id: string; patient_id: string }>("SELECT id, patient_id FROM appointments WHERE source = 'online'"))!;

    expect(await count("workflow_runs WHERE rule_id = ?", ruleId)).toBe(1);
    expect(await one("SELECT fired_count, last_fired_at IS NOT NULL AS fired FROM workflow_rules WHERE id = ?", ruleId)).toEqual({ fired_count: 1, fired: 1 });
    const action = (await one<{ id: string; due_at: number; status: string }>("SELECT s.id, s.due_at, s.status FROM scheduled_actions s JOIN workflow_runs r ON r.id = s.run_id WHERE r.rule_id = ?", ruleId))!;
    expect(action.status).toBe("pending");
    expect(action.due_at).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(action.due_at).toBeLessThanOrEqual(Date.now() + 3_600_000);
    const fired = await auditRows("north", "event = 'workflow.fire' AND entity_id = ?", ruleId);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ action: "execute", entity_type: "workflow_rule", patient_id: appt.patient_id });

    // The same event again, and twice at once: nothing more.
    const again = { trigger: "appointment.booked" as const, key: `appointment.booked:${appt.id}`, patientId: appt.patient_id, appointmentId: appt.id, at: Date.now() };
    expect(await emitEvent(scope(), env, again)).toBe(0);
    expect((await Promise.all([emitEvent(scope(), env, again), emitEvent(scope(), env, again)])).reduce((a, b) => a + b, 0)).toBe(0);
    expect(await count("workflow_runs WHERE rule_id = ?", ruleId)).toBe(1);
    expect(await count("scheduled_actions")).toBe(1);
    expect((await one<{ fired_count: number }>("SELECT fired_count FROM workflow_rules WHERE id = ?", ruleId))!.fired_count).toBe(1);

    // Not before its time; at its time once, even with two scans at once.
    expect(await runDueActions(scope(), env, action.due_at - 1)).toBe(0);
    expect(await count("outbox WHERE idempotency_key LIKE 'wf:%'")).toBe(0);
    const ran = await Promise.all([runDueActions(scope(), env, action.due_at), runDueActions(scope(), env, action.due_at)]);
    expect(ran[0]! + ran[1]!).toBe(1);
    expect(await runDueActions(scope(), env, action.due_at + 60_000)).toBe(0);
    const mail = await d1().prepare("SELECT * FROM outbox WHERE idempotency_key LIKE 'wf:%'").all<Record<string, unknown>>();
    expect(mail.results).toHaveLength(1);
    expect(mail.results[0]).toMatchObject({
      channel: "email",
      recipient: "rosa@example.org",
      // Rosa's record was made by her online booking: nobody confirmed the address, so no typed name goes to it.
      subject: "See you soon",
      send_after: action.due_at,
      patient_id: appt.patient_id,
      appointment_id: appt.id,
      status: "queued",
    });
    expect(mail.results[0]!.body).toBe(`Hello, see you at Riverside North. Change it here: https://riverside-north.example.test/book/${p.slug}/checkup`);
    expect(mail.results[0]!.idempotency_key).toMatch(/^wf:[0-9a-f-]{36}:0$/);
    expect((await one<{ status: string }>("SELECT status FROM scheduled_actions WHERE id = ?", action.id))!.status).toBe("done");
    expect(await auditRows("north", "event = 'workflow.send' AND patient_id = ?", appt.patient_id)).toHaveLength(1);
    await settle();

    // Done with this rule: later tests book too.
    expect((await admin.post(`/settings/workflows/${ruleId}/paused`, { paused: "1" })).status).toBe(303);
  });

  it("fills placeholders in one pass: a value is never read as a placeholder", () => {
    const out = fillPlaceholders("Hi {{first_name}} from {{ clinic }}{{unknown}}", { first_name: "{{link}}\r\nBcc: x", clinic: "North", link: "https://evil" });
    expect(out).toBe("Hi {{link}} Bcc: x from North");
  });
});

describe("conditions and pausing", () => {
  it("fires only for the provider, visit type and patient tag the rule names, and not while paused", async () => {
    const patient = await registerPatient(admin, { given_name: "Cora", family_name: "Conditions", date_of_birth: "1970-05-05", email: "cora@example.org" });
    const byProvider = await createRule({ name: "Second provider only", cond_provider: w.providers[1]!.id, a1_title: "Provider two follow-up" });
    const byType = await createRule({ name: "Consultations only", cond_type: otherTypeId, a1_type: "tag", a1_tag: "Consulted" });
    const byTag = await createRule({ name: "VIPs only", cond_tag: "vip", a1_title: "VIP call" });
    const paused = await createRule({ name: "Paused rule", a1_title: "Should not appear" });
    expect((await admin.post(`/settings/workflows/${paused}/paused`, { paused: "1" })).status).toBe(303);
    expect(await auditRows("north", "event = 'workflow.rule_pause' AND entity_id = ?", paused)).toHaveLength(1);

    const withFirst = await appointment(patient, { provider: 0 });
    expect(await completed(withFirst, patient)).toBe(0);
    const withSecond = await appointment(patient, { provider: 1 });
    expect(await completed(withSecond, patient)).toBe(1);
    expect(await count("workflow_runs WHERE rule_id = ?", byProvider)).toBe(1);
    expect((await one("SELECT title, patient_id, appointment_id FROM tasks WHERE rule_id = ?", byProvider))).toEqual({ title: "Provider two follow-up", patient_id: patient, appointment_id: withSecond });

    const consult = await appointment(patient, { typeId: otherTypeId });
    expect(await completed(consult, patient)).toBe(1);
    expect(await count("workflow_runs WHERE rule_id = ?", byType)).toBe(1);
    expect(await count("patient_tags WHERE patient_id = ? AND tag = 'consulted'", patient)).toBe(1);
    expect(await auditRows("north", "event = 'patient.tag' AND patient_id = ?", patient)).toHaveLength(1);

    await d1().prepare("INSERT INTO patient_tags (patient_id, tag) VALUES (?, 'vip')").bind(patient).run();
    const vipVisit = await appointment(patient, { provider: 0 });
    expect(await completed(vipVisit, patient)).toBe(1);
    expect(await count("workflow_runs WHERE rule_id = ?", byTag)).toBe(1);

    expect(await count("workflow_runs WHERE rule_id = ?", paused)).toBe(0);
    expect(await count("tasks WHERE title = 'Should not appear'")).toBe(0);
    // Resumed, it fires for the next event.
    expect((await admin.post(`/settings/workflows/${paused}/paused`, { paused: "0" })).status).toBe(303);
    const later = await appointment(patient, { provider: 0 });
    expect(await completed(later, patient)).toBe(2);
    expect(await count("tasks WHERE title = 'Should not appear'")).toBe(1);

    // The list shows each rule's trigger, conditions, actions, count and state.
    const list = await (await admin.get("/settings/workflows")).text();
    expect(list).toContain("Second provider only");
    expect(list).toContain(`with Dr. ${w.providers[1]!.slug}`);
    expect(list).toContain("Task “Provider two follow-up” for the shared inbox, now");
    expect(list).toContain("patient tagged “vip”");
    expect(list).toMatch(/1 time<div class="hint">last /);
    await settle();
    for (const id of [byProvider, byType, byTag, paused]) expect((await admin.post(`/settings/workflows/${id}/delete`, {})).status).toBe(303);
    expect(await count("workflow_rules WHERE id = ?", byProvider)).toBe(0);
    expect(await count("workflow_runs WHERE rule_id = ?", byProvider)).toBe(0);
    expect(await auditRows("north", "event = 'workflow.rule_delete' AND entity_id = ?", byProvider)).toHaveLength(1);
  });

  it("a paused rule's delayed actions are skipped when due", async () => {
    const patient = await registerPatient(admin, { given_name: "Paula", family_name: "Paused", date_of_birth: "1971-06-06", email: "paula@example.org" });
    const id = await createRule({ name: "Later call", a1_delay: "2", a1_unit: "hours", a1_title: "Later call" });
    const visit = await appointment(patient);
    const at = Date.now();
    expect(await completed(visit, patient, at)).toBe(1);
    expect((await admin.post(`/settings/workflows/${id}/paused`, { paused: "1" })).status).toBe(303);
    expect(await runDueActions(scope(), env, at + 2 * 3_600_000)).toBe(1);
    expect(await count("tasks WHERE title = 'Later call'")).toBe(0);
    expect(await one("SELECT s.status, s.last_error FROM scheduled_actions s JOIN workflow_runs r ON r.id = s.run_id WHERE r.rule_id = ?", id)).toEqual({
      status: "done",
      last_error: "skipped: the rule is paused",
    });
    await settle();
    await admin.post(`/settings/workflows/${id}/delete`, {});
  });
});

describe("events from the staff calendar", () => {
  it("booking, completing and cancelling through the calendar fire their rules", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    const patient = await registerPatient(desk, { given_name: "Stan", family_name: "Staffbooked", date_of_birth: "1966-06-16", email: "stan@example.org" });
    const onBooked = await createRule({ name: "Booked by staff", trigger: "appointment.booked", a1_title: "Booked task" });
    const onCompleted = await createRule({ name: "Completed visit", a1_title: "Completed task" });
    const onCancelled = await createRule({ name: "Cancelled visit", trigger: "appointment.cancelled", a1_title: "Cancelled task" });
    const book = async (time: string) => {
      const p = w.providers[1]!;
      const form = await (await desk.get(`/calendar/new?provider=${p.id}&location=${w.locationId}&type=${w.typeId}&start=${nyInstant(tomorrowNY(), time)}`)).text();
      const key = form.match(/name="key" value="([0-9a-f-]{36})"/)![1]!;
      const res = await desk.post("/calendar/appointments", { key, provider: p.id, location: w.locationId, type: w.typeId, start: String(nyInstant(tomorrowNY(), time)), patient_id: patient });
      expect(res.status).toBe(303);
      return res.headers.get("location")!.match(/^\/calendar\/appointments\/([0-9a-f-]{36})\?/)![1]!;
    };
    const first = await book("14:00");
    const second = await book("15:00");
    expect(await count("workflow_runs WHERE rule_id = ?", onBooked)).toBe(2);
    expect((await desk.post(`/calendar/appointments/${first}/status`, { status: "completed", version: "1" })).status).toBe(303);
    expect(await one("SELECT appointment_id FROM workflow_runs WHERE rule_id = ?", onCompleted)).toEqual({ appointment_id: first });
    expect((await desk.post(`/calendar/appointments/${second}/cancel`, { reason: "Patient is travelling", version: "1", which: "this" })).status).toBe(303);
    expect(await one("SELECT appointment_id FROM workflow_runs WHERE rule_id = ?", onCancelled)).toEqual({ appointment_id: second });
    expect(await count("tasks WHERE title IN ('Booked task', 'Completed task', 'Cancelled task') AND patient_id = ?", patient)).toBe(4);
    for (const id of [onBooked, onCompleted, onCancelled]) await admin.post(`/settings/workflows/${id}/delete`, {});
  });

  it("a patient's online cancellation fires the cancelled rules", async () => {
    const id = await createRule({ name: "Cancelled online", trigger: "appointment.cancelled", a1_type: "tag", a1_tag: "cancelled-online", a1_title: "" });
    const d = new Date(`${tomorrowNY()}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 1);
    const start = nyInstant(d.toISOString().slice(0, 10), "11:00");
    const b = Browser.at("north");
    const p = w.providers[1]!;
    const held = await b.post("/book/hold", { slot: `${p.id}|${w.locationId}|${start}`, type: w.typeSlug, provider: p.slug, back: `/book/${p.slug}/${w.typeSlug}` });
    const hold = new URL(`https://x${held.headers.get("location")}`).searchParams.get("h")!;
    const done = await b.post("/book/confirm", { hold, given_name: "Carl", family_name: "Canceller", date_of_birth: "1977-07-07", phone: "(555) 010-3131", email: "" });
    expect(done.status).toBe(303);
    const m = new URL(`https://x${done.headers.get("location")}`).searchParams.get("m")!;
    expect((await b.post("/book/manage/cancel", { m })).status).toBe(303);
    const appt = (await one<{ id: string; patient_id: string }>("SELECT id, patient_id FROM appointments WHERE starts_at = ? AND status = 'cancelled'", start))!;
    expect(await one("SELECT event_key FROM workflow_runs WHERE rule_id = ?", id)).toEqual({ event_key: `appointment.cancelled:${appt.id}` });
    expect(await count("patient_tags WHERE patient_id = ? AND tag = 'cancelled-online'", appt.patient_id)).toBe(1);
    await admin.post(`/settings/workflows/${id}/delete`, {});
  });

  it("a waitlist action offers a cancelled visit's time to the waitlist", async () => {
    const waiting = await registerPatient(admin, { given_name: "Wanda", family_name: "Waiting", date_of_birth: "1980-08-08", email: "wanda@example.org" });
    const leaving = await registerPatient(admin, { given_name: "Len", family_name: "Leaving", date_of_birth: "1981-08-08", email: "len@example.org" });
    const day = tomorrowNY();
    await d1()
      .prepare("INSERT INTO waitlist_entries (id, patient_id, appointment_type_id, from_date, to_date, times_of_day) VALUES ('wl-wf', ?, ?, ?, ?, 'afternoon')")
      .bind(waiting, w.typeId, day, day)
      .run();
    const id = await createRule({ name: "Offer freed time", trigger: "appointment.cancelled", a1_type: "waitlist", a1_title: "" });
    const visit = await appointment(leaving, { provider: 0, startsAt: nyInstant(day, "16:00"), status: "cancelled" });
    expect(await emitEvent(scope(), env, { trigger: "appointment.cancelled", key: `appointment.cancelled:${visit}`, patientId: leaving, appointmentId: visit, at: Date.now() })).toBe(1);
    expect(await one("SELECT starts_at, status FROM waitlist_offers WHERE entry_id = 'wl-wf'")).toEqual({ starts_at: nyInstant(day, "16:00"), status: "offered" });
    expect(await count("outbox WHERE template = 'waitlist.offer' AND recipient = 'wanda@example.org'")).toBe(1);
    await settle();
    await admin.post(`/settings/workflows/${id}/delete`, {});
  });
});

describe("a delayed action that fails", () => {
  it("is retried by later scans, and marked failed after five attempts", async () => {
    const patient = await registerPatient(admin, { given_name: "Rita", family_name: "Retry", date_of_birth: "1969-09-19", email: "rita@example.org" });
    const id = await createRule({ name: "Fails", a1_delay: "1", a1_unit: "hours", a1_title: "Boom" });
    // The database refuses this task, as an outage would.
    await d1().prepare("CREATE TRIGGER refuse_boom BEFORE INSERT ON tasks WHEN NEW.title = 'Boom' BEGIN SELECT RAISE(ABORT, 'refused for the test'); END").run();
    const at = Date.now();
    expect(await completed(await appointment(patient), patient, at)).toBe(1);
    const due = at + 3_600_000;
    const state = () => one<{ status: string; attempts: number; last_error: string | null }>(
      "SELECT s.status, s.attempts, s.last_error FROM scheduled_actions s JOIN workflow_runs r ON r.id = s.run_id WHERE r.rule_id = ?",
      id,
    );
    expect(await runDueActions(scope(), env, due)).toBe(0);
    expect(await state()).toMatchObject({ status: "pending", attempts: 1 });
    expect((await state())!.last_error).toContain("refused for the test");
    for (let i = 2; i <= 5; i++) await runDueActions(scope(), env, due + i * 300_000);
    expect(await state()).toMatchObject({ status: "failed", attempts: 5 });
    expect(await runDueActions(scope(), env, due + 3_600_000)).toBe(0);
    expect(await count("tasks WHERE title = 'Boom'")).toBe(0);
    await d1().prepare("DROP TRIGGER refuse_boom").run();
    await settle();
    await admin.post(`/settings/workflows/${id}/delete`, {});
  });
});

describe("time triggers", () => {
  it("greets a patient on their birthday once a year, from 9:00 in the clinic's timezone", async () => {
    const patient = await registerPatient(admin, { given_name: "Bianca", family_name: "Birthday", date_of_birth: "1990-07-15", phone: "(555) 010-4455", email: "" });
    const id = await createRule({
      name: "Happy birthday",
      trigger: "patient.birthday",
      a1_type: "send",
      a1_channel: "sms",
      a1_body: "Happy birthday, {{first_name}}! From all of us at {{clinic}}.",
      a1_title: "",
    });
    const early = zonedInstant("2026-07-15", "08:30", "America/New_York");
    expect(await runTimeTriggers(scope(), env, early)).toBe(0);
    const morning = zonedInstant("2026-07-15", "09:05", "America/New_York");
    expect(await runTimeTriggers(scope(), env, morning)).toBe(1);
    expect(await runTimeTriggers(scope(), env, morning + 5 * 60_000)).toBe(0);
    expect(await one("SELECT event_key FROM workflow_runs WHERE rule_id = ?", id)).toEqual({ event_key: `patient.birthday:${patient}:2026` });
    const sms = (await one<Record<string, unknown>>("SELECT * FROM outbox WHERE patient_id = ? AND channel = 'sms'", patient))!;
    // Texts go to the number as stored, in E.164.
    expect(sms).toMatchObject({ recipient: "+15550104455", body: "Happy birthday, Bianca! From all of us at Riverside North.", send_after: morning, subject: null });
    // The day before is not the birthday; next year is again.
    expect(await runTimeTriggers(scope(), env, zonedInstant("2026-07-14", "12:00", "America/New_York"))).toBe(0);
    expect(await runTimeTriggers(scope(), env, zonedInstant("2027-07-15", "10:00", "America/New_York"))).toBe(1);
    // A patient who replied STOP gets no text message (the rule still fires once).
    await d1().prepare("INSERT INTO patient_contact_prefs (patient_id, sms_opted_out_at) VALUES (?, 1)").bind(patient).run();
    expect(await runTimeTriggers(scope(), env, zonedInstant("2028-07-15", "10:00", "America/New_York"))).toBe(1);
    expect(await count("outbox WHERE patient_id = ? AND channel = 'sms'", patient)).toBe(2);
    await settle();
    await admin.post(`/settings/workflows/${id}/delete`, {});
  });

  it("skips intake.missing while no intake_forms table exists", async () => {
    const id = await createRule({ name: "Intake reminder", trigger: "intake.missing", hours_before: "72", a1_title: "Chase the intake form" });
    expect((await one<{ conditions: string }>("SELECT conditions FROM workflow_rules WHERE id = ?", id))!.conditions).toBe('{"hoursBefore":72}');
    const patient = await registerPatient(admin, { given_name: "Ian", family_name: "Intake", date_of_birth: "1975-01-20", email: "ian@example.org" });
    await appointment(patient, { status: "booked", startsAt: Date.now() + 24 * 3_600_000 });
    expect(await runTimeTriggers(scope(), env, Date.now())).toBe(0);
    expect(await count("workflow_runs WHERE rule_id = ?", id)).toBe(0);
    await admin.post(`/settings/workflows/${id}/delete`, {});
  });
});

describe("the standard follow-ups", () => {
  it("are added paused once, and when switched on send the thank-you and skip a recall for a patient already booked", async () => {
    const add = await admin.post("/settings/workflows/standard", {});
    expect(add.headers.get("location")).toBe("/settings/workflows?added=3");
    expect((await admin.post("/settings/workflows/standard", {})).headers.get("location")).toBe("/settings/workflows?added=0");
    const rules = await d1().prepare("SELECT id, trigger, paused FROM workflow_rules WHERE id LIKE 'standard-%' ORDER BY id").all();
    expect(rules.results).toEqual([
      { id: "standard-followup-completed", trigger: "appointment.completed", paused: 1 },
      { id: "standard-followup-no-show", trigger: "appointment.no_show", paused: 1 },
      { id: "standard-recall", trigger: "appointment.completed", paused: 1 },
    ]);
    const list = await (await admin.get("/settings/workflows?added=3")).text();
    expect(list).toContain("Added 3 standard follow-ups.");
    expect(list).toContain("Thank-you after a visit");
    expect(list).toContain("Recall: due for a check-up");

    for (const id of ["standard-followup-completed", "standard-recall"]) await admin.post(`/settings/workflows/${id}/paused`, { paused: "0" });
    const patient = await registerPatient(admin, { given_name: "Theo", family_name: "Thanks", date_of_birth: "1962-02-02", email: "theo@example.org" });
    const visit = await appointment(patient);
    const at = Date.now();
    await appointment(patient, { status: "booked", startsAt: at + 200 * 24 * 3_600_000 });
    expect(await completed(visit, patient, at)).toBe(2);
    expect(await runDueActions(scope(), env, at + 120 * 60_000)).toBe(1);
    const thanks = (await one<{ subject: string; body: string; template: string }>("SELECT subject, body, template FROM outbox WHERE patient_id = ? AND idempotency_key LIKE 'wf:%'", patient))!;
    expect(thanks.template).toBe("followup.completed");
    expect(thanks.subject).toBe("Thank you for visiting Riverside North");
    expect(thanks.body).toContain("How satisfied were you with your visit?");
    expect(await runDueActions(scope(), env, at + 183 * 24 * 3_600_000)).toBe(1);
    expect(await count("outbox WHERE patient_id = ? AND template = 'recall'", patient)).toBe(0);
    expect(await one("SELECT s.last_error FROM scheduled_actions s JOIN workflow_runs r ON r.id = s.run_id WHERE r.rule_id = 'standard-recall'")).toEqual({
      last_error: "skipped: the patient already has an upcoming visit",
    });
    await settle();
    for (const id of ["standard-followup-completed", "standard-followup-no-show", "standard-recall"]) await admin.post(`/settings/workflows/${id}/delete`, {});
  });
});

describe("the rules page", () => {
  it("refuses an invalid rule with 422, naming each field, and writes nothing", async () => {
    const before = await count("workflow_rules");
    const res = await admin.post(
      "/settings/workflows",
      ruleForm({
        name: "",
        trigger: "appointment.booked",
        a1_type: "send",
        a1_body: "Hi {{last_name}}",
        a1_link: "javascript:alert(1)",
        a2_type: "waitlist",
        a3_type: "task",
        a3_title: "",
        a3_delay: "-5",
      }),
    );
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("Name is required.");
    expect(html).toMatch(/id="f-a1_body-error">Message uses a placeholder this rule cannot fill/);
    expect(html).toMatch(/id="f-a1_link-error">Link must be a web address/);
    expect(html).toMatch(/id="f-a2_type-error">Offering time to the waitlist only works when an appointment is cancelled/);
    expect(html).toMatch(/id="f-a3_title-error">Task title is required/);
    expect(html).toMatch(/id="f-a3_delay-error">Delay must be a whole number/);
    expect(await count("workflow_rules")).toBe(before);

    const none = await admin.post("/settings/workflows", ruleForm({ a1_type: "", trigger: "patient.birthday", cond_provider: w.providers[0]!.id }));
    expect(none.status).toBe(422);
    const noneHtml = await none.text();
    expect(noneHtml).toContain("Add at least one action");
    expect(noneHtml).toMatch(/id="f-cond_provider-error">“Patient&#39;s birthday” is not about an appointment|id="f-cond_provider-error">“Patient's birthday” is not about an appointment/);

    const foreign = await admin.post("/settings/workflows", ruleForm({ cond_type: "no-such-type", a1_assignee: USERS.hillOwner.id }));
    expect(foreign.status).toBe(422);
    const foreignHtml = await foreign.text();
    expect(foreignHtml).toContain("Choose a visit type from the list.");
    expect(foreignHtml).toMatch(/id="f-a1_assignee-error">Choose someone who works at this clinic/);
    expect(await count("workflow_rules")).toBe(before);
  });

  it("edits a rule and shows it back in the form", async () => {
    const id = await createRule({ name: "Edit me", a1_title: "First title", a1_assignee: USERS.frontDesk.id, a1_due_hours: "24" });
    const form = await (await admin.get(`/settings/workflows/${id}`)).text();
    expect(form).toContain('value="First title"');
    expect(form).toMatch(new RegExp(`<option value="${USERS.frontDesk.id}" selected`));
    const saved = await admin.post(`/settings/workflows/${id}`, ruleForm({ name: "Edited", a1_title: "Second title", a1_delay: "3", a1_unit: "days" }));
    expect(saved.status).toBe(303);
    const row = (await one<{ name: string; actions: string }>("SELECT name, actions FROM workflow_rules WHERE id = ?", id))!;
    expect(row.name).toBe("Edited");
    expect(JSON.parse(row.actions)).toEqual([{ type: "task", delayMinutes: 3 * 24 * 60, title: "Second title" }]);
    expect(await auditRows("north", "event = 'workflow.rule_update' AND entity_id = ?", id)).toHaveLength(1);
    await admin.post(`/settings/workflows/${id}/delete`, {});
  });

  it("is refused to the front desk (403), and another clinic's rule is 404", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    expect((await desk.get("/settings/workflows")).status).toBe(403);
    expect((await desk.post("/settings/workflows", ruleForm())).status).toBe(403);
    expect((await desk.post("/settings/workflows/standard", {})).status).toBe(403);
    expect(await count("workflow_rules WHERE id LIKE 'standard-%'")).toBe(0);

    const id = await createRule({ name: "North only" });
    const hill = await signedIn("hillcrest", USERS.hillOwner.email);
    expect((await hill.get(`/settings/workflows/${id}`)).status).toBe(404);
    expect((await hill.post(`/settings/workflows/${id}`, ruleForm())).status).toBe(404);
    expect((await hill.post(`/settings/workflows/${id}/paused`, { paused: "1" })).status).toBe(404);
    expect((await hill.post(`/settings/workflows/${id}/delete`, {})).status).toBe(404);
    expect(await one("SELECT paused FROM workflow_rules WHERE id = ?", id)).toEqual({ paused: 0 });
    expect((await admin.get(`/settings/workflows/${id}`)).status).toBe(200);
  });
});
