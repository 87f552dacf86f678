/** Builds the service-layer scope (clinic database, staff, request facts) from a request context. */
import type { Context, MiddlewareHandler } from "hono";
import type { AuditScope } from "../audit/service";
import type { AppEnv, Clinic, ClinicDb, RequestMeta, Staff } from "./env";
import { AppError } from "./errors";
import type { Permission } from "./permissions";
import { drizzle } from "drizzle-orm/d1";
import * as clinicSchema from "../schema/clinic";
import { clinicDatabase, clinicDb } from "./tenancy";
import { clinicToday as todayIn } from "./time";

export interface ClinicScope extends AuditScope {
  db: ClinicDb;
  clinic: Clinic;
  staff: Staff | null;
}

/** The scope of a signed-in staff request; services receive it instead of the raw context. */
export interface StaffScope extends ClinicScope {
  staff: Staff;
}

export function requestMeta(c: Context<AppEnv>): RequestMeta {
  return {
    requestId: c.get("requestId"),
    ip: c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip") ?? null,
    userAgent: c.req.header("user-agent") ?? null,
    emergencyGrantId: c.get("emergencyGrantId"),
  };
}

/**
 * Today's date (YYYY-MM-DD) in the clinic's timezone: for ages, "not in the future" checks and
 * defaults. A shorthand for the time module's `clinicToday` with the request's clinic and clock.
 */
export function clinicToday(c: Context<AppEnv>, at: number = Date.now()): string {
  return todayIn(c.var.clinic.timezone, at);
}

/**
 * The scope of this request's clinic. `clinic` names it when the request has not been through the
 * tenancy middleware yet (a refusal before it, audited in the clinic it was sent to): no staff then.
 */
export function clinicScope(c: Context<AppEnv>, clinic: Clinic = c.get("clinic")): ClinicScope {
  const own = clinic === c.get("clinic");
  return {
    db: own ? c.get("db") : clinicDb(c.env, clinic),
    d1: clinicDatabase(c.env, clinic),
    clinic,
    staff: own ? c.get("staff") : null,
    meta: requestMeta(c),
    auditKeys: c.env.AUDIT_KEYS,
    waitUntil: (p) => {
      try {
        c.executionCtx.waitUntil(p);
      } catch {
        // No execution context (plain app.request in a unit test): let it run unobserved.
        void p;
      }
    },
  };
}

export function staffScope(c: Context<AppEnv>): StaffScope {
  const scope = clinicScope(c);
  if (!scope.staff) throw new AppError("unauthenticated", "Please sign in.");
  return scope as StaffScope;
}

/** Throws unless the staff member holds the permission. Pages answer 403; records answer 404. */
export function requirePermission(scope: { staff: Staff | null }, permission: Permission): void {
  if (!scope.staff) throw new AppError("unauthenticated", "Please sign in.");
  if (!scope.staff.permissions.has(permission)) {
    throw new AppError("forbidden", "Your role does not allow this. Ask a clinic administrator if you need access.");
  }
}

/**
 * Middleware for a whole route group: a staff member holding none of `permissions` is refused
 * (403) before any form is read, whatever they send. The services still check their own. Route
 * groups do not call it themselves: src/app.ts applies it from the group's declaration in
 * src/mounts.ts.
 */
export function permissionGate(...permissions: [Permission, ...Permission[]]): MiddlewareHandler<AppEnv> {
  return async function requireGroupPermission(c, next) {
    const scope = staffScope(c);
    if (!permissions.some((p) => scope.staff.permissions.has(p))) requirePermission(scope, permissions[0]);
    await next();
  };
}

export function can(staff: Staff | null, permission: Permission): boolean {
  return !!staff && staff.permissions.has(permission);
}

/**
 * The scope of work nobody requested (the cron scan, the queue consumer): no staff member, and a
 * request id naming the job, so its audit rows say where they came from.
 */
export function systemScope(env: import("./env").Env, clinic: Clinic, job: string, ctx?: { waitUntil(p: Promise<unknown>): void }): ClinicScope {
  const d1 = clinicDatabase(env, clinic);
  return {
    db: drizzle(d1, { schema: clinicSchema }),
    d1,
    clinic,
    staff: null,
    meta: { requestId: `${job}:${crypto.randomUUID()}`, ip: null, userAgent: null },
    auditKeys: env.AUDIT_KEYS,
    waitUntil: (p) => (ctx ? ctx.waitUntil(p) : void p),
  };
}
