// Sign-in throttling: a stranger's wrong passwords make that stranger wait (1, 2, 4 ... minutes per
// account, a cap per address), never lock the account for its holder; only a sustained attack
// from many addresses locks it, with an email to its holder and the administrator's unlock still
// working. Unknown emails, other clinics' staff and wrong passwords cost the same work, and a flood
// of unknown-account failures from one address becomes a few audit rows with its count.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { asc } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { verifyChain } from "../../src/audit/chain";
import { FAILURE_WINDOW } from "../../src/audit/failures";
import { auditKeyring, chainColumns, sealAuditChain } from "../../src/audit/service";
import { auditLog } from "../../src/audit/tables";
import { accountIpKey, ipKey, SIGN_IN_FAILURES_ACCOUNT_IP, SIGN_IN_FAILURES_IP } from "../../src/auth/throttle";
import { hit, limiterStub, type RateRule } from "../../src/platform/rate-limit";
import type { RateLimiter } from "../../src/platform/rate-limiter";
import { CLINICS, PASSWORD, USERS } from "../fixtures";
import { auditRows, Browser, clinicD1, signedIn } from "../helpers";

/** A sign-in from one address (the `CF-Connecting-IP` Cloudflare sets). */
function signInFrom(ip: string, email: string, password = PASSWORD, b = Browser.at("north")): Promise<Response> {
  return b.post("/login", { email, password }, { headers: { "cf-connecting-ip": ip } });
}

/** Ends a counter's wait or window now, as if its time had passed. */
async function expireCounter(rule: RateRule, key: string): Promise<void> {
  const stub = await limiterStub(env, rule, key);
  await runInDurableObject(stub, (_i: RateLimiter, state) => {
    state.storage.sql.exec("UPDATE counter SET blocked_until = 0, expires_at = CASE WHEN ? THEN expires_at ELSE ? END", rule.backoff ? 1 : 0, Date.now() - 1);
  });
}

function roundTrips(res: Response): number {
  const m = (res.headers.get("server-timing") ?? "").match(/d1;desc="(\d+) D1 round trips"/);
  if (!m) throw new Error("no Server-Timing d1 entry");
  return Number(m[1]);
}

