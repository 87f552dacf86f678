/**
 * Step-up: sensitive actions (exporting the audit log, changing a staff member's roles, removing
 * someone's second factor, and later signing a controlled-substance prescription) need a second
 * factor proved in the last ten minutes. Without one the browser is sent to prove it and comes
 * back; a user who has no factor yet is sent to enrol one first.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../platform/env";
import { AppError } from "../platform/errors";
import { localPath, seeOther } from "../platform/render";
import { provedWithin } from "./second-factor";

/** How recent a second factor must be for a sensitive action. */
export const STEP_UP_MS = 10 * 60_000;

/** Where to come back to after the step-up: the page itself for a GET, the page the form was on for a POST. */
function returnPath(c: Context<AppEnv>): string {
  const url = new URL(c.req.url);
  if (c.req.method === "GET") return localPath(url.pathname + url.search) ?? "/";
  const referer = c.req.header("referer");
  if (referer) {
    try {
      const from = new URL(referer);
      if (from.origin === url.origin) return localPath(from.pathname + from.search) ?? "/";
    } catch {
      // Not a URL: go home after the step-up.
    }
  }
  return "/";
}

/** Where a signed-in staff member is sent to prove (or first enrol) a second factor before coming back. */
export function stepUpLocation(c: Context<AppEnv>): string {
  const staff = c.var.staff;
  const next = encodeURIComponent(returnPath(c));
  return staff?.hasSecondFactor ? `/login/second-factor?next=${next}` : `/account/security?next=${next}&why=step-up`;
}

/**
 * Middleware for a sensitive route: passes when the session proved a second factor within
 * STEP_UP_MS, otherwise answers 303 to the step-up (or enrolment) page, which returns here.
 */
export function requireRecentSecondFactor(maxAgeMs = STEP_UP_MS): MiddlewareHandler<AppEnv> {
  return async function recentSecondFactor(c, next) {
    const staff = c.var.staff;
    if (!staff) throw new AppError("unauthenticated", "Please sign in.");
    if (provedWithin(staff, maxAgeMs)) return next();
    return seeOther(c, stepUpLocation(c));
  };
}
