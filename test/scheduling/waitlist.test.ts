import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { auditRows, Browser, clinicD1, registerPatient, signedIn } from "../helpers";
import { nyInstant, seedSchedule, tomorrowNY } from "../schedule-fixtures";

async function bookOnline(w: Awaited<ReturnType<typeof seedSchedule>>, startsAt: number, who: Record<string, string>) {
  const b = Browser.at("north");
  const p = w.providers[0]!;
  const held = await b.post("/book/hold", { slot: `${p.id}|${w.locationId}|${startsAt}`, type: w.typeSlug, provider: p.slug });
  expect(held.status).toBe(303);
  const hold = new URL(`https://x${held.headers.get("location")}`).searchParams.get("h")!;
  const done = await b.post("/book/confirm", { hold, ...who });
  expect(done.status).toBe(303);
  return { b, manage: new URL(`https://x${done.headers.get("location")}`).searchParams.get("m")! };
}

describe("the waitlist", () => {
  it("offers freed time to the first matching patients; the first to claim gets it, the second is refused", async () => {
    const w = await seedSchedule("north", { providers: 1 });
    const desk = await signedIn("north", USERS.frontDesk.email);
    const first = await registerPatient(desk, { given_name: "Ada", family_name: "First", date_of_birth: "1970-01-01", email: "ada@example.org" });
    const second = await registerPatient(desk, { given_name: "Ben", family_name: "Second", date_of_birth: "1971-01-01", email: "ben@example.org" });
    const third = await registerPatient(desk, { given_name: "Cy", family_name: "Third", date_of_birth: "1972-01-01", email: "cy@example.org" });
    // The day after tomorrow: a visit tomorrow morning is inside the 24-hour online change window after mid-afternoon UTC.
    const day = tomorrowNY(Date.now() + 86_400_000);
    const add = (patient: string, time: string) => desk.post("/waitlist", { patient, type: w.typeId, provider: "", from: day, to: day, times: time });
    expect((await add(first, "morning")).status).toBe(303);
    expect((await add(second, "morning")).status).toBe(303);
    expect((await add(third, "evening")).status).toBe(303);
    const list = await (await desk.get("/waitlist")).text();
    expect(list).toContain("First, Ada");

    const start = nyInstant(day, "10:00");
    const { b, manage } = await bookOnline(w, start, { given_name: "Zed", family_name: "Booker", date_of_birth: "1960-06-06", phone: "555-010-1111", email: "" });
    const cancelled = await b.post("/book/manage/cancel", { m: manage });
    expect(cancelled.status).toBe(303);

    const offers = await clinicD1("north").prepare("SELECT o.*, w.patient_id FROM waitlist_offers o JOIN waitlist_entries w ON w.id = o.entry_id ORDER BY w.created_at").all<Record<string, unknown>>();
    expect(offers.results.map((o) => o.patient_id)).toEqual([first, second]);
    expect(offers.results.every((o) => o.starts_at === start && o.status === "offered")).toBe(true);
    const mails = await clinicD1("north").prepare("SELECT recipient, body FROM outbox WHERE template = 'waitlist.offer' ORDER BY recipient").all<{ recipient: string; body: string }>();
    expect(mails.results.map((m) => m.recipient)).toEqual(["ada@example.org", "ben@example.org"]);
    const linkOf = (body: string) => new URL(body.match(/https:\/\/\S+/)![0]);

    // The freed time is held for the waitlist: an ordinary booking cannot take it meanwhile.
    const other = Browser.at("north");
    const p = w.providers[0]!;
    expect((await other.post("/book/hold", { slot: `${p.id}|${w.locationId}|${start}`, type: w.typeSlug, provider: p.slug })).status).toBe(409);

    const benLink = linkOf(mails.results[1]!.body);
    const adaLink = linkOf(mails.results[0]!.body);
    const ben = Browser.at("north");
    const benPage = await ben.get(`${benLink.pathname}${benLink.search}`);
    expect(await benPage.text()).toContain("Claim this time");
    const benClaim = await ben.post("/book/offer/claim", { o: benLink.searchParams.get("o")! });
    expect(benClaim.status).toBe(200);
    expect(await benClaim.text()).toContain("The time is yours");
    const ada = Browser.at("north");
    const adaClaim = await ada.post("/book/offer/claim", { o: adaLink.searchParams.get("o")! });
    expect(adaClaim.status).toBe(409);
    expect(await adaClaim.text()).toContain("Sorry, this time has been taken");

    const appts = await clinicD1("north").prepare("SELECT patient_id, source FROM appointments WHERE starts_at = ? AND status = 'booked'").bind(start).all();
    expect(appts.results).toEqual([{ patient_id: second, source: "waitlist" }]);
    const entries = await clinicD1("north").prepare("SELECT patient_id, status FROM waitlist_entries ORDER BY created_at").all();
    expect(entries.results).toEqual([
      { patient_id: first, status: "waiting" },
      { patient_id: second, status: "booked" },
      { patient_id: third, status: "waiting" },
    ]);
    expect(await auditRows("north", "event = 'waitlist.offer'")).toHaveLength(2);
  });

  it("validates a waitlist entry and refuses a patient of another clinic", async () => {
    await seedSchedule("south", { providers: 1 });
    const desk = await signedIn("north", USERS.frontDesk.email);
    const patient = await registerPatient(desk, { given_name: "Val", family_name: "Idate", date_of_birth: "1980-01-01" });
    const count = async () => (await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM waitlist_entries").first<{ n: number }>())!.n;
    const before = await count();
    const bad = await desk.post("/waitlist", { patient, type: "", provider: "", from: "2026-13-01", to: "" });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain("Choose a visit type.");
    expect(html).toContain("From must be a date.");
    expect(html).toContain("Choose at least one time of day.");
    expect(await count()).toBe(before);
    const southDesk = await signedIn("south", USERS.provider.email);
    expect((await southDesk.get(`/waitlist?patient=${patient}`)).status).toBe(404);
  });
});
