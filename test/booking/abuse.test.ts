/**
 * Abuse limits of public booking (src/booking/abuse.ts): times held at once per browser and per
 * IP, holds per 10 minutes, bookings per contact and per IP, the human check past the soft limits
 * (the tests' simulator stands in for Turnstile), and no booker-typed text in messages to
 * addresses the clinic does not know.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bookingHits, countHits, holdHits, LIMITS, type BookingClient } from "../../src/booking/abuse";
import { challengeFor, CHALLENGE_FIELD, SIMULATED_PASS, turnstile } from "../../src/booking/challenge";
import { createApp } from "../../src/app";
import { addDays } from "../../src/platform/time";
import { Browser, clinicD1, host, registerPatient, signedIn, type ClinicKey } from "../helpers";
import { USERS } from "../fixtures";
import { nyInstant, seedSchedule, tomorrowNY, type ScheduleWorld } from "../schedule-fixtures";

const ip = (addr: string) => ({ "cf-connecting-ip": addr });

/** A time `days` after tomorrow, New York wall clock. */
const at = (days: number, time: string) => nyInstant(addDays(tomorrowNY(), days), time);

function holdFields(w: ScheduleWorld, startsAt: number, provider = 0, extra: Record<string, string> = {}) {
  const p = w.providers[provider]!;
  return { slot: `${p.id}|${w.locationId}|${startsAt}`, type: w.typeSlug, provider: p.slug, back: `/book/${p.slug}/${w.typeSlug}`, ...extra };
}

let people = 0;
/** A different patient each time (name, birth date, phone, email), with overrides. */
function someone(over: Record<string, string> = {}) {
  const n = ++people;
  return {
    given_name: `Pat${n}`,
    family_name: "Limits",
    date_of_birth: `1970-02-${String((n % 27) + 1).padStart(2, "0")}`,
    phone: `(555) 3${String(n).padStart(2, "0")}-${String(1000 + n).slice(-4)}`,
    email: `pat${n}@example.org`,
    ...over,
  };
}

async function count(clinic: ClinicKey, sql: string, ...params: unknown[]): Promise<number> {
  return (await clinicD1(clinic).prepare(sql).bind(...params).first<{ n: number }>())!.n;
}

/** Hold a time, then send the details form; returns both answers. */
async function book(
  b: Browser,
  w: ScheduleWorld,
  startsAt: number,
  who: Record<string, string>,
  o: { headers?: Record<string, string>; provider?: number; challenge?: string } = {},
) {
  const held = await b.post("/book/hold", holdFields(w, startsAt, o.provider ?? 0), { headers: o.headers });
  if (held.status !== 303) throw new Error(`hold ${held.status}: ${(await held.text()).slice(0, 300)}`);
  const hold = new URL(`https://x${held.headers.get("location")}`).searchParams.get("h")!;
  const fields: Record<string, string> = { hold, ...who };
  if (o.challenge !== undefined) fields[CHALLENGE_FIELD] = o.challenge;
  const done = await b.post("/book/confirm", fields, { headers: o.headers });
  return { hold, done };
}

