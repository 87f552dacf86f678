import { env } from "cloudflare:workers";
import ICAL from "ical.js";
import { decodeJwt } from "jose";
import { MANAGE_GRACE_MS, signManage } from "../../src/booking/tokens";
import type { Clinic } from "../../src/platform/env";
import { describe, expect, it } from "vitest";
import { auditRows, Browser, clinicD1 } from "../helpers";
import { addDays } from "../../src/platform/time";
import { nyInstant, seedSchedule, tomorrowNY } from "../schedule-fixtures";

const details = (over: Record<string, string> = {}) => ({
  given_name: "Rosa",
  family_name: "Parks",
  date_of_birth: "1985-02-04",
  phone: "(555) 010-7788",
  email: "rosa@example.org",
  ...over,
});

async function holdAndGetDetails(b: Browser, w: Awaited<ReturnType<typeof seedSchedule>>, startsAt: number, providerIndex = 0) {
  const p = w.providers[providerIndex]!;
  return b.post("/book/hold", { slot: `${p.id}|${w.locationId}|${startsAt}`, type: w.typeSlug, provider: p.slug, back: `/book/${p.slug}/${w.typeSlug}` });
}

describe("online booking", () => {
  it("refuses a hold of a time that was not one of those offered with 400, booking nothing", async () => {
    const w = await seedSchedule("north");
    const b = Browser.at("north");
    const p = w.providers[0]!;
    for (const slot of ["", "nonsense", `${p.id}|${w.locationId}|12`, `${p.id}|${w.locationId}`]) {
      const res = await b.post("/book/hold", { slot, type: w.typeSlug, provider: p.slug, back: `/book/${p.slug}/${w.typeSlug}` });
      expect(res.status, slot).toBe(400);
      expect(await res.text(), slot).toContain("Pick one of the times shown.");
    }
    expect((await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM appointments").first<{ n: number }>())!.n).toBe(0);
  });

  it("books through a provider link: slots, hold, details, confirmation, .ics and manage link", async () => {
    const w = await seedSchedule("north");
    const b = Browser.at("north");
    const types = await (await b.get("/book")).text();
    expect(types).toContain('href="/book?type=checkup"');
    const provider = w.providers[0]!;
    const list = await b.get(`/book/${provider.slug}/checkup?from=${tomorrowNY()}`);
    expect(list.status).toBe(200);
    const html = await list.text();
    const start = nyInstant(tomorrowNY(), "10:00");
    expect(html).toContain(`value="${provider.id}|${w.locationId}|${start}"`);
    expect(html).toContain("Next available");

    const held = await holdAndGetDetails(b, w, start);
    expect(held.status).toBe(303);
    const detailsUrl = held.headers.get("location")!;
    expect(detailsUrl).toMatch(/^\/book\/details\?h=/);
    const form = await (await b.get(detailsUrl)).text();
    expect(form).toContain("We are holding this time for you until");
    expect(form).toContain("10:00 AM");
    const hold = new URL(`https://x${detailsUrl}`).searchParams.get("h")!;

    const bad = await b.post("/book/confirm", { hold, ...details({ phone: "12", date_of_birth: "2999-01-01" }) });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain("Mobile phone must be a phone number");
    expect(badHtml).toContain("Date of birth must be in the past.");
    expect((await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM appointments").first<{ n: number }>())!.n).toBe(0);

    const done = await b.post("/book/confirm", { hold, ...details() });
    expect(done.status).toBe(303);
    const doneUrl = done.headers.get("location")!;
    const page = await (await b.get(doneUrl)).text();
    expect(page).toContain("You're booked");
    expect(page).toContain("Add to calendar (.ics)");

    const appt = await clinicD1("north").prepare("SELECT * FROM appointments").first<Record<string, unknown>>();
    expect(appt).toMatchObject({ provider_id: provider.id, starts_at: start, ends_at: start + 30 * 60_000, block_start: start - 5 * 60_000, block_end: start + 35 * 60_000, status: "booked", source: "online" });
    const patient = await clinicD1("north").prepare("SELECT given_name, family_name, date_of_birth, phone_digits FROM patients WHERE id = ?").bind(appt!.patient_id).first();
    expect(patient).toEqual({ given_name: "Rosa", family_name: "Parks", date_of_birth: "1985-02-04", phone_digits: "5550107788" });
    expect(await auditRows("north", "event = 'appointment.create' AND entity_id = ?", appt!.id)).toHaveLength(1);
    expect(await auditRows("north", "event = 'patient.create' AND patient_id = ?", appt!.patient_id)).toHaveLength(1);
    const mail = await clinicD1("north").prepare("SELECT recipient, body FROM outbox WHERE template = 'booking.confirmation'").first<{ recipient: string; body: string }>();
    expect(mail?.recipient).toBe("rosa@example.org");
    expect(mail?.body).toContain("/book/ics?m=");

    const m = new URL(`https://x${doneUrl}`).searchParams.get("m")!;
    const ics = await b.get(`/book/ics?m=${encodeURIComponent(m)}`);
    expect(ics.headers.get("content-type")).toContain("text/calendar");
    const comp = new ICAL.Component(ICAL.parse(await ics.text()));
    ICAL.TimezoneService.register(new ICAL.Timezone(comp.getFirstSubcomponent("vtimezone")!));
    const event = new ICAL.Event(comp.getFirstSubcomponent("vevent")!);
    expect(event.startDate.toJSDate().getTime()).toBe(start);
    expect(event.summary).toBe("Appointment at Riverside North");
    expect(String(event.description)).not.toContain("Check-up");

    // The same confirmation sent again (a double submit) books nothing more.
    const again = await b.post("/book/confirm", { hold, ...details() });
    expect(again.status).toBe(303);
    expect((await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM appointments").first<{ n: number }>())!.n).toBe(1);
  });

  it("refuses a taken slot with 409 and offers the nearest open times", async () => {
    const w = await seedSchedule("south", { providers: 1 });
    const start = nyInstant(tomorrowNY(), "11:00");
    const first = Browser.at("south");
    expect((await holdAndGetDetails(first, w, start)).status).toBe(303);
    const second = Browser.at("south");
    const res = await holdAndGetDetails(second, w, start);
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain("Someone else just booked that time");
    expect(html).toContain("Nearest open times");
    // 11:00 is held with buffers 10:55-11:35: the nearest free starts are 10:15 and 11:45 (5-minute buffers on both sides).
    expect(html).toContain(`|${nyInstant(tomorrowNY(), "11:45")}"`);
  });

  it("refuses a tampered or foreign hold token, and a slot outside the hours", async () => {
    const w = await seedSchedule("hillcrest", { providers: 1 });
    const b = Browser.at("hillcrest");
    const res = await b.post("/book/confirm", { hold: "eyJhbGciOiJub25lIn0.e30.", ...details() });
    expect(res.status).toBe(410);
    const night = nyInstant(tomorrowNY(), "07:00");
    const out = await holdAndGetDetails(b, w, night);
    expect(out.status).toBe(409);
    expect(await out.text()).toContain("That time is not open for booking");
  });
});

describe("personal booking invitations", () => {
  it("prefills the invited patient and books for their existing record", async () => {
    const { signedIn, registerPatient } = await import("../helpers");
    const { USERS } = await import("../fixtures");
    const w = await seedSchedule("hillcrest", { providers: 1 });
    const owner = await signedIn("hillcrest", USERS.hillOwner.email);
    const patient = await registerPatient(owner, { given_name: "Ines", family_name: "Invited", date_of_birth: "1977-03-03", phone: "(555) 010-9090", email: "ines@example.org" });
    const sent = await owner.post(`/patients/${patient}/booking-invite`, {});
    expect(sent.status).toBe(303);
    const mail = await clinicD1("hillcrest").prepare("SELECT recipient, body FROM outbox WHERE template = 'booking.invitation'").first<{ recipient: string; body: string }>();
    expect(mail?.recipient).toBe("ines@example.org");
    const link = new URL(mail!.body.match(/https:\/\/\S+/)![0]);
    const invite = link.searchParams.get("invite")!;

    const b = Browser.at("hillcrest");
    const types = await (await b.get(`${link.pathname}${link.search}`)).text();
    expect(types).toContain(`type=checkup&amp;invite=`);
    const start = nyInstant(tomorrowNY(), "09:00");
    const p = w.providers[0]!;
    const held = await b.post("/book/hold", { slot: `${p.id}|${w.locationId}|${start}`, type: "checkup", provider: "", invite });
    expect(held.status).toBe(303);
    const form = await (await b.get(held.headers.get("location")!)).text();
    expect(form).toContain('value="Ines"');
    // Only the name: a forwarded link reveals no date of birth or contact details.
    expect(form).not.toContain("1977-03-03");
    expect(form).not.toContain("ines@example.org");
    const hold = new URL(`https://x${held.headers.get("location")}`).searchParams.get("h")!;
    const done = await b.post("/book/confirm", { hold, given_name: "Ines", family_name: "Invited", date_of_birth: "1977-03-03", phone: "(555) 010-9090", email: "ines@example.org" });
    expect(done.status).toBe(303);
    const appt = await clinicD1("hillcrest").prepare("SELECT patient_id FROM appointments").first<{ patient_id: string }>();
    expect(appt?.patient_id).toBe(patient);
    expect((await clinicD1("hillcrest").prepare("SELECT COUNT(*) AS n FROM patients").first<{ n: number }>())!.n).toBe(1);
    expect(await auditRows("hillcrest", "event = 'patient.invite_prefill' AND patient_id = ?", patient)).toHaveLength(1);
    expect(await auditRows("hillcrest", "event = 'patient.match' AND patient_id = ?", patient)).toHaveLength(1);
    // An invitation of one clinic is not accepted at another.
    const elsewhere = await Browser.at("north").post("/book/hold", { slot: `${p.id}|${w.locationId}|${start}`, type: "checkup", provider: "", invite });
    expect(elsewhere.status).not.toBe(303);
  });
});

describe("managing a booking", () => {
  let n = 0;
  // Each booking is a different patient, with their own contact details (bookings per contact are limited).
  async function booked(
    clinic: "north" | "south",
    time: string,
    who = details({ given_name: `Manage${++n}`, date_of_birth: `1980-01-${String(10 + n).padStart(2, "0")}`, phone: `(555) 010-${7700 + n}`, email: `manage${n}@example.org` }),
    // The day after tomorrow by default: always outside the clinic's 24-hour change window, whatever the hour the suite runs.
    date = addDays(tomorrowNY(), 1),
  ) {
    const w = await seedSchedule(clinic, { providers: 1 });
    const b = Browser.at(clinic);
    const start = nyInstant(date, time);
    const held = await holdAndGetDetails(b, w, start);
    const hold = new URL(`https://x${held.headers.get("location")}`).searchParams.get("h")!;
    const done = await b.post("/book/confirm", { hold, ...who });
    expect(done.status).toBe(303);
    return { w, b, start, hold, m: new URL(`https://x${done.headers.get("location")}`).searchParams.get("m")! };
  }

  it("gives the manage link of a booking only to the same person when its hold token is replayed", async () => {
    const { b, hold } = await booked("north", "13:00");
    const stranger = await b.post("/book/confirm", { hold, ...details({ given_name: "Mallory", family_name: "Other", date_of_birth: "1990-01-01" }) });
    expect(stranger.status).toBe(409);
    expect(await stranger.text()).toContain("already booked with this link");
  });

  it("moves a booking to another time of the same visit type, and refuses another type", async () => {
    // Two days ahead, so the visit stays outside the 24-hour change window whatever the hour.
    const day = tomorrowNY(Date.now() + 86_400_000);
    const { w, b, m } = await booked("north", "14:00", undefined, day);
    await clinicD1("north")
      .prepare("INSERT OR IGNORE INTO appointment_types (id, slug, name, duration_minutes, bookable_online) VALUES ('type-short', 'short', 'Short', 10, 1)")
      .run();
    await clinicD1("north").prepare("INSERT OR IGNORE INTO provider_appointment_types (provider_id, appointment_type_id) VALUES (?, 'type-short')").bind(w.providers[0]!.id).run();
    const p = w.providers[0]!;
    const other = nyInstant(day, "16:00");
    const wrongType = await b.post("/book/hold", { slot: `${p.id}|${w.locationId}|${other}`, type: "short", provider: p.slug, m });
    expect(wrongType.status).toBe(409);
    const moved = await b.post("/book/hold", { slot: `${p.id}|${w.locationId}|${other}`, type: w.typeSlug, provider: p.slug, m });
    expect(moved.status).toBe(303);
    expect(moved.headers.get("location")).toContain("moved=1");
    const row = await clinicD1("north").prepare("SELECT starts_at, version FROM appointments WHERE status = 'booked' AND starts_at = ?").bind(other).first();
    expect(row).toEqual({ starts_at: other, version: 2 });
    expect(await auditRows("north", "event = 'appointment.reschedule'")).toHaveLength(1);
    const ics = await (await b.get(`/book/ics?m=${encodeURIComponent(m)}`)).text();
    expect(ics).toContain("SEQUENCE:1");
    // The patient is told, by email and SMS, once.
    const notices = await clinicD1("north")
      .prepare("SELECT channel, body FROM outbox WHERE template = 'appointment.rescheduled' ORDER BY channel")
      .all<{ channel: string; body: string }>();
    expect(notices.results.map((n) => n.channel)).toEqual(["email", "sms"]);
    expect(notices.results[0]!.body).toContain("4:00");
  });

  it("lets a manage link live until its visit's end plus a week, and renews it when the visit moves", async () => {
    // Two days ahead, so the visit stays outside the 24-hour change window whatever the hour.
    const day = tomorrowNY(Date.now() + 86_400_000);
    const { w, b, m } = await booked("north", "14:30", undefined, day);
    const expOf = (token: string) => (decodeJwt(token).exp ?? 0) * 1000;
    const first = await clinicD1("north").prepare("SELECT id, ends_at FROM appointments WHERE status = 'booked' AND starts_at = ?").bind(nyInstant(day, "14:30")).first<{ id: string; ends_at: number }>();
    expect(Math.abs(expOf(m) - (first!.ends_at + MANAGE_GRACE_MS))).toBeLessThan(2000);

    const p = w.providers[0]!;
    const later = nyInstant(day, "12:00");
    const moved = await b.post("/book/hold", { slot: `${p.id}|${w.locationId}|${later}`, type: w.typeSlug, provider: p.slug, m });
    expect(moved.status).toBe(303);
    const renewed = new URL(`https://x${moved.headers.get("location")}`).searchParams.get("m")!;
    expect(renewed).not.toBe(m);
    expect(Math.abs(expOf(renewed) - (later + 30 * 60_000 + MANAGE_GRACE_MS))).toBeLessThan(2000);
    expect(await (await b.get(`/book/manage?m=${encodeURIComponent(renewed)}`)).text()).toContain("12:00");

    // A link of a visit that ended more than a week ago no longer opens.
    const ended = Date.now() - 8 * 86_400_000;
    const stale = await signManage(env, { slug: "riverside-north" } as Clinic, first!.id, ended, ended - 30 * 86_400_000);
    expect((await b.get(`/book/manage?m=${encodeURIComponent(stale)}`)).status).toBe(410);
  });

  it("cancels within the window and frees the time at once when nobody waits for it", async () => {
    const { w, b, start, m } = await booked("south", "15:00");
    const res = await b.post("/book/manage/cancel", { m });
    expect(res.status).toBe(303);
    const page = await (await b.get(res.headers.get("location")!)).text();
    expect(page).toContain("Appointment cancelled");
    const notice = await clinicD1("south").prepare("SELECT COUNT(*) AS n FROM outbox WHERE template = 'appointment.cancelled'").first<{ n: number }>();
    expect(notice!.n).toBe(2);
    const p = w.providers[0]!;
    expect((await Browser.at("south").post("/book/hold", { slot: `${p.id}|${w.locationId}|${start}`, type: w.typeSlug, provider: p.slug })).status).toBe(303);
    // A cancelled booking cannot be cancelled again, and its link cannot move it.
    expect((await b.post("/book/manage/cancel", { m })).status).toBe(409);
  });

  it("refuses online changes inside the clinic's window, and a manage link at another clinic", async () => {
    const { b, m } = await booked("north", "09:15");
    await clinicD1("north").prepare("UPDATE booking_rules SET cancel_window_hours = 72 WHERE id = 1").run();
    const res = await b.post("/book/manage/cancel", { m });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("Online changes close 72 hours before the visit");
    await clinicD1("north").prepare("UPDATE booking_rules SET cancel_window_hours = 24 WHERE id = 1").run();
    expect((await Browser.at("south").get(`/book/manage?m=${encodeURIComponent(m)}`)).status).toBe(410);
  });
});

describe("live updates on booking pages", () => {
  it("marks the time list for live refresh and tells an open page when a time is held", async () => {
    const { fetchWorker } = await import("../helpers");
    const w = await seedSchedule("south", { providers: 1 });
    const p = w.providers[0]!;
    const page = await (await Browser.at("south").get(`/book/${p.slug}/checkup?from=${tomorrowNY()}`)).text();
    expect(page).toContain('data-live="/book/live"');
    expect(page).toMatch(/<script src="\/assets\/live\.[0-9a-f]{12}\.js" defer>/);
    expect((await Browser.at("south").get("/book/live")).status).toBe(426);

    const res = await fetchWorker("https://riverside-south.example.test/book/live", { headers: { Upgrade: "websocket" } });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    const start = nyInstant(tomorrowNY(), "16:30");
    const taken = new Promise<Record<string, unknown> | null>((resolve) => {
      ws.addEventListener("message", (e) => {
        const msg = JSON.parse(String(e.data)) as Record<string, unknown>;
        if (msg.type === "taken" && msg.blockStart === start - 5 * 60_000) resolve(msg);
      });
      setTimeout(() => resolve(null), 5000);
    });
    expect((await holdAndGetDetails(Browser.at("south"), w, start)).status).toBe(303);
    // Provider and times only: nothing about the patient travels on the socket.
    expect(await taken).toEqual({ type: "taken", providerId: p.id, roomId: null, resourceId: null, blockStart: start - 5 * 60_000, blockEnd: start + 35 * 60_000 });
    ws.close(1000, "done");
  });
});
