/** Security headers on every response, including a strict Content-Security-Policy without inline script. */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env";
import { clinicOrigin } from "./tenancy";

export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async function secure(c, next) {
    await next();
    const base = c.env.BASE_DOMAIN;
    const scheme = new URL(c.req.url).protocol;
    const h = c.res.headers;
    // form-action allows, besides this origin, exactly the other clinics of the signed-in staff
    // member: a clinic switch posts here and then goes on to one of them. Nobody else's.
    const formTargets = ["'self'", ...(c.var.staff?.otherClinics ?? []).map((o) => clinicOrigin(o.slug, base, scheme))];
    // A response that brings its own, stricter policy (a document download's sandbox) keeps it.
    if (!h.has("Content-Security-Policy")) h.set("Content-Security-Policy", contentSecurityPolicy(formTargets, c.var.cspWidgetOrigin));
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "same-origin");
    h.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
    h.set("Cross-Origin-Opener-Policy", "same-origin");
    h.set("Cross-Origin-Resource-Policy", "same-origin");
    if (scheme === "https:") h.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    if (!h.has("Cache-Control")) h.set("Cache-Control", "no-store");
    h.set("X-Request-Id", c.get("requestId"));
  };
}

/**
 * The policy of every page: nothing inline, nothing from elsewhere, forms posted only to
 * `formTargets`. `widgetOrigin` adds one other origin's scripts and frames (the booking pages'
 * human check, src/booking/challenge.ts) where a route sets `cspWidgetOrigin`.
 */
export function contentSecurityPolicy(formTargets: string[], widgetOrigin?: string): string {
  return [
    "default-src 'self'",
    widgetOrigin ? `script-src 'self' ${widgetOrigin}` : "script-src 'self'",
    ...(widgetOrigin ? [`frame-src ${widgetOrigin}`] : []),
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    `form-action ${formTargets.join(" ")}`,
  ].join("; ");
}
