// Who may write what in the chart, and the trail refusals leave: the problem list is the
// clinician's (a nurse records vitals but not diagnoses), refused writes and refused pages are
// audited under the patient, and the allergy banner keeps every active allergy.
import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { auditRows, clinicD1, signedIn } from "../helpers";
import { newPatient } from "./support";

describe("the problem list", () => {
  it("takes a diagnosis from a provider and refuses a nurse, who still records vitals", async () => {
    const provider = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(provider);
    const nurse = await signedIn("north", USERS.nurse.email);

    const refused = await nurse.post(`/patients/${pid}/chart/problems`, { code: "I10", description: "Essential (primary) hypertension", status: "active" });
    expect(refused.status).toBe(403);
    const vitals = await nurse.post(`/patients/${pid}/chart/vitals/new`, { systolic: "132", diastolic: "84", temperature_unit: "C", weight_unit: "kg", height_unit: "cm" });
    expect(vitals.status).toBe(303);

    const allowed = await provider.post(`/patients/${pid}/chart/problems`, { code: "I10", description: "Essential (primary) hypertension", status: "active" });
    expect(allowed.status).toBe(303);
    const rows = await clinicD1("north").prepare("SELECT code, created_by FROM problems WHERE patient_id = ?").bind(pid).all();
    expect(rows.results).toEqual([{ code: "I10", created_by: USERS.provider.id }]);

    const denied = await auditRows("north", "event = 'access.denied' AND patient_id = ?", pid);
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ outcome: "denied", user_id: USERS.nurse.id });
  });
});

describe("refused writes", () => {
  it("leave a failure row under the patient and nothing else", async () => {
    const provider = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(provider);
    const res = await provider.post(`/patients/${pid}/chart/vitals/new`, { systolic: "900", temperature_unit: "C", weight_unit: "kg", height_unit: "cm" });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/Systolic/);
    const written = await clinicD1("north").prepare("SELECT count(*) AS n FROM vitals WHERE patient_id = ?").bind(pid).first<{ n: number }>();
    expect(written?.n).toBe(0);
    const trail = await auditRows("north", "event = 'record.write_refused' AND patient_id = ?", pid);
    expect(trail).toHaveLength(1);
    expect(trail[0]).toMatchObject({ outcome: "failure", user_id: USERS.provider.id });
    expect(String(trail[0]!.detail)).not.toMatch(/900/);
  });
});

describe("the allergy banner", () => {
  it("shows an active allergy even behind fifty voided ones", async () => {
    const provider = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(provider);
    const d1 = clinicD1("north");
    const stmts = [];
    for (let i = 0; i < 55; i++) {
      stmts.push(
        d1.prepare("INSERT INTO allergies (id, patient_id, substance, category, status) VALUES (?, ?, ?, 'food', 'entered_in_error')").bind(crypto.randomUUID(), pid, `Aardvark ${String(i).padStart(2, "0")}`),
      );
    }
    stmts.push(d1.prepare("INSERT INTO allergies (id, patient_id, substance, category, severity, status) VALUES (?, ?, 'Zucchini', 'food', 'severe', 'active')").bind(crypto.randomUUID(), pid));
    await d1.batch(stmts);
    const html = await (await provider.get(`/patients/${pid}/chart`)).text();
    const banner = html.match(/<p class="allergy-banner[^"]*"[^>]*>([\s\S]*?)<\/p>/)?.[1] ?? "";
    expect(banner).toMatch(/Zucchini/);
    expect(banner).not.toMatch(/Aardvark/);
  });
});
