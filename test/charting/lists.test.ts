// The chart's lists (issue 5): allergies, medications (stopping keeps them listed), immunizations
// (CVX codes, no future dates), the version-checked history form and alerts. Bad input is a 422
// with the field named and nothing written; stale forms are 409s; every write leaves an audit row.
import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { auditRows, clinicD1, signedIn } from "../helpers";
import { count, newPatient } from "./support";

const first = <T,>(sql: string, ...params: unknown[]) => clinicD1("north").prepare(sql).bind(...params).first<T>();

const allergy = (over: Record<string, string> = {}) => ({ substance: "Peanuts", category: "food", reaction: "Anaphylaxis", severity: "severe", status: "active", onset_date: "", note: "", ...over });
const medication = (over: Record<string, string> = {}) => ({
  name: "Lisinopril 10 mg tablet",
  dose: "1 tablet",
  route: "by mouth",
  frequency: "once daily",
  start_date: "2024-02-01",
  stop_date: "",
  status: "active",
  stop_reason: "",
  prescriber: "Dr. Elsewhere",
  note: "",
  ...over,
});
const immunization = (over: Record<string, string> = {}) => ({ cvx_code: "115", administered_on: "2024-10-01", lot_number: "AB123", manufacturer: "Sanofi", site: "Left deltoid", route: "IM", dose_number: "1", note: "", ...over });
const history = (over: Record<string, string> = {}) => ({ medical: "Asthma as a child", surgical: "Appendectomy 2010", family: "Father: type 2 diabetes", smoking_status: "former", alcohol_use: "Rarely", occupation: "Teacher", social_note: "", ...over });

describe("allergies", () => {
  it("adds, edits under a version check (stale form 409) and marks entered in error, audited", async () => {
    const b = await signedIn("north", USERS.nurse.email);
    const pid = await newPatient(b);
    expect((await b.post(`/patients/${pid}/chart/allergies`, allergy())).status).toBe(303);
    const row = (await first<{ id: string; version: number; substance: string }>("SELECT * FROM allergies WHERE patient_id = ?", pid))!;
    expect(row.substance).toBe("Peanuts");
    const list = await (await b.get(`/patients/${pid}/chart/allergies`)).text();
    expect(list).toContain("Anaphylaxis");
    expect(list).toMatch(/<strong>Allergies:<\/strong> <span class="sev-severe">Peanuts/);

    expect((await b.post(`/patients/${pid}/chart/allergies/${row.id}`, allergy({ reaction: "Hives", version: "1" }))).status).toBe(303);
    const stale = await b.post(`/patients/${pid}/chart/allergies/${row.id}`, allergy({ reaction: "Overwritten", version: "1" }));
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('value="Hives"');
    expect((await first<{ reaction: string }>("SELECT reaction FROM allergies WHERE id = ?", row.id))!.reaction).toBe("Hives");

    expect((await b.post(`/patients/${pid}/chart/allergies/${row.id}/error`, { version: "2" })).status).toBe(303);
    expect((await first<{ status: string }>("SELECT status FROM allergies WHERE id = ?", row.id))!.status).toBe("entered_in_error");
    const events = (await auditRows("north", "patient_id = ? AND entity_type = 'allergy' AND outcome = 'success' AND action != 'read'", pid)).map((r) => r.event);
    expect(events).toEqual(["allergy.create", "allergy.update", "allergy.entered_in_error"]);
  });

  it("refuses bad input with the field named and writes nothing", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const cases: [Record<string, string>, string][] = [
      [allergy({ substance: "  " }), "Substance is required."],
      [allergy({ category: "mineral" }), "Category must be medication, food, environment, biologic or other."],
      [allergy({ severity: "deadly" }), "Severity must be mild, moderate, severe or unknown."],
      [allergy({ onset_date: "2020-02-30" }), "Onset date must be a real date"],
    ];
    for (const [fields, message] of cases) {
      const res = await b.post(`/patients/${pid}/chart/allergies`, fields);
      expect(res.status).toBe(422);
      expect(await res.text()).toContain(message);
    }
    expect(await count("north", "allergies", "patient_id = ?", pid)).toBe(0);
  });
});

