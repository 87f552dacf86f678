/**
 * The Worker's HTTP application: middleware order, domain mounts and the one place where errors
 * become responses.
 */
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { matchedRoutes } from "hono/route";
import { audit } from "./audit/service";
import { clinicScope, permissionGate } from "./platform/scope";
import { render } from "preact-render-to-string";
import { h } from "preact";
import { MOUNTS, mountDomains } from "./mounts";
import { ASSET_FILES } from "./generated/assets";
import { AccessMap, allowsPending, isPublic, isRoute, isStreamed, patientOf, type MountDeclaration } from "./platform/access";
import { csrf, MALFORMED_FORM } from "./platform/csrf";
import { meterEnv } from "./platform/d1-meter";
import type { AppEnv, Clinic } from "./platform/env";
import { AppError, notFound } from "./platform/errors";
import { RateLimitedError } from "./platform/rate-limit";
import { securityHeaders } from "./platform/headers";
import { page } from "./platform/render";
import { classifyHost, clinicDb, directoryDb, findClinic } from "./platform/tenancy";
import { recordFailure } from "./audit/failures";
import { loadStaff } from "./auth/session";
import { servePublicSite } from "./public/routes";
import { careTeamGate } from "./emergency/gate";
import { ErrorBody } from "../views/errors/error-page";

/** A Hono HTTPException (a validator that could not parse the body, say) as the app's error. */
function fromHttpException(err: HTTPException): AppError {
  if (err.status === 413) return new AppError("payload_too_large", "What you sent is larger than this form accepts.");
  return new AppError("bad_request", err.status === 400 ? MALFORMED_FORM : "The request could not be read. Reload the page and try again.");
}

/** The Worker's own routes, answered before any clinic is looked up. */
const workerRoutes = new Hono<AppEnv>();

workerRoutes.get("/healthz", (c) => c.text("ok"));

workerRoutes.get("/assets/:file", (c) => {
  const asset = ASSET_FILES[c.req.path];
  if (!asset) throw notFound("This file");
  return c.body(asset.body, 200, {
    "Content-Type": asset.type,
    // The name carries the content hash, so the file never changes under it.
    "Cache-Control": "public, max-age=31536000, immutable",
  });
});

/** The clinic's home page. */
const homeRoutes = new Hono<AppEnv>();
homeRoutes.get("/", (c) => c.redirect("/patients", 303));

/** The routes of this file, declared like the domain mounts of src/mounts.ts. */
const APP_MOUNTS: readonly MountDeclaration[] = [
  { path: "/", routes: workerRoutes, access: { public: "health check and content-hashed static files: no clinic and no data" } },
  { path: "/", routes: homeRoutes, access: { staff: "only sends a signed-in staff member on to the patient list, which checks its own permission" } },
];

/**
 * Audits a request refused before sign-in (a missing or wrong form token, no session) in the
 * clinic it was sent to; repeats from one address are summed up (src/audit/failures.ts). The
 * CSRF check runs before the clinic is looked up, so it is looked up here (usually cached).
 */
async function auditRefusedRequest(c: Context<AppEnv>, code: "csrf" | "unauthenticated"): Promise<void> {
  let clinic = c.var.clinic as Clinic | undefined;
  if (!clinic) {
    const target = classifyHost(new URL(c.req.url).host, c.env.BASE_DOMAIN);
    if (target.kind !== "clinic") return;
    clinic = (await findClinic(directoryDb(c.env), target.slug)) ?? undefined;
    if (!clinic) return;
  }
  const scope = { ...clinicScope(c, clinic), env: c.env };
  const csrfRefused = code === "csrf";
  await recordFailure(
    scope,
    {
      action: "execute",
      event: csrfRefused ? "request.csrf_refused" : "request.unauthenticated",
      entityType: "route",
      entityId: `${c.req.method} ${c.req.path}`.slice(0, 200),
      outcome: "denied",
    },
    { aggregate: true, what: csrfRefused ? "requests refused for a missing or wrong form token" : "requests refused for want of a session" },
  );
}

/** Every route of the app with its declared access (the route-walk test reads it too). */
export const ACCESS = new AccessMap([...APP_MOUNTS, ...MOUNTS]);

