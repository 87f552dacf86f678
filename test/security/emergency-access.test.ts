// Emergency access ("break the glass", ONC 170.315(d)(6)): with charts kept to the care team, a
// provider without a care relationship meets an interstitial instead of the chart, opens it by
// giving a reason (a time-boxed grant, audited as access.emergency, every read under it marked),
// and the privacy officer reviews each access at /audit/emergency. Another clinic's patient stays a 404.
import { beforeAll, describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { auditRows, clinicD1, signedIn, type Browser } from "../helpers";
import { gzipSize, newPatient } from "../charting/support";
import { seedSchedule, type ScheduleWorld } from "../schedule-fixtures";

const DAY = 86_400_000;
let world: ScheduleWorld;
let desk: Browser;

/** A patient registered by the front desk (so no clinician registered them), with an allergy the chart shows. */
async function patientOfNobody(): Promise<string> {
  const pid = await newPatient(desk);
  await clinicD1("north")
    .prepare("INSERT INTO allergies (id, patient_id, substance, category, severity, status) VALUES (?, ?, 'Penicillin', 'medication', 'severe', 'active')")
    .bind(`al-${pid}`, pid)
    .run();
  return pid;
}

async function appointment(pid: string, providerIndex: number, startsAt: number, status = "booked"): Promise<string> {
  const id = `ap-${crypto.randomUUID()}`;
  await clinicD1("north")
    .prepare(
      `INSERT INTO appointments (id, patient_id, provider_id, location_id, appointment_type_id, starts_at, ends_at, block_start, block_end, status, source, idempotency_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'staff', ?)`,
    )
    .bind(id, pid, world.providers[providerIndex]!.id, world.locationId, world.typeId, startsAt, startsAt + 1_800_000, startsAt, startsAt + 1_800_000, status, id)
    .run();
  return id;
}

async function grants(pid: string) {
  return (await clinicD1("north").prepare("SELECT * FROM emergency_access WHERE patient_id = ?").bind(pid).all<Record<string, string | number | null>>()).results;
}

beforeAll(async () => {
  world = await seedSchedule("north");
  // Dr. Priya Provider is the first bookable provider; Lee Lock (also a provider) the second.
  await clinicD1("north").batch([
    clinicD1("north").prepare("UPDATE providers SET user_id = ? WHERE id = ?").bind(USERS.provider.id, world.providers[0]!.id),
    clinicD1("north").prepare("UPDATE providers SET user_id = ? WHERE id = ?").bind(USERS.lockTarget.id, world.providers[1]!.id),
  ]);
  desk = await signedIn("north", USERS.frontDesk.email);
  const admin = await signedIn("north", USERS.admin.email);
  const res = await admin.post("/audit/emergency/policy", { care_team_only: "on" });
  expect(res.status).toBe(303);
});

describe("charts kept to the care team", () => {
  it("shows a provider without a care relationship the interstitial, not the chart, and audits the refusal", async () => {
    const pid = await patientOfNobody();
    const provider = await signedIn("north", USERS.provider.email);
    for (const path of [`/patients/${pid}/chart`, `/patients/${pid}/progress`, `/patients/${pid}/documents`]) {
      const res = await provider.get(path);
      expect(res.status).toBe(403);
      const html = await res.text();
      expect(html).toContain("You have no care relationship with this patient");
      expect(html).toContain(`action="/patients/${pid}/emergency-access"`);
      expect(html).toContain(`name="next" value="${path}"`);
      expect(html).not.toContain("Penicillin");
    }
    // A write is refused the same way, and nothing is written.
    const write = await provider.post(`/patients/${pid}/chart/allergies`, { substance: "Latex", category: "environment", reaction: "", severity: "mild", status: "active", onset_date: "", note: "" });
    expect(write.status).toBe(403);
    expect((await clinicD1("north").prepare("SELECT count(*) AS n FROM allergies WHERE patient_id = ?").bind(pid).first<{ n: number }>())?.n).toBe(1);
    const denied = await auditRows("north", "event = 'access.denied' AND patient_id = ? AND user_id = ?", pid, USERS.provider.id);
    expect(denied).toHaveLength(4);
    expect(denied[0]).toMatchObject({ outcome: "denied", detail: "no care relationship", entity_id: `GET /patients/${pid}/chart` });
    expect(await grants(pid)).toHaveLength(0);
  });

  it("opens the chart directly for a provider with an appointment, and counts no cancelled or old one", async () => {
    const provider = await signedIn("north", USERS.provider.email);
    const pid = await patientOfNobody();
    await appointment(pid, 0, Date.now() - 2 * DAY, "cancelled");
    await appointment(pid, 0, Date.now() - 400 * DAY, "completed");
    await appointment(pid, 1, Date.now() + DAY);
    expect((await provider.get(`/patients/${pid}/chart`)).status).toBe(403);

    await appointment(pid, 0, Date.now() + 3 * DAY);
    const res = await provider.get(`/patients/${pid}/chart`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Penicillin");
    expect(await grants(pid)).toHaveLength(0);
    // The care-team check is one more D1 round trip, and the chart stays within its budget.
    expect(Number((res.headers.get("server-timing") ?? "").match(/d1;desc="(\d+) D1 round trips"/)?.[1])).toBeLessThanOrEqual(4);
    // The other provider, whose visit it is, opens it too.
    const other = await signedIn("north", USERS.lockTarget.email);
    expect((await other.get(`/patients/${pid}/chart`)).status).toBe(200);
  });

  it("opens the chart for the clinician who registered the patient, and for a nurse when the patient has a visit", async () => {
    const provider = await signedIn("north", USERS.provider.email);
    const own = await newPatient(provider);
    expect((await provider.get(`/patients/${own}/chart`)).status).toBe(200);

    const nurse = await signedIn("north", USERS.nurse.email);
    const pid = await patientOfNobody();
    expect((await nurse.get(`/patients/${pid}/chart`)).status).toBe(403);
    await appointment(pid, 1, Date.now() - 10 * DAY, "completed");
    expect((await nurse.get(`/patients/${pid}/chart`)).status).toBe(200);
  });
});

describe("notes and encounters, reached by their own ids", () => {
  it("are kept to the care team too, and a visit cannot be started as a way around it", async () => {
    const pid = await patientOfNobody();
    const encounterId = `enc-${crypto.randomUUID()}`;
    const noteId = `note-${crypto.randomUUID()}`;
    await clinicD1("north").batch([
      clinicD1("north")
        .prepare("INSERT INTO encounters (id, patient_id, provider_staff_id, provider_name, kind, reason, started_at, status) VALUES (?, ?, ?, ?, 'ad_hoc', 'Follow-up', ?, 'open')")
        .bind(encounterId, pid, USERS.lockTarget.id, USERS.lockTarget.name, Date.now() - DAY),
      clinicD1("north")
        .prepare("INSERT INTO notes (id, encounter_id, patient_id, title, definition, author_staff_id, author_name) VALUES (?, ?, ?, 'Follow-up note', '{\"sections\":[]}', ?, ?)")
        .bind(noteId, encounterId, pid, USERS.lockTarget.id, USERS.lockTarget.name),
    ]);
    const provider = await signedIn("north", USERS.provider.email);
    for (const path of [`/notes/${noteId}`, `/encounters/${encounterId}`]) {
      const res = await provider.get(path);
      expect(res.status).toBe(403);
      const html = await res.text();
      expect(html).toContain("You have no care relationship with this patient");
      expect(html).toContain(`name="next" value="${path}"`);
    }
    const start = await provider.post("/encounters", { patient_id: pid, reason: "Walk-in" });
    expect(start.status).toBe(403);
    expect((await clinicD1("north").prepare("SELECT count(*) AS n FROM encounters WHERE patient_id = ?").bind(pid).first<{ n: number }>())?.n).toBe(1);
    // Nor through another provider's appointment, with a blank patient field beside it.
    const theirs = await appointment(pid, 1, Date.now() + DAY);
    const sideways = await provider.post("/encounters", { patient_id: " ", appointment_id: theirs, reason: "Walk-in" });
    expect(sideways.status).toBe(403);
    expect((await clinicD1("north").prepare("SELECT count(*) AS n FROM encounters WHERE patient_id = ?").bind(pid).first<{ n: number }>())?.n).toBe(1);
    // The list across patients is not one patient's record.
    expect((await provider.get("/encounters")).status).toBe(200);
    // The author of the note, and the provider of the visit, open both.
    const author = await signedIn("north", USERS.lockTarget.email);
    expect((await author.get(`/encounters/${encounterId}`)).status).toBe(200);

    const granted = await provider.post(`/patients/${pid}/emergency-access`, { reason: "Covering the follow-up while Dr. Lock is away", next: `/encounters/${encounterId}` });
    expect(granted.headers.get("location")).toBe(`/encounters/${encounterId}`);
    const visit = await provider.get(`/encounters/${encounterId}`);
    expect(visit.status).toBe(200);
    expect(await visit.text()).toContain("Follow-up");
  });
});

describe("POST /patients/:id/emergency-access", () => {
  it("requires a one-line reason of at least 10 characters, naming the field, and writes nothing", async () => {
    const pid = await patientOfNobody();
    const provider = await signedIn("north", USERS.provider.email);
    const cases: [string, RegExp][] = [
      ["", /Reason is required/],
      ["   ", /Reason is required/],
      ["need it", /Reason must be at least 10 characters/],
      ["patient is here\nwith chest pain", /Reason must be one line/],
    ];
    for (const [reason, message] of cases) {
      const res = await provider.post(`/patients/${pid}/emergency-access`, { reason, next: `/patients/${pid}/chart` });
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toMatch(message);
      expect(html).toContain('id="f-reason"');
      expect(html).toContain('aria-invalid="true"');
    }
    expect(await grants(pid)).toHaveLength(0);
    expect(await auditRows("north", "event = 'access.emergency' AND patient_id = ?", pid)).toHaveLength(0);
    expect((await provider.get(`/patients/${pid}/chart`)).status).toBe(403);
  });

  it("opens the chart after the reason: a four-hour grant, an access.emergency row, and every read under it marked", async () => {
    const pid = await patientOfNobody();
    const provider = await signedIn("north", USERS.provider.email);
    const before = Date.now();
    const res = await provider.post(`/patients/${pid}/emergency-access`, { reason: "Patient collapsed in the waiting room; Dr. Lock is away", next: `/patients/${pid}/progress` });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/patients/${pid}/progress`);

    const [grant, ...more] = await grants(pid);
    expect(more).toHaveLength(0);
    expect(grant).toMatchObject({ staff_id: USERS.provider.id, staff_name: USERS.provider.name, staff_role: "provider", reason: "Patient collapsed in the waiting room; Dr. Lock is away", reviewed_at: null });
    const hours = (Number(grant!.expires_at) - Number(grant!.granted_at)) / 3_600_000;
    expect(hours).toBe(4);
    expect(Number(grant!.granted_at)).toBeGreaterThanOrEqual(before);

    const [event] = await auditRows("north", "event = 'access.emergency' AND patient_id = ?", pid);
    expect(event).toMatchObject({ user_id: USERS.provider.id, outcome: "success", entity_id: grant!.id });
    expect(event!.detail).toContain("Patient collapsed in the waiting room");

    const chart = await provider.get(`/patients/${pid}/chart`);
    expect(chart.status).toBe(200);
    expect(await chart.text()).toContain("Penicillin");
    const reads = await auditRows("north", "patient_id = ? AND user_id = ? AND action = 'read' AND outcome = 'success' AND event != 'access.emergency'", pid, USERS.provider.id);
    expect(reads.length).toBeGreaterThan(0);
    for (const r of reads) expect(r.detail).toMatch(new RegExp(`^emergency access \\(grant ${grant!.id}\\)`));

    // The grant is this provider's only: another provider still meets the interstitial.
    const other = await signedIn("north", USERS.lockTarget.email);
    expect((await other.get(`/patients/${pid}/chart`)).status).toBe(403);
  });

  it("never sends the browser to another site after the grant", async () => {
    const pid = await patientOfNobody();
    const provider = await signedIn("north", USERS.provider.email);
    const res = await provider.post(`/patients/${pid}/emergency-access`, { reason: "Covering for the on-call physician tonight", next: "https://evil.example/phish" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/patients/${pid}/chart`);
  });

  it("ends with its grant: past the expiry the interstitial is back", async () => {
    const pid = await patientOfNobody();
    const provider = await signedIn("north", USERS.provider.email);
    await provider.post(`/patients/${pid}/emergency-access`, { reason: "Urgent medication question from the pharmacy" });
    expect((await provider.get(`/patients/${pid}/chart`)).status).toBe(200);
    await clinicD1("north").prepare("UPDATE emergency_access SET expires_at = ? WHERE patient_id = ?").bind(Date.now() - 1000, pid).run();
    const res = await provider.get(`/patients/${pid}/chart`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("You have no care relationship with this patient");
  });

  it("answers 404 for another clinic's patient, on the chart and on the grant, and writes no grant", async () => {
    const southProvider = await signedIn("south", USERS.provider.email);
    const southPid = await newPatient(southProvider);
    const provider = await signedIn("north", USERS.provider.email);
    expect((await provider.get(`/patients/${southPid}/chart`)).status).toBe(404);
    const res = await provider.post(`/patients/${southPid}/emergency-access`, { reason: "Trying a patient of another clinic" });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("Trying a patient");
    expect(await grants(southPid)).toHaveLength(0);
    expect(await auditRows("north", "event = 'access.emergency' AND outcome = 'success' AND patient_id = ?", southPid)).toHaveLength(0);
  });
});

describe("/audit/emergency", () => {
  it("lists each emergency access for the privacy officer, whose review with a note is audited once", async () => {
    const pid = await patientOfNobody();
    const provider = await signedIn("north", USERS.provider.email);
    await provider.post(`/patients/${pid}/emergency-access`, { reason: "Reviewing results while the usual provider is on leave" });
    const [grant] = await grants(pid);

    expect((await provider.get("/audit/emergency")).status).toBe(403);

    const admin = await signedIn("north", USERS.admin.email);
    const list = await admin.get("/audit/emergency");
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain("Reviewing results while the usual provider is on leave");
    expect(html).toContain(USERS.provider.name);
    expect(html).toMatch(/Chartee\d+ Testwood\d+/);
    expect(html).toContain(`action="/audit/emergency/${grant!.id}/review"`);
    expect(html).toContain("(active)");
    expect(await auditRows("north", "event = 'access.emergency_list' AND user_id = ?", USERS.admin.id)).not.toHaveLength(0);

    const bad = await admin.post(`/audit/emergency/${grant!.id}/review`, { note: "line one\nline two" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("Review note must be one line");
    expect((await grants(pid))[0]!.reviewed_at).toBeNull();

    const ok = await admin.post(`/audit/emergency/${grant!.id}/review`, { note: "Confirmed with the clinic manager: covering provider" });
    expect(ok.status).toBe(303);
    expect((await grants(pid))[0]).toMatchObject({ reviewed_by: USERS.admin.id, reviewed_by_name: USERS.admin.name, review_note: "Confirmed with the clinic manager: covering provider" });
    const reviewed = await auditRows("north", "event = 'access.emergency_reviewed' AND patient_id = ?", pid);
    expect(reviewed).toHaveLength(1);
    expect(reviewed[0]).toMatchObject({ user_id: USERS.admin.id, action: "update", entity_id: grant!.id });

    const again = await admin.post(`/audit/emergency/${grant!.id}/review`, { note: "" });
    expect(again.status).toBe(409);
    expect(await auditRows("north", "event = 'access.emergency_reviewed' AND patient_id = ?", pid)).toHaveLength(1);
    expect(await (await admin.get("/audit/emergency")).text()).toContain(`Reviewed by ${USERS.admin.name}`);
    expect((await admin.post("/audit/emergency/no-such-grant/review", { note: "" })).status).toBe(404);
  });

  it("lets an administrator open charts to every clinical role again, audited", async () => {
    const pid = await patientOfNobody();
    const provider = await signedIn("north", USERS.provider.email);
    const admin = await signedIn("north", USERS.admin.email);
    expect((await admin.post("/audit/emergency/policy", {})).status).toBe(303);
    expect((await provider.get(`/patients/${pid}/chart`)).status).toBe(200);
    expect((await admin.post("/audit/emergency/policy", { care_team_only: "on" })).status).toBe(303);
    expect((await provider.get(`/patients/${pid}/chart`)).status).toBe(403);
    const changes = await auditRows("north", "event = 'settings.chart_access' AND user_id = ?", USERS.admin.id);
    expect(changes.map((r) => r.detail)).toEqual(["charts open to the care team only", "charts open to every clinical role", "charts open to the care team only"]);
  });

  it("stays within a staff page's 60 KB compressed (HTML, CSS and htmx) with 200 accesses listed", async () => {
    const pid = await patientOfNobody();
    const d1 = clinicD1("north");
    const now = Date.now();
    const rows = Array.from({ length: 200 }, (_, i) =>
      d1
        .prepare("INSERT INTO emergency_access (id, patient_id, staff_id, staff_name, staff_role, reason, granted_at, expires_at) VALUES (?, ?, ?, ?, 'provider', ?, ?, ?)")
        .bind(`bulk-${i}`, pid, USERS.provider.id, USERS.provider.name, `Bulk reason ${i}: ${"covering an urgent question ".repeat(8)}`.slice(0, 300), now - i * 60_000, now - i * 60_000 + 4 * 3_600_000),
    );
    await d1.batch(rows);
    const admin = await signedIn("north", USERS.admin.email);
    const res = await admin.get("/audit/emergency");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Bulk reason 0:");
    let total = await gzipSize(html);
    for (const m of html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)) total += await gzipSize(await (await admin.get(m[1]!)).arrayBuffer());
    console.log(`emergency access review, 200 rows: ${total} B gzip with assets`);
    expect(total).toBeLessThanOrEqual(60 * 1024);
  });
});
