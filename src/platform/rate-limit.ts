/**
 * Rate limits: rules are data (`RateRule`), counters live in the RateLimiter Durable Object
 * (./rate-limiter.ts), one object per rule and key. Keys are SHA-256 hashed before they name an
 * object, so no IP address or email is ever stored as an object name. Why a Durable Object and
 * not Cloudflare's rate-limiting binding, and every limit chosen: docs/operations.md, "Rate limits".
 *
 *   const result = await hit(c.env, BOOKINGS_PER_IP, ip);
 *   if (!result.allowed) tooManyRequests(result, "Too many bookings from this network.");
 */
import type { WindowReport } from "../audit/failures";
import type { CounterPolicy, CounterState } from "./rate-limiter";
import type { Env } from "./env";
import { AppError } from "./errors";
import { sha256Hex } from "./crypto";

export type { CounterState as RateResult } from "./rate-limiter";

/** A limit: at most `limit` hits per `windowSeconds` for one key (see CounterPolicy for backoff). */
export interface RateRule extends CounterPolicy {
  /** Unique among rules: it separates the counters of two rules that share a key. */
  name: string;
}

type LimiterEnv = Pick<Env, "RATE_LIMITER">;

/** The object counting `rule` for `key`. Exported for tests (runInDurableObject). */
export async function limiterStub(env: LimiterEnv, rule: RateRule, key: string) {
  return env.RATE_LIMITER.getByName(await sha256Hex(`${rule.name}\n${key}`));
}

/**
 * Counts one hit of `key` under `rule`; `allowed` is false once the limit is passed. A `report`
 * makes the window write a summary audit row when it closes (see src/audit/failures.ts).
 */
export async function hit(env: LimiterEnv, rule: RateRule, key: string, now?: number, report?: WindowReport): Promise<CounterState> {
  const stub = await limiterStub(env, rule, key);
  return stub.hit(policyOf(rule), now, report);
}

/** The counter of `key` under `rule` without counting: `allowed` says whether a hit now would be. */
export async function peek(env: LimiterEnv, rule: RateRule, key: string, now?: number): Promise<CounterState> {
  const stub = await limiterStub(env, rule, key);
  return stub.peek(policyOf(rule), now);
}

/** Forgets the counter of `key` under `rule`. */
export async function reset(env: LimiterEnv, rule: RateRule, key: string): Promise<void> {
  const stub = await limiterStub(env, rule, key);
  await stub.reset();
}

/** Throws the 429 of a refused hit; the error mapping in src/app.ts sets `Retry-After`. */
export function tooManyRequests(result: Pick<CounterState, "retryAfterSeconds">, message: string): never {
  throw new RateLimitedError(message, Math.max(1, result.retryAfterSeconds));
}

/** A "too_many_requests" AppError that knows when to come back. */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("too_many_requests", message);
  }
}

/** "1 minute", "3 minutes", "45 seconds": for messages that say how long to wait. */
export function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

function policyOf(rule: RateRule): CounterPolicy {
  return rule.backoff ? { limit: rule.limit, windowSeconds: rule.windowSeconds, backoff: rule.backoff } : { limit: rule.limit, windowSeconds: rule.windowSeconds };
}

/**
 * The network a client address stands for in per-address limits: an IPv4 address itself, an IPv6
 * address its /64 (one home connection or one phone gets a whole /64, so counting single IPv6
 * addresses would give one client billions of keys). An IPv4-mapped IPv6 address counts as its IPv4.
 */
export function networkOf(ip: string | null): string | null {
  if (!ip || !ip.includes(":")) return ip;
  const mapped = ip.match(/^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i);
  if (mapped) return mapped[1]!;
  const [head = "", tail] = ip.toLowerCase().split("%")[0]!.split("::");
  const left = head ? head.split(":") : [];
  const right = tail === undefined ? [] : tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return ip;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
