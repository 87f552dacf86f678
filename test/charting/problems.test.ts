// The coded problem list (issue 5): the ICD-10-CM picker searches the shipped starter codes by code
// (with or without the dot) and by words, accents ignored; a code must exist; every read and write is audited.
import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { auditRows, clinicD1, signedIn, type Browser } from "../helpers";
import { count, HX, newPatient } from "./support";

const form = (over: Record<string, string> = {}) => ({ code: "", description: "", status: "active", onset_date: "", resolved_date: "", note: "", ...over });

async function codes(b: Browser, pid: string, q: string): Promise<string> {
  const res = await b.get(`/patients/${pid}/chart/problems/codes?q=${encodeURIComponent(q)}`, HX("fieldset#code-results"));
  expect(res.status).toBe(200);
  return res.text();
}

const problemRow = (pid: string) =>
  clinicD1("north").prepare("SELECT * FROM problems WHERE patient_id = ? ORDER BY created_at DESC LIMIT 1").bind(pid).first<Record<string, string | number | null>>();

describe("ICD-10-CM code picker", () => {
  it("ships the starter subset: a few hundred billable codes with the dot and a folded search text", async () => {
    const d1 = clinicD1("north");
    const n = await d1.prepare("SELECT COUNT(*) AS n, SUM(billable) AS billable FROM icd10_codes WHERE source = 'starter'").first<{ n: number; billable: number }>();
    expect(n!.n).toBeGreaterThanOrEqual(300);
    expect(n!.n).toBeLessThanOrEqual(400);
    expect(n!.billable).toBe(n!.n);
    const bad = await d1.prepare("SELECT code FROM icd10_codes WHERE length(code) > 3 AND substr(code, 4, 1) != '.'").all();
    expect(bad.results).toEqual([]);
    const row = await d1.prepare("SELECT * FROM icd10_codes WHERE code = 'E11.9'").first<Record<string, string>>();
    expect(row).toMatchObject({ description: "Type 2 diabetes mellitus without complications", search_text: "e119 type 2 diabetes mellitus without complications" });
  });

  it("finds codes by prefix, with or without the dot, as an htmx fragment", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    for (const q of ["E11", "e11.9", "E119"]) {
      const html = await codes(b, pid, q);
      expect(html).toMatch(/^<fieldset id="code-results"/);
      expect(html).toContain('value="E11.9"');
      expect(html).toContain("Type 2 diabetes mellitus without complications");
      expect(html).not.toContain("<html");
    }
    expect(await codes(b, pid, "M54.5")).toContain('value="M54.50"');
    expect(await codes(b, pid, "M54.5")).not.toContain('value="E11.9"');
  });

  it("finds codes by words in any order, ignoring accents and apostrophes", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const back = await codes(b, pid, "low back pain");
    expect(back).toContain('value="M54.50"');
    expect(back).toContain('value="M54.59"');
    expect(await codes(b, pid, "Diabète type 2")).toContain('value="E11.9"');
    expect(await codes(b, pid, "alzheimers")).toContain('value="G30.9"');
    expect(await codes(b, pid, "anxiety generalized")).toContain('value="F41.1"');
    expect(await codes(b, pid, "zzqx nothing")).toContain("No code matches");
  });

  it("works without JavaScript: the search button loads the add page with the matches as choices", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const res = await b.get(`/patients/${pid}/chart/problems/codes?q=hypertension`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<html");
    expect(html).toContain("Add a problem");
    expect(html).toMatch(/<input type="radio" name="code" value="I10"\/>/);
    expect(html).toContain(`action="/patients/${pid}/chart/problems"`);
  });
});

