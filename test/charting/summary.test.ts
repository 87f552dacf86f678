// The chart summary (issue 5): every section from one D1 batch whatever the size of the chart,
// within the 60 KB first-load budget, only for clinical roles, and audited.
import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { auditRows, clinicD1, signedIn, type Browser } from "../helpers";
import { gzipSize, newPatient, roundTrips, seedChart } from "./support";

async function assetsGz(b: Browser, html: string): Promise<number> {
  let total = 0;
  for (const m of html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)) {
    const res = await b.get(m[1]!);
    expect(res.status).toBe(200);
    total += await gzipSize(await res.arrayBuffer());
  }
  return total;
}

describe("GET /patients/:id/chart", () => {
  it("shows problems, allergies, medications, latest vitals with flags, visits, results, documents and encounters", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    await seedChart("north", pid, 2, { tag: "sum" });
    const res = await b.get(`/patients/${pid}/chart`);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const text of ["Problem sum 0", "E11.9", "Allergen sum 0", "Medicine sum 0", "150/95 mmHg", "Lab sum 0", "Document sum 0", "Note sum 0", "Check-up"]) {
      expect(html).toContain(text);
    }
    // Latest vitals flag out-of-range values in words, and the BMI band.
    expect(html).toMatch(/150\/95 mmHg<span class="flag flag-high"> High<\/span>/);
    expect(html).toContain("Overweight");
    expect(html).toMatch(/href="\/calendar\/appointments\/ap-sum-/);
    expect(html).toMatch(/href="\/notes\/note-sum-/);
    expect(html).toMatch(new RegExp(`href="/patients/${pid}/documents/doc-sum-`));
    expect(html).toMatch(/<form method="post" action="\/encounters"[^>]*>/);
    expect(html).toContain(`name="patient_id" value="${pid}"`);
    expect(html).toContain(`href="/patients/${pid}/chart/vitals/new"`);
    expect(html).toContain(`href="/patients/${pid}/progress"`);
    // The allergy banner of the header.
    expect(html).toMatch(/class="allergy-banner"[^>]*><strong>Allergies:<\/strong>/);

    const rows = await auditRows("north", "event = 'chart.view' AND patient_id = ?", pid);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: "read", outcome: "success", user_id: USERS.provider.id });
  });

  it("makes the same small number of D1 round trips for 1 row per list as for 200, and prints it", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const small = await newPatient(b);
    const big = await newPatient(b);
    await seedChart("north", small, 1, { tag: "one" });
    await seedChart("north", big, 200, { tag: "many" });
    const one = await b.get(`/patients/${small}/chart`);
    const many = await b.get(`/patients/${big}/chart`);
    expect(one.status).toBe(200);
    expect(many.status).toBe(200);
    const manyHtml = await many.text();
    // Each list is capped: 30 problems, not 200.
    expect(manyHtml.match(/Problem many \d+/g)?.length).toBe(30);
    expect(roundTrips(many)).toBe(roundTrips(one));
    expect(roundTrips(many)).toBeLessThanOrEqual(4);
    console.log(`chart summary: ${roundTrips(many)} D1 round trips per request (1 and 200 rows per list)`);
  });

  it("stays within 60 KB compressed on first load (HTML, CSS and htmx) with 200 rows per list", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    await seedChart("north", pid, 200, { tag: "kb" });
    const res = await b.get(`/patients/${pid}/chart`);
    const html = await res.text();
    const htmlGz = await gzipSize(html);
    const assetGz = await assetsGz(b, html);
    console.log(`chart summary first load: html ${htmlGz} B + assets ${assetGz} B = ${htmlGz + assetGz} B gzip`);
    expect(htmlGz + assetGz).toBeLessThanOrEqual(60 * 1024);
  });

  it("shows the allergy banner: not recorded, the active allergies, or none active", async () => {
    const b = await signedIn("north", USERS.nurse.email);
    const pid = await newPatient(b);
    expect(await (await b.get(`/patients/${pid}/chart`)).text()).toMatch(/<strong>Allergies:<\/strong> Not recorded/);
    const res = await b.post(`/patients/${pid}/chart/allergies`, { substance: "Penicillin", category: "medication", reaction: "Hives", severity: "severe", status: "active", onset_date: "", note: "" });
    expect(res.status).toBe(303);
    const html = await (await b.get(`/patients/${pid}/chart`)).text();
    expect(html).toMatch(/<strong>Allergies:<\/strong> <span class="sev-severe">Penicillin \(Hives, severe\)<\/span>/);

    const row = await clinicD1("north").prepare("SELECT id, version FROM allergies WHERE patient_id = ?").bind(pid).first<{ id: string; version: number }>();
    expect((await b.post(`/patients/${pid}/chart/allergies/${row!.id}/error`, { version: String(row!.version) })).status).toBe(303);
    // An allergy entered in error records nothing; a resolved one records that there is none now.
    expect(await (await b.get(`/patients/${pid}/chart`)).text()).toMatch(/<strong>Allergies:<\/strong> Not recorded/);
    await b.post(`/patients/${pid}/chart/allergies`, { substance: "Latex", category: "environment", reaction: "", severity: "mild", status: "resolved", onset_date: "", note: "" });
    expect(await (await b.get(`/patients/${pid}/chart`)).text()).toMatch(/<strong>Allergies:<\/strong> No active allergies/);
  });

  it("refuses front desk and billers (403), and answers 404 for another clinic's patient", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    const pid = await newPatient(desk);
    expect((await desk.get(`/patients/${pid}/chart`)).status).toBe(403);
    const biller = await signedIn("north", USERS.biller.email);
    expect((await biller.get(`/patients/${pid}/chart`)).status).toBe(403);
    expect(await auditRows("north", "event = 'chart.view' AND patient_id = ?", pid)).toHaveLength(0);

    const south = await signedIn("south", USERS.provider.email);
    const res = await south.get(`/patients/${pid}/chart`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("Testwood");
    const failed = await auditRows("south", "event = 'chart.view' AND entity_id = ?", pid);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ outcome: "failure", patient_id: null });
  });
});