describe("medications", () => {
  it("offers the signed-in clinician as prescriber, and links the staff account when kept", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const page = await (await b.get(`/patients/${pid}/chart/medications`)).text();
    expect(page).toContain(`name="prescriber" type="text" value="${USERS.provider.name}"`);
    await b.post(`/patients/${pid}/chart/medications`, medication({ prescriber: USERS.provider.name }));
    expect(await first("SELECT prescriber, prescriber_staff_id, source FROM medications WHERE patient_id = ?", pid)).toEqual({
      prescriber: USERS.provider.name,
      prescriber_staff_id: USERS.provider.id,
      source: "manual",
    });
  });

  it("stops a medication: it stays listed, stopped, with its date and reason", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    await b.post(`/patients/${pid}/chart/medications`, medication());
    const med = (await first<{ id: string; version: number }>("SELECT id, version FROM medications WHERE patient_id = ?", pid))!;
    const noReason = await b.post(`/patients/${pid}/chart/medications/${med.id}/stop`, { version: String(med.version), stop_reason: "", stop_date: "" });
    expect(noReason.status).toBe(422);
    expect(await noReason.text()).toContain("Stop reason is required.");
    expect((await first<{ status: string }>("SELECT status FROM medications WHERE id = ?", med.id))!.status).toBe("active");

    const res = await b.post(`/patients/${pid}/chart/medications/${med.id}/stop`, { version: String(med.version), stop_reason: "Dry cough", stop_date: "2025-03-01" });
    expect(res.status).toBe(303);
    expect(await first("SELECT status, stop_date, stop_reason FROM medications WHERE id = ?", med.id)).toEqual({ status: "stopped", stop_date: "2025-03-01", stop_reason: "Dry cough" });
    const list = await (await b.get(`/patients/${pid}/chart/medications`)).text();
    expect(list).toContain("Lisinopril 10 mg tablet");
    expect(list).toContain("Dry cough");
    expect(list).toMatch(/<tr class="stopped">/);
    // The summary lists active medications only.
    expect(await (await b.get(`/patients/${pid}/chart`)).text()).toContain("No active medications.");
    expect(await auditRows("north", "event = 'medication.stop' AND patient_id = ?", pid)).toHaveLength(1);
  });

  it("refuses a stopped medication without a reason, and a stop date before the start", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const noReason = await b.post(`/patients/${pid}/chart/medications`, medication({ status: "stopped" }));
    expect(noReason.status).toBe(422);
    expect(await noReason.text()).toContain("Stop reason is required for a stopped medication.");
    const early = await b.post(`/patients/${pid}/chart/medications`, medication({ stop_date: "2020-01-01" }));
    expect(early.status).toBe(422);
    expect(await early.text()).toContain("Stop date cannot be before the start date.");
    expect(await count("north", "medications", "patient_id = ?", pid)).toBe(0);
  });
});

