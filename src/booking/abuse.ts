/**
 * Abuse limits of public booking (issue 10, "No rate limits"). A client is its IP address and the
 * booking flow's browser cookie (`__Host-booking`, a random id set by the booking pages); a client
 * without the cookie is still counted by IP.
 *
 * - Times held at once: counted by the clinic's calendar object, atomically with the claim
 *   (src/calendar/calendar.ts, `hold` with `clients`). Over it: 429, hold nothing.
 * - Holds taken per 10 minutes, and bookings per contact (normalized email, E.164 phone) per day
 *   and per IP per hour: counted by the rate limiter (src/platform/rate-limit.ts) before anything
 *   is held or any message is queued. Past a soft limit the page asks for the human check
 *   (./challenge.ts); past the hard limit it refuses with 429.
 *
 * The numbers (LIMITS) are chosen so that a clinic's front-desk kiosk or shared Wi-Fi (one IP, a
 * patient every few minutes all day) never meets the check: see docs/operations.md, "Booking limits".
 */
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../platform/env";
import { sha256Hex } from "../platform/crypto";
import { hit, networkOf, type RateRule } from "../platform/rate-limit";

/** A rule counted by the limiter; `limit` is the hard limit, `soft` where the human check starts. */
export interface SoftRule extends RateRule {
  soft: number;
}

export const LIMITS = {
  /** Times one browser may hold at once (a patient holds one; a second tab is allowed). */
  heldPerBrowser: 2,
  /** Times one IP may hold at once (several patients on one clinic Wi-Fi at the same moment). */
  heldPerIp: 4,
  holdsPerBrowser: { name: "booking.holds.browser", soft: 10, limit: 30, windowSeconds: 600 },
  holdsPerIp: { name: "booking.holds.ip", soft: 30, limit: 120, windowSeconds: 600 },
  bookingsPerContact: { name: "booking.confirm.contact", soft: 3, limit: 6, windowSeconds: 86_400 },
  bookingsPerIp: { name: "booking.confirm.ip", soft: 20, limit: 60, windowSeconds: 3_600 },
} as const satisfies Record<string, number | SoftRule>;

/** Who asks: the IP (null when the platform gave none, as in local tests) and the browser's booking id. */
export interface BookingClient {
  ip: string | null;
  browser: string;
}

export const BROWSER_COOKIE = "__Host-booking";
const BROWSER_ID = /^[A-Za-z0-9_-]{22,64}$/;

/** The client of each request, once: a browser without an id gets exactly one new id. */
const clients = new WeakMap<Request, BookingClient>();

/** The client of this request; gives the browser its booking id when it has none yet. */
export function bookingClient(c: Context<AppEnv>): BookingClient {
  const known = clients.get(c.req.raw);
  if (known) return known;
  const ip = networkOf(c.req.header("cf-connecting-ip") ?? null);
  let browser = getCookie(c, BROWSER_COOKIE);
  if (!browser || !BROWSER_ID.test(browser)) {
    browser = crypto.randomUUID().replaceAll("-", "");
    setCookie(c, BROWSER_COOKIE, browser, { path: "/", secure: true, httpOnly: true, sameSite: "Lax", maxAge: 86_400 });
  }
  const client = { ip, browser };
  clients.set(c.req.raw, client);
  return client;
}

/** The keys the calendar object counts held times under (hashed: no IP is stored there). */
export async function holdClients(client: BookingClient): Promise<{ key: string; max: number }[]> {
  const keys: { key: string; max: number }[] = [{ key: await sha256Hex(`browser\n${client.browser}`), max: LIMITS.heldPerBrowser }];
  if (client.ip) keys.push({ key: await sha256Hex(`ip\n${client.ip}`), max: LIMITS.heldPerIp });
  return keys;
}

/** The verdict of the counted limits: go on, ask for the human check, or refuse. */
export type Verdict = { kind: "ok" } | { kind: "check" } | { kind: "refuse"; retryAfterSeconds: number; rule: string };

/** Counts one hit under each rule and key, and says what the worst of them means. */
export async function countHits(env: AppEnv["Bindings"], hits: { rule: SoftRule; key: string }[], now?: number): Promise<Verdict> {
  const results = await Promise.all(hits.map(async (h) => ({ h, r: await hit(env, h.rule, h.key, now) })));
  const refused = results.filter(({ r }) => !r.allowed);
  if (refused.length > 0) {
    const longest = refused.reduce((a, b) => (b.r.retryAfterSeconds > a.r.retryAfterSeconds ? b : a));
    return { kind: "refuse", retryAfterSeconds: Math.max(1, longest.r.retryAfterSeconds), rule: longest.h.rule.name };
  }
  return results.some(({ h, r }) => r.count > h.rule.soft) ? { kind: "check" } : { kind: "ok" };
}

/** A hold of a new time (not the move of a booking, which holds nothing for long). */
export function holdHits(client: BookingClient): { rule: SoftRule; key: string }[] {
  return [{ rule: LIMITS.holdsPerBrowser, key: client.browser }, ...(client.ip ? [{ rule: LIMITS.holdsPerIp, key: client.ip }] : [])];
}

/** A booking confirmed: counted per contact typed (email lower-cased, phone in E.164) and per IP. */
export function bookingHits(client: BookingClient, contact: { email: string | null; phone: string }): { rule: SoftRule; key: string }[] {
  return [
    { rule: LIMITS.bookingsPerContact, key: `phone:${contact.phone}` },
    ...(contact.email ? [{ rule: LIMITS.bookingsPerContact, key: `email:${contact.email.trim().toLowerCase()}` }] : []),
    ...(client.ip ? [{ rule: LIMITS.bookingsPerIp, key: client.ip }] : []),
  ];
}
