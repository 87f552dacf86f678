// Recording vitals in the chart (issue 5): units converted, BMI computed (from the latest height
// when none was taken), impossible values refused with nothing written, flags shown, the note
// editor's encounter/return link honoured, nurses allowed, front desk refused, other clinics 404.
import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { auditRows, clinicD1, signedIn } from "../helpers";
import { count, newPatient } from "./support";

const empty = { systolic: "", diastolic: "", pulse: "", temperature: "", temperature_unit: "C", respiratory_rate: "", spo2: "", height: "", height_unit: "cm", weight: "", weight_unit: "kg", pain_score: "", taken_date: "", taken_time: "", note: "" };
const vitalsForm = (over: Record<string, string>) => ({ ...empty, ...over });
const latest = (pid: string) =>
  clinicD1("north").prepare("SELECT * FROM vitals WHERE patient_id = ? ORDER BY taken_at DESC, created_at DESC LIMIT 1").bind(pid).first<Record<string, number | string | null>>();

async function encounterFor(pid: string): Promise<string> {
  const id = `enc-${crypto.randomUUID()}`;
  await clinicD1("north")
    .prepare("INSERT INTO encounters (id, patient_id, provider_staff_id, provider_name, kind, reason, started_at) VALUES (?, ?, 'u-prov', 'Dr. Priya Provider', 'ad_hoc', 'Follow-up', ?)")
    .bind(id, pid, Date.now())
    .run();
  return id;
}