describe("immunizations", () => {
  it("records a vaccine by CVX code with its name, lot and site", async () => {
    const b = await signedIn("north", USERS.nurse.email);
    const pid = await newPatient(b);
    expect((await b.post(`/patients/${pid}/chart/immunizations`, immunization())).status).toBe(303);
    expect(await first("SELECT cvx_code, vaccine, lot_number, site, route, dose_number FROM immunizations WHERE patient_id = ?", pid)).toEqual({
      cvx_code: "115",
      vaccine: "Tdap (tetanus, diphtheria, acellular pertussis)",
      lot_number: "AB123",
      site: "Left deltoid",
      route: "IM",
      dose_number: 1,
    });
    const page = await (await b.get(`/patients/${pid}/chart/immunizations`)).text();
    expect(page).toContain("Tdap (tetanus, diphtheria, acellular pertussis)");
    expect(page).toContain("CVX 115");
    expect(await auditRows("north", "event = 'immunization.create' AND patient_id = ?", pid)).toHaveLength(1);
  });

  it("refuses a future date, an unknown CVX code and a bad dose number", async () => {
    const b = await signedIn("north", USERS.nurse.email);
    const pid = await newPatient(b);
    const cases: [Record<string, string>, string][] = [
      [immunization({ administered_on: "2999-01-01" }), "Date given cannot be in the future."],
      [immunization({ administered_on: "" }), "Date given is required."],
      [immunization({ cvx_code: "9999" }), "Vaccine must be chosen from the list of CVX codes."],
      [immunization({ dose_number: "0" }), "Dose number must be a whole number from 1 to 10."],
      [immunization({ route: "IV" }), "Route must be IM, SC, ID, IN or PO."],
    ];
    for (const [fields, message] of cases) {
      const res = await b.post(`/patients/${pid}/chart/immunizations`, fields);
      expect(res.status).toBe(422);
      expect(await res.text()).toContain(message);
    }
    expect(await count("north", "immunizations", "patient_id = ?", pid)).toBe(0);
  });
});

describe("history", () => {
  it("saves the first version, then refuses a stale form with 409 and overwrites nothing", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const form = await (await b.get(`/patients/${pid}/chart/history`)).text();
    expect(form).toContain('name="version" value="0"');
    expect((await b.post(`/patients/${pid}/chart/history`, { ...history(), version: "0" })).status).toBe(303);
    expect(await first("SELECT smoking_status, occupation, version FROM histories WHERE patient_id = ?", pid)).toEqual({ smoking_status: "former", occupation: "Teacher", version: 1 });

    // Two tabs opened on version 1: the first save wins, the second is a conflict.
    expect((await b.post(`/patients/${pid}/chart/history`, { ...history({ occupation: "Principal" }), version: "1" })).status).toBe(303);
    const stale = await b.post(`/patients/${pid}/chart/history`, { ...history({ occupation: "Retired" }), version: "1" });
    expect(stale.status).toBe(409);
    const html = await stale.text();
    expect(html).toContain("Someone else saved this patient");
    expect(html).toContain('value="Principal"');
    expect(html).toContain('name="version" value="2"');
    // A second "first save" from a form opened before any history existed is a conflict too.
    expect((await b.post(`/patients/${pid}/chart/history`, { ...history({ occupation: "Nobody" }), version: "0" })).status).toBe(409);
    expect(await first("SELECT occupation, version FROM histories WHERE patient_id = ?", pid)).toEqual({ occupation: "Principal", version: 2 });
    const events = (await auditRows("north", "patient_id = ? AND entity_type = 'history'", pid)).map((r) => `${r.event}:${r.outcome}`);
    expect(events).toEqual(["history.view:success", "history.create:success", "history.update:success", "history.update:failure", "history.view:success", "history.create:failure", "history.view:success"]);
  });

  it("refuses bad input with the field named", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const res = await b.post(`/patients/${pid}/chart/history`, { ...history({ smoking_status: "vaping" }), version: "0" });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("Smoking status must be one of the listed choices.");
    expect(await count("north", "histories", "patient_id = ?", pid)).toBe(0);
  });
});

