import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/platform/crypto";
import { signToken } from "../../src/platform/tokens";
import { CLINICS, USERS } from "../fixtures";
import { auditRows, Browser, clinicD1, fetchWorker, signedIn } from "../helpers";

/** The handoff form that POST /switch answers with: where it posts and its hidden fields. */
async function handoffForm(res: Response): Promise<{ action: string; token: string; nonce: string }> {
  expect(res.status).toBe(200);
  const html = await res.text();
  const action = html.match(/<form[^>]*action="(https:\/\/[^"]+\/auth\/handoff)"/)?.[1];
  const token = html.match(/name="token" value="([^"]+)"/)?.[1];
  const nonce = html.match(/name="nonce" value="([^"]+)"/)?.[1];
  if (!action || !token || !nonce) throw new Error(`no handoff form in: ${html.slice(0, 300)}`);
  return { action, token, nonce };
}

/** Posts the handoff form as the browser does: from the origin clinic's page, to the target. */
function postHandoff(to: Browser, fields: Record<string, string>, fromOrigin: string): Promise<Response> {
  return to.post("/auth/handoff", fields, { csrf: null, headers: { origin: fromOrigin, "sec-fetch-site": "same-site" } });
}

describe("switching clinics by signed handoff", () => {
  it("moves a provider from north to south without a second password", async () => {
    const north = await signedIn("north", USERS.provider.email);
    const page = await (await north.get("/patients")).text();
    expect(page).toContain('<option value="riverside-south">Riverside South</option>');
    const form = await handoffForm(await north.post("/switch", { clinic: "riverside-south" }));
    expect(form.action).toBe("https://riverside-south.example.test/auth/handoff");

    const south = Browser.at("south");
    // The token alone, sent from the target's own page, signs nobody in.
    const tokenOnly = await south.post("/auth/handoff", { token: form.token });
    expect(tokenOnly.status).toBe(401);
    expect(south.cookies.has("__Host-session")).toBe(false);
    const landed = await postHandoff(south, form, north.origin);
    expect(landed.status).toBe(303);
    expect(south.cookies.has("__Host-session")).toBe(true);
    expect((await south.get("/patients")).status).toBe(200);
    expect(await auditRows("north", "event = 'auth.handoff_out' AND user_id = ?", USERS.provider.id)).toHaveLength(1);
    const inRows = await auditRows("south", "event = 'auth.sign_in' AND user_id = ?", USERS.provider.id);
    expect(inRows.at(-1)?.detail).toBe("handoff from riverside-north");

    // The same token a second time is refused (single use).
    const again = await postHandoff(Browser.at("south"), form, north.origin);
    expect(again.status).toBe(401);
  });

  it("refuses a handoff token replayed at another clinic", async () => {
    const north = await signedIn("north", USERS.provider.email);
    const form = await handoffForm(await north.post("/switch", { clinic: "riverside-south" }));
    const atHill = await postHandoff(Browser.at("hillcrest"), form, north.origin);
    expect(atHill.status).toBe(401);
    const atNorth = await Browser.at("north").post("/auth/handoff", form);
    expect(atNorth.status).toBe(401);
  });

  it("cannot sign another user's browser in as the one who started the switch", async () => {
    // The attacker works at north and south; the victim is signed in at south.
    const attacker = await signedIn("north", USERS.provider.email);
    const form = await handoffForm(await attacker.post("/switch", { clinic: "riverside-south" }));
    const victim = await signedIn("south", USERS.chainAdmin.email);
    const victimSession = victim.cookies.get("__Host-session")!;

    // A link with the token shows no button to press.
    const link = await victim.get(`/auth/handoff?token=${encodeURIComponent(form.token)}&nonce=${form.nonce}`);
    expect(link.status).not.toBe(200);
    expect(await link.text()).not.toContain('name="token"');
    // The token without its nonce, the token with a wrong nonce, the form posted from another
    // site, or from the target's own origin (not the clinic that started it): all refused.
    expect((await victim.post("/auth/handoff", { token: form.token })).status).toBe(401);
    expect((await postHandoff(victim, { token: form.token, nonce: "x".repeat(43) }, attacker.origin)).status).toBe(401);
    expect((await victim.post("/auth/handoff", form, { csrf: null, headers: { origin: "https://evil.example" } })).status).toBe(403);
    expect((await victim.post("/auth/handoff", form)).status).toBe(401);
    // The victim is still themselves.
    expect(victim.cookies.get("__Host-session")).toBe(victimSession);
    const still = await victim.get("/patients");
    expect(still.status).toBe(200);
    expect(await still.text()).toContain(USERS.chainAdmin.name);
  });

  it("refuses the handoff once the session that started it has ended", async () => {
    const north = await signedIn("north", USERS.provider.email);
    const form = await handoffForm(await north.post("/switch", { clinic: "riverside-south" }));
    expect((await north.post("/logout", {})).status).toBe(303);
    expect((await postHandoff(Browser.at("south"), form, north.origin)).status).toBe(401);
  });

  it("revokes the session a handoff or a sign-in replaces in that browser", async () => {
    const south = await signedIn("south", USERS.chainAdmin.email);
    const replaced = south.cookies.get("__Host-session")!;
    const north = await signedIn("north", USERS.provider.email);
    const form = await handoffForm(await north.post("/switch", { clinic: "riverside-south" }));
    expect((await postHandoff(south, form, north.origin)).status).toBe(303);
    expect(south.cookies.get("__Host-session")).not.toBe(replaced);
    const old = await fetchWorker(`${south.origin}/patients`, { headers: { cookie: `__Host-session=${replaced}` } });
    expect(old.status).toBe(303);

    // Signing in over a live session ends the old one too.
    const b = await signedIn("north", USERS.nurse.email);
    const before = b.cookies.get("__Host-session")!;
    expect((await b.signIn(USERS.biller.email)).status).toBe(303);
    const gone = await fetchWorker(`${b.origin}/patients`, { headers: { cookie: `__Host-session=${before}` } });
    expect(gone.status).toBe(303);
    expect((await b.get("/patients")).status).toBe(200);
  });

  it("refuses to hand off to a clinic the user does not work at (404)", async () => {
    const north = await signedIn("north", USERS.frontDesk.email);
    const res = await north.post("/switch", { clinic: "hillcrest" });
    expect(res.status).toBe(404);
  });

  it("refuses an expired handoff token", async () => {
    const nonce = "n".repeat(43);
    const token = await signToken(env, {
      use: "handoff",
      subject: USERS.provider.id,
      clinicSlug: "riverside-south",
      ttl: 60,
      jti: crypto.randomUUID(),
      claims: { from: "riverside-north", nh: await sha256Hex(nonce) },
      now: Date.now() - 600_000,
    });
    const res = await postHandoff(Browser.at("south"), { token, nonce }, "https://riverside-north.example.test");
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

  it("issues a new token at sign-in, handoff and sign-out, and refuses the one from before", async () => {
    const csrfSetBy = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith("__Host-csrf="))?.split(";")[0]!.slice("__Host-csrf=".length);
    const b = Browser.at("north");
    await b.get("/login");
    const beforeSignIn = b.cookies.get("__Host-csrf")!;
    const signIn = await b.signIn(USERS.frontDesk.email);
    expect(signIn.status).toBe(303);
    const afterSignIn = csrfSetBy(signIn);
    expect(afterSignIn).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(afterSignIn).not.toBe(beforeSignIn);
    // A token learnt before sign-in does not work after it.
    expect((await b.post("/logout", {}, { csrf: beforeSignIn })).status).toBe(403);
    expect((await b.get("/patients")).status).toBe(200);

    const out = await b.post("/logout", {});
    expect(out.status).toBe(303);
    const afterSignOut = csrfSetBy(out);
    expect(afterSignOut).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(afterSignOut).not.toBe(afterSignIn);
    expect((await b.post("/login", { email: USERS.frontDesk.email, password: "x" }, { csrf: afterSignIn! })).status).toBe(403);

    const north = await signedIn("north", USERS.provider.email);
    const form = await handoffForm(await north.post("/switch", { clinic: "riverside-south" }));
    const south = Browser.at("south");
    await south.get("/login");
    const beforeHandoff = south.cookies.get("__Host-csrf")!;
    const landed = await postHandoff(south, form, north.origin);
    expect(landed.status).toBe(303);
    expect(csrfSetBy(landed)).not.toBe(beforeHandoff);
    expect((await south.post("/logout", {}, { csrf: beforeHandoff })).status).toBe(403);
  });

  it("guards the sign-in form too", async () => {
    const res = await Browser.at("north").post("/login", { email: USERS.owner.email, password: "x" }, { csrf: null });
    expect(res.status).toBe(403);
  });
});
