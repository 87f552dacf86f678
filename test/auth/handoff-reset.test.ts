import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signToken } from "../../src/platform/tokens";
import { CLINICS, USERS } from "../fixtures";
import { auditRows, Browser, clinicD1, fetchWorker, signedIn } from "../helpers";

describe("switching clinics by signed handoff", () => {
  it("moves a provider from north to south without a second password", async () => {
    const north = await signedIn("north", USERS.provider.email);
    const page = await (await north.get("/patients")).text();
    expect(page).toContain('<option value="riverside-south">Riverside South</option>');
    const res = await north.post("/switch", { clinic: "riverside-south" });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get("location")!);
    expect(location.host).toBe("riverside-south.example.test");
    expect(location.pathname).toBe("/auth/handoff");

    const south = Browser.at("south");
    const prompt = await south.get(`${location.pathname}${location.search}`);
    expect(prompt.status).toBe(200);
    expect(await prompt.text()).toContain("Continue to Riverside South");
    // Following the link alone signs nobody in.
    expect(south.cookies.has("__Host-session")).toBe(false);
    const token = location.searchParams.get("token")!;
    const landed = await south.post("/auth/handoff", { token });
    expect(landed.status).toBe(303);
    expect(south.cookies.has("__Host-session")).toBe(true);
    expect((await south.get("/patients")).status).toBe(200);
    expect(await auditRows("north", "event = 'auth.handoff_out' AND user_id = ?", USERS.provider.id)).toHaveLength(1);
    const inRows = await auditRows("south", "event = 'auth.sign_in' AND user_id = ?", USERS.provider.id);
    expect(inRows.at(-1)?.detail).toBe("handoff from riverside-north");

    // The same token a second time is refused (single use).
    const again = await Browser.at("south").post("/auth/handoff", { token });
    expect(again.status).toBe(401);
  });

  it("refuses a handoff token replayed at another clinic", async () => {
    const north = await signedIn("north", USERS.provider.email);
    const res = await north.post("/switch", { clinic: "riverside-south" });
    const token = new URL(res.headers.get("location")!).searchParams.get("token")!;
    const atHill = await Browser.at("hillcrest").post("/auth/handoff", { token });
    expect(atHill.status).toBe(401);
    const atNorth = await Browser.at("north").post("/auth/handoff", { token });
    expect(atNorth.status).toBe(401);
  });

  it("refuses to hand off to a clinic the user does not work at (404)", async () => {
    const north = await signedIn("north", USERS.frontDesk.email);
    const res = await north.post("/switch", { clinic: "hillcrest" });
    expect(res.status).toBe(404);
  });

  it("refuses an expired handoff token", async () => {
    const token = await signToken(env, {
      use: "handoff",
      subject: USERS.provider.id,
      clinicSlug: "riverside-south",
      ttl: 60,
      jti: crypto.randomUUID(),
      now: Date.now() - 120_000,
    });
    const res = await Browser.at("south").post("/auth/handoff", { token });
    expect(res.status).toBe(401);
  });
});

describe("password reset", () => {
  async function resetLink(email: string): Promise<string> {
    const b = Browser.at("north");
    const res = await b.post("/password/forgot", { email });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("a reset link is on its way");
    const msg = await clinicD1("north")
      .prepare("SELECT recipient, body FROM outbox WHERE template = 'staff.password_reset' ORDER BY created_at DESC LIMIT 1")
      .first<{ recipient: string; body: string }>();
    expect(msg?.recipient).toBe(email);
    return msg!.body.match(/https:\/\/\S+/)![0];
  }

  it("resets by a signed single-use link written to the outbox, and ends old sessions", async () => {
    const old = await signedIn("north", USERS.biller.email);
    const link = new URL(await resetLink(USERS.biller.email));
    expect(link.host).toBe("riverside-north.example.test");
    const b = Browser.at("north");
    const form = await b.get(`${link.pathname}${link.search}`);
    expect(form.status).toBe(200);
    const token = link.searchParams.get("token")!;
    const short = await b.post("/password/reset", { token, password: "short" });
    expect(short.status).toBe(422);
    expect(await short.text()).toContain("12 to 256 characters");
    const done = await b.post("/password/reset", { token, password: "a brand new passphrase" });
    expect(done.status).toBe(200);
    expect((await old.get("/patients")).status).toBe(303);
    expect((await Browser.at("north").signIn(USERS.biller.email, "a brand new passphrase")).status).toBe(303);
    const reuse = await Browser.at("north").post("/password/reset", { token, password: "yet another passphrase" });
    expect(reuse.status).toBe(410);
    expect(await auditRows("north", "event = 'auth.password_reset' AND user_id = ?", USERS.biller.id)).toHaveLength(1);
  });

  it("answers the same for an unknown email and sends nothing", async () => {
    const before = await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM outbox").first<{ n: number }>();
    const res = await Browser.at("north").post("/password/forgot", { email: "nobody@nowhere.test" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("a reset link is on its way");
    const after = await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM outbox").first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });

  it("refuses a reset link of one clinic at another", async () => {
    const link = new URL(await resetLink(USERS.provider.email));
    const res = await Browser.at("south").get(`${link.pathname}${link.search}`);
    expect(res.status).toBe(410);
  });
});

describe("CSRF protection", () => {
  it("refuses an unsafe request without the token, with a wrong token, or from another origin", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const noToken = await b.post("/logout", {}, { csrf: null });
    expect(noToken.status).toBe(403);
    const wrong = await b.post("/logout", {}, { csrf: "x".repeat(43) });
    expect(wrong.status).toBe(403);
    const foreign = await b.post("/logout", {}, { headers: { origin: "https://evil.example" } });
    expect(foreign.status).toBe(403);
    const crossSite = await fetchWorker(`https://${CLINICS.north.slug}.example.test/logout`, {
      method: "POST",
      body: new URLSearchParams({ _csrf: b.cookies.get("__Host-csrf")! }),
      headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "cross-site", cookie: b.cookieHeader() },
    });
    expect(crossSite.status).toBe(403);
    // None of these signed the user out.
    expect((await b.get("/patients")).status).toBe(200);
    // The header form works for scripted requests.
    const viaHeader = await b.post("/logout", {}, { csrf: null, headers: { "x-csrf-token": b.cookies.get("__Host-csrf")! } });
    expect(viaHeader.status).toBe(303);
  });

  it("guards the sign-in form too", async () => {
    const res = await Browser.at("north").post("/login", { email: USERS.owner.email, password: "x" }, { csrf: null });
    expect(res.status).toBe(403);
  });
});