describe("POST /patients/:id/chart/problems", () => {
  it("adds a coded problem (the code normalized, the official description by default), audited", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const res = await b.post(`/patients/${pid}/chart/problems`, form({ code: "e119", onset_date: "2020-05-01" }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/patients/${pid}/chart/problems?saved=1`);
    const row = await problemRow(pid);
    expect(row).toMatchObject({ code: "E11.9", description: "Type 2 diabetes mellitus without complications", status: "active", onset_date: "2020-05-01", created_by: USERS.provider.id });
    const list = await (await b.get(res.headers.get("location")!)).text();
    expect(list).toContain("E11.9");
    expect(list).toContain("Saved.");
    const audit = await auditRows("north", "event = 'problem.create' AND patient_id = ?", pid);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entity_id: row!.id, action: "create", outcome: "success" });
    expect(String(audit[0]!.detail)).not.toContain("diabetes");
    expect(await auditRows("north", "event = 'problems.view' AND patient_id = ?", pid)).toHaveLength(1);
  });

  it("accepts a problem in words only", async () => {
    const b = await signedIn("north", USERS.associate.email);
    const pid = await newPatient(await signedIn("north", USERS.provider.email));
    expect((await b.post(`/patients/${pid}/chart/problems`, form({ description: "Chronic left knee pain after fall" }))).status).toBe(303);
    expect(await problemRow(pid)).toMatchObject({ code: null, description: "Chronic left knee pain after fall" });
  });

  it("refuses a code that is not in the code list (422, field named, nothing written)", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const res = await b.post(`/patients/${pid}/chart/problems`, form({ code: "Z99.999", description: "Made up" }));
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("ICD-10-CM code Z99.999 is not in the clinic");
    expect(html).toContain('id="f-code-error"');
    expect(await count("north", "problems", "patient_id = ?", pid)).toBe(0);
    expect(await auditRows("north", "event = 'problem.create' AND patient_id = ?", pid)).toHaveLength(0);
  });

  it("refuses bad input with the field named: a code of the wrong shape, no description, a future onset", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const cases: [Record<string, string>, string][] = [
      [form({ code: "12345" }), "ICD-10-CM code must look like E11.9"],
      [form({}), "Description is required when no ICD-10-CM code is chosen."],
      [form({ description: "Knee pain", onset_date: "2999-01-01" }), "Onset date cannot be in the future."],
      [form({ description: "Knee pain", status: "cured" }), "Status must be active, inactive or resolved."],
    ];
    for (const [fields, message] of cases) {
      const res = await b.post(`/patients/${pid}/chart/problems`, fields);
      expect(res.status).toBe(422);
      expect(await res.text()).toContain(message);
    }
    expect(await count("north", "problems", "patient_id = ?", pid)).toBe(0);
  });
});

describe("editing problems", () => {
  it("edits under a version check: a stale form is a 409 and overwrites nothing", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    await b.post(`/patients/${pid}/chart/problems`, form({ code: "I10" }));
    const row = (await problemRow(pid))!;
    const edit = await b.get(`/patients/${pid}/chart/problems/${row.id}/edit`);
    expect(edit.status).toBe(200);
    expect(await edit.text()).toMatch(/<input type="radio" name="code" value="I10" checked/);
    expect((await b.post(`/patients/${pid}/chart/problems/${row.id}`, form({ code: "I10", description: "Hypertension, well controlled", version: "1" }))).status).toBe(303);
    const stale = await b.post(`/patients/${pid}/chart/problems/${row.id}`, form({ code: "I10", description: "Overwriting", version: "1" }));
    expect(stale.status).toBe(409);
    const html = await stale.text();
    expect(html).toContain("was changed by someone else");
    expect(html).toContain("Hypertension, well controlled");
    expect(await problemRow(pid)).toMatchObject({ description: "Hypertension, well controlled", version: 2 });
    expect(await auditRows("north", "event = 'problem.update' AND patient_id = ? AND outcome = 'failure'", pid)).toHaveLength(1);
  });

  it("resolves (today) and marks entered in error; the list shows active problems first", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    await b.post(`/patients/${pid}/chart/problems`, form({ code: "J06.9" }));
    await b.post(`/patients/${pid}/chart/problems`, form({ code: "F41.1" }));
    const uri = await clinicD1("north").prepare("SELECT id, version FROM problems WHERE patient_id = ? AND code = 'J06.9'").bind(pid).first<{ id: string; version: number }>();
    expect((await b.post(`/patients/${pid}/chart/problems/${uri!.id}/resolve`, { version: String(uri!.version) })).status).toBe(303);
    const resolved = await clinicD1("north").prepare("SELECT status, resolved_date FROM problems WHERE id = ?").bind(uri!.id).first<{ status: string; resolved_date: string }>();
    expect(resolved!.status).toBe("resolved");
    expect(resolved!.resolved_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const html = await (await b.get(`/patients/${pid}/chart/problems`)).text();
    expect(html.indexOf("F41.1")).toBeLessThan(html.indexOf("J06.9"));
    // A stale button is a conflict, not a silent second write.
    expect((await b.post(`/patients/${pid}/chart/problems/${uri!.id}/error`, { version: String(uri!.version) })).status).toBe(409);
    expect((await b.post(`/patients/${pid}/chart/problems/${uri!.id}/error`, { version: String(uri!.version + 1) })).status).toBe(303);
    expect(await auditRows("north", "event IN ('problem.resolve', 'problem.entered_in_error') AND patient_id = ? AND outcome = 'success'", pid)).toHaveLength(2);
  });
});

describe("problem list access", () => {
  it("is closed to front desk and billers (403) and answers 404 for another clinic's patient or problem", async () => {
    const prov = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(prov);
    await prov.post(`/patients/${pid}/chart/problems`, form({ code: "I10" }));
    const row = (await problemRow(pid))!;
    const desk = await signedIn("north", USERS.frontDesk.email);
    expect((await desk.get(`/patients/${pid}/chart/problems`)).status).toBe(403);
    expect((await desk.post(`/patients/${pid}/chart/problems`, form({ code: "I10" }))).status).toBe(403);
    const biller = await signedIn("north", USERS.biller.email);
    expect((await biller.get(`/patients/${pid}/chart/problems/codes?q=I10`, HX("fieldset#code-results"))).status).toBe(403);

    const south = await signedIn("south", USERS.provider.email);
    expect((await south.get(`/patients/${pid}/chart/problems`)).status).toBe(404);
    expect((await south.post(`/patients/${pid}/chart/problems`, form({ code: "I10" }))).status).toBe(404);
    expect((await south.post(`/patients/${pid}/chart/problems/${row.id}`, form({ code: "I10", description: "x", version: "1" }))).status).toBe(404);
    // Another patient's problem id under this patient is a 404 too.
    const other = await newPatient(prov);
    expect((await prov.get(`/patients/${other}/chart/problems/${row.id}/edit`)).status).toBe(404);
    expect((await prov.post(`/patients/${other}/chart/problems/${row.id}/resolve`, { version: "1" })).status).toBe(404);
    expect(await problemRow(pid)).toMatchObject({ status: "active", version: 1 });
  });
});
