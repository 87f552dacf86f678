// The staff calendar, driven through the Worker as the front desk's browser would: the day view,
// booking from a free slot (once, even when sent twice), refusals with alternatives, the status
// flow, cancelling, rescheduling, weekly series, permissions, tenancy and live updates.
import { beforeAll, describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { auditRows, Browser, clinicD1, fetchWorker, registerPatient, signedIn } from "../helpers";
import { nyInstant, seedSchedule, tomorrowNY, type ScheduleWorld } from "../schedule-fixtures";
import { clusterRows, dayHours, seriesDates } from "../../src/scheduling/calendar/days";
import { localParts, zonedInstant } from "../../src/platform/time";

let w: ScheduleWorld;
let desk: Browser;
const day = tomorrowNY();
const at = (time: string, weeks = 0) => {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + weeks * 7);
  return nyInstant(d.toISOString().slice(0, 10), time);
};

beforeAll(async () => {
  w = await seedSchedule("north", { providers: 2 });
  desk = await signedIn("north", USERS.frontDesk.email);
});

async function one<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T | null> {
  return clinicD1("north").prepare(sql).bind(...params).first<T>();
}

let patients = 0;
/** A registered patient with a name no other test uses. */
async function newPatient(family: string): Promise<string> {
  patients++;
  return registerPatient(desk, { given_name: `Pat${patients}`, family_name: family, email: `p${patients}@example.org` });
}

/** Opens the booking form of a free slot and returns its fields (with the form's key). */
async function openForm(b: Browser, provider: number, startsAt: number): Promise<Record<string, string>> {
  const p = w.providers[provider]!;
  const res = await b.get(`/calendar/new?provider=${p.id}&location=${w.locationId}&type=${w.typeId}&start=${startsAt}`);
  expect(res.status).toBe(200);
  const key = (await res.text()).match(/name="key" value="([0-9a-f-]{36})"/)![1]!;
  return { key, provider: p.id, location: w.locationId, type: w.typeId, start: String(startsAt) };
}

async function book(b: Browser, provider: number, startsAt: number, patientId: string, extra: Record<string, string> = {}): Promise<Response> {
  const form = await openForm(b, provider, startsAt);
  return b.post("/calendar/appointments", { ...form, patient_id: patientId, ...extra });
}

function appointmentId(res: Response): string {
  expect(res.status).toBe(303);
  return res.headers.get("location")!.match(/^\/calendar\/appointments\/([0-9a-f-]{36})\?/)![1]!;
}

async function row(id: string) {
  return one<{ status: string; version: number; starts_at: number; provider_id: string; patient_id: string; source: string; series_id: string | null; cancel_reason: string | null; created_by: string }>(
    "SELECT * FROM appointments WHERE id = ?",
    id,
  );
}

