import { env } from "cloudflare:workers";
import { SignJWT, UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { signToken } from "../../src/platform/tokens";
import { CLINICS, USERS } from "../fixtures";
import { auditRows, Browser, fetchWorker, signedIn } from "../helpers";

const secret = () => env.SESSION_SECRET!;

async function sessionCookieOf(b: Browser): Promise<string> {
  const v = b.cookies.get("__Host-session");
  if (!v) throw new Error("no session cookie");
  return v;
}

function sidOf(token: string): string {
  return JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))).sid;
}

async function getWithSession(clinic: keyof typeof CLINICS, token: string, path = "/patients") {
  return fetchWorker(`https://${CLINICS[clinic].slug}.example.test${path}`, { headers: { cookie: `__Host-session=${token}` } });
}

describe("staff sign-in", () => {
  it("signs in with email and password and sets a __Host- session cookie", async () => {
    const b = Browser.at("north");
    const res = await b.signIn(USERS.frontDesk.email);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/patients");
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-session="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
    const page = await b.get("/patients");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Frank Desk");
    const rows = await auditRows("north", "event = 'auth.sign_in' AND user_id = ?", USERS.frontDesk.id);
    expect(rows.at(-1)).toMatchObject({ outcome: "success", action: "execute", user_email: USERS.frontDesk.email, clinic_slug: "riverside-north" });
  });

  it("refuses a wrong password with 401 and audits the failure", async () => {
    const b = Browser.at("north");
    const res = await b.signIn(USERS.biller.email, "not the password");
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("The email or password is incorrect.");
    expect(b.cookies.has("__Host-session")).toBe(false);
    const rows = await auditRows("north", "event = 'auth.sign_in' AND user_id = ? AND outcome = 'failure'", USERS.biller.id);
    expect(rows).toHaveLength(1);
  });

  it("treats staff of another clinic like an unknown account, leaving their lockout alone", async () => {
    for (let i = 0; i < 6; i++) {
      // From six addresses, so no per-address wait stops the guessing.
      const wrong = await Browser.at("north").post("/login", { email: USERS.hillOwner.email, password: `guess-${i}` }, { headers: { "cf-connecting-ip": `198.51.100.${40 + i}` } });
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).toContain("The email or password is incorrect.");
    }
    const right = await Browser.at("north").signIn(USERS.hillOwner.email);
    expect(right.status).toBe(401);
    // Nothing about the Hillcrest owner is recorded at north, and their account is not locked.
    expect(await auditRows("north", "user_id = ?", USERS.hillOwner.id)).toHaveLength(0);
    const user = await env.DIRECTORY.prepare("SELECT failed_attempts, locked_until FROM users WHERE id = ?").bind(USERS.hillOwner.id).first();
    expect(user).toEqual({ failed_attempts: 0, locked_until: null });
    expect((await Browser.at("hillcrest").signIn(USERS.hillOwner.email)).status).toBe(303);
  });

  it("cannot be outrun by parallel guesses: at most 5 password checks before the wait", async () => {
    const b = Browser.at("north");
    await b.get("/login");
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => b.signIn(USERS.lockTarget.email, `parallel-${i}`)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(4);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(16);
    const checked = await auditRows("north", "event = 'auth.sign_in' AND user_id = ? AND detail = 'wrong password'", USERS.lockTarget.id);
    expect(checked.length).toBeLessThanOrEqual(5);
    // Waiting, not locked: the account itself is untouched.
    expect(await auditRows("north", "event = 'auth.lock' AND user_id = ?", USERS.lockTarget.id)).toHaveLength(0);
    expect((await b.signIn(USERS.lockTarget.email)).status).toBe(429);
  });

  it("lets a chain administrator sign in at every clinic of the chain, not elsewhere", async () => {
    expect((await Browser.at("north").signIn(USERS.chainAdmin.email)).status).toBe(303);
    expect((await Browser.at("south").signIn(USERS.chainAdmin.email)).status).toBe(303);
    expect((await Browser.at("hillcrest").signIn(USERS.chainAdmin.email)).status).toBe(401);
  });
});