describe("POST /patients/:id/chart/vitals/new", () => {
  it("stores °F, lb and in as °C, kg and cm, computes BMI, and shows the set with its flags", async () => {
    const b = await signedIn("north", USERS.nurse.email);
    const pid = await newPatient(b);
    const form = await b.get(`/patients/${pid}/chart/vitals/new`);
    expect(form.status).toBe(200);
    expect(await form.text()).toMatch(/<select name="temperature_unit"/);
    const res = await b.post(
      `/patients/${pid}/chart/vitals/new`,
      vitalsForm({ systolic: "152", diastolic: "96", pulse: "72", temperature: "101.3", temperature_unit: "F", weight: "154", weight_unit: "lb", height: "70", height_unit: "in", spo2: "88", pain_score: "3" }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/patients/${pid}/chart/vitals?saved=1`);
    const row = await latest(pid);
    expect(row).toMatchObject({ systolic: 152, diastolic: 96, temperature_c: 38.5, height_cm: 177.8, bmi: 22.1, spo2: 88, pain_score: 3, encounter_id: null, created_by: USERS.nurse.id });
    expect(row!.weight_kg).toBeCloseTo(69.85, 2);

    const html = await (await b.get(`/patients/${pid}/chart/vitals`)).text();
    expect(html).toMatch(/152\/96 mmHg<span class="flag flag-high"> High<\/span>/);
    expect(html).toMatch(/38\.5 °C \(101\.3 °F\)<span class="flag flag-high"> Fever<\/span>/);
    expect(html).toMatch(/88 %<span class="flag flag-critical"> Critical<\/span>/);
    expect(html).toMatch(/69\.\d kg \(154\.0 lb\)/);

    const audit = await auditRows("north", "event = 'vitals.create' AND patient_id = ?", pid);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "create", entity_id: row!.id, user_id: USERS.nurse.id });
    expect(String(audit[0]!.detail)).toContain("weightKg");
    expect(String(audit[0]!.detail)).not.toContain("69");
    expect(await auditRows("north", "event = 'vitals.view' AND patient_id = ?", pid)).toHaveLength(1);
  });

  it("computes BMI from the latest height on record when only the weight is taken", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    await b.post(`/patients/${pid}/chart/vitals/new`, vitalsForm({ height: "180", weight: "70" }));
    await b.post(`/patients/${pid}/chart/vitals/new`, vitalsForm({ weight: "90" }));
    const row = await latest(pid);
    expect(row).toMatchObject({ weight_kg: 90, height_cm: null, bmi: 27.8 });
    const html = await (await b.get(`/patients/${pid}/chart`)).text();
    expect(html).toMatch(/27\.8<span class="flag flag-high"> Overweight<\/span>/);
  });

  it("refuses impossible values with the field named and writes nothing", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const cases: [Record<string, string>, string][] = [
      [{ systolic: "400", diastolic: "80" }, "Systolic pressure must be between 50 and 300 mmHg."],
      [{ systolic: "120", diastolic: "125" }, "Diastolic pressure must be below the systolic pressure."],
      [{ temperature: "120", temperature_unit: "F" }, "Temperature must be between 25 and 45 °C (77 and 113 °F)."],
      [{ weight: "-3" }, "Weight must be between 0.5 and 650 kg."],
      [{ spo2: "140" }, "Oxygen saturation (SpO2) must be between 50 and 100 %."],
      [{ pain_score: "12" }, "Pain score must be between 0 and 10"],
      [{ note: "Refused" }, "Enter at least one measurement"],
      [{ pulse: "70", taken_date: "2999-01-01", taken_time: "10:00" }, "Date and time taken cannot be in the future."],
    ];
    for (const [fields, message] of cases) {
      const res = await b.post(`/patients/${pid}/chart/vitals/new`, vitalsForm(fields));
      expect(res.status, message).toBe(422);
      const html = await res.text();
      expect(html).toContain(message);
      expect(html).toMatch(/[Nn]othing was saved/);
    }
    expect(await count("north", "vitals", "patient_id = ?", pid)).toBe(0);
    expect(await auditRows("north", "event = 'vitals.create' AND patient_id = ?", pid)).toHaveLength(0);
  });

  it("records for an encounter of this patient and returns to the note editor's local path", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const enc = await encounterFor(pid);
    const back = `/encounters/${enc}`;
    const q = `?encounter=${enc}&return=${encodeURIComponent(back)}`;
    const form = await b.get(`/patients/${pid}/chart/vitals/new${q}`);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain(`action="/patients/${pid}/chart/vitals/new?encounter=${enc}&amp;return=${encodeURIComponent(back)}"`);
    expect(html).toContain("(Follow-up)");
    const res = await b.post(`/patients/${pid}/chart/vitals/new${q}`, vitalsForm({ pulse: "64", taken_date: "2026-01-15", taken_time: "09:30" }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(back);
    const row = await latest(pid);
    expect(row).toMatchObject({ encounter_id: enc, pulse: 64, taken_at: Date.parse("2026-01-15T14:30:00Z") });
  });

  it("ignores a return link to another site, and answers 404 for another patient's encounter", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const other = await newPatient(b);
    const theirs = await encounterFor(other);
    for (const evil of ["//evil.example/x", "https://evil.example/", "/\\evil.example"]) {
      const res = await b.post(`/patients/${pid}/chart/vitals/new?return=${encodeURIComponent(evil)}`, vitalsForm({ pulse: "70" }));
      expect(res.headers.get("location")).toBe(`/patients/${pid}/chart/vitals?saved=1`);
    }
    expect((await b.get(`/patients/${pid}/chart/vitals/new?encounter=${theirs}`)).status).toBe(404);
    const before = await count("north", "vitals", "patient_id = ?", pid);
    expect((await b.post(`/patients/${pid}/chart/vitals/new?encounter=${theirs}`, vitalsForm({ pulse: "70" }))).status).toBe(404);
    expect(await count("north", "vitals", "patient_id = ?", pid)).toBe(before);
  });

  it("marks a set entered in error: it leaves the list and the summary", async () => {
    const b = await signedIn("north", USERS.nurse.email);
    const pid = await newPatient(b);
    await b.post(`/patients/${pid}/chart/vitals/new`, vitalsForm({ pulse: "131" }));
    const row = await latest(pid);
    expect((await b.post(`/patients/${pid}/chart/vitals/${row!.id}/error`, {})).status).toBe(303);
    expect(await latest(pid)).toMatchObject({ status: "entered_in_error" });
    expect(await (await b.get(`/patients/${pid}/chart`)).text()).toContain("No vitals recorded.");
    expect(await auditRows("north", "event = 'vitals.entered_in_error' AND patient_id = ?", pid)).toHaveLength(1);
  });
});

describe("vitals access", () => {
  it("refuses the front desk (403) and answers 404 for another clinic's patient", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    const pid = await newPatient(desk);
    expect((await desk.get(`/patients/${pid}/chart/vitals`)).status).toBe(403);
    expect((await desk.get(`/patients/${pid}/chart/vitals/new`)).status).toBe(403);
    expect((await desk.post(`/patients/${pid}/chart/vitals/new`, vitalsForm({ pulse: "70" }))).status).toBe(403);
    const south = await signedIn("south", USERS.provider.email);
    expect((await south.get(`/patients/${pid}/chart/vitals`)).status).toBe(404);
    expect((await south.post(`/patients/${pid}/chart/vitals/new`, vitalsForm({ pulse: "70" }))).status).toBe(404);
    expect(await count("north", "vitals", "patient_id = ?", pid)).toBe(0);
    expect(await auditRows("south", "event = 'vitals.create' AND outcome = 'failure'")).toHaveLength(1);
  });
});
