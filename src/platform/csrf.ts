/**
 * CSRF protection for every unsafe method: a double-submit token in a `__Host-` cookie (which a
 * sibling subdomain cannot set) that must come back in the `_csrf` form field or the
 * `X-CSRF-Token` header, plus an Origin / Sec-Fetch-Site check.
 */
import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { randomToken, safeEqualStrings } from "./crypto";
import type { AppEnv } from "./env";
import { AppError } from "./errors";

export const CSRF_COOKIE = "__Host-csrf";
export const CSRF_FIELD = "_csrf";
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The one route whose body is streamed, not parsed here: a document upload
 * (POST /patients/<id>/documents, src/attachments/upload.ts). Parsing it here would buffer the
 * whole file, so this middleware checks only Origin / Sec-Fetch-Site (and the X-CSRF-Token header
 * when sent) for it, and the route checks the `_csrf` field, the form's first part, against the
 * cookie before it reads anything else. The 1 MB body limit in src/app.ts skips it too.
 */
export function isStreamedUpload(method: string, path: string): boolean {
  return method === "POST" && /^\/patients\/[^/]+\/documents$/.test(path);
}

export function csrf(): MiddlewareHandler<AppEnv> {
  return async function csrfGuard(c, next) {
    let token = getCookie(c, CSRF_COOKIE);
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) {
      token = randomToken();
      setCookie(c, CSRF_COOKIE, token, { path: "/", secure: true, httpOnly: true, sameSite: "Lax" });
    }
    c.set("csrfToken", token);
    if (SAFE.has(c.req.method)) return next();
    // Provider callbacks (server-to-server, no browser, no cookie) are authenticated by their signature instead.
    if (c.req.path.startsWith("/webhooks/")) return next();

    const url = new URL(c.req.url);
    const origin = c.req.header("origin");
    // Denied when the browser says the request came from another site, whatever the token says.
    if (origin && origin !== url.origin) throw new AppError("csrf", "This form was sent from another site and was refused.");
    if (!origin && c.req.header("sec-fetch-site") === "cross-site") {
      throw new AppError("csrf", "This form was sent from another site and was refused.");
    }
    const cookie = getCookie(c, CSRF_COOKIE);
    let sent = c.req.header("x-csrf-token");
    // The streamed upload's route checks its `_csrf` part itself (see isStreamedUpload).
    if (!sent && isStreamedUpload(c.req.method, c.req.path)) return next();
    if (!sent) {
      const type = c.req.header("content-type") ?? "";
      if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
        const body = await c.req.parseBody();
        const v = body[CSRF_FIELD];
        sent = typeof v === "string" ? v : undefined;
      }
    }
    if (!cookie || !sent || !safeEqualStrings(cookie, sent)) {
      throw new AppError("csrf", "Your form expired or was not sent from this site. Reload the page and try again.");
    }
    return next();
  };
}