describe("sessions", () => {
  it("logout revokes the session server-side: the old cookie no longer works", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const token = await sessionCookieOf(b);
    const out = await b.post("/logout", {});
    expect(out.status).toBe(303);
    const replay = await getWithSession("north", token);
    expect(replay.status).toBe(303);
    expect(replay.headers.get("location")).toContain("/login");
    const rows = await auditRows("north", "event = 'auth.sign_out' AND user_id = ?", USERS.provider.id);
    expect(rows).toHaveLength(1);
  });

  it("ends a session after the clinic's idle timeout", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    expect((await b.get("/patients")).status).toBe(200);
    const sid = sidOf(await sessionCookieOf(b));
    // Fourteen idle minutes are fine; sixteen are not (the default timeout is 15).
    await env.DIRECTORY.prepare("UPDATE sessions SET last_seen_at = ? WHERE id = ?").bind(Date.now() - 14 * 60_000, sid).run();
    expect((await b.get("/patients")).status).toBe(200);
    await env.DIRECTORY.prepare("UPDATE sessions SET last_seen_at = ? WHERE id = ?").bind(Date.now() - 16 * 60_000, sid).run();
    const res = await b.get("/patients");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login?next=%2Fpatients&ended=idle");
    expect(await (await b.get(res.headers.get("location")!)).text()).toContain("signed out after a period of inactivity");
    const row = await env.DIRECTORY.prepare("SELECT revoked_at FROM sessions WHERE id = ?").bind(sid).first<{ revoked_at: number | null }>();
    expect(row?.revoked_at).not.toBeNull();
  });

  it("honours a clinic's own idle timeout setting", async () => {
    await env.DIRECTORY.prepare("UPDATE clinics SET idle_timeout_minutes = 60 WHERE id = ?").bind(CLINICS.south.id).run();
    const { forgetClinic } = await import("../../src/platform/tenancy");
    forgetClinic();
    const b = await signedIn("south", USERS.provider.email);
    await env.DIRECTORY.prepare("UPDATE sessions SET last_seen_at = last_seen_at - ? WHERE user_id = ? AND clinic_id = ?")
      .bind(30 * 60_000, USERS.provider.id, CLINICS.south.id)
      .run();
    expect((await b.get("/patients")).status).toBe(200);
  });

  it("ends a session at its absolute lifetime", async () => {
    const b = await signedIn("north", USERS.biller.email);
    await env.DIRECTORY.prepare("UPDATE sessions SET expires_at = ? WHERE user_id = ?").bind(Date.now() - 1, USERS.biller.id).run();
    expect((await b.get("/patients")).status).toBe(303);
  });

  it("refuses a session of clinic A at clinic B", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const token = await sessionCookieOf(b);
    // The same user works at south too: the token must still be refused there.
    const res = await getWithSession("south", token);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain("/login");
  });
});

describe("token tampering", () => {
  async function realSession() {
    const b = await signedIn("north", USERS.owner.email);
    return sessionCookieOf(b);
  }

  it("refuses a token whose payload was edited", async () => {
    const token = await realSession();
    const [h, p, s] = token.split(".");
    const payload = JSON.parse(atob(p!.replace(/-/g, "+").replace(/_/g, "/")));
    payload.sub = USERS.hillOwner.id;
    const forged = `${h}.${btoa(JSON.stringify(payload)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")}.${s}`;
    expect((await getWithSession("north", forged)).status).toBe(303);
  });

  it("refuses an alg:none token", async () => {
    const token = await realSession();
    const claims = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    const none = new UnsecuredJWT(claims).encode();
    expect((await getWithSession("north", none)).status).toBe(303);
  });

  it("refuses an expired token even with a live session row", async () => {
    const token = await realSession();
    const claims = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    const expired = await signToken(env, {
      use: "session",
      subject: claims.sub,
      clinicSlug: "riverside-north",
      ttl: 60,
      claims: { sid: claims.sid },
      now: Date.now() - 3600_000,
    });
    expect((await getWithSession("north", expired)).status).toBe(303);
  });

  it("refuses a wrong-audience token and a token of another purpose", async () => {
    const token = await realSession();
    const claims = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    const wrongAud = await signToken(env, { use: "session", subject: claims.sub, clinicSlug: "riverside-south", ttl: 600, claims: { sid: claims.sid } });
    expect((await getWithSession("north", wrongAud)).status).toBe(303);
    const handoff = await signToken(env, { use: "handoff", subject: claims.sub, clinicSlug: "riverside-north", ttl: 600, claims: { sid: claims.sid } });
    expect((await getWithSession("north", handoff)).status).toBe(303);
  });

  it("refuses a token signed with another key or algorithm", async () => {
    const token = await realSession();
    const claims = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    const otherKey = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("another-secret-that-is-long-enough-123456"));
    expect((await getWithSession("north", otherKey)).status).toBe(303);
    const hs512 = await new SignJWT(claims).setProtectedHeader({ alg: "HS512" }).sign(new TextEncoder().encode(secret()));
    expect((await getWithSession("north", hs512)).status).toBe(303);
    // The genuine token still works, so the refusals above are about the tampering.
    expect((await getWithSession("north", token)).status).toBe(200);
  });
});