describe("alerts", () => {
  it("adds an alert to the header and deactivates it", async () => {
    const b = await signedIn("north", USERS.nurse.email);
    const pid = await newPatient(b);
    expect((await b.post(`/patients/${pid}/chart/alerts`, { text: "Fall risk", severity: "critical" })).status).toBe(303);
    expect(await (await b.get(`/patients/${pid}/chart`)).text()).toContain('<li class="alert-critical">Fall risk</li>');
    const alert = (await first<{ id: string }>("SELECT id FROM chart_alerts WHERE patient_id = ?", pid))!;
    expect((await b.post(`/patients/${pid}/chart/alerts/${alert.id}/deactivate`, {})).status).toBe(303);
    expect(await (await b.get(`/patients/${pid}/chart`)).text()).not.toContain("Fall risk");
    expect(await (await b.get(`/patients/${pid}/chart/alerts`)).text()).toContain("Deactivated (1)");
    expect((await auditRows("north", "patient_id = ? AND entity_type = 'chart_alert'", pid)).map((r) => r.event)).toEqual(["alert.create", "alert.deactivate"]);
    // A second click changes nothing, and says so in the trail.
    expect((await b.post(`/patients/${pid}/chart/alerts/${alert.id}/deactivate`, {})).status).toBe(303);
    const repeat = await auditRows("north", "patient_id = ? AND entity_type = 'chart_alert' AND event = 'alert.deactivate'", pid);
    expect(repeat.map((r) => r.detail)).toEqual([null, "already inactive; no changes"]);
    const bad = await b.post(`/patients/${pid}/chart/alerts`, { text: "", severity: "warning" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("Alert text is required.");
  });
});

describe("list access", () => {
  it("refuses the front desk (403) and answers 404 for another clinic's patient or another patient's record", async () => {
    const prov = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(prov);
    await prov.post(`/patients/${pid}/chart/allergies`, allergy());
    const row = (await first<{ id: string }>("SELECT id FROM allergies WHERE patient_id = ?", pid))!;
    const desk = await signedIn("north", USERS.frontDesk.email);
    for (const path of ["allergies", "medications", "immunizations", "history", "alerts"]) {
      expect((await desk.get(`/patients/${pid}/chart/${path}`)).status, path).toBe(403);
    }
    expect((await desk.post(`/patients/${pid}/chart/allergies`, allergy())).status).toBe(403);
    const south = await signedIn("south", USERS.provider.email);
    for (const path of ["allergies", "medications", "immunizations", "history", "alerts"]) {
      expect((await south.get(`/patients/${pid}/chart/${path}`)).status, path).toBe(404);
    }
    expect((await south.post(`/patients/${pid}/chart/medications`, medication())).status).toBe(404);
    const other = await newPatient(prov);
    expect((await prov.get(`/patients/${other}/chart/allergies/${row.id}/edit`)).status).toBe(404);
    expect((await prov.post(`/patients/${other}/chart/allergies/${row.id}`, allergy({ version: "1" }))).status).toBe(404);
    expect(await count("north", "allergies", "patient_id = ?", pid)).toBe(1);
    expect(await count("north", "medications", "patient_id = ?", pid)).toBe(0);
  });
});

describe("bad input and access", () => {
  it("answers 403 and 404 before any field message, and a form without its version is a conflict, not a 422", async () => {
    const prov = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(prov);
    const desk = await signedIn("north", USERS.frontDesk.email);
    // Bad input from a role without chart:write is still a 403, and from another clinic a 404.
    expect((await desk.post(`/patients/${pid}/chart/allergies`, allergy({ substance: "" }))).status).toBe(403);
    expect((await desk.post(`/patients/${pid}/chart/history`, { ...history({ smoking_status: "vaping" }), version: "0" })).status).toBe(403);
    const south = await signedIn("south", USERS.provider.email);
    expect((await south.post(`/patients/${pid}/chart/allergies`, allergy({ substance: "" }))).status).toBe(404);
    expect((await south.post(`/patients/${pid}/chart/history`, { ...history({ smoking_status: "vaping" }), version: "0" })).status).toBe(404);
    // A history form without its version is stale whatever its fields say.
    const stale = await prov.post(`/patients/${pid}/chart/history`, history({ smoking_status: "vaping" }));
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain("The form is missing its version; reopen it and try again.");
    // The allergy form names the missing field; nothing is written anywhere.
    const bad = await prov.post(`/patients/${pid}/chart/allergies`, allergy({ substance: "  " }));
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("Substance is required.");
    expect(await count("north", "allergies", "patient_id = ?", pid)).toBe(0);
    expect(await count("north", "histories", "patient_id = ?", pid)).toBe(0);
  });
});
