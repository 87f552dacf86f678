// Phone numbers in E.164: the phone module, the conversion of numbers stored before it (with the
// report of those it cannot read and the notice staff see), and an SMS reply from a number stored
// before the conversion that still finds its patient after it.
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planPhoneConversion, type StoredPhones } from "../../src/patients/phone-conversion";
import { convertStoredPhones } from "../../src/patients/phones";
import { formatPhone, phoneDigits, toE164 } from "../../src/platform/phone";
import * as clinicSchema from "../../src/schema/clinic";
import { USERS } from "../fixtures";
import { Browser, clinicD1, fetchWorker, host, registerPatient, signedIn } from "../helpers";
import { nyInstant, seedSchedule, tomorrowNY, type ScheduleWorld } from "../schedule-fixtures";

const north = () => drizzle(clinicD1("north"), { schema: clinicSchema });

describe("the phone module", () => {
  it("reads national and international numbers into E.164 with the clinic's country as default", () => {
    expect(toE164("(555) 201-3344", "US")).toBe("+15552013344");
    expect(toE164("555.201.3344", "us")).toBe("+15552013344");
    expect(toE164("1 555 201 3344", "US")).toBe("+15552013344");
    expect(toE164("+1 (555) 019-8877", "US")).toBe("+15550198877");
    expect(toE164("+44 20 7946 0958", "US")).toBe("+442079460958");
    expect(toE164("020 7946 0958", "GB")).toBe("+442079460958");
    expect(toE164("+15552013344", "GB")).toBe("+15552013344");
  });

  it("refuses what cannot be a phone number", () => {
    for (const bad of ["12", "", "call me", "555 201 3344 ext 5", "1-800-FLOWERS", "+1 555 201 33445566"]) expect(toE164(bad, "US")).toBeNull();
  });

  it("shows national format for the clinic's country and international for others", () => {
    expect(formatPhone("+15552013344", "US")).toBe("(555) 201-3344");
    expect(formatPhone("+442079460958", "US")).toBe("+44 20 7946 0958");
    expect(formatPhone("+442079460958", "GB")).toBe("020 7946 0958");
    expect(formatPhone("call me", "US")).toBe("call me");
    expect(phoneDigits("+15552013344")).toBe("5552013344");
    expect(phoneDigits("(555) 201-3344")).toBe("5552013344");
  });
});

describe("converting stored numbers", () => {
  const row = (id: string, phone: string | null, emergencyPhone: string | null = null, digits: string | null = null): StoredPhones => ({
    id,
    givenName: "Pat",
    familyName: id,
    phone,
    emergencyPhone,
    phoneDigits: digits,
  });

  it("plans national, international and garbage numbers, and reports the garbage", () => {
    const plan = planPhoneConversion(
      [
        row("national", "(555) 201-3344", "555-201-9988", "5552013344"),
        row("international", "+44 20 7946 0958"),
        row("garbage", "call me", "n/a", ""),
        row("done", "+15550001234", null, "5550001234"),
        row("blank", "  ", null, ""),
      ],
      "US",
    );
    expect(plan.changes).toEqual([
      { id: "national", phone: "+15552013344", emergencyPhone: "+15552019988", phoneDigits: "5552013344" },
      { id: "international", phone: "+442079460958", emergencyPhone: null, phoneDigits: "2079460958" },
      { id: "blank", phone: null, emergencyPhone: null, phoneDigits: null },
    ]);
    expect(plan.unparsed).toEqual([
      { patientId: "garbage", name: "garbage, Pat", field: "phone", value: "call me" },
      { patientId: "garbage", name: "garbage, Pat", field: "emergency_phone", value: "n/a" },
    ]);
  });

  it("converts a clinic's patients once, keeps what it cannot read, and staff see who to fix", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    const ok = await registerPatient(desk, { given_name: "Olga", family_name: "Oldnumber", date_of_birth: "1950-01-01" });
    const intl = await registerPatient(desk, { given_name: "Ian", family_name: "Abroad", date_of_birth: "1951-01-01" });
    const bad = await registerPatient(desk, { given_name: "Gary", family_name: "Garbage", date_of_birth: "1952-01-01" });
    // Numbers as they were stored before E.164: as typed, with all their digits beside them.
    const d1 = clinicD1("north");
    const legacy = (id: string, phone: string, emergency: string | null) =>
      d1.prepare("UPDATE patients SET phone = ?1, phone_digits = ?2, emergency_phone = ?3 WHERE id = ?4").bind(phone, phone.replace(/\D/g, ""), emergency, id);
    await d1.batch([legacy(ok, "(555) 303-4040", "555-303-5050"), legacy(intl, "+44 20 7946 0958", null), legacy(bad, "ask the daughter", null)]);

    const before = await (await desk.get("/patients")).text();
    expect(before).toContain("could not be read as a");
    expect(before).toContain(`<a href="/patients/${bad}/edit">Garbage, Gary</a>`);
    expect(before).toContain(`<a href="/patients/${ok}/edit">Oldnumber, Olga</a>`);

    const first = await convertStoredPhones(north(), "US");
    expect(first.converted).toBeGreaterThanOrEqual(2);
    expect(first.unparsed).toEqual([{ patientId: bad, name: "Garbage, Gary", field: "phone", value: "ask the daughter" }]);
    const stored = async (id: string) => d1.prepare("SELECT phone, phone_digits, emergency_phone FROM patients WHERE id = ?").bind(id).first();
    expect(await stored(ok)).toEqual({ phone: "+15553034040", phone_digits: "5553034040", emergency_phone: "+15553035050" });
    expect(await stored(intl)).toEqual({ phone: "+442079460958", phone_digits: "2079460958", emergency_phone: null });
    expect(await stored(bad)).toEqual({ phone: "ask the daughter", phone_digits: "", emergency_phone: null });

    // Idempotent: nothing left to change, the same number still reported.
    const again = await convertStoredPhones(north(), "US");
    expect(again).toEqual({ converted: 0, unparsed: first.unparsed });

    const after = await (await desk.get("/patients")).text();
    expect(after).toContain(`<a href="/patients/${bad}/edit">Garbage, Gary</a>`);
    expect(after).not.toContain(`<a href="/patients/${ok}/edit">Oldnumber, Olga</a>`);
    // Shown in national format on staff pages; a foreign number internationally.
    expect(await (await desk.get(`/patients/${ok}`)).text()).toContain("(555) 303-4040");
    expect(await (await desk.get(`/patients/${intl}`)).text()).toContain("+44 20 7946 0958");

    // A role that cannot edit patients is not shown the list.
    const biller = await signedIn("north", USERS.biller.email);
    const billerPage = await biller.get("/patients");
    if (billerPage.status === 200) expect(await billerPage.text()).not.toContain("could not be read as a");
  });
});

