import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { Browser, fetchWorker, signedIn } from "../helpers";

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

  it("labels every form field", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const html = await (await b.get("/patients/new")).text();
    const ids = [...html.matchAll(/<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(15);
    for (const id of ids) expect(html, id).toContain(`for="${id}"`);
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