let staffCount = 0;
/** A new staff member of north (the fixtures' hash, so no extra PBKDF2 here). */
async function newStaff(): Promise<{ id: string; email: string }> {
  const n = ++staffCount;
  const id = `u-throttle-${n}`;
  const email = `staff${n}@throttle.test`;
  const { password_hash } = (await env.DIRECTORY.prepare("SELECT password_hash FROM users WHERE id = ?").bind(USERS.frontDesk.id).first<{ password_hash: string }>())!;
  await env.DIRECTORY.batch([
    env.DIRECTORY.prepare("INSERT INTO users (id, email, name, password_hash) VALUES (?, ?, ?, ?)").bind(id, email, `Staff ${n}`, password_hash),
    env.DIRECTORY.prepare("INSERT INTO memberships (user_id, clinic_id, role) VALUES (?, ?, 'provider')").bind(id, CLINICS.north.id),
  ]);
  return { id, email };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a stranger guessing one account", () => {
  it("waits a minute after 5 wrong passwords, with 429 and Retry-After on the form, while the holder signs in from the clinic", async () => {
    const target = await newStaff();
    const stranger = "203.0.113.10";
    for (let i = 1; i <= 4; i++) {
      const res = await signInFrom(stranger, target.email, `guess-${i}`);
      expect(res.status).toBe(401);
      expect(await res.text()).toContain("The email or password is incorrect.");
    }
    const fifth = await signInFrom(stranger, target.email, "guess-5");
    expect(fifth.status).toBe(429);
    expect(fifth.headers.get("retry-after")).toBe("60");
    const body = await fifth.text();
    expect(body).toContain("wait 1 minute before trying this account again");
    expect(body).toContain('action="/login"');

    // Even the right password waits at that address.
    const sixth = await signInFrom(stranger, target.email);
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThan(50);
    expect(await sixth.text()).toContain("Too many failed sign-ins for this account from your network. Wait 1 minute");

    // The holder, from the clinic's address, is not affected, and the account was never locked.
    const holder = await signInFrom("198.51.100.7", target.email);
    expect(holder.status).toBe(303);
    const user = await env.DIRECTORY.prepare("SELECT locked_until FROM users WHERE id = ?").bind(target.id).first();
    expect(user).toEqual({ locked_until: null });
    expect(await auditRows("north", "event = 'auth.lock' AND user_id = ?", target.id)).toHaveLength(0);
    expect(await auditRows("north", "event = 'auth.sign_in' AND user_id = ? AND detail = 'wrong password'", target.id)).toHaveLength(5);
    expect((await auditRows("north", "event = 'auth.sign_in_throttled' AND ip = ?", stranger)).length).toBe(1);
  });

  it("doubles the wait after each further failure: 1, 2, 4 minutes", async () => {
    const target = await newStaff();
    const stranger = "203.0.113.11";
    for (let i = 1; i <= 5; i++) await signInFrom(stranger, target.email, `guess-${i}`);
    const key = accountIpKey(stranger, target.email);
    await expireCounter(SIGN_IN_FAILURES_ACCOUNT_IP, key);
    const sixth = await signInFrom(stranger, target.email, "guess-6");
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get("retry-after")).toBe("120");
    await expireCounter(SIGN_IN_FAILURES_ACCOUNT_IP, key);
    const seventh = await signInFrom(stranger, target.email, "guess-7");
    expect(seventh.headers.get("retry-after")).toBe("240");
    expect(await seventh.text()).toContain("wait 4 minutes");
  });

  it("forgets an address's typos once its holder signs in", async () => {
    const target = await newStaff();
    const ip = "198.51.100.20";
    for (let i = 1; i <= 4; i++) expect((await signInFrom(ip, target.email, `typo-${i}`)).status).toBe(401);
    expect((await signInFrom(ip, target.email)).status).toBe(303);
    for (let i = 1; i <= 4; i++) expect((await signInFrom(ip, target.email, `typo-again-${i}`)).status).toBe(401);
    expect((await signInFrom(ip, target.email)).status).toBe(303);
  });
});

describe("one address guessing many accounts", () => {
  it("is refused for every account after 100 failures in 15 minutes, and allowed again when the window closes", async () => {
    const ip = "203.0.113.20";
    // 98 failures counted directly (each a full sign-in is slow), then the 99th and 100th for real.
    await Promise.all(Array.from({ length: 98 }, () => hit(env, SIGN_IN_FAILURES_IP, ipKey(ip))));
    expect((await signInFrom(ip, "nobody98@spray.test", "spring2026")).status).toBe(401);
    expect((await signInFrom(ip, "nobody99@spray.test", "spring2026")).status).toBe(401);
    const target = await newStaff();
    const refused = await signInFrom(ip, target.email);
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain("Too many failed sign-ins from your network.");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(800);

    await expireCounter(SIGN_IN_FAILURES_IP, ipKey(ip));
    expect((await signInFrom(ip, target.email)).status).toBe(303);
  });

  it("lets a whole clinic sign in from one address on a busy morning: 30 staff, 2 typos each", async () => {
    const ip = "198.51.100.99";
    const staff = [];
    for (let i = 0; i < 30; i++) staff.push(await newStaff());
    for (const s of staff) {
      expect((await signInFrom(ip, s.email, "Correct horse")).status).toBe(401);
      expect((await signInFrom(ip, s.email, "correct hrose battery staple")).status).toBe(401);
      expect((await signInFrom(ip, s.email)).status).toBe(303);
    }
  }, 180_000);
});

