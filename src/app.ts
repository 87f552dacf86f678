/**
 * The Worker's HTTP application: middleware order, domain mounts and the one place where errors
 * become responses.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { audit } from "./audit/service";
import { clinicScope } from "./platform/scope";
import { render } from "preact-render-to-string";
import { h } from "preact";
import { mountDomains } from "./mounts";
import { ASSET_FILES } from "./generated/assets";
import { csrf, isStreamedUpload } from "./platform/csrf";
import { meterEnv } from "./platform/d1-meter";
import type { AppEnv } from "./platform/env";
import { AppError, notFound } from "./platform/errors";
import { securityHeaders } from "./platform/headers";
import { page } from "./platform/render";
import { classifyHost, clinicDb, directoryDb, findClinic } from "./platform/tenancy";
import { loadStaff } from "./auth/session";
import { servePublicSite } from "./public/routes";
import { isDevelopment } from "./messaging/routes";
import { ErrorBody } from "../views/errors/error-page";

export function createApp() {
  const app = new Hono<AppEnv>();

  app.use("*", async function requestId(c, next) {
    c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
    c.set("notice", undefined);
    const meter = { roundTrips: 0 };
    c.env = meterEnv(c.env, meter);
    const started = Date.now();
    await next();
    if (c.env.ENVIRONMENT !== "production") {
      c.res.headers.append("Server-Timing", `d1;desc="${meter.roundTrips} D1 round trips";dur=${Date.now() - started}`);
    }
  });
  app.use("*", securityHeaders());

  app.get("/healthz", (c) => c.text("ok"));

  app.get("/assets/:file", (c) => {
    const asset = ASSET_FILES[c.req.path];
    if (!asset) throw notFound("This file");
    return c.body(asset.body, 200, {
      "Content-Type": asset.type,
      // The name carries the content hash, so the file never changes under it.
      "Cache-Control": "public, max-age=31536000, immutable",
    });
  });

  // Forms are small; reading an oversized body (before sign-in, for the CSRF check) is refused early.
  // The document upload is the exception: it streams the file to R2 under its own cap and checks
  // its CSRF token itself (see isStreamedUpload in ./platform/csrf.ts).
  const formBodyLimit = bodyLimit({
    maxSize: 1024 * 1024,
    onError: () => {
      throw new AppError("payload_too_large", "What you sent is larger than this form accepts (1 MB).");
    },
  });
  app.use("*", (c, next) => (isStreamedUpload(c.req.method, c.req.path) ? next() : formBodyLimit(c, next)));
  app.use("*", csrf());

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

  // Every page below needs a signed-in staff member, except the sign-in pages themselves.
  app.use("*", async function requireSignIn(c, next) {
    const open = ["/login", "/password/forgot", "/password/reset", "/auth/handoff"];
    const path = c.req.path;
    // Public booking needs no account: its links carry their own signed tokens.
    if (c.var.staff || open.includes(path) || path === "/book" || path.startsWith("/book/")) return next();
    // The development mailbox stands in for the patient's inbox: no sign-in, and only locally.
    if (path === "/dev/mailbox" && isDevelopment(c.env)) return next();
    // Provider callbacks are server-to-server: their signature, checked by the route, stands in for a session.
    if (path.startsWith("/webhooks/")) return next();
    // A reminder's confirm/cancel link: its signed token stands in for a session, as booking's does.
    if (path === "/appointment/respond" || path.startsWith("/appointment/respond/") || path.startsWith("/r/")) return next();
    if (c.req.method === "GET") {
      const params = new URLSearchParams();
      if (c.req.path !== "/") params.set("next", c.req.path + new URL(c.req.url).search);
      if (c.var.notice) params.set("ended", "idle");
      const query = params.toString();
      return c.redirect(`/login${query ? `?${query}` : ""}`, 303);
    }
    throw new AppError("unauthenticated", "Your session has ended. Sign in again.");
  });

  // A refused write to a patient's record (invalid input, 422) belongs in the trail too, whichever
  // form it came from; the route re-renders the form and writes nothing else.
  app.use("/patients/:id/*", async function auditRefusedWrites(c, next) {
    await next();
    if (c.req.method !== "POST" || c.res.status !== 422 || !c.var.staff) return;
    const patientId = c.req.param("id").slice(0, 64);
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
  app.get("/", (c) => c.redirect("/patients", 303));

  app.notFound(() => {
    throw notFound();
  });

  app.onError(async (err, c) => {
    const requestId = c.get("requestId") ?? "unknown";
    const known = err instanceof AppError ? err : err instanceof HTTPException && err.status < 500 ? new AppError(err.status === 413 ? "payload_too_large" : "bad_request", "The request could not be read. Reload the page and try again.") : null;
    if (!known || known.status >= 500) console.error(JSON.stringify({ requestId, error: String(err), stack: (err as Error).stack }));
    const status = known?.status ?? 500;
    // Messages of server-side failures stay in the log; the browser gets a sentence and the request id.
    const message =
      known && status < 500 ? known.message : "An unexpected error stopped this page. Please try again; if it happens again, contact support.";
    if (status === 403 && c.var.staff && c.var.clinic) {
      // Refused access is part of the trail too.
      // Named by patient when the refused page was one patient's record, so their trail shows it.
      const patientId = c.req.path.match(/^\/patients\/(?!new(?:\/|$))([^/]+)/)?.[1]?.slice(0, 64) ?? null;
      await audit(clinicScope(c), { action: "read", event: "access.denied", entityType: "route", entityId: `${c.req.method} ${c.req.path}`.slice(0, 200), patientId, outcome: "denied" }).catch(() => {});
    }
    if (c.req.header("HX-Request") === "true") {
      return c.html(render(h(ErrorBody, { status, message, requestId })), status as 500);
    }
    if (status === 401 && c.req.method === "GET") return c.redirect("/login", 303);
    return page(c, status === 404 ? "Not found" : "Error", h(ErrorBody, { status, message, requestId }), status as 500);
  });

  return app;
}