describe("GET /calendar (day view)", () => {
  it("shows a booked appointment with the patient's name, free times, and audits the read per patient", async () => {
    const pid = await registerPatient(desk, { given_name: "Lena", family_name: "Daylight", email: "lena@example.org" });
    const id = appointmentId(await book(desk, 1, at("11:00"), pid));
    const res = await desk.get(`/calendar?date=${day}&location=${w.locationId}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Daylight, Lena");
    expect(html).toContain(`href="/calendar/appointments/${id}"`);
    expect(html).toContain("Check-up");
    // Free times link to the booking form; the live script is loaded only here.
    expect(html).toContain(`start=${at("10:00")}`);
    expect(html).toMatch(/<script src="\/assets\/live\.[0-9a-f]{12}\.js" defer/);
    expect(html).toContain('id="day"');
    const reads = await auditRows("north", "event = 'appointment.list' AND patient_id = ? AND action = 'read'", pid);
    expect(reads.length).toBeGreaterThanOrEqual(1);
    expect(reads[0]!.user_id).toBe(USERS.frontDesk.id);

    // The same URL answers htmx (and the live refresh) with the grid alone.
    const frag = await desk.get(`/calendar?date=${day}&location=${w.locationId}`, { "HX-Request": "true", "HX-Target": "div#day" });
    const fragHtml = await frag.text();
    expect(fragHtml.startsWith('<div id="day"')).toBe(true);
    expect(fragHtml).toContain("Daylight, Lena");
    expect(fragHtml).not.toContain("<html");

    const week = await desk.get(`/calendar/week?provider=${w.providers[1]!.id}&date=${day}`);
    expect(week.status).toBe(200);
    expect(await week.text()).toContain("Daylight, Lena");
  });

  it("stays small: a day page within 60 KB compressed with its assets, the grid within 8 KB, bounded D1 round trips", async () => {
    const gz = async (body: ArrayBuffer | string) => (await new Response(new Response(body).body!.pipeThrough(new CompressionStream("gzip"))).arrayBuffer()).byteLength;
    const res = await desk.get(`/calendar?date=${day}&location=${w.locationId}`);
    const html = await res.text();
    let total = await gz(html);
    for (const m of html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)) total += await gz(await (await desk.get(m[1]!)).arrayBuffer());
    expect(total).toBeLessThanOrEqual(60 * 1024);
    const frag = await desk.get(`/calendar?date=${day}&location=${w.locationId}`, { "HX-Request": "true", "HX-Target": "div#day" });
    expect(await gz(await frag.text())).toBeLessThanOrEqual(8 * 1024);
    const trips = Number((res.headers.get("server-timing") ?? "").match(/d1;desc="(\d+) D1 round trips"/)![1]);
    expect(trips).toBeLessThanOrEqual(6);
  });
});

describe("POST /calendar/appointments (booking from a free slot)", () => {
  it("books for a found patient: the row, its audit row, and 303 to the appointment", async () => {
    const pid = await newPatient("Booker");
    const search = await desk.get(`/calendar/new?provider=${w.providers[0]!.id}&location=${w.locationId}&type=${w.typeId}&start=${at("10:00")}&q=booker`, {
      "HX-Request": "true",
      "HX-Target": "div#patient-picks",
    });
    const picks = await search.text();
    expect(picks).toContain(`value="${pid}"`);
    expect(picks).toContain("Booker, Pat");
    const res = await book(desk, 0, at("10:00"), pid);
    const id = appointmentId(res);
    expect(res.headers.get("location")).toBe(`/calendar/appointments/${id}?booked=1`);
    expect(await row(id)).toMatchObject({ status: "booked", source: "staff", patient_id: pid, provider_id: w.providers[0]!.id, starts_at: at("10:00"), created_by: USERS.frontDesk.id });
    const audits = await auditRows("north", "event = 'appointment.create' AND entity_id = ?", id);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ patient_id: pid, user_id: USERS.frontDesk.id, action: "create" });
    const pageHtml = await (await desk.get(`/calendar/appointments/${id}?booked=1`)).text();
    expect(pageHtml).toContain("Booked.");
    expect(pageHtml).toContain("Booker, Pat");
  });

  it("books once when the same form is sent twice, one after the other or at once", async () => {
    const pid = await newPatient("Twice");
    const form = await openForm(desk, 0, at("12:00"));
    const first = await desk.post("/calendar/appointments", { ...form, patient_id: pid });
    const second = await desk.post("/calendar/appointments", { ...form, patient_id: pid });
    expect(appointmentId(second)).toBe(appointmentId(first));
    expect((await one<{ n: number }>("SELECT COUNT(*) AS n FROM appointments WHERE idempotency_key = ?", form.key))!.n).toBe(1);

    const racing = await openForm(desk, 1, at("12:00"));
    const [a, b] = await Promise.all([
      desk.post("/calendar/appointments", { ...racing, patient_id: pid }),
      desk.post("/calendar/appointments", { ...racing, patient_id: pid }),
    ]);
    expect(appointmentId(a)).toBe(appointmentId(b));
    expect((await one<{ n: number }>("SELECT COUNT(*) AS n FROM appointments WHERE patient_id = ? AND status = 'booked'", pid))!.n).toBe(2);
  });

  it("refuses a taken slot with 409, a clear message and the nearest open times", async () => {
    const first = await newPatient("Early");
    const second = await newPatient("Late");
    appointmentId(await book(desk, 0, at("13:00"), first));
    // The form shows at once that the time is gone.
    const form = await openForm(desk, 0, at("13:00"));
    const res = await desk.post("/calendar/appointments", { ...form, patient_id: second });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain("That time is already taken");
    expect(html).toContain("Nearest open times");
    // 13:00 blocks 12:55-13:35 (5-minute buffers) and 12:00 blocks until 12:35: the nearest starts
    // of the same provider are 13:45 and 14:00.
    expect(html).toContain(`value="${w.providers[0]!.id}|${at("13:45")}"`);
    expect(html).toContain(`value="${w.providers[0]!.id}|${at("14:00")}"`);
    // The patient stays picked, and an alternative books with the same form.
    expect(html).toContain(`value="${second}" checked`);
    const alt = await desk.post("/calendar/appointments", { ...form, patient_id: second, alt: `${w.providers[0]!.id}|${at("13:45")}` });
    expect((await row(appointmentId(alt)))!.starts_at).toBe(at("13:45"));
  });

  it("quick-adds a new patient in the same batch as the visit, and refuses a bad one with 422", async () => {
    const bad = await book(desk, 1, at("13:00"), "new", { given_name: "", family_name: "Quick", date_of_birth: "2999-01-01", phone: "12" });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain("First name is required.");
    expect(badHtml).toContain("Phone must be a phone number");
    const res = await book(desk, 1, at("13:00"), "new", { given_name: "Quinn", family_name: "Quickadd", date_of_birth: "1990-05-06", phone: "(555) 300-4000" });
    const id = appointmentId(res);
    const a = await row(id);
    const p = await one<{ given_name: string; phone_digits: string; created_by: string }>("SELECT * FROM patients WHERE id = ?", a!.patient_id);
    expect(p).toMatchObject({ given_name: "Quinn", phone_digits: "5553004000", created_by: USERS.frontDesk.id });
    expect(await auditRows("north", "event = 'patient.create' AND patient_id = ?", a!.patient_id)).toHaveLength(1);

    // The same name and date of birth again: offered the existing patient first.
    const twin = { given_name: "Quinn", family_name: "Quickadd", date_of_birth: "1990-05-06", phone: "(555) 300-4001" };
    const dup = await book(desk, 1, at("09:15"), "new", twin);
    expect(dup.status).toBe(409);
    const dupHtml = await dup.text();
    expect(dupHtml).toContain("already registered");
    expect(dupHtml).toContain(`value="${a!.patient_id}"`);
    expect(dupHtml).not.toContain(`value="${a!.patient_id}" checked`);
    const other = appointmentId(await book(desk, 1, at("09:15"), "new", { ...twin, confirm_duplicate: "yes" }));
    expect((await row(other))!.patient_id).not.toBe(a!.patient_id);
  });
});

describe("an appointment's life", () => {
  it("moves forward through the status flow; backward is 422 and a stale form 409; no no-show before the visit", async () => {
    const id = appointmentId(await book(desk, 1, at("14:30"), await newPatient("Flow")));
    const post = (status: string, version: number) => desk.post(`/calendar/appointments/${id}/status`, { status, version: String(version) });
    expect((await post("confirmed", 1)).status).toBe(303);
    expect((await post("arrived", 2)).status).toBe(303);
    expect(await row(id)).toMatchObject({ status: "arrived", version: 3 });
    const back = await post("booked", 3);
    expect(back.status).toBe(422);
    expect(await back.text()).toContain("only moves forward");
    expect((await post("in_room", 2)).status).toBe(409);
    expect((await post("in_room", 3)).status).toBe(303);
    expect((await post("completed", 4)).status).toBe(303);
    expect((await row(id))!.status).toBe("completed");
    expect(await auditRows("north", "event = 'appointment.status' AND entity_id = ?", id)).toHaveLength(4);

    const future = appointmentId(await book(desk, 1, at("10:00"), await newPatient("Future")));
    const noShow = await desk.post(`/calendar/appointments/${future}/status`, { status: "no_show", version: "1" });
    expect(noShow.status).toBe(422);
    expect(await noShow.text()).toContain("has not started yet");
  });

  it("marks a visit that has started as a no-show", async () => {
    const pid = await newPatient("Absent");
    const id = crypto.randomUUID();
    const start = Date.now() - 3600_000;
    await clinicD1("north")
      .prepare(
        `INSERT INTO appointments (id, patient_id, provider_id, location_id, appointment_type_id, starts_at, ends_at, block_start, block_end, source, idempotency_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'staff', ?)`,
      )
      .bind(id, pid, w.providers[0]!.id, w.locationId, w.typeId, start, start + 1800_000, start - 300_000, start + 2100_000, `test:${id}`)
      .run();
    const res = await desk.post(`/calendar/appointments/${id}/status`, { status: "no_show", version: "1" });
    expect(res.status).toBe(303);
    expect((await row(id))!.status).toBe("no_show");
    expect(await auditRows("north", "event = 'appointment.status' AND entity_id = ?", id)).toHaveLength(1);
  });

  it("cancels with a required reason, which frees the time for another booking", async () => {
    const id = appointmentId(await book(desk, 0, at("15:00"), await newPatient("Cancel")));
    const missing = await desk.post(`/calendar/appointments/${id}/cancel`, { reason: "  ", version: "1", which: "this" });
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain("Give a reason for the cancellation.");
    expect((await row(id))!.status).toBe("booked");
    const res = await desk.post(`/calendar/appointments/${id}/cancel`, { reason: "Patient is travelling", version: "1", which: "this" });
    expect(res.status).toBe(303);
    expect(await row(id)).toMatchObject({ status: "cancelled", cancel_reason: "Patient is travelling", version: 2 });
    expect(await auditRows("north", "event = 'appointment.cancel' AND entity_id = ?", id)).toHaveLength(1);
    const again = await book(desk, 0, at("15:00"), await newPatient("Next"));
    expect((await row(appointmentId(again)))!.starts_at).toBe(at("15:00"));
  });

  it("reschedules: the row moves, the move is audited, and the old time is free again", async () => {
    const id = appointmentId(await book(desk, 1, at("16:00"), await newPatient("Mover")));
    const options = await desk.get(`/calendar/appointments/${id}/reschedule`);
    expect(options.status).toBe(200);
    // Its own time does not stand in its way: 16:15 overlaps only itself.
    expect(await options.text()).toContain(`value="${w.providers[1]!.id}|${w.locationId}|${at("16:15")}"`);
    const res = await desk.post(`/calendar/appointments/${id}/reschedule`, { slot: `${w.providers[1]!.id}|${w.locationId}|${at("16:30")}`, version: "1" });
    expect(res.status).toBe(303);
    expect(await row(id)).toMatchObject({ starts_at: at("16:30"), version: 2, status: "booked" });
    expect(await auditRows("north", "event = 'appointment.reschedule' AND entity_id = ?", id)).toHaveLength(1);
    const stale = await desk.post(`/calendar/appointments/${id}/reschedule`, { slot: `${w.providers[1]!.id}|${w.locationId}|${at("17:30")}`, version: "1" });
    expect(stale.status).toBe(409);
    const other = await book(desk, 1, at("15:45"), await newPatient("Taker"));
    expect((await row(appointmentId(other)))!.starts_at).toBe(at("15:45"));
  });
});

describe("weekly series", () => {
  it("books 4 weekly visits with one series, and 'this and following' cancels the last 3", async () => {
    const pid = await newPatient("Weekly");
    const res = await book(desk, 0, at("09:00"), pid, { repeat_weeks: "1", repeat_end: "count", repeat_count: "4" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/\?series=4-4$/);
    const rows = (
      await clinicD1("north").prepare("SELECT id, series_id, source, starts_at, status FROM appointments WHERE patient_id = ? ORDER BY starts_at").bind(pid).all<{
        id: string;
        series_id: string;
        source: string;
        starts_at: number;
        status: string;
      }>()
    ).results;
    expect(rows.map((r) => r.starts_at)).toEqual([at("09:00"), at("09:00", 1), at("09:00", 2), at("09:00", 3)]);
    const seriesId = rows[0]!.series_id;
    expect(seriesId).toBeTruthy();
    expect(rows.every((r) => r.series_id === seriesId && r.source === "recurring")).toBe(true);
    expect(await one("SELECT every_weeks, count FROM appointment_series WHERE id = ?", seriesId)).toEqual({ every_weeks: 1, count: 4 });
    expect(await auditRows("north", "event = 'appointment.create' AND patient_id = ?", pid)).toHaveLength(4);

    const page = await (await desk.get(`/calendar/appointments/${rows[1]!.id}`)).text();
    expect(page).toContain("Visit 2 of 4, every week");
    expect(page).toContain("This and the 2 following visits");
    const cancel = await desk.post(`/calendar/appointments/${rows[1]!.id}/cancel`, { reason: "Course of treatment ended", version: "1", which: "following" });
    expect(cancel.status).toBe(303);
    const after = (await clinicD1("north").prepare("SELECT status FROM appointments WHERE series_id = ? ORDER BY starts_at").bind(seriesId).all<{ status: string }>()).results;
    expect(after.map((r) => r.status)).toEqual(["booked", "cancelled", "cancelled", "cancelled"]);
  });

  it("skips visits that are taken and lists them", async () => {
    appointmentId(await book(desk, 1, at("08:30", 1), await newPatient("Blocker")));
    const pid = await newPatient("Skipper");
    const res = await book(desk, 1, at("08:30"), pid, { repeat_weeks: "1", repeat_end: "count", repeat_count: "3" });
    expect(res.status).toBe(303);
    const location = res.headers.get("location")!;
    expect(location).toContain("?series=2-3&skipped=");
    const html = await (await desk.get(location)).text();
    expect(html).toContain("Booked 2 of 3 visits.");
    expect(html).toMatch(/Skipped \w{3}, \w{3} \d{1,2} 8:30 AM: taken/);
    expect((await one<{ n: number }>("SELECT COUNT(*) AS n FROM appointments WHERE patient_id = ?", pid))!.n).toBe(2);
  });
});

describe("permissions and tenancy", () => {
  it("lets a biller view the calendar but not change it (403)", async () => {
    const pid = await newPatient("Billed");
    const id = appointmentId(await book(desk, 0, at("11:00"), pid));
    const biller = await signedIn("north", USERS.biller.email);
    const view = await biller.get(`/calendar?date=${day}&location=${w.locationId}`);
    expect(view.status).toBe(200);
    const html = await view.text();
    expect(html).toContain("Billed, Pat");
    expect(html).not.toContain("/calendar/new?");
    expect((await biller.get(`/calendar/appointments/${id}`)).status).toBe(200);
    expect((await biller.get(`/calendar/new?provider=${w.providers[0]!.id}&location=${w.locationId}&type=${w.typeId}&start=${at("14:00")}`)).status).toBe(403);
    const form = await openForm(desk, 0, at("14:00"));
    expect((await biller.post("/calendar/appointments", { ...form, patient_id: pid })).status).toBe(403);
    expect((await biller.post(`/calendar/appointments/${id}/status`, { status: "confirmed", version: "1" })).status).toBe(403);
    expect((await biller.post(`/calendar/appointments/${id}/cancel`, { reason: "x", version: "1", which: "this" })).status).toBe(403);
    expect((await row(id))!.status).toBe("booked");
  });

  it("checks the permission before a form's own errors, and refuses a bad change form with 422 naming the field, changing nothing", async () => {
    const id = appointmentId(await book(desk, 0, at("16:00"), await newPatient("Badform")));
    const biller = await signedIn("north", USERS.biller.email);
    expect((await biller.post(`/calendar/appointments/${id}/cancel`, { reason: "", version: "1", which: "this" })).status).toBe(403);
    expect((await biller.post(`/calendar/appointments/${id}/reschedule`, { slot: "nonsense", version: "1" })).status).toBe(403);
    expect((await biller.post("/calendar/appointments", { patient_id: "new" })).status).toBe(403);
    const slot = await desk.post(`/calendar/appointments/${id}/reschedule`, { slot: "nonsense", version: "1" });
    expect(slot.status).toBe(422);
    expect(await slot.text()).toContain("Pick one of the times shown.");
    const status = await desk.post(`/calendar/appointments/${id}/status`, { status: "flying", version: "1" });
    expect(status.status).toBe(422);
    expect(await status.text()).toContain("Choose a status.");
    const which = await desk.post(`/calendar/appointments/${id}/cancel`, { reason: "Travelling", version: "1", which: "all" });
    expect(which.status).toBe(422);
    expect(await which.text()).toContain("Nothing was cancelled.");
    expect(await row(id)).toMatchObject({ status: "booked", version: 1, starts_at: at("16:00") });
  });

  it("answers 404 for another clinic's appointment", async () => {
    const id = appointmentId(await book(desk, 0, at("16:45"), await newPatient("Foreign")));
    const other = await signedIn("hillcrest", USERS.hillOwner.email);
    expect((await other.get(`/calendar/appointments/${id}`)).status).toBe(404);
    expect((await other.post(`/calendar/appointments/${id}/status`, { status: "confirmed", version: "1" })).status).toBe(404);
    expect((await other.post(`/calendar/appointments/${id}/cancel`, { reason: "x", version: "1", which: "this" })).status).toBe(404);
    expect((await row(id))!.status).toBe("booked");
  });
});

describe("GET /calendar/live", () => {
  it("refuses an anonymous request and a plain (non-upgrade) one", async () => {
    const anon = await Browser.at("north").get("/calendar/live", { Upgrade: "websocket" });
    expect([303, 401]).toContain(anon.status);
    const plain = await desk.get("/calendar/live");
    expect(plain.status).toBe(426);
  });

  it("upgrades to a WebSocket that is told when a time is taken", async () => {
    const res = await fetchWorker(`${desk.origin}/calendar/live`, { headers: { Upgrade: "websocket", cookie: desk.cookieHeader() } });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    const taken = new Promise<Record<string, unknown>>((resolve) => {
      ws.addEventListener("message", (e) => {
        const msg = JSON.parse(String(e.data)) as Record<string, unknown>;
        if (msg.type === "taken" && msg.blockStart === at("17:30") - 5 * 60_000) resolve(msg);
      });
    });
    appointmentId(await book(desk, 0, at("17:30"), await newPatient("Live")));
    const msg = await Promise.race([taken, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    expect(msg).toMatchObject({ type: "taken", providerId: w.providers[0]!.id, blockEnd: at("17:30") + 35 * 60_000 });
    ws.close(1000, "done");
  });
});

describe("calendar arithmetic", () => {
  it("repeats a series every N weeks by count or until a date, at the same wall time across a DST change", () => {
    expect(seriesDates("2026-03-03", 1, { count: 3 })).toEqual(["2026-03-03", "2026-03-10", "2026-03-17"]);
    expect(seriesDates("2026-03-03", 2, { until: "2026-03-31" })).toEqual(["2026-03-03", "2026-03-17", "2026-03-31"]);
    expect(seriesDates("2026-01-01", 1, { count: 80 })).toHaveLength(52);
    const [a, b] = seriesDates("2026-10-27", 1, { count: 2 }).map((d) => zonedInstant(d, "10:00", "America/New_York"));
    expect(b! - a!).toBe(7 * 86_400_000 + 3_600_000);
    expect(localParts(b!, "America/New_York").time).toBe("10:00");
  });

  it("draws working hours minus breaks, closed on a holiday", () => {
    const weekly = [
      { providerId: "p", locationId: "l", weekday: 2, kind: "work" as const, startTime: "08:00", endTime: "18:00", validFrom: null, validUntil: null },
      { providerId: "p", locationId: "l", weekday: 2, kind: "break" as const, startTime: "12:00", endTime: "13:00", validFrom: null, validUntil: null },
    ];
    expect(dayHours({ weekly, overrides: [], holidays: [] }, "p", "l", "2026-03-03")).toEqual([
      [480, 720],
      [780, 1080],
    ]);
    expect(dayHours({ weekly, overrides: [], holidays: [{ locationId: null, date: "2026-03-03" }] }, "p", "l", "2026-03-03")).toEqual([]);
  });

  it("puts visits that touch the same 15-minute row into one cell", () => {
    // 10:00-10:20 covers the 10:00 and 10:15 rows; 10:25-10:55 starts in the 10:15 row: one cell of four rows.
    const cells = clusterRows([{ startMin: 600, endMin: 620 }, { startMin: 625, endMin: 655 }, { startMin: 720, endMin: 750 }], 480, 40);
    expect(cells.map((c) => [c.row, c.span, c.items.length])).toEqual([
      [8, 4, 2],
      [16, 2, 1],
    ]);
  });
});
