import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { controlCharacterError } from "../../src/platform/validation";
import { USERS } from "../fixtures";
import { Browser, clinicD1, patientForm, signedIn } from "../helpers";
import { nyInstant, seedSchedule, tomorrowNY } from "../schedule-fixtures";

const count = async (db: D1Database, sql: string, ...params: unknown[]) => (await db.prepare(sql).bind(...params).first<{ n: number }>())!.n;

describe("control characters in text fields", () => {
  it("sorts characters: one-line fields refuse every control, multi-line text keeps tab and line breaks", () => {
    for (const bad of ["a\u0000b", "a\r\nb", "a\nb", "a\tb", "a\u001bb", "a\u007fb", "a\u0085b", "a\u009bb"]) {
      expect(controlCharacterError(bad, "Name"), JSON.stringify(bad)).toBe("Name must be a single line without control characters.");
    }
    expect(controlCharacterError("José O'Brien-Łukasz 李", "Name")).toBeNull();
    expect(controlCharacterError("line one\r\nline two\tindented", "Note", "multi-line")).toBeNull();
    for (const bad of ["a\u0000b", "a\u0007b", "a\u000bb", "a\u0090b"]) expect(controlCharacterError(bad, "Note", "multi-line")).toMatch(/control character/);
  });

  it("refuses a patient name with NUL (422, field named) and registers nobody", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    const before = await count(clinicD1("north"), "SELECT COUNT(*) AS n FROM patients");
    const res = await desk.post("/patients", patientForm({ given_name: "Ma\u0000ria", family_name: "Nul" }));
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("Legal first name must be a single line without control characters.");
    const crlf = await desk.post("/patients", patientForm({ family_name: "Rivera\r\nX-Injected: 1" }));
    expect(crlf.status).toBe(422);
    expect(await crlf.text()).toContain("Legal last name must be a single line without control characters.");
    expect(await count(clinicD1("north"), "SELECT COUNT(*) AS n FROM patients")).toBe(before);
  });

  it("refuses a booking name with CRLF and books nothing", async () => {
    const w = await seedSchedule("south", { providers: 1 });
    const b = Browser.at("south");
    const p = w.providers[0]!;
    const start = nyInstant(tomorrowNY(), "10:30");
    const held = await b.post("/book/hold", { slot: `${p.id}|${w.locationId}|${start}`, type: w.typeSlug, provider: p.slug, back: `/book/${p.slug}/${w.typeSlug}` });
    expect(held.status).toBe(303);
    const hold = new URL(`https://x${held.headers.get("location")}`).searchParams.get("h")!;
    const res = await b.post("/book/confirm", { hold, given_name: "Rosa\r\nBcc: victim@example.org", family_name: "Parks", date_of_birth: "1985-02-04", phone: "(555) 010-7788", email: "rosa@example.org" });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("First name must be a single line without control characters.");
    expect(await count(clinicD1("south"), "SELECT COUNT(*) AS n FROM appointments")).toBe(0);
    expect(await count(clinicD1("south"), "SELECT COUNT(*) AS n FROM outbox")).toBe(0);
  });

  it("refuses a staff name with a control character and adds nobody", async () => {
    const owner = await signedIn("north", USERS.owner.email);
    const res = await owner.post("/staff", { name: "Nina\u0007 Bell", email: "nina.bell@riverside.test", role: "provider" });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("Full name must be a single line without control characters.");
    expect(await count(env.DIRECTORY, "SELECT COUNT(*) AS n FROM users WHERE email = ?", "nina.bell@riverside.test")).toBe(0);
  });

  it("refuses a message template subject with a line break, and a body with NUL, but keeps line breaks in a body", async () => {
    const owner = await signedIn("north", USERS.owner.email);
    const path = "/settings/messages/templates/reminder/email/en";
    const before = await count(clinicD1("north"), "SELECT COUNT(*) AS n FROM message_templates");
    const subject = await owner.post(path, { subject: "Your visit\r\nBcc: x@example.org", body: "Dear {{first_name}},\nsee you soon." });
    expect(subject.status).toBe(422);
    expect(await subject.text()).toContain("Subject must be a single line without control characters.");
    const body = await owner.post(path, { subject: "Your visit", body: "Dear {{first_name}},\u0000 see you soon." });
    expect(body.status).toBe(422);
    expect(await body.text()).toContain("Body contains a control character");
    expect(await count(clinicD1("north"), "SELECT COUNT(*) AS n FROM message_templates")).toBe(before);
    const ok = await owner.post(path, { subject: "Your visit", body: "Dear {{first_name}},\r\n\tsee you soon." });
    expect(ok.status).toBe(303);
  });
});
