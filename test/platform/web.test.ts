import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { Browser, fetchWorker, registerPatient, signedIn } from "../helpers";
import { nyInstant, seedSchedule, tomorrowNY } from "../schedule-fixtures";

/** The form controls a person fills in or picks (not hidden fields and not buttons), with where each starts. */
function controls(html: string): { tag: string; at: number }[] {
  return [...html.matchAll(/<(?:input|select|textarea)\b[^>]*>/g)]
    .filter((m) => !/\stype="(?:hidden|submit|button|reset|image)"/.test(m[0]))
    .map((m) => ({ tag: m[0], at: m.index! }));
}

/**
 * The controls without a label: one is labelled by a <label for> naming its id, by wrapping in a
 * <label>, or by aria-label / aria-labelledby.
 */
function unlabelledControls(html: string): string[] {
  const wrapped = [...html.matchAll(/<label\b[^>]*>[\s\S]*?<\/label>/g)].map((m) => [m.index!, m.index! + m[0].length] as const);
  return controls(html)
    .filter(({ tag, at }) => {
      if (/\saria-label(?:ledby)?="[^"]+"/.test(tag)) return false;
      const id = tag.match(/\sid="([^"]+)"/)?.[1];
      if (id && html.includes(`for="${id}"`)) return false;
      return !wrapped.some(([from, to]) => from < at && at < to);
    })
    .map(({ tag }) => tag);
}

