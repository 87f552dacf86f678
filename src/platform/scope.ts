/** Builds the service-layer scope (clinic database, staff, request facts) from a request context. */
import type { Context } from "hono";
import type { AuditScope } from "../audit/service";
import type { AppEnv, Clinic, ClinicDb, RequestMeta, Staff } from "./env";
import { AppError } from "./errors";
import { clinicDatabase } from "./tenancy";

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
  };
}

export function clinicScope(c: Context<AppEnv>): ClinicScope {
  const clinic = c.get("clinic");
  return {
    db: c.get("db"),
    d1: clinicDatabase(c.env, clinic),
    clinic,
    staff: c.get("staff"),
    meta: requestMeta(c),
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
export function requirePermission(scope: { staff: Staff | null }, permission: string): void {
  if (!scope.staff) throw new AppError("unauthenticated", "Please sign in.");
  if (!scope.staff.permissions.has(permission)) {
    throw new AppError("forbidden", "Your role does not allow this. Ask a clinic administrator if you need access.");
  }
}

export function can(staff: Staff | null, permission: string): boolean {
  return !!staff && staff.permissions.has(permission);
}
