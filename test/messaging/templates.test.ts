// Message templates: defaults in English and Spanish, safe rendering, SMS segments, and the staff
// pages at /settings/messages (reminder schedule, template editing with a preview).
import { fetchWorker } from "../helpers";
import { seedSchedule } from "../schedule-fixtures";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readShortResponseCode, shortResponseCode } from "../../src/messaging/respond";
import { formatWhen } from "../../src/platform/time";
import { smsSegments, toGsm } from "../../src/messaging/sms-segments";
import { allowedVariables, DEFAULT_TEMPLATES, defaultTemplate, TEMPLATE_CHANNELS, TEMPLATE_KEYS, type Locale } from "../../src/messaging/template-catalogue";
import { templateErrors, validate } from "../../src/messaging/template-input";
import { render } from "../../src/messaging/template-render";
import { chooseTemplate } from "../../src/messaging/template-repo";
import { sampleValues } from "../../src/messaging/template-values";
import type { Clinic } from "../../src/platform/env";
import { CLINICS, USERS } from "../fixtures";
import { auditRows, clinicD1, signedIn } from "../helpers";

const MESSAGES = "/settings/messages";
const XSS = "<script>alert(1)</script>";

describe("rendering a template", () => {
  it("inserts values as text: a name that looks like markup or a placeholder stays exactly that, on one line", () => {
    const t = defaultTemplate("reminder", "email", "en");
    const values = { first_name: `${XSS} {{confirm_link}}\r\nBcc: evil@example.org`, clinic: "Riverside North", confirm_link: "https://x.example/r" };
    const text = render(t, values, { channel: "email" });
    expect(text.body).toContain(`Hello ${XSS} {{confirm_link}} Bcc: evil@example.org,`);
    // The placeholder inside the value was not filled: the link appears once, where the template puts it.
    expect(text.body.split("https://x.example/r")).toHaveLength(2);

    const html = render(t, values, { channel: "email", html: true });
    expect(html.body).not.toContain("<script>");
    expect(html.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html.body).toContain("<br>");
  });

  it("neutralises control and bidirectional characters and keeps a subject on one line", () => {
    const out = render({ subject: "For {{first_name}}\nX-Header: 1", body: "Hi {{first_name}}\u0007" }, { first_name: "Ann\u202eeil\u0000" }, { channel: "email" });
    expect(out.subject).toBe("For Anneil X-Header: 1");
    expect(out.body).toBe("Hi Anneil");
  });

  it("leaves placeholders without a value out, and SMS values in the SMS alphabet where possible", () => {
    // An empty placeholder takes the space before it along when punctuation follows.
    expect(render({ subject: null, body: "Hi {{first_name}}, {{provider}}." }, { first_name: "María" }, { channel: "sms" }).body).toBe("Hi Maria,.");
    expect(render({ subject: "Hello {{first_name}}!", body: "Hola {{first_name}}:\nHello {{ first_name }}, see you." }, { first_name: "" }, { channel: "email" })).toEqual({
      subject: "Hello!",
      body: "Hola:\nHello, see you.",
    });
    expect(toGsm("José “Pepe” Núñez – 李")).toBe('José "Pepe" Nuñez - 李');
  });
});

describe("validating a template", () => {
  it("lists unknown variables as written, each once", () => {
    expect(validate("Hi {{first_name}} {{ diagnosis }} {{link}} {{ diagnosis }} {{Dx}}")).toEqual(["{{ diagnosis }}", "{{Dx}}"]);
    expect(validate("{{confirm_link}}", allowedVariables("recall", "email"))).toEqual(["{{confirm_link}}"]);
  });

  it("refuses unknown variables, a location in an SMS and stray braces, naming the field", () => {
    expect(templateErrors("reminder", "email", { subject: "Re {{diagnosis}}", body: "ok" })).toEqual({
      subject: expect.stringContaining("unknown variable: {{diagnosis}}"),
    });
    expect(templateErrors("reminder", "sms", { subject: null, body: "At {{location}}" }).body).toContain("an SMS may not carry");
    expect(templateErrors("reminder", "sms", { subject: null, body: "Hi {{first_name" }).body).toContain("without its pair");
    expect(templateErrors("reminder", "sms", { subject: null, body: "  " }).body).toBe("Message is required.");
  });

  it("accepts every default, in both languages", () => {
    for (const key of TEMPLATE_KEYS) {
      for (const channel of TEMPLATE_CHANNELS) {
        for (const locale of ["en", "es"] as const) {
          expect(templateErrors(key, channel, DEFAULT_TEMPLATES[key][channel][locale]), `${key} ${channel} ${locale}`).toEqual({});
        }
      }
    }
  });
});