describe("a sustained attack on one account", () => {
  it("locks the account after 50 failures from many addresses, emails its holder, and the administrator's unlock works", async () => {
    const target = await newStaff();
    for (let i = 1; i < 50; i++) {
      expect((await signInFrom(`192.0.2.${i}`, target.email, `botnet-${i}`)).status).toBe(401);
    }
    const fiftieth = await signInFrom("192.0.2.200", target.email, "botnet-50");
    expect(fiftieth.status).toBe(423);
    expect(await fiftieth.text()).toContain("This account is locked after repeated failed sign-ins.");
    const locks = await auditRows("north", "event = 'auth.lock' AND user_id = ?", target.id);
    expect(locks).toHaveLength(1);
    expect(locks[0]!.detail).toBe("50 failed sign-ins within 1 hour; locked for 15 minutes");
    const mail = await clinicD1("north").prepare("SELECT recipient, template, subject, body FROM outbox WHERE recipient = ?").bind(target.email).all<Record<string, string>>();
    expect(mail.results).toHaveLength(1);
    expect(mail.results[0]).toMatchObject({ template: "staff.account_locked", subject: "Your account at Riverside North was locked" });
    expect(mail.results[0]!.body).toContain("50 failed attempts to sign in");

    // Locked even for the right password from the holder's usual address.
    expect((await signInFrom("198.51.100.7", target.email)).status).toBe(423);

    const owner = await signedIn("north", USERS.owner.email);
    expect((await owner.post(`/staff/${target.id}/unlock`, {})).status).toBe(303);
    expect((await signInFrom("198.51.100.7", target.email)).status).toBe(303);
    // The failures were forgotten with the lock: one more typo does not lock it again.
    expect((await signInFrom("198.51.100.8", target.email, "typo")).status).toBe(401);
  }, 180_000);
});

describe("equal sign-in work", () => {
  it("makes the same D1 round trips and exactly one PBKDF2 for a wrong password, an unknown email and another clinic's staff", async () => {
    const derive = vi.spyOn(crypto.subtle, "deriveBits");
    const cases = {
      wrongPassword: { ip: "203.0.113.31", email: USERS.biller.email, password: "not the password" },
      unknownEmail: { ip: "203.0.113.32", email: "nobody@nowhere.test", password: "not the password" },
      otherClinic: { ip: "203.0.113.33", email: USERS.hillOwner.email, password: PASSWORD },
    };
    const trips: Record<string, number[]> = {};
    const derivations: Record<string, number[]> = {};
    // Twice each from its address: the first failure of an address gets its audit row, later
    // unknown-account ones are only counted; the work must not differ either way.
    for (let round = 0; round < 2; round++) {
      for (const [name, c] of Object.entries(cases)) {
        derive.mockClear();
        const res = await signInFrom(c.ip, c.email, c.password);
        expect(res.status).toBe(401);
        expect(await res.text()).toContain("The email or password is incorrect.");
        (trips[name] ??= []).push(roundTrips(res));
        (derivations[name] ??= []).push(derive.mock.calls.length);
      }
    }
    expect(derivations).toEqual({ wrongPassword: [1, 1], unknownEmail: [1, 1], otherClinic: [1, 1] });
    const all = Object.values(trips).flat();
    expect(new Set(all).size).toBe(1);
    console.log(`failed sign-in: ${all[0]} D1 round trips in every case`);
  });
});