export function createApp() {
  const app = new Hono<AppEnv>();
  const accessOf = ACCESS.of.bind(ACCESS);

  app.use("*", async function requestId(c, next) {
    c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
    c.set("notice", undefined);
    c.set("emergencyGrantId", undefined);
    const meter = { roundTrips: 0 };
    c.env = meterEnv(c.env, meter);
    const started = Date.now();
    await next();
    if (c.env.ENVIRONMENT !== "production") {
      c.res.headers.append("Server-Timing", `d1;desc="${meter.roundTrips} D1 round trips";dur=${Date.now() - started}`);
    }
  });
  app.use("*", securityHeaders());

  app.route("/", workerRoutes);

  // Forms are small; reading an oversized body (before sign-in, for the CSRF check) is refused early.
  // The document upload is the exception: it streams the file to R2 under its own cap and checks
  // its CSRF token itself (declared `streamed` in ./mounts.ts).
  const formBodyLimit = bodyLimit({
    maxSize: 1024 * 1024,
    onError: () => {
      throw new AppError("payload_too_large", "What you sent is larger than this form accepts (1 MB).");
    },
  });
  app.use("*", (c, next) => (isStreamed(accessOf(c)) ? next() : formBodyLimit(c, next)));
  app.use("*", csrf(accessOf));

  app.use("*", async function tenancy(c, next) {
    // The URL carries the Host the client asked for (in production and under wrangler dev alike).
    const target = classifyHost(new URL(c.req.url).host, c.env.BASE_DOMAIN);
    c.set("dir", directoryDb(c.env));
    if (target.kind === "base") return servePublicSite(c);
    if (target.kind === "foreign") throw notFound("This clinic");
    const clinic = await findClinic(c.get("dir"), target.slug);
    if (!clinic) throw notFound("This clinic");
    c.set("clinic", clinic);
    c.set("db", clinicDb(c.env, clinic));
    await next();
  });

  app.use("*", loadStaff());

  // Every page needs a signed-in staff member, except those declared public (with their reason).
  app.use("*", async function requireSignIn(c, next) {
    if (c.var.staff || isPublic(accessOf(c), c.env)) return next();
    if (c.req.method === "GET") {
      const params = new URLSearchParams();
      if (c.req.path !== "/") params.set("next", c.req.path + new URL(c.req.url).search);
      if (c.var.notice) params.set("ended", "idle");
      const query = params.toString();
      return c.redirect(`/login${query ? `?${query}` : ""}`, 303);
    }
    throw new AppError("unauthenticated", "Your session has ended. Sign in again.");
  });

  // The declared access of the route, before any handler runs: closed by default, so a route
  // that no declaration covers is refused; a gated group refuses staff holding none of its
  // permissions (403) before any form is read. A path no route matches goes on to its 404.
  app.use("*", async function declaredAccess(c, next) {
    const found = accessOf(c);
    // A session that passed the password but not yet its second factor (or the enrolment its role
    // requires) reaches only the groups declared for it, the public pages and sign-out.
    const pending = c.var.staff?.pending;
    if (pending && !allowsPending(found, pending, c.env)) {
      if (c.req.method === "GET" || c.req.method === "HEAD") {
        const back = encodeURIComponent(c.req.path + new URL(c.req.url).search);
        return c.redirect(pending === "second_factor" ? `/login/second-factor?next=${back}` : `/account/security?next=${back}`, 303);
      }
      throw new AppError("forbidden", "Finish signing in with your second factor first.");
    }
    if (!found) {
      if (matchedRoutes(c).some(isRoute)) throw new AppError("forbidden", "This page has no declared access and is closed.");
      return next();
    }
    const access = found.mount.access;
    if ("anyOf" in access) return permissionGate(...access.anyOf)(c, next);
    return next();
  });

  // A chart is open to its patient's care team, or to others under an emergency grant, when the
  // clinic says so: checked here once for every group declared `careTeam`.
  app.use("*", careTeamGate(accessOf));

  // A refused write to a patient's record (invalid input, 422) belongs in the trail too, whichever
  // form it came from; the route re-renders the form and writes nothing else.
  app.use("*", async function auditRefusedWrites(c, next) {
    await next();
    if (c.req.method !== "POST" || c.res.status !== 422 || !c.var.staff) return;
    const patientId = patientOf(accessOf(c));
    if (!patientId) return;
    await audit(clinicScope(c), {
      action: "update",
      event: "record.write_refused",
      entityType: "patient",
      entityId: patientId,
      patientId,
      outcome: "failure",
      detail: `invalid input: POST ${c.req.path}`.slice(0, 200),
    }).catch((err) => console.error("audit of a refused write failed", err));
  });

  mountDomains(app);
  app.route("/", homeRoutes);

  app.notFound(() => {
    throw notFound();
  });

  app.onError(async (err, c) => {
    const requestId = c.get("requestId") ?? "unknown";
    const known = err instanceof AppError ? err : err instanceof HTTPException && err.status < 500 ? fromHttpException(err) : null;
    if (!known || known.status >= 500) console.error(JSON.stringify({ requestId, error: String(err), stack: (err as Error).stack }));
    const status = known?.status ?? 500;
    // Messages of server-side failures stay in the log; the browser gets a sentence and the request id.
    const message =
      known && status < 500 ? known.message : "An unexpected error stopped this page. Please try again; if it happens again, contact support.";
    if (status === 403 && c.var.staff && c.var.clinic) {
      // Refused access is part of the trail too.
      // Named by patient when the refused page was one patient's record, so their trail shows it.
      const patientId = patientOf(accessOf(c));
      await audit(clinicScope(c), { action: "read", event: "access.denied", entityType: "route", entityId: `${c.req.method} ${c.req.path}`.slice(0, 200), patientId, outcome: "denied" }).catch(() => {});
    }
    if (known && (known.code === "csrf" || known.code === "unauthenticated") && !c.var.staff) {
      await auditRefusedRequest(c, known.code).catch((e) => console.error("audit of a refused request failed", e));
    }
    // A refused rate limit says when to come back (RFC 9110, section 10.2.3), whatever the page.
    if (err instanceof RateLimitedError) c.header("Retry-After", String(err.retryAfterSeconds));
    if (c.req.header("HX-Request") === "true") {
      return c.html(render(h(ErrorBody, { status, message, requestId })), status as 500);
    }
    if (status === 401 && c.req.method === "GET") return c.redirect("/login", 303);
    return page(c, status === 404 ? "Not found" : "Error", h(ErrorBody, { status, message, requestId }), status as 500);
  });

  return app;
}
