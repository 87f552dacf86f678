// Appointment reminders: when they are due (real hours, across daylight-saving changes in New York
// and Sydney), written once however often the cron scan runs, the patient's consent, opt-out,
// channel and language respected, quiet hours in the location's zone; and the staff page for one
// patient's contact preferences.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runScheduled } from "../../src/messaging/cron";
import { planReminders, quietHoursEnd, reminderDueAt, scanReminders, type ReminderCandidate } from "../../src/messaging/reminders";
import type { Clinic } from "../../src/platform/env";
import { systemScope } from "../../src/platform/scope";
import { localParts, zonedInstant } from "../../src/platform/time";
import { CLINICS, USERS } from "../fixtures";
import { auditRows, clinicD1, signedIn, type ClinicKey } from "../helpers";
import { seedSchedule } from "../schedule-fixtures";

const HOUR = 3_600_000;
const NY = "America/New_York";
const SYDNEY = "Australia/Sydney";

async function clinicOf(key: ClinicKey): Promise<Clinic> {
  const row = await env.DIRECTORY.prepare(
    `SELECT id, slug, name, timezone, status, db_binding AS dbBinding, organization_id AS organizationId,
       idle_timeout_minutes AS idleTimeoutMinutes, session_max_hours AS sessionMaxHours FROM clinics WHERE slug = ?`,
  )
    .bind(CLINICS[key].slug)
    .first<Clinic>();
  return row!;
}

async function scan(key: ClinicKey, now: number): Promise<number> {
  return scanReminders(systemScope(env, await clinicOf(key), "test"), env, now);
}

interface PatientSeed {
  given?: string;
  email?: string | null;
  phone?: string | null;
  prefs?: { email_consent?: number; sms_consent?: number; sms_opted_out_at?: number | null; preferred_channel?: string; locale?: string };
}

let seq = 0;

