import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { Browser, fetchWorker, signedIn } from "../helpers";

function formAction(res: Response): string[] {
  const csp = res.headers.get("content-security-policy") ?? "";
  const directive = csp.split(";").map((d) => d.trim()).find((d) => d.startsWith("form-action "));
  return directive?.split(/\s+/).slice(1) ?? [];
}

describe("Content-Security-Policy form-action", () => {
  it("allows only this origin before sign-in", async () => {
    const res = await Browser.at("north").get("/login");
    expect(formAction(res)).toEqual(["'self'"]);
  });

  it("allows exactly the signed-in staff member's other clinics, so the clinic switch still posts there", async () => {
    const provider = await signedIn("north", USERS.provider.email);
    expect(formAction(await provider.get("/patients"))).toEqual(["'self'", "https://riverside-south.example.test"]);
    const desk = await signedIn("north", USERS.frontDesk.email);
    const deskPolicy = formAction(await desk.get("/patients"));
    expect(deskPolicy).toEqual(["'self'"]);
    expect(deskPolicy.join(" ")).not.toContain("*");
  });
});

describe("live update sockets", () => {
  it("refuses a cross-origin WebSocket upgrade of /calendar/live with 403", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    const upgrade = (headers: Record<string, string>) =>
      fetchWorker(`${desk.origin}/calendar/live`, { headers: { Upgrade: "websocket", cookie: desk.cookieHeader(), ...headers } });
    const evil = await upgrade({ origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    expect(evil.webSocket).toBeNull();
    // Another clinic's page is another origin too.
    expect((await upgrade({ origin: "https://riverside-south.example.test" })).status).toBe(403);
    expect((await upgrade({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    const own = await upgrade({ origin: desk.origin });
    expect(own.status).toBe(101);
    own.webSocket!.accept();
    own.webSocket!.close(1000, "done");
  });

  it("refuses a cross-origin upgrade of the public booking page's /book/live", async () => {
    const res = await fetchWorker("https://riverside-south.example.test/book/live", { headers: { Upgrade: "websocket", origin: "https://evil.example" } });
    expect(res.status).toBe(403);
  });
});