describe("an SMS reply from a number stored before the conversion", () => {
  const TOKEN = "test-token";
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

  async function twilioSig(url: string, params: Record<string, string>): Promise<string> {
    const data = url + Object.keys(params).sort().map((k) => k + params[k]).join("");
    const enc = new TextEncoder();
    const key = await crypto.subtle.importKey("raw", enc.encode(TOKEN), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
    return btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(data)))));
  }

  it("still finds the patient and confirms the visit after the number is converted", async () => {
    const b = Browser.at("north");
    const p = w.providers[0]!;
    const startsAt = nyInstant(tomorrowNY(), "11:00");
    const held = await b.post("/book/hold", { slot: `${p.id}|${w.locationId}|${startsAt}`, type: w.typeSlug, provider: p.slug, back: `/book/${p.slug}/${w.typeSlug}` });
    expect(held.status).toBe(303);
    const hold = new URL(`https://x${held.headers.get("location")}`).searchParams.get("h")!;
    const done = await b.post("/book/confirm", { hold, given_name: "Lena", family_name: "Legacy", date_of_birth: "1970-02-02", phone: "(555) 010-6060", email: "" });
    expect(done.status).toBe(303);
    const d1 = clinicD1("north");
    const appt = (await d1.prepare("SELECT id, patient_id AS patientId FROM appointments WHERE provider_id = ? AND starts_at = ?").bind(p.id, startsAt).first<{ id: string; patientId: string }>())!;
    expect(await d1.prepare("SELECT phone FROM patients WHERE id = ?").bind(appt.patientId).first()).toEqual({ phone: "+15550106060" });
    // As it was stored before: as typed, every digit beside it.
    await d1.prepare("UPDATE patients SET phone = '555-010-6060', phone_digits = '5550106060' WHERE id = ?").bind(appt.patientId).run();

    await convertStoredPhones(north(), "US");
    expect(await d1.prepare("SELECT phone FROM patients WHERE id = ?").bind(appt.patientId).first()).toEqual({ phone: "+15550106060" });

    const params = { AccountSid: "AC0001", Body: "Y", From: "+15550106060", MessageSid: "SMphone1", NumMedia: "0", To: "+15550001111" };
    const res = await fetchWorker(inboundUrl, {
      method: "POST",
      body: new URLSearchParams(params),
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": await twilioSig(inboundUrl, params) },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("is confirmed.");
    expect(await d1.prepare("SELECT patient_id AS patientId, outcome FROM inbound_messages WHERE provider_id = 'SMphone1'").first()).toEqual({
      patientId: appt.patientId,
      outcome: "confirmed",
    });
    expect(await d1.prepare("SELECT status FROM appointments WHERE id = ?").bind(appt.id).first()).toEqual({ status: "confirmed" });
  });
});
