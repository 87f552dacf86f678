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
