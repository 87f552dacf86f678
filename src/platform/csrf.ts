/**
 * CSRF protection for every unsafe method: a double-submit token in a `__Host-` cookie (which a
 * sibling subdomain cannot set) that must come back in the `_csrf` form field or the
 * `X-CSRF-Token` header, plus an Origin / Sec-Fetch-Site check. Its exceptions are declared with
 * the routes (src/mounts.ts): provider callbacks proven by a signature, and streamed uploads.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { isStreamed, type MatchedAccess } from "./access";
import { randomToken, safeEqualStrings } from "./crypto";
import type { AppEnv } from "./env";
import { AppError } from "./errors";
import { classifyHost } from "./tenancy";

export const CSRF_COOKIE = "__Host-csrf";
export const CSRF_FIELD = "_csrf";
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Issues a new CSRF token (cookie and the token forms of this response carry). Called when who is
 * signed in changes (sign-in, handoff, sign-out), so a token learnt before no longer works after.
 */
export function rotateCsrf(c: Context<AppEnv>): string {
  const token = randomToken();
  setCookie(c, CSRF_COOKIE, token, { path: "/", secure: true, httpOnly: true, sameSite: "Lax" });
  c.set("csrfToken", token);
  return token;
}

/**
 * The CSRF middleware; `accessOf` finds the request's route declaration. A route declared
 * `csrf: "signature"` is a server-to-server callback and skips the check. A route declared
 * `streamed` (the document upload, src/attachments/upload.ts) is not parsed here, since that would
 * buffer the whole file: this checks only Origin / Sec-Fetch-Site (and the X-CSRF-Token header when
 * sent) for it, and the route checks the `_csrf` field, the form's first part, against the cookie
 * before it reads anything else. The 1 MB body limit in src/app.ts skips it too.
 */
export function csrf(accessOf: (c: Context<AppEnv>) => MatchedAccess | null): MiddlewareHandler<AppEnv> {
  return async function csrfGuard(c, next) {
    const token = getCookie(c, CSRF_COOKIE);
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) rotateCsrf(c);
    else c.set("csrfToken", token);
    if (SAFE.has(c.req.method)) return next();
    // Provider callbacks (server-to-server, no browser, no cookie) are authenticated by their signature instead.
    const access = accessOf(c);
    if (access?.mount.csrf === "signature") return next();

    const url = new URL(c.req.url);
    const origin = c.req.header("origin");
    if (access?.mount.csrf === "clinic-origin") {
      if (!origin || !isClinicOrigin(origin, url.protocol, c.env.BASE_DOMAIN)) {
        throw new AppError("csrf", "This form was sent from another site and was refused.");
      }
      return next();
    }
    // Denied when the browser says the request came from another site, whatever the token says.
    if (origin && origin !== url.origin) throw new AppError("csrf", "This form was sent from another site and was refused.");
    if (!origin && c.req.header("sec-fetch-site") === "cross-site") {
      throw new AppError("csrf", "This form was sent from another site and was refused.");
    }
    const cookie = getCookie(c, CSRF_COOKIE);
    let sent = c.req.header("x-csrf-token");
    // The streamed upload's route checks its `_csrf` part itself (see above).
    if (!sent && isStreamed(access)) return next();
    if (!sent) {
      const type = c.req.header("content-type") ?? "";
      if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
        const v = (await readForm(c))[CSRF_FIELD];
        sent = typeof v === "string" ? v : undefined;
      }
    }
    if (!cookie || !sent || !safeEqualStrings(cookie, sent)) {
      throw new AppError("csrf", "Your form expired or was not sent from this site. Reload the page and try again.");
    }
    return next();
  };
}

/** A form body that cannot be parsed (a multipart body without its boundary, say) is the sender's fault. */
export const MALFORMED_FORM = "This form could not be read: its body is malformed. Reload the page and try again.";

/** Parses the form body (Hono caches it for the handler's validator); a malformed one is a 400. */
async function readForm(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  try {
    return await c.req.parseBody();
  } catch {
    throw new AppError("bad_request", MALFORMED_FORM);
  }
}

/** Whether an Origin header names a clinic of this platform (same scheme, a subdomain of the base). */
function isClinicOrigin(origin: string, protocol: string, baseDomain: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return parsed.protocol === protocol && parsed.origin === origin && classifyHost(parsed.host, baseDomain).kind === "clinic";
}
