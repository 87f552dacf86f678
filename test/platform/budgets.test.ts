// Page weight and round-trip budgets of the patient list (issue budgets: first load at most 60 KB
// compressed with CSS and htmx; a search fragment at most 8 KB; D1 round trips independent of rows).
import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { clinicD1, signedIn, type Browser } from "../helpers";

async function gzipSize(body: ArrayBuffer | string): Promise<number> {
  const stream = new Response(body).body!.pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

function roundTrips(res: Response): number {
  const m = (res.headers.get("server-timing") ?? "").match(/d1;desc="(\d+) D1 round trips"/);
  if (!m) throw new Error("no Server-Timing d1 entry");
  return Number(m[1]);
}

async function seedPatients(n: number, prefix: string) {
  const d1 = clinicD1("north");
  const stmts = [];
  for (let i = 0; i < n; i++) {
    const given = `${prefix}${i}`;
    stmts.push(
      d1
        .prepare(
          `INSERT INTO patients (id, given_name, family_name, preferred_name, date_of_birth, sex_at_birth, phone, phone_digits, email,
             insurance_payer, search_name, identity_key) VALUES (?, ?, 'Budgetson', 'Bud', '1970-01-01', 'female', '+15550101234', '5550101234',
             'bud@example.org', 'United Healthcare', ?, ?)`,
        )
        .bind(crypto.randomUUID(), given, `${given.toLowerCase()} budgetson bud`, `${given.toLowerCase()}|budgetson|1970-01-01`),
    );
  }
  await d1.batch(stmts);
}

async function assets(b: Browser, html: string): Promise<number> {
  let total = 0;
  for (const m of html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)) {
    const res = await b.get(m[1]!);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    total += await gzipSize(await res.arrayBuffer());
  }
  return total;
}

describe("patient list budgets", () => {
  it("first load with a full page of patients stays within 60 KB compressed, a fragment within 8 KB", async () => {
    await seedPatients(40, "Weight");
    const b = await signedIn("north", USERS.frontDesk.email);
    const res = await b.get("/patients");
    const html = await res.text();
    expect((html.match(/Budgetson/g) ?? []).length).toBe(25);
    const htmlGz = await gzipSize(html);
    const assetGz = await assets(b, html);
    const total = htmlGz + assetGz;
    console.log(`patient list first load: html ${htmlGz} B + assets ${assetGz} B = ${total} B gzip`);
    expect(total).toBeLessThanOrEqual(60 * 1024);

    const frag = await b.get("/patients?q=budgetson", { "HX-Request": "true", "HX-Target": "div#patient-results" });
    const fragGz = await gzipSize(await frag.text());
    console.log(`search fragment (25 rows): ${fragGz} B gzip`);
    expect(fragGz).toBeLessThanOrEqual(8 * 1024);
  });

  it("makes the same number of D1 round trips for 1 patient as for a full page", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    await seedPatients(1, "Solo");
    const one = await b.get("/patients?q=solo0");
    expect((await one.text()).match(/Budgetson/g)?.length).toBe(1);
    await seedPatients(60, "Many");
    const many = await b.get("/patients?q=many");
    expect((await many.text()).match(/Budgetson/g)?.length).toBe(25);
    expect(roundTrips(many)).toBe(roundTrips(one));
    expect(roundTrips(many)).toBeLessThanOrEqual(4);
    console.log(`patient list: ${roundTrips(many)} D1 round trips`);
  });
});
