// The rate limiter on its own: a plain window trips at its limit and opens again when the window
// closes, backoff doubles the wait, reset forgets, keys are hashed before they name an object, and
// the alarm deletes an expired counter.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hit, limiterStub, networkOf, peek, reset, tooManyRequests, RateLimitedError, type RateRule } from "../../src/platform/rate-limit";
import type { RateLimiter } from "../../src/platform/rate-limiter";

const SEC = 1000;
// A clock in the future, so the objects' real alarms (set for the windows' ends) never ring mid-test.
const T0 = Date.now() + 86_400_000;

/** A rule name no other test uses, so counters never meet. */
let n = 0;
function rule(r: Omit<RateRule, "name">): RateRule {
  return { name: `test-${++n}`, ...r };
}

describe("a plain window", () => {
  it("allows the limit, refuses the next hit with the seconds left in the window, and opens again when the window closes", async () => {
    const r = rule({ limit: 3, windowSeconds: 60 });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await hit(env, r, "203.0.113.7", T0 + i * SEC));
    expect(results.map((x) => x.allowed)).toEqual([true, true, true, false]);
    expect(results.map((x) => x.count)).toEqual([1, 2, 3, 4]);
    expect(results[3]!.retryAfterSeconds).toBe(57);
    expect(results[2]!.retryAfterSeconds).toBe(58);

    expect(await peek(env, r, "203.0.113.7", T0 + 30 * SEC)).toMatchObject({ allowed: false, count: 4, retryAfterSeconds: 30 });
    // Another key has its own counter.
    expect((await hit(env, r, "203.0.113.8", T0 + 5 * SEC)).allowed).toBe(true);

    const after = await hit(env, r, "203.0.113.7", T0 + 60 * SEC);
    expect(after).toMatchObject({ allowed: true, count: 1, retryAfterSeconds: 0 });
    expect(after.closed).toEqual({ count: 4, startedAt: T0, lastAt: T0 + 3 * SEC });
  });

  it("forgets a key on reset", async () => {
    const r = rule({ limit: 1, windowSeconds: 3600 });
    await hit(env, r, "someone@example.com", T0);
    expect((await hit(env, r, "someone@example.com", T0 + SEC)).allowed).toBe(false);
    await reset(env, r, "someone@example.com");
    expect(await peek(env, r, "someone@example.com", T0 + 2 * SEC)).toMatchObject({ allowed: true, count: 0 });
    expect((await hit(env, r, "someone@example.com", T0 + 3 * SEC)).allowed).toBe(true);
  });

  it("counts concurrent hits exactly", async () => {
    const r = rule({ limit: 10, windowSeconds: 60 });
    const results = await Promise.all(Array.from({ length: 25 }, () => hit(env, r, "198.51.100.1", T0)));
    expect(results.filter((x) => x.allowed)).toHaveLength(10);
    expect(Math.max(...results.map((x) => x.count))).toBe(25);
  });
});

describe("a window with backoff", () => {
  it("blocks for 1, 2, 4 minutes after the limit, up to the maximum, and forgets after a quiet window", async () => {
    const r = rule({ limit: 3, windowSeconds: 900, backoff: { baseSeconds: 60, maxSeconds: 180 } });
    const key = "ip|account";
    expect((await hit(env, r, key, T0)).retryAfterSeconds).toBe(0);
    expect((await hit(env, r, key, T0 + SEC)).retryAfterSeconds).toBe(0);
    // The third failure reaches the limit: one minute.
    const third = await hit(env, r, key, T0 + 2 * SEC);
    expect(third).toMatchObject({ allowed: true, retryAfterSeconds: 60 });
    expect(await peek(env, r, key, T0 + 30 * SEC)).toMatchObject({ allowed: false, retryAfterSeconds: 32 });
    // A hit during the block is refused and neither counted nor lengthens the block.
    expect(await hit(env, r, key, T0 + 40 * SEC)).toMatchObject({ allowed: false, count: 3, retryAfterSeconds: 22 });
    // Next failure after the block: two minutes... then the maximum (three, not four).
    const t1 = T0 + 62 * SEC;
    expect(await peek(env, r, key, t1)).toMatchObject({ allowed: true });
    expect((await hit(env, r, key, t1)).retryAfterSeconds).toBe(120);
    const t2 = t1 + 120 * SEC;
    expect((await hit(env, r, key, t2)).retryAfterSeconds).toBe(180);
    // Quiet for the block and a window after it: forgotten.
    const t3 = t2 + 180 * SEC + 900 * SEC;
    expect(await peek(env, r, key, t3)).toMatchObject({ allowed: true, count: 0 });
  });
});

describe("the counter object", () => {
  it("is named by a hash of rule and key and stores neither", async () => {
    const r = rule({ limit: 5, windowSeconds: 60 });
    await hit(env, r, "203.0.113.99");
    const stub = await limiterStub(env, r, "203.0.113.99");
    const hashed = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${r.name}\n203.0.113.99`));
    const hex = [...new Uint8Array(hashed)].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(stub.id.equals(env.RATE_LIMITER.idFromName(hex))).toBe(true);
    const dump = await runInDurableObject(stub, (_i: RateLimiter, state) => JSON.stringify(state.storage.sql.exec("SELECT * FROM counter").toArray()));
    expect(dump).not.toContain("203.0.113.99");
  });

  it("deletes an expired counter when its alarm rings", async () => {
    const r = rule({ limit: 5, windowSeconds: 60 });
    await hit(env, r, "alarm-key");
    const stub = await limiterStub(env, r, "alarm-key");
    const alarm = await runInDurableObject(stub, (_i: RateLimiter, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now() + 55 * SEC);
    // Early (the window is still open): the counter stays.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await peek(env, r, "alarm-key")).count).toBe(1);
    // Late: the counter goes.
    await runInDurableObject(stub, (_i: RateLimiter, state) => state.storage.sql.exec("UPDATE counter SET expires_at = ?", Date.now() - 1));
    await runInDurableObject(stub, (_i: RateLimiter, state) => state.storage.setAlarm(Date.now() + 60 * SEC));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const rows = await runInDurableObject(stub, (_i: RateLimiter, state) => state.storage.sql.exec("SELECT * FROM counter").toArray());
    expect(rows).toEqual([]);
  });
});

describe("tooManyRequests", () => {
  it("throws a 429 that carries the wait in whole seconds", () => {
    let thrown: unknown;
    try {
      tooManyRequests({ retryAfterSeconds: 42 }, "Too many attempts.");
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(RateLimitedError);
    expect((thrown as RateLimitedError).status).toBe(429);
    expect((thrown as RateLimitedError).code).toBe("too_many_requests");
    expect((thrown as RateLimitedError).retryAfterSeconds).toBe(42);
  });
});

describe("networkOf", () => {
  it("keeps an IPv4 address, and reduces an IPv6 address to its /64 however it is written", () => {
    expect(networkOf("203.0.113.9")).toBe("203.0.113.9");
    expect(networkOf("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(networkOf("2001:db8:aa:1:1::7")).toBe("2001:db8:aa:1::/64");
    expect(networkOf("2001:0db8:00aa:0001:ffff:ffff:ffff:ffff")).toBe("2001:db8:aa:1::/64");
    expect(networkOf("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(networkOf("2001:db8:aa:2::1")).not.toBe(networkOf("2001:db8:aa:1::1"));
    expect(networkOf(null)).toBeNull();
  });
});