async function addPatient(key: ClinicKey, p: PatientSeed = {}): Promise<string> {
  const id = `pat-${++seq}`;
  const d1 = clinicD1(key);
  const given = p.given ?? "Rosa";
  // Registered by the front desk (created_by), so the clinic vouches for the contact details.
  await d1
    .prepare(
      `INSERT INTO patients (id, given_name, family_name, date_of_birth, sex_at_birth, phone, phone_digits, email, search_name, identity_key, created_by)
       VALUES (?, ?, 'Parks', '1985-02-04', 'female', ?, ?, ?, ?, ?, 'u-desk')`,
    )
    .bind(id, given, p.phone === undefined ? "+15550107788" : p.phone, (p.phone ?? "").replace(/\D/g, "") || null, p.email === undefined ? `${id}@example.org` : p.email, `${given} parks`.toLowerCase(), `${id}|parks|1985-02-04`)
    .run();
  if (p.prefs) {
    const x = { email_consent: 1, sms_consent: 1, sms_opted_out_at: null, preferred_channel: "both", locale: "en", ...p.prefs };
    await d1
      .prepare("INSERT INTO patient_contact_prefs (patient_id, email_consent, sms_consent, sms_opted_out_at, preferred_channel, locale) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(id, x.email_consent, x.sms_consent, x.sms_opted_out_at, x.preferred_channel, x.locale)
      .run();
  }
  return id;
}

async function addAppointment(key: ClinicKey, w: { providerId: string; locationId: string; typeId: string }, patientId: string, startsAt: number, status = "booked"): Promise<string> {
  const id = `appt-${++seq}`;
  await clinicD1(key)
    .prepare(
      `INSERT INTO appointments (id, patient_id, provider_id, location_id, appointment_type_id, starts_at, ends_at, block_start, block_end, status, source, idempotency_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'staff', ?)`,
    )
    .bind(id, patientId, w.providerId, w.locationId, w.typeId, startsAt, startsAt + 30 * 60_000, startsAt, startsAt + 30 * 60_000, status, `test:${id}`)
    .run();
  return id;
}

interface OutboxRow {
  id: string;
  channel: string;
  recipient: string;
  template: string;
  subject: string | null;
  body: string;
  idempotency_key: string;
  patient_id: string;
  appointment_id: string;
  locale: string;
  send_after: number | null;
}

async function outboxOf(key: ClinicKey, appointmentId: string): Promise<OutboxRow[]> {
  return (await clinicD1(key).prepare("SELECT * FROM outbox WHERE appointment_id = ? ORDER BY idempotency_key").bind(appointmentId).all<OutboxRow>()).results;
}

/** A world in one clinic: a New York location (from seedSchedule) and one in Sydney. */
async function world(key: ClinicKey) {
  const w = await seedSchedule(key, { providers: 1 });
  const d1 = clinicD1(key);
  const sydney = `loc-syd-${key}`;
  await d1.batch([
    d1.prepare("INSERT OR IGNORE INTO locations (id, name, timezone) VALUES (?, 'Harbour office', ?)").bind(sydney, SYDNEY),
    d1.prepare("INSERT OR IGNORE INTO provider_locations (provider_id, location_id) VALUES (?, ?)").bind(w.providers[0]!.id, sydney),
  ]);
  return {
    ny: { providerId: w.providers[0]!.id, locationId: w.locationId, typeId: w.typeId },
    sydney: { providerId: w.providers[0]!.id, locationId: sydney, typeId: w.typeId },
  };
}

describe("when a reminder is due", () => {
  it("is that many real hours before the start: New York spring-forward and fall-back nights", () => {
    // Spring forward 2027-03-14 02:00 EST -> 03:00 EDT. A 9:00 visit that morning is 13:00Z.
    const spring = zonedInstant("2027-03-14", "09:00", NY);
    expect(spring).toBe(Date.UTC(2027, 2, 14, 13));
    expect(reminderDueAt(spring, 24)).toBe(Date.UTC(2027, 2, 13, 13));
    expect(localParts(reminderDueAt(spring, 24), NY)).toMatchObject({ date: "2027-03-13", time: "08:00" });
    expect(localParts(reminderDueAt(spring, 72), NY)).toMatchObject({ date: "2027-03-11", time: "08:00" });
    // Fall back 2027-11-07 02:00 EDT -> 01:00 EST. A 9:00 visit that morning is 14:00Z.
    const fall = zonedInstant("2027-11-07", "09:00", NY);
    expect(fall).toBe(Date.UTC(2027, 10, 7, 14));
    expect(reminderDueAt(fall, 24)).toBe(Date.UTC(2027, 10, 6, 14));
    expect(localParts(reminderDueAt(fall, 24), NY)).toMatchObject({ date: "2027-11-06", time: "10:00" });
  });

  it("is that many real hours before the start: Sydney's April and October changes", () => {
    // 2027-04-04 03:00 AEDT -> 02:00 AEST: 9:00 AEST is 04-03T23:00Z; 24 h before is 10:00 AEDT.
    const april = zonedInstant("2027-04-04", "09:00", SYDNEY);
    expect(april).toBe(Date.UTC(2027, 3, 3, 23));
    expect(localParts(reminderDueAt(april, 24), SYDNEY)).toMatchObject({ date: "2027-04-03", time: "10:00" });
    // 2027-10-03 02:00 AEST -> 03:00 AEDT: 9:00 AEDT is 10-02T22:00Z; 24 h before is 08:00 AEST.
    const october = zonedInstant("2027-10-03", "09:00", SYDNEY);
    expect(october).toBe(Date.UTC(2027, 9, 2, 22));
    expect(localParts(reminderDueAt(october, 24), SYDNEY)).toMatchObject({ date: "2027-10-02", time: "08:00" });
  });

  it("ends quiet hours at the local end time, on the right date, as an instant", () => {
    expect(quietHoursEnd(zonedInstant("2027-03-13", "22:30", NY), NY, "21:00", "08:00")).toBe(zonedInstant("2027-03-14", "08:00", NY));
    // Across the spring-forward night, the morning end is EDT.
    expect(quietHoursEnd(zonedInstant("2027-03-13", "22:30", NY), NY, "21:00", "08:00")).toBe(Date.UTC(2027, 2, 14, 12));
    expect(quietHoursEnd(zonedInstant("2027-03-13", "06:10", NY), NY, "21:00", "08:00")).toBe(zonedInstant("2027-03-13", "08:00", NY));
    expect(quietHoursEnd(zonedInstant("2027-03-13", "08:00", NY), NY, "21:00", "08:00")).toBeNull();
    expect(quietHoursEnd(zonedInstant("2027-03-13", "12:30", NY), NY, "12:00", "14:00")).toBe(zonedInstant("2027-03-13", "14:00", NY));
    expect(quietHoursEnd(zonedInstant("2027-03-13", "12:30", NY), NY, "00:00", "00:00")).toBeNull();
  });

  it("is written in the window (now - 6 h, now] only, for a visit still ahead", () => {
    const startsAt = zonedInstant("2027-06-10", "12:00", NY);
    const a: ReminderCandidate = {
      id: "a",
      patientId: "p",
      startsAt,
      firstName: "Rosa",
      email: "r@example.org",
      phone: "+15550100000",
      emailConsent: null,
      smsConsent: null,
      smsOptedOutAt: null,
      preferredChannel: null,
      locale: null,
      providerName: "Dr. P",
      locationName: "Main",
      timezone: NY,
      modality: "in_person",
      queued: [],
    };
    const settings = { enabled: 1, emailHoursBefore: 72, smsHoursBefore: 24, sms2HoursBefore: null, quietStart: "21:00", quietEnd: "08:00" };
    const due = startsAt - 24 * HOUR;
    const kinds = (now: number) => planReminders([a], settings, now).map((p) => p.kind);
    expect(kinds(due - 1)).toEqual([]);
    expect(kinds(due)).toEqual(["sms-24h"]);
    expect(kinds(due + 6 * HOUR - 1)).toEqual(["sms-24h"]);
    expect(kinds(due + 6 * HOUR)).toEqual([]);
    expect(kinds(startsAt - 72 * HOUR + HOUR)).toEqual(["email-72h"]);
    expect(planReminders([{ ...a, queued: ["sms-24h"] }], settings, due)).toEqual([]);
    expect(planReminders([a], { ...settings, enabled: 0 }, due)).toEqual([]);
  });
});

describe("the reminder scan", () => {
  it("queues the 24 h SMS of a 9:00 visit after the spring-forward night 24 real hours before (08:00 EST the day before)", async () => {
    const w = await world("north");
    const patient = await addPatient("north", { given: "Spring" });
    const startsAt = zonedInstant("2027-03-14", "09:00", NY);
    const appt = await addAppointment("north", w.ny, patient, startsAt);
    const due = Date.UTC(2027, 2, 13, 13);
    expect(await scan("north", due - 60_000)).toBe(0);
    expect(await scan("north", due)).toBe(1);
    const rows = await outboxOf("north", appt);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      channel: "sms",
      recipient: "+15550107788",
      template: "reminder",
      subject: null,
      idempotency_key: `reminder:${appt}:sms-24h`,
      patient_id: patient,
      locale: "en",
      send_after: null,
    });
    expect(rows[0]!.body).toContain("Riverside North: your visit with Dr. dr-riv-1 is Sun, Mar 14 at 9:00 AM.");
    expect(rows[0]!.body).toMatch(/Confirm or cancel: https:\/\/riverside-north\.example\.test\/appointment\/respond\?t=ey[\w.-]+ Reply STOP to opt out$/);
    expect(rows[0]!.body).not.toContain("Check-up");
    const audits = await auditRows("north", "event = 'reminder.queue' AND patient_id = ?", patient);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ action: "execute", entity_type: "outbox", entity_id: rows[0]!.id, user_id: null });
  });

  it("queues the 72 h email in the patient's language, and the 24 h SMS across the fall-back night, through the real cron run", async () => {
    const w = await world("north");
    const patient = await addPatient("north", { given: "Otoño", prefs: { locale: "es" } });
    const startsAt = zonedInstant("2027-11-07", "09:00", NY);
    const appt = await addAppointment("north", w.ny, patient, startsAt);

    const emailDue = startsAt - 72 * HOUR;
    const first = await runScheduled(env, emailDue + 2 * HOUR);
    expect(first.find((r) => r.clinic === CLINICS.north.slug)?.reminders).toBe(1);
    const smsDue = Date.UTC(2027, 10, 6, 14);
    expect(localParts(smsDue, NY).time).toBe("10:00");
    const second = await runScheduled(env, smsDue);
    expect(second.find((r) => r.clinic === CLINICS.north.slug)?.reminders).toBe(1);

    const rows = await outboxOf("north", appt);
    expect(rows.map((r) => r.idempotency_key)).toEqual([`reminder:${appt}:email-72h`, `reminder:${appt}:sms-24h`]);
    const [email, sms] = rows as [OutboxRow, OutboxRow];
    expect(email).toMatchObject({ channel: "email", recipient: `${patient}@example.org`, locale: "es", subject: "Recordatorio: su cita en Riverside North el domingo, 7 de noviembre" });
    expect(email.body).toContain("Hola Otoño:");
    expect(email.body).toContain("Le recordamos su cita con Dr. dr-riv-1 en Riverside North el domingo, 7 de noviembre a las 9:00 (Main office).");
    // In SMS the name would be folded to the SMS alphabet; the Spanish default does not carry it.
    expect(sms.body).toContain("Riverside North: su cita con Dr. dr-riv-1 es el dom, 7 nov a las 9:00. Confirme o cancele: https://");
    expect(sms.body).toMatch(/Responda STOP para darse de baja$/);
  });

  it("writes each reminder once under repeated and concurrent scans", async () => {
    const w = await world("south");
    const startsAt = zonedInstant("2027-06-15", "10:00", NY);
    const patients = await Promise.all([1, 2, 3].map((i) => addPatient("south", { given: `Twice${i}` })));
    const appts: string[] = [];
    for (const p of patients) appts.push(await addAppointment("south", w.ny, p, startsAt));
    const due = startsAt - 24 * HOUR;

    const [a, b] = await Promise.all([scan("south", due + 60_000), scan("south", due + 60_000)]);
    expect(a + b).toBe(3);
    expect(await scan("south", due + 60_000)).toBe(0);
    expect(await scan("south", due + 5 * 60_000)).toBe(0);
    expect(await scan("south", due + 5 * HOUR)).toBe(0);
    const [c, d] = await Promise.all([scan("south", due + 10 * 60_000), scan("south", due + 10 * 60_000)]);
    expect(c + d).toBe(0);

    const count = await clinicD1("south")
      .prepare(`SELECT COUNT(*) AS n, COUNT(DISTINCT idempotency_key) AS k FROM outbox WHERE template = 'reminder' AND appointment_id IN (${appts.map(() => "?").join(", ")})`)
      .bind(...appts)
      .first<{ n: number; k: number }>();
    expect(count).toEqual({ n: 3, k: 3 });
    expect(await auditRows("south", "event = 'reminder.queue'")).toHaveLength(3);
  });

  it("respects opt-out (STOP), consent, the preferred channel and missing contact details", async () => {
    const w = await world("hillcrest");
    const startsAt = zonedInstant("2027-07-20", "11:00", NY);
    const who = {
      stopped: await addPatient("hillcrest", { prefs: { sms_opted_out_at: Date.UTC(2027, 0, 1) } }),
      noEmailConsent: await addPatient("hillcrest", { prefs: { email_consent: 0 } }),
      noSmsConsent: await addPatient("hillcrest", { prefs: { sms_consent: 0 } }),
      emailOnly: await addPatient("hillcrest", { prefs: { preferred_channel: "email" } }),
      smsOnly: await addPatient("hillcrest", { prefs: { preferred_channel: "sms" } }),
      noPhone: await addPatient("hillcrest", { phone: null }),
      nothing: await addPatient("hillcrest", { email: null, prefs: { sms_consent: 0 } }),
      defaults: await addPatient("hillcrest"),
    };
    const appts: Record<string, string> = {};
    for (const [k, p] of Object.entries(who)) appts[k] = await addAppointment("hillcrest", w.ny, p, startsAt);
    const cancelled = await addAppointment("hillcrest", w.ny, who.defaults, startsAt + HOUR, "cancelled");

    await scan("hillcrest", startsAt - 72 * HOUR);
    await scan("hillcrest", startsAt - 24 * HOUR);
    const channels = async (k: string) => (await outboxOf("hillcrest", appts[k]!)).map((r) => r.channel);
    expect(await channels("stopped")).toEqual(["email"]);
    expect(await channels("noEmailConsent")).toEqual(["sms"]);
    expect(await channels("noSmsConsent")).toEqual(["email"]);
    expect(await channels("emailOnly")).toEqual(["email"]);
    expect(await channels("smsOnly")).toEqual(["sms"]);
    expect(await channels("noPhone")).toEqual(["email"]);
    expect(await channels("nothing")).toEqual([]);
    expect(await channels("defaults")).toEqual(["email", "sms"]);
    expect(await outboxOf("hillcrest", cancelled)).toEqual([]);
  });

  it("holds an SMS due in quiet hours until they end in the location's timezone, and skips one that would arrive after the visit", async () => {
    const w = await world("hillcrest");
    const d1 = clinicD1("hillcrest");
    await d1.prepare("UPDATE reminder_settings SET sms2_hours_before = 2 WHERE id = 1").run();
    try {
      // New York, 07:30 visit: the 24 h SMS is due 07:30 the day before, inside 21:00-08:00.
      const early = await addAppointment("hillcrest", w.ny, await addPatient("hillcrest"), zonedInstant("2027-05-20", "07:30", NY));
      // Sydney, 07:00 visit: due 07:00 AEST the day before (17:00 in New York, not quiet there).
      const syd = await addAppointment("hillcrest", w.sydney, await addPatient("hillcrest"), zonedInstant("2027-06-10", "07:00", SYDNEY));
      // New York, 08:30 visit: its 2 h SMS is due 06:30 and waits until 08:00; a 07:30 one's would come after the visit.
      const halfPast = await addAppointment("hillcrest", w.ny, await addPatient("hillcrest"), zonedInstant("2027-05-22", "08:30", NY));

      expect(await scan("hillcrest", zonedInstant("2027-05-19", "07:30", NY))).toBe(1);
      expect((await outboxOf("hillcrest", early))[0]).toMatchObject({ channel: "sms", send_after: zonedInstant("2027-05-19", "08:00", NY) });
      expect((await outboxOf("hillcrest", early))[0]!.send_after).toBe(Date.UTC(2027, 4, 19, 12));

      expect(await scan("hillcrest", zonedInstant("2027-06-09", "07:00", SYDNEY))).toBe(1);
      expect((await outboxOf("hillcrest", syd))[0]).toMatchObject({ channel: "sms", send_after: Date.UTC(2027, 5, 8, 22) });

      expect(await scan("hillcrest", zonedInstant("2027-05-22", "06:30", NY))).toBe(1);
      const two = (await outboxOf("hillcrest", halfPast)).find((r) => r.idempotency_key.endsWith(":sms-2h"));
      expect(two?.send_after).toBe(zonedInstant("2027-05-22", "08:00", NY));
      expect(await scan("hillcrest", zonedInstant("2027-05-20", "05:30", NY))).toBe(0);
      expect((await outboxOf("hillcrest", early)).map((r) => r.idempotency_key)).toEqual([`reminder:${early}:sms-24h`]);
    } finally {
      await d1.prepare("UPDATE reminder_settings SET sms2_hours_before = NULL WHERE id = 1").run();
    }
  });

  it("sends late within six hours but not later, never for a visit that has begun, and keeps a hostile name as text", async () => {
    const w = await world("south");
    const startsAt = zonedInstant("2027-08-03", "15:00", NY);
    const late = await addAppointment("south", w.ny, await addPatient("south", { given: "<script>alert(1)</script>", phone: null }), startsAt);
    const tooLate = await addAppointment("south", w.ny, await addPatient("south", { phone: null }), startsAt - 2 * HOUR);
    const now = startsAt - 72 * HOUR + 5 * HOUR;
    expect(await scan("south", now)).toBe(1);
    const [row] = await outboxOf("south", late);
    expect(row!.body).toContain("Hello <script>alert(1)</script>,\n");
    expect(await outboxOf("south", tooLate)).toEqual([]);
    // A 2-hour visit: the 24 h SMS was due long ago, nothing is sent now.
    const soon = await addAppointment("south", w.ny, await addPatient("south"), now + 2 * HOUR);
    expect(await scan("south", now)).toBe(0);
    expect(await outboxOf("south", soon)).toEqual([]);
  });

  it("uses the clinic's own wording over the default", async () => {
    const w = await world("south");
    await clinicD1("south")
      .prepare("INSERT INTO message_templates (id, template, channel, locale, subject, body) VALUES ('t1', 'reminder', 'sms', 'en', NULL, 'South says: {{date}} {{time}} {{confirm_link}}')")
      .run();
    const startsAt = zonedInstant("2027-09-01", "14:15", NY);
    const appt = await addAppointment("south", w.ny, await addPatient("south", { prefs: { preferred_channel: "sms" } }), startsAt);
    expect(await scan("south", startsAt - 24 * HOUR)).toBe(1);
    expect((await outboxOf("south", appt))[0]!.body).toMatch(/^South says: Wed, Sep 1 2:15 PM https:\/\/riverside-south\.example\.test\/appointment\/respond\?t=/);
  });
});