describe("SMS segments", () => {
  it("counts GSM-7 at 160 / 153 and UCS-2 at 70 / 67, extension characters as two", () => {
    expect(smsSegments("a".repeat(160))).toMatchObject({ encoding: "GSM-7", segments: 1 });
    expect(smsSegments("a".repeat(161)).segments).toBe(2);
    expect(smsSegments("a".repeat(306)).segments).toBe(2);
    expect(smsSegments("a".repeat(307)).segments).toBe(3);
    expect(smsSegments("é".repeat(160))).toMatchObject({ encoding: "GSM-7", segments: 1 });
    expect(smsSegments("€".repeat(80))).toMatchObject({ length: 160, segments: 1 });
    expect(smsSegments("á".repeat(70))).toMatchObject({ encoding: "UCS-2", segments: 1 });
    expect(smsSegments("á".repeat(71)).segments).toBe(2);
    expect(smsSegments("á".repeat(135)).segments).toBe(3);
  });

  const long = {
    first_name: "Maximiliana-Josefina",
    clinic: "Riverside Health North Family Medicine",
    provider: "Dr. Alexandra Montgomery-Whitfield",
    // Longest month and weekday in either language, and the longest time.
    location: "The Main Office",
  };
  const whenOf = (locale: Locale) => formatWhen(Date.UTC(2027, 8, 29, 16, 30), "America/New_York", locale, "short");

  it("keeps every SMS default in GSM-7 and within two segments with long values and a link of up to 70 characters", () => {
    const link = `https://riverside-north.example.com/r/${"x".repeat(32)}`;
    expect(link.length).toBe(70);
    for (const key of TEMPLATE_KEYS) {
      for (const locale of ["en", "es"] as const) {
        const { date, time } = whenOf(locale);
        const body = render(defaultTemplate(key, "sms", locale), { ...long, date, time, link, confirm_link: link }, { channel: "sms" }).body;
        const count = smsSegments(body);
        expect(count.encoding, `${key} ${locale}: ${body}`).toBe("GSM-7");
        expect(count.segments, `${key} ${locale}: ${body}`).toBeLessThanOrEqual(2);
        expect(body).not.toMatch(/check-up|diagnos|lab|result/i);
      }
    }
    expect(whenOf("es").date).toBe("mié, 29 sept");
    expect(formatWhen(Date.UTC(2027, 8, 29, 16, 30), "America/New_York", "es").date).toBe("miércoles, 29 de septiembre");
  });

  it("fits a reminder SMS in two segments with its short response link, which forwards to the signed page", async () => {
    const clinic = { ...CLINICS.north, timezone: "America/New_York", status: "active", dbBinding: CLINICS.north.binding, organizationId: null, idleTimeoutMinutes: 15, sessionMaxHours: 12 } as unknown as Clinic;
    const id = crypto.randomUUID();
    const code = await shortResponseCode(env, clinic, id);
    const link = `https://riverside-north.example.com/r/${code}`;
    expect(link.length).toBeLessThanOrEqual(75);
    const { date, time } = whenOf("en");
    const body = render(defaultTemplate("reminder", "sms", "en"), { clinic: "Riverside North Family Medicine", provider: "Dr. Priya Venkataraman-Patel", date, time, confirm_link: link }, { channel: "sms" }).body;
    expect(smsSegments(body).segments).toBeLessThanOrEqual(2);
    expect(await readShortResponseCode(env, clinic, code)).toBe(id);
    // No such appointment (yet): the link leads nowhere. Then the visit exists, a day ahead.
    expect((await fetchWorker(`https://riverside-north.example.test/r/${code}`)).status).toBe(410);
    const w = await seedSchedule("north", { providers: 1 });
    const at = Date.now() + 86_400_000;
    await env.CLINIC_RIVERSIDE_NORTH!.prepare(
      `INSERT INTO appointments (id, patient_id, provider_id, location_id, appointment_type_id, starts_at, ends_at, block_start, block_end, status, source, idempotency_key)
       VALUES (?, 'p-x', ?, ?, ?, ?, ?, ?, ?, 'booked', 'staff', ?)`,
    )
      .bind(id, w.providers[0]!.id, w.locationId, w.typeId, at, at + 1_800_000, at, at + 1_800_000, `k-${id}`)
      .run();
    const res = await fetchWorker(`https://riverside-north.example.test/r/${code}`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/appointment\/respond\?t=/);
    // A changed character, or the code at another clinic, leads nowhere.
    const tampered = `${code.slice(0, -1)}${code.endsWith("A") ? "B" : "A"}`;
    expect((await fetchWorker(`https://riverside-north.example.test/r/${tampered}`)).status).toBe(410);
    expect((await fetchWorker(`https://riverside-south.example.test/r/${code}`)).status).toBe(410);
  });
});

