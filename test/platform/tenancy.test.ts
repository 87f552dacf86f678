import { describe, expect, it } from "vitest";
import { classifyHost } from "../../src/platform/tenancy";
import { fetchWorker } from "../helpers";

describe("tenancy by subdomain", () => {
  it("classifies hosts against the base domain", () => {
    expect(classifyHost("acme.example.com", "example.com")).toEqual({ kind: "clinic", slug: "acme" });
    expect(classifyHost("ACME.example.com:443", "example.com")).toEqual({ kind: "clinic", slug: "acme" });
    expect(classifyHost("example.com", "example.com")).toEqual({ kind: "base" });
    expect(classifyHost("riverside-north.localhost:8787", "localhost:8787")).toEqual({ kind: "clinic", slug: "riverside-north" });
    expect(classifyHost("evil.com", "example.com")).toEqual({ kind: "foreign" });
    expect(classifyHost("a.b.example.com", "example.com")).toEqual({ kind: "foreign" });
    expect(classifyHost("notexample.com", "example.com")).toEqual({ kind: "foreign" });
  });

  it("sends a known clinic's visitors to its sign-in page", async () => {
    const res = await fetchWorker("https://riverside-north.example.test/patients");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login?next=%2Fpatients");
    const login = await fetchWorker("https://riverside-north.example.test/login");
    expect(login.status).toBe(200);
    expect(await login.text()).toContain("Sign in to Riverside North");
  });

  it("answers 404 for an unknown subdomain, naming no clinic", async () => {
    const res = await fetchWorker("https://nosuchclinic.example.test/login");
    expect(res.status).toBe(404);
    const body = await res.text();
    expect(body).toContain("could not be found");
    expect(body).not.toContain("Riverside");
  });

  it("answers 404 for a host outside the base domain", async () => {
    const res = await fetchWorker("https://riverside-north.attacker.test/login");
    expect(res.status).toBe(404);
  });

  it("serves the public page with a clinic finder on the bare base domain", async () => {
    const res = await fetchWorker("https://example.test/?q=riverside");
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain("Find your clinic");
    expect(body).toContain('href="https://riverside-north.example.test/login"');
    expect(body).toContain("Riverside South");
    expect(body).not.toContain("Hillcrest");
  });

  it("answers /healthz on every host", async () => {
    for (const h of ["example.test", "riverside-north.example.test", "nosuchclinic.example.test", "elsewhere.test"]) {
      const res = await fetchWorker(`https://${h}/healthz`);
      expect(res.status, h).toBe(200);
    }
  });
});

describe("bindings the later domains build on", () => {
  it("reaches one calendar Durable Object per clinic and its storage", async () => {
    const { env } = await import("cloudflare:workers");
    const north = env.CALENDAR.getByName("riverside-north");
    expect(await north.status({ slug: "riverside-north", dbBinding: "CLINIC_RIVERSIDE_NORTH" })).toEqual({ holds: 0, pending: 0, booked: 0 });
  });

  it("has the attachments bucket bound", async () => {
    const { env } = await import("cloudflare:workers");
    await env.ATTACHMENTS.put("clinics/riverside-north/probe", "x");
    expect(await (await env.ATTACHMENTS.get("clinics/riverside-north/probe"))?.text()).toBe("x");
  });
});