describe("/patients/:id/contact", () => {
  it("shows and saves one patient's preferences, audited, keeping the STOP opt-out", async () => {
    const patient = await addPatient("north", { prefs: { sms_opted_out_at: Date.UTC(2027, 0, 2, 15) } });
    const owner = await signedIn("north", USERS.owner.email);
    const res = await owner.get(`/patients/${patient}/contact`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Contact preferences");
    expect(html).toContain("Opted out of SMS on 2027-01-02 10:00:00 EST (replied STOP)");
    expect(html).toContain('<option value="both" selected');
    expect(await auditRows("north", "event = 'patient.contact_prefs.view' AND patient_id = ?", patient)).toHaveLength(1);

    const bad = await owner.post(`/patients/${patient}/contact`, { email_consent: "1", preferred_channel: "fax", locale: "fr" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("Choose a preferred channel from the list.");

    const saved = await owner.post(`/patients/${patient}/contact`, { email_consent: "1", preferred_channel: "email", locale: "es" });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe(`/patients/${patient}/contact?saved=1`);
    const row = await clinicD1("north").prepare("SELECT * FROM patient_contact_prefs WHERE patient_id = ?").bind(patient).first();
    expect(row).toMatchObject({ email_consent: 1, sms_consent: 0, preferred_channel: "email", locale: "es", sms_opted_out_at: Date.UTC(2027, 0, 2, 15) });
    const audits = await auditRows("north", "event = 'patient.contact_prefs.update' AND patient_id = ?", patient);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ action: "update", user_id: USERS.owner.id });
    expect(String(audits[0]!.detail)).toBe("changed: sms_consent = 0, preferred_channel = email, locale = es");

    // A patient without preferences gets the defaults, and a first save creates the row.
    const fresh = await addPatient("north");
    expect(await (await owner.get(`/patients/${fresh}/contact`)).text()).toContain("SMS opt-out: not opted out.");
    expect((await owner.post(`/patients/${fresh}/contact`, { email_consent: "1", sms_consent: "1", preferred_channel: "both", locale: "en" })).status).toBe(303);
    expect(await clinicD1("north").prepare("SELECT preferred_channel FROM patient_contact_prefs WHERE patient_id = ?").bind(fresh).first()).toEqual({ preferred_channel: "both" });
  });

  it("is 404 for a patient this clinic does not hold and 403 without patients:write", async () => {
    const patient = await addPatient("south");
    const owner = await signedIn("north", USERS.owner.email);
    expect((await owner.get(`/patients/${patient}/contact`)).status).toBe(404);
    expect((await owner.post(`/patients/${patient}/contact`, { preferred_channel: "sms", locale: "en" })).status).toBe(404);
    const biller = await signedIn("north", USERS.biller.email);
    const northPatient = await addPatient("north");
    expect((await biller.get(`/patients/${northPatient}/contact`)).status).toBe(403);
    // Mounted before /patients, the contact page takes nothing else there: the record still opens.
    expect((await biller.get(`/patients/${northPatient}`)).status).toBe(200);
    expect((await biller.post(`/patients/${northPatient}/contact`, { preferred_channel: "sms", locale: "en" })).status).toBe(403);
    expect(await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM patient_contact_prefs WHERE patient_id = ?").bind(northPatient).first()).toEqual({ n: 0 });
  });
});