describe("repeated failures in the audit log", () => {
  it("writes 100 unknown-account failures from one address as a first row and one summary row with the count", async () => {
    const ip = "203.0.113.40";
    const before = (await auditRows("north")).length;
    for (let i = 0; i < 100; i++) {
      // Sequential, as a script would send them (in parallel the limiter counts them the same).
      expect((await signInFrom(ip, `ghost${i}@spray.test`, "hunter2")).status).toBe(401);
    }
    const during = await auditRows("north", "ip = ? AND event = 'auth.sign_in'", ip);
    expect(during).toHaveLength(1);
    expect(during[0]).toMatchObject({ outcome: "failure", user_email: "ghost0@spray.test", detail: expect.stringContaining("unknown account") });

    // The window closes: the counter's alarm writes the summary.
    const stub = await limiterStub(env, FAILURE_WINDOW, `riverside-north|auth.sign_in|${ip}`);
    await runInDurableObject(stub, (_i: RateLimiter, state) => state.storage.sql.exec("UPDATE counter SET expires_at = ?", Date.now() - 1));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await auditRows("north", "ip = ? AND event = 'auth.sign_in'", ip);
    expect(after).toHaveLength(2);
    expect(after[1]!.detail).toMatch(/^99 more failed sign-ins of unknown accounts from 203\.0\.113\.40 between \d\d:\d\d:\d\d and \d\d:\d\d:\d\d UTC$/);
    expect(after[1]).toMatchObject({ outcome: "failure", user_id: null, user_email: null });
    // A delivered-twice alarm writes nothing more.
    await runDurableObjectAlarm(stub);
    expect(await auditRows("north", "ip = ? AND event = 'auth.sign_in'", ip)).toHaveLength(2);
    expect((await auditRows("north")).length - before).toBeLessThanOrEqual(3);
  }, 180_000);

  it("writes the summary with the next failure when that comes before the alarm, then starts a new window", async () => {
    const ip = "203.0.113.41";
    for (let i = 0; i < 7; i++) await signInFrom(ip, `phantom${i}@spray.test`, "hunter2");
    const stub = await limiterStub(env, FAILURE_WINDOW, `riverside-north|auth.sign_in|${ip}`);
    await runInDurableObject(stub, async (_i: RateLimiter, state) => {
      state.storage.sql.exec("UPDATE counter SET expires_at = ?", Date.now() - 1);
      await state.storage.deleteAlarm();
    });
    await signInFrom(ip, "phantom7@spray.test", "hunter2");
    const rows = await auditRows("north", "ip = ? AND event = 'auth.sign_in'", ip);
    expect(rows.map((r) => r.detail)).toEqual([
      expect.stringContaining("unknown account"),
      expect.stringMatching(/^6 more failed sign-ins of unknown accounts from 203\.0\.113\.41 /),
      expect.stringContaining("unknown account"),
    ]);
    expect(rows[2]!.user_email).toBe("phantom7@spray.test");
  });

  it("sums up CSRF refusals, requests without a session and refused clinic-switch links from one address", async () => {
    const ip = "203.0.113.50";
    const b = Browser.at("north");
    for (let i = 0; i < 20; i++) {
      expect((await b.post("/login", { email: "x@y.test", password: "p" }, { csrf: "forged", headers: { "cf-connecting-ip": ip } })).status).toBe(403);
      expect((await b.post("/patients", { given_name: "A" }, { headers: { "cf-connecting-ip": ip } })).status).toBe(401);
      expect((await b.post("/auth/handoff", { token: `not-a-token-${i}` }, { headers: { "cf-connecting-ip": ip } })).status).toBe(401);
    }
    const rows = await auditRows("north", "ip = ?", ip);
    expect(rows.map((r) => [r.event, r.outcome])).toEqual([
      ["request.csrf_refused", "denied"],
      ["request.unauthenticated", "denied"],
      ["auth.handoff_in", "failure"],
    ]);
    expect(rows[0]).toMatchObject({ entity_type: "route", entity_id: "POST /login" });

    const csrfWindow = await limiterStub(env, FAILURE_WINDOW, `riverside-north|request.csrf_refused|${ip}`);
    await runInDurableObject(csrfWindow, (_i: RateLimiter, state) => state.storage.sql.exec("UPDATE counter SET expires_at = ?", Date.now() - 1));
    await runDurableObjectAlarm(csrfWindow);
    const summary = await auditRows("north", "ip = ? AND event = 'request.csrf_refused'", ip);
    expect(summary.at(-1)!.detail).toMatch(/^19 more requests refused for a missing or wrong form token from 203\.0\.113\.50 /);

    // Summaries are new rows: nothing sealed was changed, and the whole chain verifies.
    await sealAuditChain(clinicD1("north"), env.AUDIT_KEYS);
    const chain = await drizzle(clinicD1("north")).select(chainColumns).from(auditLog).orderBy(asc(auditLog.id));
    expect(await verifyChain(chain, await auditKeyring(env.AUDIT_KEYS))).toMatchObject({ ok: true, checked: chain.length, pending: 0, firstBroken: null });
  });
});