describe("web conventions", () => {
  it("sends a strict CSP without inline script and the other security headers", async () => {
    const res = await fetchWorker("https://riverside-north.example.test/login");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    expect(res.headers.get("strict-transport-security")).toContain("max-age=");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/\sstyle=/i);
  });

  it("labels every form field on every staff and public page with a form", async () => {
    // The check itself: each way of labelling counts, a bare control does not.
    expect(unlabelledControls('<label for="a">A</label><input id="a"><label>B <select name="b"></select></label><input aria-label="C"><input type="hidden" name="d">')).toEqual([]);
    expect(unlabelledControls('<label for="a">A</label><input id="a2" name="x"><textarea name="y"></textarea>')).toHaveLength(2);
    const desk = await signedIn("north", USERS.frontDesk.email);
    const owner = await signedIn("north", USERS.owner.email);
    const provider = await signedIn("north", USERS.provider.email);
    const world = await seedSchedule("north");
    const patientId = await registerPatient(desk, { given_name: "Lana", family_name: "Labels" });
    const encounter = await provider.post("/encounters", { patient_id: patientId });
    expect(encounter.status).toBe(303);
    const encounterPath = encounter.headers.get("location")!.match(/^\/encounters\/[\w-]+/)![0];
    const note = await provider.post(`${encounterPath}/notes`, { template_id: "starter:mental-health-progress" });
    expect(note.status).toBe(303);
    const notePath = note.headers.get("location")!.match(/^\/notes\/[\w-]+/)![0];
    const chart = `/patients/${patientId}`;
    // Online booking: hold a time tomorrow, then the patient's details form.
    const patient = Browser.at("north");
    const slug = world.providers[0]!.slug;
    await (await patient.get(`/book/${slug}/${world.typeSlug}?from=${tomorrowNY()}`)).arrayBuffer();
    const slot = `${world.providers[0]!.id}|${world.locationId}|${nyInstant(tomorrowNY(), "16:00")}`;
    const held = await patient.post("/book/hold", { slot, type: world.typeSlug, provider: slug, back: `/book/${slug}/${world.typeSlug}` });
    expect(held.status).toBe(303);
    // Each page with whether it must have a field (the task inbox has none while it is empty).
    const pages: [Browser, string, boolean?][] = [
      [Browser.at("north"), "/login"],
      [Browser.at("north"), "/password/forgot"],
      [patient, held.headers.get("location")!],
      [desk, "/patients"],
      [desk, "/patients/new"],
      [desk, `${chart}/edit`],
      [desk, `/waitlist?patient=${patientId}`],
      [desk, "/tasks", false],
      [owner, "/messages"],
      [owner, "/staff"],
      [owner, "/audit"],
      [owner, "/settings/scheduling/locations/new"],
      [owner, `/settings/scheduling/locations/${world.locationId}`],
      [owner, "/settings/scheduling/providers/new"],
      [owner, `/settings/scheduling/providers/${world.providers[0]!.id}/availability`],
      [owner, "/settings/scheduling/types/new"],
      [owner, "/settings/scheduling/booking-rules"],
      [owner, "/settings/scheduling/holidays"],
      [owner, "/settings/messages"],
      [owner, "/settings/workflows/new"],
      [owner, "/settings/questionnaires/new"],
      [provider, `${chart}/chart/allergies`],
      [provider, `${chart}/chart/medications`],
      [provider, `${chart}/chart/immunizations`],
      [provider, `${chart}/chart/problems`],
      [provider, `${chart}/chart/alerts`],
      [provider, `${chart}/chart/vitals/new`],
      [provider, `${chart}/progress/goals/new`],
      [provider, `${chart}/progress/labs/new`],
      [provider, `${chart}/progress/measures/new?instrument=phq9`],
      [provider, `${chart}/documents/new`],
      [provider, encounterPath],
      [provider, notePath],
      [provider, "/settings/templates/new"],
      [provider, "/settings/templates/import"],
    ];
    // Every problem on every page, so one run names them all.
    const problems: string[] = [];
    let total = 0;
    for (const [b, path, hasFields = true] of pages) {
      const res = await b.get(path);
      if (res.status !== 200) {
        problems.push(`${path}: status ${res.status}`);
        continue;
      }
      const html = await res.text();
      for (const tag of unlabelledControls(html)) problems.push(`${path}: no label for ${tag}`);
      const count = controls(html).length;
      if (hasFields && count === 0) problems.push(`${path}: no form field`);
      total += count;
    }
    expect(problems).toEqual([]);
    // The patient form alone has more than fifteen labelled fields.
    expect(controls(await (await desk.get("/patients/new")).text()).length).toBeGreaterThan(15);
    expect(total).toBeGreaterThan(pages.length);
  });

  it("shows a friendly error page with the request id and no stack trace", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const res = await b.get("/patients/does-not-exist");
    expect(res.status).toBe(404);
    const html = await res.text();
    const requestId = res.headers.get("x-request-id")!;
    expect(html).toContain(requestId);
    expect(html).toContain("This patient could not be found.");
    expect(html).not.toMatch(/at .*\.ts:\d+/);
  });

  it("answers htmx requests for errors with a fragment, not a full page", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const res = await b.get("/patients/does-not-exist", { "HX-Request": "true" });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("<html");
  });

  it("refuses a form posted as JSON with 415", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const res = await fetchWorker(`${b.origin}/patients`, {
      method: "POST",
      body: JSON.stringify({ given_name: "x" }),
      headers: { "content-type": "application/json", origin: b.origin, cookie: b.cookieHeader(), "x-csrf-token": b.cookies.get("__Host-csrf")! },
    });
    expect(res.status).toBe(415);
  });

  it("serves fingerprinted assets immutably and 404s unknown ones", async () => {
    const html = await (await Browser.at("north").get("/login")).text();
    const css = html.match(/href="(\/assets\/css\.[0-9a-f]{12}\.css)"/)![1]!;
    const res = await fetchWorker(`https://riverside-north.example.test${css}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/css");
    expect((await fetchWorker("https://riverside-north.example.test/assets/css.000000000000.css")).status).toBe(404);
  });
});

describe("hardening", () => {
  it("answers long search terms (past D1's 50-byte LIKE limit) instead of failing", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const long = "Wolfeschlegelsteinhausenbergerdorff-Ångström-Øresund-Łódź";
    const res = await b.get(`/patients?q=${encodeURIComponent(long)}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("No patient matches");
    const owner = await signedIn("north", USERS.owner.email);
    expect((await owner.get(`/audit?user=${encodeURIComponent("a-very-long-email-address-for-testing@riverside.example")}`)).status).toBe(200);
    expect((await fetchWorker(`https://example.test/?q=${encodeURIComponent("Riverside Health North Family Medicine and Pediatrics")}`)).status).toBe(200);
  });

  it("audits refused access", async () => {
    const b = await signedIn("north", USERS.biller.email);
    expect((await b.get("/audit")).status).toBe(403);
    const { auditRows } = await import("../helpers");
    const rows = await auditRows("north", "event = 'access.denied' AND user_id = ?", USERS.biller.id);
    expect(rows.at(-1)).toMatchObject({ outcome: "denied", entity_id: "GET /audit" });
  });

  it("refuses an oversized form body with 413 before reading it", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const res = await b.post("/patients", { given_name: "x".repeat(1_100_000) });
    expect(res.status).toBe(413);
  });

  it("refuses a malformed form body with 400", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const res = await fetchWorker(`${b.origin}/patients`, {
      method: "POST",
      body: "--nope\r\nbroken",
      headers: { "content-type": "multipart/form-data; boundary=zzz", origin: b.origin, cookie: b.cookieHeader(), "x-csrf-token": b.cookies.get("__Host-csrf")! },
    });
    expect([400, 422]).toContain(res.status);
  });
});
