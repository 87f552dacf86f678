// The progress tab of a chart: administering PHQ-9 / GAD-7 through the routes, the trend charts and
// their tables, goals, hand-entered lab values, and who may see or write any of it.
import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { auditRows, type Browser, clinicD1, registerPatient, signedIn } from "../helpers";

const TZ = "America/New_York";
const today = () => new Intl.DateTimeFormat("en-CA", { timeZone: TZ }).format(new Date());
let n = 0;

async function newPatient(b: Browser): Promise<string> {
  n += 1;
  return registerPatient(b, { given_name: `Prog${n}`, family_name: `Tracker${crypto.randomUUID().slice(0, 6)}`, date_of_birth: "1980-05-17" });
}

function answers(values: number[], over: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = { taken_on: today() };
  values.forEach((v, i) => (out[`q${i + 1}`] = String(v)));
  return { ...out, ...over };
}

async function count(table: string, patientId: string): Promise<number> {
  const row = await clinicD1("north").prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE patient_id = ?`).bind(patientId).first<{ n: number }>();
  return row!.n;
}

async function seedResponse(patientId: string, date: string, score: number, severity: string, instrument = "phq9", name = "PHQ-9", flags: string | null = null) {
  await clinicD1("north")
    .prepare(
      "INSERT INTO measure_responses (id, patient_id, instrument, instrument_name, answers, score, severity, flags, taken_at) VALUES (?, ?, ?, ?, '{}', ?, ?, ?, ?)",
    )
    .bind(crypto.randomUUID(), patientId, instrument, name, score, severity, flags, Date.parse(`${date}T15:00:00Z`))
    .run();
}

async function seedEncounter(patientId: string): Promise<string> {
  const id = crypto.randomUUID();
  await clinicD1("north")
    .prepare("INSERT INTO encounters (id, patient_id, provider_staff_id, provider_name, kind, started_at) VALUES (?, ?, ?, 'Dr. Priya Provider', 'ad_hoc', ?)")
    .bind(id, patientId, USERS.provider.id, Date.now())
    .run();
  return id;
}

async function gzipSize(body: ArrayBuffer | string): Promise<number> {
  return (await new Response(new Response(body).body!.pipeThrough(new CompressionStream("gzip"))).arrayBuffer()).byteLength;
}

function roundTrips(res: Response): number {
  const m = (res.headers.get("server-timing") ?? "").match(/d1;desc="(\d+) D1 round trips"/);
  if (!m) throw new Error("no Server-Timing d1 entry");
  return Number(m[1]);
}

/** The `<section>` of one trend (heading, svg, table) on the progress page. */
function trendSection(html: string, id: string): string {
  const m = html.match(new RegExp(`<section class="trend-fig" aria-labelledby="${id}-h">[\\s\\S]*?</section>`));
  if (!m) throw new Error(`no trend ${id}`);
  return m[0];
}

describe("administering a PHQ-9", () => {
  it("shows every item as a radio group, then records score, severity and flags computed on the server", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const form = await b.get(`/patients/${pid}/progress/measures/new?instrument=phq9`);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain("Over the last 2 weeks, how often have you been bothered by any of the following problems?");
    expect(html.match(/type="radio" name="q\d"/g)).toHaveLength(36);
    expect(html).toContain("9. Thoughts that you would be better off dead or of hurting yourself in some way");
    expect(html).toContain('aria-current="page">Progress');
    expect(await auditRows("north", "event = 'measure.form' AND patient_id = ?", pid)).toHaveLength(1);

    // A score sent with the form is ignored: the server scores the answers.
    const res = await b.post(`/patients/${pid}/progress/measures/new?instrument=phq9`, answers([2, 2, 2, 2, 1, 1, 1, 1, 1], { score: "0", difficulty: "1" }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/patients/${pid}/progress?saved=measure`);
    const row = await clinicD1("north").prepare("SELECT * FROM measure_responses WHERE patient_id = ?").bind(pid).first<Record<string, unknown>>();
    expect(row).toMatchObject({ instrument: "phq9", instrument_name: "PHQ-9", score: 13, severity: "moderate", status: "final", encounter_id: null, created_by: USERS.provider.id });
    expect(JSON.parse(row!.flags as string)).toEqual(["Item 9: thoughts of self-harm — assess safety today"]);
    expect(JSON.parse(row!.answers as string)).toEqual({ 0: 2, 1: 2, 2: 2, 3: 2, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, difficulty: 1 });
    const audit = await auditRows("north", "event = 'measure.create' AND patient_id = ?", pid);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "create", entity_type: "measure_response", entity_id: row!.id, outcome: "success", user_id: USERS.provider.id });
    expect(audit[0]!.detail).toBe("instrument phq9");

    // The flag is shown first on the progress page, not buried in the table.
    const page = await (await b.get(`/patients/${pid}/progress?saved=measure`)).text();
    expect(page).toContain("Questionnaire recorded.");
    expect(page).toMatch(/role="alert"><p><strong>PHQ-9 on [A-Z][a-z]{2} \d+, \d{4}:<\/strong> Item 9: thoughts of self-harm — assess safety today/);
  });

  it("links the response to an encounter of this patient and returns to a local path", async () => {
    const b = await signedIn("north", USERS.nurse.email);
    const pid = await newPatient(b);
    const eid = await seedEncounter(pid);
    const url = `/patients/${pid}/progress/measures/new?instrument=gad7&encounter=${eid}&return=${encodeURIComponent(`/encounters/${eid}`)}`;
    const form = await (await b.get(url)).text();
    expect(form).toContain(`action="/patients/${pid}/progress/measures/new?instrument=gad7&amp;encounter=${eid}&amp;return=%2Fencounters%2F${eid}"`);
    const res = await b.post(url, answers([3, 3, 3, 3, 3, 3, 3]));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/encounters/${eid}`);
    const row = await clinicD1("north").prepare("SELECT encounter_id, score, severity, flags FROM measure_responses WHERE patient_id = ?").bind(pid).first();
    expect(row).toEqual({ encounter_id: eid, score: 21, severity: "severe", flags: null });
  });

  it("ignores a return address on another site", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const res = await b.post(`/patients/${pid}/progress/measures/new?instrument=gad7&return=${encodeURIComponent("//evil.example/x")}`, answers([0, 0, 0, 0, 0, 0, 0]));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/patients/${pid}/progress?saved=measure`);
  });

  it("refuses a missing item or an answer worth 4 with 422 naming the item, and writes nothing", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const missing = answers([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    delete missing.q3;
    const res = await b.post(`/patients/${pid}/progress/measures/new?instrument=phq9`, missing);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('id="q3-error">Item 3 (“Trouble falling or staying asleep, or sleeping too much”) needs an answer.');
    expect(html).toContain('<a href="#q3">');
    // What was chosen is kept.
    expect(html).toMatch(/name="q1" value="1" checked/);

    const four = await b.post(`/patients/${pid}/progress/measures/new?instrument=phq9`, answers([0, 0, 0, 0, 0, 0, 4, 0, 0]));
    expect(four.status).toBe(422);
    expect(await four.text()).toContain("Item 7 (“Trouble concentrating on things, such as reading the newspaper or watching television”) must be answered with one of the choices offered.");

    const future = await b.post(`/patients/${pid}/progress/measures/new?instrument=phq9`, answers([0, 0, 0, 0, 0, 0, 0, 0, 0], { taken_on: "2999-01-01" }));
    expect(future.status).toBe(422);
    expect(await future.text()).toContain("Date taken cannot be in the future.");
    expect(await count("measure_responses", pid)).toBe(0);
    expect(await auditRows("north", "event = 'measure.create' AND patient_id = ?", pid)).toHaveLength(0);
  });

  it("answers 404 for an encounter of another patient or an unknown questionnaire, and writes nothing", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const other = await newPatient(b);
    const theirs = await seedEncounter(other);
    const res = await b.post(`/patients/${pid}/progress/measures/new?instrument=phq9&encounter=${theirs}`, answers([0, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(res.status).toBe(404);
    expect((await b.get(`/patients/${pid}/progress/measures/new?instrument=phq9&encounter=${theirs}`)).status).toBe(404);
    expect((await b.get(`/patients/${pid}/progress/measures/new?instrument=nope-9`)).status).toBe(404);
    expect(await count("measure_responses", pid)).toBe(0);
    const failures = await auditRows("north", "patient_id = ? AND outcome = 'failure'", pid);
    expect(failures.map((r) => r.entity_type)).toEqual(["encounter", "encounter", "questionnaire"]);
  });

  it("marks a response entered in error (kept, audited, off the chart)", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    await b.post(`/patients/${pid}/progress/measures/new?instrument=phq9`, answers([3, 3, 3, 3, 3, 3, 3, 3, 0]));
    await seedResponse(pid, "2026-01-05", 6, "mild");
    const { id } = (await clinicD1("north").prepare("SELECT id FROM measure_responses WHERE patient_id = ? AND score = 24").bind(pid).first<{ id: string }>())!;
    const res = await b.post(`/patients/${pid}/progress/measures/${id}/error`, {});
    expect(res.status).toBe(303);
    expect(await clinicD1("north").prepare("SELECT status FROM measure_responses WHERE id = ?").bind(id).first()).toEqual({ status: "entered_in_error" });
    expect(await auditRows("north", "event = 'measure.entered_in_error' AND entity_id = ?", id)).toHaveLength(1);
    // Twice changes nothing more, and the repeat is in the trail as such.
    expect((await b.post(`/patients/${pid}/progress/measures/${id}/error`, {})).status).toBe(303);
    expect(await clinicD1("north").prepare("SELECT status FROM measure_responses WHERE id = ?").bind(id).first()).toEqual({ status: "entered_in_error" });
    expect((await auditRows("north", "event = 'measure.entered_in_error' AND entity_id = ?", id)).map((r) => r.detail)).toEqual(["status", "already entered in error; no changes"]);
    const html = await (await b.get(`/patients/${pid}/progress`)).text();
    expect(trendSection(html, "t-phq9").match(/h0"/g)).toHaveLength(1);
    expect(html).toContain('<tr class="in-error">');
    // Another patient's response is a 404.
    const other = await newPatient(b);
    expect((await b.post(`/patients/${other}/progress/measures/${id}/error`, {})).status).toBe(404);
  });
});

describe("GET /patients/:id/progress", () => {
  it("charts each measure with data: points match the rows, the table lists the same values, bands drawn, no style attribute", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    await seedResponse(pid, "2026-03-03", 18, "moderately severe");
    await seedResponse(pid, "2026-04-14", 12, "moderate");
    await seedResponse(pid, "2026-06-02", 7, "mild");
    await seedResponse(pid, "2026-03-03", 11, "moderate", "gad7", "GAD-7");
    const d1 = clinicD1("north");
    for (const [date, sys, dia, kg, bmi] of [
      ["2026-02-01", 150, 95, 92.4, 28.5],
      ["2026-05-01", 128, 82, 88.1, 27.2],
    ] as const) {
      await d1
        .prepare("INSERT INTO vitals (id, patient_id, taken_at, systolic, diastolic, weight_kg, bmi) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(crypto.randomUUID(), pid, Date.parse(`${date}T15:00:00Z`), sys, dia, kg, bmi)
        .run();
    }
    const res = await b.get(`/patients/${pid}/progress`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toMatch(/\sstyle=/);

    const phq = trendSection(html, "t-phq9");
    expect(phq).toContain("<desc id=\"t-phq9-d\">PHQ-9 from 18 (moderately severe) on Mar 3, 2026 to 7 (mild) on Jun 2, 2026; 3 results.</desc>");
    expect(phq.match(/h0"/g)).toHaveLength(3);
    for (const tone of ["b0", "b1", "b2", "b3", "b4"]) expect(phq).toContain(`<rect class="${tone}"`);
    const rows = [...phq.matchAll(/<tr><td class="nowrap">([^<]+)<\/td><td>(\d+)<\/td><td>([^<]+)<\/td><\/tr>/g)].map((m) => `${m[1]}=${m[2]} ${m[3]}`);
    expect(rows).toEqual(["Jun 2, 2026=7 mild", "Apr 14, 2026=12 moderate", "Mar 3, 2026=18 moderately severe"]);

    expect(trendSection(html, "t-gad7").match(/h0"/g)).toHaveLength(1);
    const bp = trendSection(html, "t-bp");
    expect(bp.match(/<polyline/g)).toHaveLength(2);
    expect(bp.match(/h0"/g)).toHaveLength(4);
    expect(bp).toContain("<th scope=\"col\">Systolic</th><th scope=\"col\">Diastolic</th>");
    expect(trendSection(html, "t-weight")).toContain("Weight from 92.4 kg on Feb 1, 2026 to 88.1 kg on May 1, 2026");
    expect(trendSection(html, "t-bmi")).toContain('<rect class="ref"');
    expect(html).toContain("Recent questionnaires");

    const audit = await auditRows("north", "event = 'progress.view' AND patient_id = ?", pid);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "read", entity_type: "patient", outcome: "success", user_id: USERS.provider.id });
  });

  it("reads the same number of D1 round trips with 1 result as with 120", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const few = await newPatient(b);
    const many = await newPatient(b);
    await seedResponse(few, "2026-01-01", 3, "minimal");
    const d1 = clinicD1("north");
    await d1.batch(
      Array.from({ length: 120 }, (_, i) =>
        d1
          .prepare("INSERT INTO measure_responses (id, patient_id, instrument, instrument_name, answers, score, severity, taken_at) VALUES (?, ?, 'phq9', 'PHQ-9', '{}', ?, 'mild', ?)")
          .bind(crypto.randomUUID(), many, i % 28, Date.UTC(2024, 0, 1) + i * 86_400_000 * 3),
      ),
    );
    const a = await b.get(`/patients/${few}/progress`);
    const z = await b.get(`/patients/${many}/progress`);
    expect(roundTrips(z)).toBe(roundTrips(a));
    const html = await z.text();
    // The chart keeps the latest 50 and says so.
    expect(trendSection(html, "t-phq9").match(/h0"/g)).toHaveLength(50);
    expect(html).toContain("latest 50 of 120");
    // The staff page budget: HTML, CSS and htmx together at most 60 KB compressed.
    let total = await gzipSize(html);
    for (const m of html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)) total += await gzipSize(await (await b.get(m[1]!)).arrayBuffer());
    console.log(`progress page: ${roundTrips(z)} D1 round trips, ${html.length} bytes of HTML with 120 results, ${total} bytes compressed with CSS and htmx`);
    expect(total).toBeLessThan(60 * 1024);
  });

  it("says so when there is nothing to chart, and a patient that does not exist is a 404 with a failure audit", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const html = await (await b.get(`/patients/${pid}/progress`)).text();
    expect(html).toContain("Nothing to chart yet");
    expect(html).toContain("No goals yet.");
    const ghost = crypto.randomUUID();
    expect((await b.get(`/patients/${ghost}/progress`)).status).toBe(404);
    const rows = await auditRows("north", "event = 'progress.view' AND entity_id = ?", ghost);
    expect(rows.map((r) => r.outcome)).toEqual(["failure"]);
  });
});

describe("goals", () => {
  it("creates a goal, shows the latest value of its measure and whether the target is reached", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    await seedResponse(pid, "2026-03-03", 18, "moderately severe");
    const form = await b.get(`/patients/${pid}/progress/goals/new`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('<optgroup label="Lab tests">');
    const res = await b.post(`/patients/${pid}/progress/goals`, {
      description: "Mood back to baseline",
      measure: "phq9",
      target_value: "9",
      target_direction: "below",
      target_date: "2026-09-30",
      status: "active",
      note: "",
    });
    expect(res.status).toBe(303);
    const goal = await clinicD1("north").prepare("SELECT * FROM goals WHERE patient_id = ?").bind(pid).first<Record<string, unknown>>();
    expect(goal).toMatchObject({ description: "Mood back to baseline", measure: "phq9", target_value: 9, target_direction: "below", status: "active", version: 1 });
    expect(await auditRows("north", "event = 'goal.create' AND patient_id = ? AND entity_id = ?", pid, goal!.id)).toHaveLength(1);

    let html = await (await b.get(`/patients/${pid}/progress`)).text();
    expect(html).toContain("Mood back to baseline");
    expect(html).toContain("Not reached yet");
    expect(trendSection(html, "t-phq9")).toContain("target ≤ 9");

    await seedResponse(pid, "2026-06-02", 7, "mild");
    html = await (await b.get(`/patients/${pid}/progress`)).text();
    expect(html).toContain("Target reached");
    expect(html).toMatch(/7 <span class="hint">on Jun 2, 2026<\/span>/);
  });

  it("refuses a tracked measure without a target, or a target the measure cannot reach, with 422 and nothing written", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const base = { description: "Lower A1c", measure: "4548-4", target_value: "", target_direction: "below", target_date: "", status: "active", note: "" };
    const res = await b.post(`/patients/${pid}/progress/goals`, base);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('id="f-target_value-error">Target value is required when a measure is tracked.');
    const range = await b.post(`/patients/${pid}/progress/goals`, { ...base, target_value: "70" });
    expect(range.status).toBe(422);
    expect(await range.text()).toContain("Target value for Hemoglobin A1c must be between 2 and 25 %.");
    const phq = await b.post(`/patients/${pid}/progress/goals`, { ...base, measure: "phq9", target_value: "30" });
    expect(await phq.text()).toContain("Target value for PHQ-9 must be between 0 and 27 points.");
    const blank = await b.post(`/patients/${pid}/progress/goals`, { ...base, description: " ", measure: "cholesterol" });
    const html = await blank.text();
    expect(html).toContain('id="f-description-error">Goal is required.');
    expect(html).toContain('id="f-measure-error">Measure must be one of the measures listed.');
    expect(await count("goals", pid)).toBe(0);
  });

  it("edits with a version check: a stale form gets 409 and overwrites nothing", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const fields = { description: "Walk daily", measure: "weight", target_value: "80", target_direction: "below", target_date: "", status: "active", note: "" };
    await b.post(`/patients/${pid}/progress/goals`, fields);
    const { id } = (await clinicD1("north").prepare("SELECT id FROM goals WHERE patient_id = ?").bind(pid).first<{ id: string }>())!;
    const edit = await (await b.get(`/patients/${pid}/progress/goals/${id}/edit`)).text();
    expect(edit).toContain('name="version" value="1"');
    expect(edit).toContain('value="Walk daily"');

    const first = await b.post(`/patients/${pid}/progress/goals/${id}`, { ...fields, status: "met", version: "1" });
    expect(first.status).toBe(303);
    const stale = await b.post(`/patients/${pid}/progress/goals/${id}`, { ...fields, description: "Walk twice daily", version: "1" });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain("Someone else saved changes to this goal");
    expect(await clinicD1("north").prepare("SELECT description, status, version FROM goals WHERE id = ?").bind(id).first()).toEqual({
      description: "Walk daily",
      status: "met",
      version: 2,
    });
    const updates = await auditRows("north", "event = 'goal.update' AND entity_id = ?", id);
    expect(updates.map((r) => [r.outcome, r.detail])).toEqual([
      ["success", "changed: status"],
      ["failure", "version conflict"],
    ]);
    // A goal of another patient is a 404.
    const other = await newPatient(b);
    expect((await b.get(`/patients/${other}/progress/goals/${id}/edit`)).status).toBe(404);
    expect((await b.post(`/patients/${other}/progress/goals/${id}`, { ...fields, version: "2" })).status).toBe(404);
  });
});

describe("lab values entered by hand", () => {
  it("records values with the test's unit and range, flags them, and charts them with the reference range", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    expect((await b.get(`/patients/${pid}/progress/labs/new`)).status).toBe(200);
    for (const [code, value, date] of [
      ["4548-4", "6.4", "2026-05-01"],
      ["4548-4", "5.2", "2026-01-10"],
      ["2085-9", "35", "2026-05-01"],
    ]) {
      expect((await b.post(`/patients/${pid}/progress/labs`, { code: code!, value: value!, observed_on: date! })).status).toBe(303);
    }
    const rows = await clinicD1("north")
      .prepare("SELECT code, name, value_num, unit, ref_low, ref_high, flag, source FROM lab_results WHERE patient_id = ? ORDER BY observed_at, code")
      .bind(pid)
      .all();
    expect(rows.results).toEqual([
      { code: "4548-4", name: "Hemoglobin A1c", value_num: 5.2, unit: "%", ref_low: 4, ref_high: 5.6, flag: "N", source: "manual" },
      { code: "2085-9", name: "HDL cholesterol", value_num: 35, unit: "mg/dL", ref_low: 40, ref_high: null, flag: "L", source: "manual" },
      { code: "4548-4", name: "Hemoglobin A1c", value_num: 6.4, unit: "%", ref_low: 4, ref_high: 5.6, flag: "H", source: "manual" },
    ]);
    expect(await auditRows("north", "event = 'lab.create' AND patient_id = ?", pid)).toHaveLength(3);
    const html = await (await b.get(`/patients/${pid}/progress`)).text();
    const a1c = trendSection(html, "t-lab-4548-4");
    expect(a1c).toContain('<rect class="ref"');
    expect(a1c.match(/h0"/g)).toHaveLength(2);
    expect(a1c).toContain("Hemoglobin A1c from 5.2 % (N) on Jan 10, 2026 to 6.4 % (H) on May 1, 2026");
    expect(html).toContain("Recent lab values");
  });

  it("refuses a value that is not a number, an impossible one or a future date with 422 naming the field, and writes nothing", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const cases: [Record<string, string>, string][] = [
      [{ code: "4548-4", value: "six", observed_on: "2026-01-01" }, 'id="f-value-error">Value must be a number, like 6.4.'],
      [{ code: "4548-4", value: "64", observed_on: "2026-01-01" }, 'id="f-value-error">Value of Hemoglobin A1c must be between 2 and 25 %.'],
      [{ code: "2823-3", value: "-1", observed_on: "2026-01-01" }, "Value of Potassium must be between 1 and 12 mmol/L."],
      [{ code: "4548-4", value: "6.1", observed_on: "2999-01-01" }, 'id="f-observed_on-error">Date of the result cannot be in the future.'],
      [{ code: "0000-0", value: "6.1", observed_on: "2026-01-01" }, 'id="f-code-error">Choose the test from the list.'],
      [{ code: "4548-4", value: "", observed_on: "" }, 'id="f-value-error">Value is required.'],
    ];
    for (const [fields, message] of cases) {
      const res = await b.post(`/patients/${pid}/progress/labs`, fields);
      expect(res.status, message).toBe(422);
      expect(await res.text()).toContain(message);
    }
    expect(await count("lab_results", pid)).toBe(0);
  });

  it("marks a hand-entered value entered in error", async () => {
    const b = await signedIn("north", USERS.nurse.email);
    const pid = await newPatient(b);
    await b.post(`/patients/${pid}/progress/labs`, { code: "718-7", value: "13.1", observed_on: "2026-02-02" });
    const { id } = (await clinicD1("north").prepare("SELECT id FROM lab_results WHERE patient_id = ?").bind(pid).first<{ id: string }>())!;
    expect((await b.post(`/patients/${pid}/progress/labs/${id}/error`, {})).status).toBe(303);
    expect(await clinicD1("north").prepare("SELECT status FROM lab_results WHERE id = ?").bind(id).first()).toEqual({ status: "entered_in_error" });
    expect(await auditRows("north", "event = 'lab.entered_in_error' AND entity_id = ?", id)).toHaveLength(1);
    expect(await (await b.get(`/patients/${pid}/progress`)).text()).not.toContain('aria-labelledby="t-lab-718-7');
  });
});

describe("who may see and write progress", () => {
  it("front desk and billers get 403 and nothing is written", async () => {
    const provider = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(provider);
    for (const who of [USERS.frontDesk, USERS.biller]) {
      const b = await signedIn("north", who.email);
      expect((await b.get(`/patients/${pid}/progress`)).status).toBe(403);
      expect((await b.get(`/patients/${pid}/progress/measures/new?instrument=phq9`)).status).toBe(403);
      expect((await b.post(`/patients/${pid}/progress/measures/new?instrument=phq9`, answers([0, 0, 0, 0, 0, 0, 0, 0, 0]))).status).toBe(403);
      expect((await b.post(`/patients/${pid}/progress/goals`, { description: "x", status: "active" })).status).toBe(403);
      expect((await b.post(`/patients/${pid}/progress/labs`, { code: "718-7", value: "13", observed_on: "2026-01-01" })).status).toBe(403);
    }
    expect(await count("measure_responses", pid)).toBe(0);
    expect(await count("goals", pid)).toBe(0);
    expect(await count("lab_results", pid)).toBe(0);
    // Their only trace under the patient is the refusals themselves.
    expect(await auditRows("north", "patient_id = ? AND user_id IN (?, ?) AND outcome != 'denied'", pid, USERS.frontDesk.id, USERS.biller.id)).toHaveLength(0);
    expect((await auditRows("north", "patient_id = ? AND user_id IN (?, ?) AND event = 'access.denied'", pid, USERS.frontDesk.id, USERS.biller.id)).length).toBeGreaterThan(0);
  });

  it("a patient of another clinic is a 404, even for a provider who works in both", async () => {
    const north = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(north);
    const south = await signedIn("south", USERS.provider.email);
    expect((await south.get(`/patients/${pid}/progress`)).status).toBe(404);
    expect((await south.get(`/patients/${pid}/progress/measures/new?instrument=phq9`)).status).toBe(404);
    expect((await south.post(`/patients/${pid}/progress/measures/new?instrument=phq9`, answers([0, 0, 0, 0, 0, 0, 0, 0, 0]))).status).toBe(404);
    expect((await south.post(`/patients/${pid}/progress/labs`, { code: "718-7", value: "13", observed_on: "2026-01-01" })).status).toBe(404);
    expect((await south.post(`/patients/${pid}/progress/goals`, { description: "x", status: "active" })).status).toBe(404);
    expect(await count("measure_responses", pid)).toBe(0);
    const southRows = await clinicD1("south").prepare("SELECT COUNT(*) AS n FROM measure_responses").first<{ n: number }>();
    expect(southRows!.n).toBe(0);
  });

  it("a nurse reads and writes progress; the settings of questionnaires are not theirs", async () => {
    const b = await signedIn("north", USERS.nurse.email);
    const pid = await newPatient(b);
    expect((await b.get(`/patients/${pid}/progress`)).status).toBe(200);
    expect((await b.get("/settings/questionnaires")).status).toBe(403);
  });
});

describe("bad lab input from someone who may not write", () => {
  it("is a 403 for the front desk and a 404 for another clinic, before any field message, and writes nothing", async () => {
    const provider = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(provider);
    const bad = { code: "4548-4", value: "six", observed_on: "2999-01-01" };
    expect((await (await signedIn("north", USERS.frontDesk.email)).post(`/patients/${pid}/progress/labs`, bad)).status).toBe(403);
    expect((await (await signedIn("south", USERS.provider.email)).post(`/patients/${pid}/progress/labs`, bad)).status).toBe(404);
    const own = await provider.post(`/patients/${pid}/progress/labs`, bad);
    expect(own.status).toBe(422);
    expect(await own.text()).toContain('id="f-value-error">Value must be a number, like 6.4.');
    expect(await count("lab_results", pid)).toBe(0);
  });
});