describe("times held at once", () => {
  it("one browser holds at most two times; a third is a 429 with a sentence, and the time stays free for others", async () => {
    const w = await seedSchedule("north");
    const b = Browser.at("north");
    expect((await b.post("/book/hold", holdFields(w, at(0, "10:00")))).status).toBe(303);
    expect((await b.post("/book/hold", holdFields(w, at(0, "12:00")))).status).toBe(303);
    const third = await b.post("/book/hold", holdFields(w, at(0, "14:00")));
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("Retry-After"))).toBeGreaterThan(0);
    const html = await third.text();
    expect(html).toContain("You are already holding 2 times. Finish booking one of them");
    // The refusal is the time list again, so a plain form works on: no JavaScript needed.
    expect(html).toContain('action="/book/hold"');
    // Nothing was held: another patient gets that very time.
    expect((await Browser.at("north").post("/book/hold", holdFields(w, at(0, "14:00")))).status).toBe(303);
  });

  it("a client that drops its cookie is still held to four times per IP: seven requests hold four slots, not 21", async () => {
    const w = await seedSchedule("south", { providers: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      // A fresh browser each time: no booking cookie is ever sent back.
      const res = await Browser.at("south").post("/book/hold", holdFields(w, at(1, `${String(8 + i).padStart(2, "0")}:00`), i % 2), { headers: ip("203.0.113.9") });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([303, 303, 303, 303, 429, 429, 429]);
    // Another network is not affected.
    expect((await Browser.at("south").post("/book/hold", holdFields(w, at(1, "16:00")), { headers: ip("198.51.100.20") })).status).toBe(303);
  });

  it("counts an IPv6 client by its /64: a new address for each request holds no more than one address would", async () => {
    const w = await seedSchedule("south", { providers: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await Browser.at("south").post("/book/hold", holdFields(w, at(3, `${String(8 + i).padStart(2, "0")}:00`), i % 2), { headers: ip(`2001:db8:aa:1:${(i + 1).toString(16)}::${i + 7}`) });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([303, 303, 303, 303, 429, 429]);
  });
});

describe("holds per 10 minutes", () => {
  it("past ten tries the page asks for the check, a wrong answer is refused, a passed check holds; past 30 it refuses with 429", async () => {
    const w = await seedSchedule("hillcrest", { providers: 1 });
    const taken = at(2, "10:00");
    expect((await Browser.at("hillcrest").post("/book/hold", holdFields(w, taken))).status).toBe(303);
    const b = Browser.at("hillcrest");
    // Ten tries at a time someone else holds: each is counted, none asks for a check.
    for (let i = 0; i < LIMITS.holdsPerBrowser.soft; i++) expect((await b.post("/book/hold", holdFields(w, taken))).status).toBe(409);

    const asked = await b.post("/book/hold", holdFields(w, at(2, "12:00")));
    expect(asked.status).toBe(429);
    const askedHtml = await asked.text();
    expect(askedHtml).toContain("Confirm you are a person");
    expect(askedHtml).toContain(`name="${CHALLENGE_FIELD}"`);
    expect(askedHtml).toContain("Please confirm you are a person, then send the form again.");

    const wrong = await b.post("/book/hold", holdFields(w, at(2, "12:00"), 0, { [CHALLENGE_FIELD]: "forged" }));
    expect(wrong.status).toBe(429);
    expect(await wrong.text()).toContain("The check did not pass. Please try it again.");

    const passed = await b.post("/book/hold", holdFields(w, at(2, "12:00"), 0, { [CHALLENGE_FIELD]: SIMULATED_PASS }));
    expect(passed.status).toBe(303);
    expect(passed.headers.get("location")).toMatch(/^\/book\/details\?h=/);

    // 13 counted so far; up to the hard limit a passed check still lets tries through.
    for (let n = 14; n <= LIMITS.holdsPerBrowser.limit; n++) {
      expect((await b.post("/book/hold", holdFields(w, taken, 0, { [CHALLENGE_FIELD]: SIMULATED_PASS }))).status).toBe(409);
    }
    const refused = await b.post("/book/hold", holdFields(w, at(2, "15:00"), 0, { [CHALLENGE_FIELD]: SIMULATED_PASS }));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    const html = await refused.text();
    expect(html).toContain("Too many times were picked from this connection.");
    expect(html).not.toContain(`name="${CHALLENGE_FIELD}"`);
    // Another browser on another network is not affected.
    expect((await Browser.at("hillcrest").post("/book/hold", holdFields(w, at(2, "15:00")))).status).toBe(303);
  });
});

describe("bookings per contact and per IP", () => {
  it("a fourth booking for one phone number in a day asks for the check and books nothing until it passes; past six it is refused", async () => {
    const w = await seedSchedule("north", { providers: 2 });
    const phone = "(555) 404-0404";
    for (let i = 0; i < LIMITS.bookingsPerContact.soft; i++) {
      const { done } = await book(Browser.at("north"), w, at(3, `${String(8 + i).padStart(2, "0")}:00`), someone({ phone }));
      expect(done.status).toBe(303);
    }
    const before = await count("north", "SELECT COUNT(*) AS n FROM appointments");
    const outboxBefore = await count("north", "SELECT COUNT(*) AS n FROM outbox");
    const b = Browser.at("north");
    const fourth = someone({ phone });
    const { hold, done } = await book(b, w, at(3, "13:00"), fourth);
    expect(done.status).toBe(429);
    const html = await done.text();
    expect(html).toContain("Confirm you are a person");
    // The form keeps what was typed.
    expect(html).toContain(`value="${fourth.given_name}"`);
    expect(await count("north", "SELECT COUNT(*) AS n FROM appointments")).toBe(before);
    expect(await count("north", "SELECT COUNT(*) AS n FROM outbox")).toBe(outboxBefore);

    const wrong = await b.post("/book/confirm", { hold, ...fourth, [CHALLENGE_FIELD]: "nope" });
    expect(wrong.status).toBe(429);
    expect(await count("north", "SELECT COUNT(*) AS n FROM appointments")).toBe(before);

    const passed = await b.post("/book/confirm", { hold, ...fourth, [CHALLENGE_FIELD]: SIMULATED_PASS });
    expect(passed.status).toBe(303);
    expect(await count("north", "SELECT COUNT(*) AS n FROM appointments")).toBe(before + 1);

    // Six counted now (three, the asked one, the wrong one, the passed one): the next is refused even with a check.
    const { done: refused } = await book(Browser.at("north"), w, at(3, "15:00"), someone({ phone }), { challenge: SIMULATED_PASS });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await refused.text()).toContain("Too many bookings were made from this connection or with these contact details.");
    expect(await count("north", "SELECT COUNT(*) AS n FROM appointments")).toBe(before + 1);
  });

  it("counts an email however it is typed: the fourth booking for one address asks for the check", async () => {
    const w = await seedSchedule("south", { providers: 2 });
    const emails = ["Target@Example.org", "target@example.org", " TARGET@example.ORG", "target@EXAMPLE.org"];
    const statuses: number[] = [];
    for (const [i, email] of emails.entries()) {
      const { done } = await book(Browser.at("south"), w, at(4, `${String(8 + i).padStart(2, "0")}:00`), someone({ email }));
      statuses.push(done.status);
    }
    expect(statuses).toEqual([303, 303, 303, 429]);
    expect(await count("south", "SELECT COUNT(*) AS n FROM outbox WHERE recipient = 'target@example.org' AND template = 'booking.confirmation'")).toBe(3);
  });

  it("a busy hour on a clinic's Wi-Fi (20 patients, one IP) books without a check; the 21st booking from that IP is asked for one", async () => {
    const w = await seedSchedule("hillcrest", { providers: 3 });
    const wifi = ip("192.0.2.44");
    const times = ["08:00", "09:00", "10:00", "11:00", "12:00", "13:00", "14:00"];
    for (let i = 0; i < LIMITS.bookingsPerIp.soft; i++) {
      const { done } = await book(Browser.at("hillcrest"), w, at(5, times[Math.floor(i / 3)]!), someone(), { headers: wifi, provider: i % 3 });
      expect(done.status, `booking ${i + 1}`).toBe(303);
    }
    const { done } = await book(Browser.at("hillcrest"), w, at(5, "16:00"), someone(), { headers: wifi });
    expect(done.status).toBe(429);
    expect(await done.text()).toContain("Confirm you are a person");
    // Patients elsewhere are not slowed down by it.
    const { done: home } = await book(Browser.at("hillcrest"), w, at(5, "17:00"), someone(), { headers: ip("198.51.100.77") });
    expect(home.status).toBe(303);
  });

  it("a normal day at a front-desk kiosk (40 patients, one browser and IP, 8:00 to 18:00) stays under every limit", async () => {
    const kiosk: BookingClient = { ip: "192.0.2.200", browser: "kiosk-browser-id-0000000001" };
    // A day ahead: the limiter's alarm deletes windows already past in real time.
    const start = Date.now() + 86_400_000;
    const verdicts: string[] = [];
    for (let i = 0; i < 40; i++) {
      const now = start + i * 15 * 60_000;
      // Some patients look at two times before booking one.
      const looks = i % 3 === 0 ? 2 : 1;
      for (let k = 0; k < looks; k++) verdicts.push((await countHits(env, holdHits(kiosk), now + k * 60_000)).kind);
      verdicts.push((await countHits(env, bookingHits(kiosk, { email: `kiosk${i}@example.org`, phone: `+1555700${String(i).padStart(4, "0")}` }), now + 2 * 60_000)).kind);
    }
    expect(verdicts.every((v) => v === "ok")).toBe(true);
  });
});

describe("messages to contacts the clinic does not know", () => {
  const attacker = {
    given_name: "WIN $500 now at evil.example",
    family_name: "Reply STOP to claim",
    date_of_birth: "1990-09-09",
    phone: "(555) 666-0001",
    email: "victim@example.org",
  };

  it("the confirmation to a typed address carries none of the booker's text, and says how to cancel a booking one did not make", async () => {
    const w = await seedSchedule("north");
    const { done } = await book(Browser.at("north"), w, at(6, "10:00"), attacker);
    expect(done.status).toBe(303);
    const mail = await clinicD1("north")
      .prepare("SELECT recipient, subject, body FROM outbox WHERE template = 'booking.confirmation' AND recipient = 'victim@example.org'")
      .first<{ recipient: string; subject: string; body: string }>();
    expect(mail).not.toBeNull();
    for (const text of [mail!.subject, mail!.body]) {
      for (const word of ["WIN", "$500", "evil", "STOP", "claim", attacker.given_name, attacker.family_name]) expect(text).not.toContain(word);
    }
    expect(mail!.subject).toBe("Appointment booked at Riverside North");
    expect(mail!.body).toContain("Hello,\n\nAn appointment with Dr. dr-riv-1 at Riverside North was booked online with this email address");
    expect(mail!.body).toContain("or if you did not book it:\nhttps://");
    expect(mail!.body).toContain("/book/ics?m=");
  });

  it("an existing patient's own address (entered by staff) gets the clinic's template with their name; another address typed for them does not", async () => {
    const w = await seedSchedule("hillcrest", { providers: 1 });
    const owner = await signedIn("hillcrest", USERS.hillOwner.email);
    const ines = { given_name: "Ines", family_name: "Known", date_of_birth: "1977-03-03", phone: "(555) 010-9191", email: "ines.known@example.org" };
    await registerPatient(owner, ines);
    const { done } = await book(Browser.at("hillcrest"), w, at(6, "10:00"), ines);
    expect(done.status).toBe(303);
    const own = await clinicD1("hillcrest").prepare("SELECT subject, body FROM outbox WHERE template = 'booking.confirmation' AND recipient = ?").bind(ines.email).first<{ subject: string; body: string }>();
    expect(own!.body).toContain("Hello Ines,");
    expect(own!.subject).toBe("Your appointment at Hillcrest Family Practice is booked");

    // The same patient (matched by phone) with an address the clinic has never seen: neutral text.
    const { done: other } = await book(Browser.at("hillcrest"), w, at(6, "12:00"), { ...ines, email: "someone.else@example.org" });
    expect(other.status).toBe(303);
    const typed = await clinicD1("hillcrest").prepare("SELECT body FROM outbox WHERE template = 'booking.confirmation' AND recipient = 'someone.else@example.org'").first<{ body: string }>();
    expect(typed!.body).not.toContain("Ines");
    expect(typed!.body).toContain("if you did not book it");
  });

  it("a record only ever made online is not vouched for: booking again with the same address stays neutral", async () => {
    const w = await seedSchedule("south", { providers: 1 });
    const first = await book(Browser.at("south"), w, at(7, "10:00"), attacker);
    expect(first.done.status).toBe(303);
    const again = await book(Browser.at("south"), w, at(7, "12:00"), attacker);
    expect(again.done.status).toBe(303);
    // One patient (the second booking matched the first's record), two neutral confirmations.
    expect(await count("south", "SELECT COUNT(*) AS n FROM patients WHERE email = 'victim@example.org'")).toBe(1);
    const bodies = await clinicD1("south").prepare("SELECT body FROM outbox WHERE template = 'booking.confirmation' AND recipient = 'victim@example.org'").all<{ body: string }>();
    expect(bodies.results).toHaveLength(2);
    for (const { body } of bodies.results) expect(body).not.toContain("evil");
  });
});

describe("the human check", () => {
  it("Turnstile: siteverify is posted the secret, the token and the IP; success passes, anything else (or no answer) does not", async () => {
    const calls: { url: string; body: FormData }[] = [];
    let answer: () => Response = () => Response.json({ success: true });
    const fake = (async (url: string, init: RequestInit) => {
      calls.push({ url, body: init.body as FormData });
      return answer();
    }) as unknown as typeof fetch;
    const t = turnstile("secret-1", "site-1", fake);
    expect(t.widget).toEqual({ kind: "turnstile", siteKey: "site-1", script: "https://challenges.cloudflare.com/turnstile/v0/api.js" });
    expect(await t.verify("token-1", "203.0.113.5")).toBe(true);
    expect(calls[0]!.url).toBe("https://challenges.cloudflare.com/turnstile/v0/siteverify");
    expect(calls[0]!.body.get("secret")).toBe("secret-1");
    expect(calls[0]!.body.get("response")).toBe("token-1");
    expect(calls[0]!.body.get("remoteip")).toBe("203.0.113.5");
    answer = () => Response.json({ success: false, "error-codes": ["invalid-input-response"] });
    expect(await t.verify("token-2", null)).toBe(false);
    answer = () => new Response("down", { status: 500 });
    expect(await t.verify("token-3", null)).toBe(false);
    answer = () => {
      throw new Error("network");
    };
    expect(await t.verify("token-4", null)).toBe(false);
    // No token: nothing is asked of Cloudflare.
    const before = calls.length;
    expect(await t.verify(undefined, null)).toBe(false);
    expect(calls.length).toBe(before);
  });

  it("is chosen by configuration: skipped locally, fails closed in production without a secret, never simulated in production", async () => {
    const base = { TURNSTILE_SECRET: undefined, TURNSTILE_SITE_KEY: undefined };
    expect(challengeFor({ ...base, ENVIRONMENT: "development" }).widget.kind).toBe("none");
    expect(await challengeFor({ ...base, ENVIRONMENT: "development" }).verify(undefined, null)).toBe(true);
    expect(await challengeFor({ ...base, ENVIRONMENT: "production" }).verify("anything", null)).toBe(false);
    expect(await challengeFor({ ...base, ENVIRONMENT: "production", TURNSTILE_SECRET: "simulated" }).verify(SIMULATED_PASS, null)).toBe(false);
    expect(challengeFor({ ...base, ENVIRONMENT: "production", TURNSTILE_SECRET: "s", TURNSTILE_SITE_KEY: "k" }).widget.kind).toBe("turnstile");
  });

  it("with Turnstile configured, booking pages allow Cloudflare's script and frame, and staff pages do not", async () => {
    const app = createApp();
    const configured = { ...env, TURNSTILE_SECRET: "secret", TURNSTILE_SITE_KEY: "site" };
    await seedSchedule("north");
    const booking = await app.request(`https://${host("north")}/book`, {}, configured);
    expect(booking.status).toBe(200);
    const csp = booking.headers.get("Content-Security-Policy")!;
    // Forms still post only here: no sibling clinic is a form target of a public page.
    expect(csp).toMatch(/form-action 'self'$/);
    expect(csp).not.toContain(`*.${env.BASE_DOMAIN}`);
    expect(csp).toContain("script-src 'self' https://challenges.cloudflare.com");
    expect(csp).toContain("frame-src https://challenges.cloudflare.com");
    const login = await app.request(`https://${host("north")}/login`, {}, configured);
    expect(login.headers.get("Content-Security-Policy")).toContain("script-src 'self';");
    expect(login.headers.get("Content-Security-Policy")).not.toContain("challenges.cloudflare.com");
  });
});

describe("later messages to a contact nobody confirmed", () => {
  it("the notice of a moved booking made online greets nobody by the typed name, by email or SMS", async () => {
    const w = await seedSchedule("north", { providers: 1 });
    await clinicD1("north").prepare("UPDATE booking_rules SET cancel_window_hours = 0 WHERE id = 1").run();
    const b = Browser.at("north");
    const typed = { given_name: "Free iPhone at evil.example", family_name: "Texter", date_of_birth: "1991-01-01", phone: "(555) 666-0042", email: "victim2@example.org" };
    const { done } = await book(b, w, at(8, "10:00"), typed);
    expect(done.status).toBe(303);
    const m = new URL(`https://x${done.headers.get("location")}`).searchParams.get("m")!;
    const p = w.providers[0]!;
    const moved = await b.post("/book/hold", { slot: `${p.id}|${w.locationId}|${at(8, "14:00")}`, type: w.typeSlug, provider: p.slug, m });
    expect(moved.status).toBe(303);
    const notices = await clinicD1("north")
      .prepare("SELECT channel, subject, body FROM outbox WHERE template = 'appointment.rescheduled' AND patient_id = (SELECT patient_id FROM appointments WHERE starts_at = ?) ORDER BY channel")
      .bind(at(8, "14:00"))
      .all<{ channel: string; subject: string | null; body: string }>();
    expect(notices.results.map((n) => n.channel)).toEqual(["email", "sms"]);
    for (const n of notices.results) {
      expect(`${n.subject ?? ""} ${n.body}`).not.toContain("iPhone");
      expect(`${n.subject ?? ""} ${n.body}`).not.toContain("evil");
      // "Hello {{first_name}}," reads "Hello," without the name.
      expect(n.body).not.toMatch(/ ,/);
    }
  });
});