describe("choosing a template", () => {
  it("prefers the clinic's wording in the patient's language, else the default in that language", () => {
    const own = [{ template: "reminder", channel: "sms", locale: "en", subject: null, body: "Own {{clinic}}", updatedAt: 1, updatedBy: null }];
    expect(chooseTemplate(own, "reminder", "sms", "en")).toMatchObject({ body: "Own {{clinic}}", source: "clinic" });
    expect(chooseTemplate(own, "reminder", "sms", "es")).toMatchObject({ body: DEFAULT_TEMPLATES.reminder.sms.es.body, source: "default" });
    expect(formatWhen(Date.UTC(2027, 2, 14, 13, 0), "America/New_York", "en")).toEqual({ date: "Sunday, March 14", time: "9:00 AM" });
    expect(formatWhen(Date.UTC(2027, 2, 14, 13, 0), "America/New_York", "es")).toEqual({ date: "domingo, 14 de marzo", time: "9:00" });
  });

  it("has sample values for a realistic preview", () => {
    const v = sampleValues("waitlist.offer", { clinicName: "C", origin: "https://c.example", token: "t", timezone: "UTC", locale: "en", at: 0, channel: "sms" });
    expect(v.link).toBe("https://c.example/book/offer?o=t");
    expect(v.first_name).toBe("Maria");
    expect(v.date).toBe("Thu, Jan 1");
  });
});

