// A clinic's own scored questionnaire: written as plain text in settings, validated (bands must
// cover every possible total), administered from a chart, charted, edited with a version check, archived.
import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { auditRows, clinicD1, registerPatient, signedIn } from "../helpers";

const TZ = "America/New_York";
const today = () => new Intl.DateTimeFormat("en-CA", { timeZone: TZ }).format(new Date());

const sleep = (over: Record<string, string> = {}) => ({
  code: "sleep-3",
  name: "Sleep check",
  stem: "In the past week, how often did you have…",
  items: "Trouble falling asleep\nWaking during the night\nWaking too early",
  options: "0|Never\n1|Sometimes\n2|Often",
  bands: "0-1|none\n2-4|some\n5-6|severe",
  flags: "2|2|ask about sleep apnea",
  ...over,
});

async function questionnaireCount(): Promise<number> {
  return (await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM questionnaires").first<{ n: number }>())!.n;
}

describe("/settings/questionnaires", () => {
  it("refuses bands with a gap, a bad code and a malformed option with 422 naming each field, and writes nothing", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const res = await b.post("/settings/questionnaires", sleep({ code: "Sleep 3!", options: "0|Never\n1|Sometimes\nOften", bands: "0-1|none\n2-4|some" }));
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('id="f-code-error">Code must be 2 to 30 lowercase letters');
    expect(html).toContain('id="f-options-error">Answer options: line 3 must be points|label');
    const gap = await b.post("/settings/questionnaires", sleep({ bands: "0-1|none\n3-6|some" }));
    expect(gap.status).toBe(422);
    expect(await gap.text()).toContain('id="f-bands-error">Severity bands: no band covers 2; bands must cover every score from 0 to 6.');
    const short = await b.post("/settings/questionnaires", sleep({ bands: "0-1|none\n2-5|some" }));
    expect(await short.text()).toContain("Severity bands: no band covers 6; the highest possible total is 6.");
    const reserved = await b.post("/settings/questionnaires", sleep({ code: "phq9" }));
    expect(await reserved.text()).toContain("Code is already used by a built-in measure");
    // What was typed is kept.
    expect(html).toContain("Trouble falling asleep\nWaking during the night");
    expect(await questionnaireCount()).toBe(0);
    expect(await auditRows("north", "event = 'questionnaire.create'")).toHaveLength(0);
  });

  it("creates a valid one, which a nurse administers from a chart; it is scored, flagged, charted and trackable by a goal", async () => {
    const admin = await signedIn("north", USERS.provider.email);
    const res = await admin.post("/settings/questionnaires", sleep());
    expect(res.status).toBe(303);
    const row = await clinicD1("north").prepare("SELECT * FROM questionnaires WHERE code = 'sleep-3'").first<Record<string, unknown>>();
    expect(row).toMatchObject({ name: "Sleep check", archived: 0, version: 1 });
    expect(JSON.parse(row!.definition as string)).toEqual({
      stem: "In the past week, how often did you have…",
      items: ["Trouble falling asleep", "Waking during the night", "Waking too early"],
      options: [
        { points: 0, label: "Never" },
        { points: 1, label: "Sometimes" },
        { points: 2, label: "Often" },
      ],
      bands: [
        { min: 0, max: 1, label: "none" },
        { min: 2, max: 4, label: "some" },
        { min: 5, max: 6, label: "severe" },
      ],
      flags: [{ item: 2, atLeast: 2, message: "ask about sleep apnea" }],
    });
    const audit = await auditRows("north", "event = 'questionnaire.create' AND entity_id = ?", row!.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "create", entity_type: "questionnaire", patient_id: null, user_id: USERS.provider.id });
    expect(await (await admin.get("/settings/questionnaires")).text()).toContain("Sleep check");
    const dup = await admin.post("/settings/questionnaires", sleep({ name: "Another" }));
    expect(dup.status).toBe(422);
    expect(await dup.text()).toContain("Code sleep-3 is already used by another questionnaire here");

    const nurse = await signedIn("north", USERS.nurse.email);
    const pid = await registerPatient(nurse, { given_name: "Sol", family_name: "Sleepwell", date_of_birth: "1975-01-02" });
    const form = await (await nurse.get(`/patients/${pid}/progress/measures/new?instrument=sleep-3`)).text();
    expect(form).toContain("In the past week, how often did you have…");
    expect(form).toContain("2. Waking during the night");
    expect(form.match(/type="radio" name="q\d"/g)).toHaveLength(9);
    const missing = await nurse.post(`/patients/${pid}/progress/measures/new?instrument=sleep-3`, { q1: "1", q3: "0", taken_on: today() });
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain("Item 2 (“Waking during the night”) needs an answer.");
    const ok = await nurse.post(`/patients/${pid}/progress/measures/new?instrument=sleep-3`, { q1: "1", q2: "2", q3: "2", taken_on: today() });
    expect(ok.status).toBe(303);
    const resp = await clinicD1("north").prepare("SELECT instrument, instrument_name, score, severity, flags FROM measure_responses WHERE patient_id = ?").bind(pid).first();
    expect(resp).toEqual({ instrument: "sleep-3", instrument_name: "Sleep check", score: 5, severity: "severe", flags: '["Item 2: ask about sleep apnea"]' });

    const page = await (await nurse.get(`/patients/${pid}/progress`)).text();
    const chart = page.match(/<section class="trend-fig" aria-labelledby="t-sleep-3-h">[\s\S]*?<\/section>/)![0];
    expect(chart.match(/h0"/g)).toHaveLength(1);
    for (const tone of ["b0", "b2", "b4"]) expect(chart).toContain(`<rect class="${tone}"`);
    expect(chart).toContain("Sleep check: 5 (severe) on");
    expect(page).toContain("Item 2: ask about sleep apnea");

    const goalForm = await (await nurse.get(`/patients/${pid}/progress/goals/new`)).text();
    expect(goalForm).toContain('<option value="sleep-3">Sleep check (points)</option>');
    const goal = await nurse.post(`/patients/${pid}/progress/goals`, { description: "Sleep better", measure: "sleep-3", target_value: "1", target_direction: "below", target_date: "", status: "active", note: "" });
    expect(goal.status).toBe(303);
    const after = await (await nurse.get(`/patients/${pid}/progress`)).text();
    expect(after).toContain("Tracks Sleep check");
    expect(after).toContain("Not reached yet");
  });

  it("edits with a version check and archives: an archived questionnaire cannot be administered but stays charted", async () => {
    const b = await signedIn("north", USERS.owner.email);
    expect((await b.post("/settings/questionnaires", sleep({ code: "pain-2", name: "Pain check", items: "Pain now\nPain at worst", bands: "0-1|low\n2-4|high", flags: "" }))).status).toBe(303);
    const { id } = (await clinicD1("north").prepare("SELECT id FROM questionnaires WHERE code = 'pain-2'").first<{ id: string }>())!;
    const edit = await (await b.get(`/settings/questionnaires/${id}/edit`)).text();
    expect(edit).toContain('name="version" value="1"');
    expect(edit).toContain("0-1|low\n2-4|high");

    const bad = await b.post(`/settings/questionnaires/${id}`, sleep({ name: "Pain check", items: "Pain now\nPain at worst", bands: "0-1|low\n2-3|high", flags: "", version: "1" }));
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("no band covers 4");
    const saved = await b.post(`/settings/questionnaires/${id}`, sleep({ code: "renamed", name: "Pain check (2 items)", items: "Pain now\nPain at worst", bands: "0-2|low\n3-4|high", flags: "", version: "1" }));
    expect(saved.status).toBe(303);
    const stale = await b.post(`/settings/questionnaires/${id}`, sleep({ name: "Stale", items: "Pain now\nPain at worst", bands: "0-1|low\n2-4|high", flags: "", version: "1" }));
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain("Someone else saved this questionnaire");
    const row = await clinicD1("north").prepare("SELECT code, name, version, definition FROM questionnaires WHERE id = ?").bind(id).first<Record<string, string | number>>();
    expect(row).toMatchObject({ code: "pain-2", name: "Pain check (2 items)", version: 2 });
    expect(JSON.parse(row!.definition as string).bands).toEqual([
      { min: 0, max: 2, label: "low" },
      { min: 3, max: 4, label: "high" },
    ]);
    expect((await auditRows("north", "event = 'questionnaire.update' AND entity_id = ?", id)).map((r) => [r.outcome, r.detail])).toEqual([
      ["success", "changed: name, definition"],
      ["failure", "version conflict"],
    ]);

    const provider = await signedIn("north", USERS.provider.email);
    const pid = await registerPatient(provider, { given_name: "Pat", family_name: "Painless", date_of_birth: "1970-02-03" });
    expect((await provider.post(`/patients/${pid}/progress/measures/new?instrument=pain-2`, { q1: "1", q2: "2", taken_on: today() })).status).toBe(303);

    expect((await b.post(`/settings/questionnaires/${id}/archive`, {})).status).toBe(303);
    expect(await clinicD1("north").prepare("SELECT archived FROM questionnaires WHERE id = ?").bind(id).first()).toEqual({ archived: 1 });
    expect(await auditRows("north", "event = 'questionnaire.archive' AND entity_id = ?", id)).toHaveLength(1);
    expect((await provider.get(`/patients/${pid}/progress/measures/new?instrument=pain-2`)).status).toBe(404);
    const page = await (await provider.get(`/patients/${pid}/progress`)).text();
    expect(page).toContain('aria-labelledby="t-pain-2-h"');
    expect(page).not.toContain("measures/new?instrument=pain-2");

    expect((await b.post(`/settings/questionnaires/${id}/restore`, {})).status).toBe(303);
    expect(await auditRows("north", "event = 'questionnaire.restore' AND entity_id = ?", id)).toHaveLength(1);
    expect((await provider.get(`/patients/${pid}/progress/measures/new?instrument=pain-2`)).status).toBe(200);
  });

  it("only roles that manage questionnaires reach the settings; another clinic's questionnaire is a 404", async () => {
    for (const who of [USERS.nurse, USERS.associate, USERS.frontDesk, USERS.biller]) {
      const b = await signedIn("north", who.email);
      expect((await b.get("/settings/questionnaires")).status, who.email).toBe(403);
      expect((await b.post("/settings/questionnaires", sleep({ code: "nope-1" }))).status, who.email).toBe(403);
    }
    expect(await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM questionnaires WHERE code = 'nope-1'").first()).toEqual({ n: 0 });
    const admin = await signedIn("north", USERS.admin.email);
    expect((await admin.get("/settings/questionnaires/new")).status).toBe(200);
    expect((await admin.post("/settings/questionnaires", sleep({ code: "mood-3" }))).status).toBe(303);
    const { id } = (await clinicD1("north").prepare("SELECT id FROM questionnaires WHERE code = 'mood-3'").first<{ id: string }>())!;
    const south = await signedIn("south", USERS.provider.email);
    expect((await south.get(`/settings/questionnaires/${id}/edit`)).status).toBe(404);
    expect((await south.post(`/settings/questionnaires/${id}/archive`, {})).status).toBe(404);
    expect((await south.get(`/patients/${crypto.randomUUID()}/progress/measures/new?instrument=mood-3`)).status).toBe(404);
  });
});