describe("/settings/messages", () => {
  it("refuses the front desk (403), pages and writes alike", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    expect((await desk.get(MESSAGES)).status).toBe(403);
    expect((await desk.get(`${MESSAGES}/templates/reminder/sms/en`)).status).toBe(403);
    expect((await desk.post(`${MESSAGES}/reminders`, { enabled: "1", quiet_start: "20:00", quiet_end: "08:00" })).status).toBe(403);
    expect((await desk.post(`${MESSAGES}/templates/reminder/sms/en`, { body: "x" })).status).toBe(403);
    const row = await clinicD1("north").prepare("SELECT quiet_start FROM reminder_settings WHERE id = 1").first<{ quiet_start: string }>();
    expect(row?.quiet_start).toBe("21:00");
  });

  it("shows the reminder schedule and every template, and saves the schedule with an audit row", async () => {
    const owner = await signedIn("north", USERS.owner.email);
    const res = await owner.get(MESSAGES);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Reminder schedule");
    expect(html).toContain('name="email_hours_before" type="number" value="72"');
    expect(html).toContain('href="/settings/messages/templates/reminder/sms/es"');
    expect(html).toContain("Waitlist offer");

    const bad = await owner.post(`${MESSAGES}/reminders`, { enabled: "1", email_hours_before: "72", sms_hours_before: "24", sms2_hours_before: "30", quiet_start: "25:00", quiet_end: "08:00" });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain("The short-notice SMS must come fewer hours before the visit than the SMS reminder.");
    expect(badHtml).toContain("Quiet hours start must be a time as HH:MM");
    expect(await auditRows("north", "event = 'messaging.reminder_settings.update'")).toHaveLength(0);

    const ok = await owner.post(`${MESSAGES}/reminders`, { enabled: "1", email_hours_before: "48", sms_hours_before: "24", sms2_hours_before: "2", quiet_start: "20:30", quiet_end: "08:00" });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe(`${MESSAGES}?saved=1`);
    const row = await clinicD1("north").prepare("SELECT * FROM reminder_settings WHERE id = 1").first();
    expect(row).toMatchObject({ enabled: 1, email_hours_before: 48, sms_hours_before: 24, sms2_hours_before: 2, quiet_start: "20:30", quiet_end: "08:00" });
    const audits = await auditRows("north", "event = 'messaging.reminder_settings.update'");
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ user_id: USERS.owner.id, action: "update", entity_type: "reminder_settings" });
    expect(String(audits[0]!.detail)).toContain("emailHoursBefore = 48");

    // Unticked and emptied: reminders off, no short-notice SMS.
    expect((await owner.post(`${MESSAGES}/reminders`, { email_hours_before: "72", sms_hours_before: "24", sms2_hours_before: "", quiet_start: "21:00", quiet_end: "08:00" })).status).toBe(303);
    expect(await clinicD1("north").prepare("SELECT enabled, sms2_hours_before AS s FROM reminder_settings").first()).toEqual({ enabled: 0, s: null });
    expect((await owner.post(`${MESSAGES}/reminders`, { enabled: "1", email_hours_before: "72", sms_hours_before: "24", quiet_start: "21:00", quiet_end: "08:00" })).status).toBe(303);
  });

  it("refuses a template with an unknown variable (422, field named) and writes nothing", async () => {
    const owner = await signedIn("north", USERS.owner.email);
    const res = await owner.post(`${MESSAGES}/templates/reminder/email/en`, { subject: "Your visit {{date}}", body: "Dear {{first_name}}, about your {{diagnosis}}." });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('id="f-body-error"');
    expect(html).toContain("Body uses an unknown variable: {{diagnosis}}");
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain("nothing was saved yet");
    const sms = await owner.post(`${MESSAGES}/templates/reminder/sms/en`, { body: "See you at {{location}}" });
    expect(sms.status).toBe(422);
    expect(await sms.text()).toContain("an SMS may not carry");
    expect((await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM message_templates").first<{ n: number }>())!.n).toBe(0);
    expect(await auditRows("north", "event LIKE 'messaging.template.%'")).toHaveLength(0);
    expect((await owner.get(`${MESSAGES}/templates/reminder/fax/en`)).status).toBe(404);
    expect((await owner.get(`${MESSAGES}/templates/diagnosis/sms/en`)).status).toBe(404);
  });

  it("saves the clinic's wording, audited, and goes back to the default", async () => {
    const owner = await signedIn("hillcrest", USERS.hillOwner.email);
    const path = `${MESSAGES}/templates/recall/sms/es`;
    const saved = await owner.post(path, { body: "{{clinic}}: pida su cita aqui: {{link}}" });
    expect(saved.status).toBe(303);
    const row = await clinicD1("hillcrest").prepare("SELECT * FROM message_templates").first();
    expect(row).toMatchObject({ template: "recall", channel: "sms", locale: "es", subject: null, body: "{{clinic}}: pida su cita aqui: {{link}}", updated_by: USERS.hillOwner.id });
    const page = await (await owner.get(path)).text();
    expect(page).toContain("This clinic uses its own wording");
    expect(page).toContain("Hillcrest Family Practice: pida su cita aqui: ");
    expect(await auditRows("hillcrest", "event = 'messaging.template.update' AND entity_id = 'recall/sms/es'")).toHaveLength(1);

    const again = await owner.post(path, { body: "{{clinic}}: reserve: {{link}}" });
    expect(again.status).toBe(303);
    expect((await clinicD1("hillcrest").prepare("SELECT COUNT(*) AS n, max(body) AS body FROM message_templates").first())).toEqual({ n: 1, body: "{{clinic}}: reserve: {{link}}" });

    expect((await owner.post(`${path}/reset`, {})).status).toBe(303);
    expect((await clinicD1("hillcrest").prepare("SELECT COUNT(*) AS n FROM message_templates").first<{ n: number }>())!.n).toBe(0);
    expect(await auditRows("hillcrest", "event = 'messaging.template.reset'")).toHaveLength(1);
  });

  it("previews a draft on sample data with the SMS segment count, escaping a hostile sample name", async () => {
    const owner = await signedIn("north", USERS.owner.email);
    const path = `${MESSAGES}/templates/reminder/sms/en`;
    const first = await (await owner.get(path)).text();
    expect(first).toContain("Preview with sample data");
    expect(first).toMatch(/\d SMS segments · GSM-7 · \d+ characters/);
    expect(first).toContain("Riverside North: your visit with Dr. Alex Rivera is ");
    expect(first).toContain("/appointment/respond?t=ey");

    const res = await owner.post(`${path}/preview`, { body: "Hi {{first_name}}, {{clinic}} on {{date}}.", sample_first_name: XSS });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("Hi &lt;script");
    expect(html).toContain("1 SMS segment · GSM-7");
    expect((await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM message_templates").first<{ n: number }>())!.n).toBe(0);

    const frag = await owner.post(`${path}/preview`, { body: "Hi {{first_name}} ñ á", sample_first_name: XSS }, { headers: { "HX-Request": "true", "HX-Target": "section#template-preview" } });
    expect(frag.status).toBe(200);
    const fragHtml = await frag.text();
    expect(fragHtml.startsWith('<section id="template-preview"')).toBe(true);
    expect(fragHtml).not.toContain("<script>alert");
    expect(fragHtml).toContain("1 SMS segment · UCS-2");

    const email = await owner.post(`${MESSAGES}/templates/reminder/email/es/preview`, { subject: "{{first_name}}", body: "Hola {{first_name}}", sample_first_name: "" });
    expect(await email.text()).toContain("<strong>Subject:</strong> Maria");

    const bad = await owner.post(`${path}/preview`, { body: "{{nope}}" }, { headers: { "HX-Request": "true", "HX-Target": "section#template-preview" } });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("Fix the fields above");
  });
});
