/**
 * Emergency access records: taking a grant (with its `access.emergency` audit row in the same
 * batch), the privacy officer's list and review, and the clinic's chart access policy.
 */
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { audit, auditStatement, auditStatementIfChanged, scheduleSeal } from "../audit/service";
import { patients } from "../patients/tables";
import { AppError, notFound } from "../platform/errors";
import { requirePermission, type StaffScope } from "../platform/scope";
import { clinics } from "../schema/directory";
import type { DirectoryDb } from "../platform/env";
import { forgetClinic } from "../platform/tenancy";
import { EMERGENCY_GRANT_MINUTES } from "./care-team";
import { emergencyAccess } from "./tables";

/** The audit event of a grant, kept apart from ordinary reads so it can be reported on its own. */
export const EMERGENCY_EVENT = "access.emergency";
/** The detail every audit row written under a grant carries (see src/audit/service.ts). */
export const EMERGENCY_DETAIL = "emergency access";

const MINUTE = 60_000;

/**
 * Takes an emergency grant for the signed-in staff member on `patientId`: the grant row and its
 * audit row in one batch. A patient who is not in this clinic is a 404 after a failure row.
 */
export async function grantEmergencyAccess(scope: StaffScope, patientId: string, reason: string, now: number): Promise<{ id: string; expiresAt: number }> {
  requirePermission(scope, "chart:read");
  const found = await scope.db.select({ id: patients.id }).from(patients).where(eq(patients.id, patientId)).limit(1);
  if (found.length === 0) {
    await audit(scope, { action: "read", event: EMERGENCY_EVENT, entityType: "patient", entityId: patientId.slice(0, 64), outcome: "failure", detail: "patient not found" });
    throw notFound("This patient");
  }
  const id = crypto.randomUUID();
  const expiresAt = now + EMERGENCY_GRANT_MINUTES * MINUTE;
  await scope.db.batch([
    scope.db.insert(emergencyAccess).values({
      id,
      patientId,
      staffId: scope.staff.id,
      staffName: scope.staff.name,
      staffRole: scope.staff.role,
      reason,
      grantedAt: now,
      expiresAt,
    }),
    auditStatement(scope, {
      action: "read",
      event: EMERGENCY_EVENT,
      entityType: "emergency_access",
      entityId: id,
      patientId,
      detail: `reason: ${reason}`.slice(0, 400),
    }),
  ]);
  scheduleSeal(scope);
  return { id, expiresAt };
}

/** One row of the privacy officer's list. */
export interface EmergencyAccessRow {
  id: string;
  patientId: string;
  patientName: string | null;
  staffName: string;
  staffRole: string;
  reason: string;
  grantedAt: number;
  expiresAt: number;
  reviewedAt: number | null;
  reviewedByName: string | null;
  reviewNote: string | null;
}

/**
 * Every emergency access, those awaiting review first, newest first (at most `limit`); the view
 * of the list is itself audited.
 */
export async function listEmergencyAccess(scope: StaffScope, limit = 200): Promise<EmergencyAccessRow[]> {
  requirePermission(scope, "audit:read");
  const [rows] = await scope.db.batch([
    scope.db
      .select({
        id: emergencyAccess.id,
        patientId: emergencyAccess.patientId,
        patientName: sql<string | null>`${patients.givenName} || ' ' || ${patients.familyName}`,
        staffName: emergencyAccess.staffName,
        staffRole: emergencyAccess.staffRole,
        reason: emergencyAccess.reason,
        grantedAt: emergencyAccess.grantedAt,
        expiresAt: emergencyAccess.expiresAt,
        reviewedAt: emergencyAccess.reviewedAt,
        reviewedByName: emergencyAccess.reviewedByName,
        reviewNote: emergencyAccess.reviewNote,
      })
      .from(emergencyAccess)
      .leftJoin(patients, eq(patients.id, emergencyAccess.patientId))
      .orderBy(sql`${emergencyAccess.reviewedAt} IS NOT NULL`, desc(emergencyAccess.grantedAt))
      .limit(limit),
    auditStatement(scope, { action: "read", event: "access.emergency_list", entityType: "emergency_access", detail: "privacy review list" }),
  ]);
  scheduleSeal(scope);
  return rows;
}

/**
 * Marks one emergency access reviewed, with the reviewer and their note, and audits it in the same
 * batch. A grant that is not there is a 404; one already reviewed is a 409.
 */
export async function reviewEmergencyAccess(scope: StaffScope, id: string, note: string | null, now: number): Promise<void> {
  requirePermission(scope, "audit:read");
  const [row] = await scope.db.select({ patientId: emergencyAccess.patientId }).from(emergencyAccess).where(eq(emergencyAccess.id, id)).limit(1);
  if (!row) throw notFound("This emergency access");
  const [result] = await scope.db.batch([
    scope.db
      .update(emergencyAccess)
      .set({ reviewedAt: now, reviewedBy: scope.staff.id, reviewedByName: scope.staff.name, reviewNote: note || null })
      .where(and(eq(emergencyAccess.id, id), isNull(emergencyAccess.reviewedAt))),
    auditStatementIfChanged(scope, {
      action: "update",
      event: "access.emergency_reviewed",
      entityType: "emergency_access",
      entityId: id,
      patientId: row.patientId,
      detail: note ? `note: ${note}`.slice(0, 400) : null,
    }),
  ]);
  if (result.meta.changes !== 1) throw new AppError("conflict", "This emergency access was already reviewed; the list shows who reviewed it.");
  scheduleSeal(scope);
}

/** Turns "charts are open to the care team only" on or off for the clinic (`staff:manage`), audited. */
export async function setCareTeamOnly(scope: StaffScope, dir: DirectoryDb, on: boolean): Promise<void> {
  requirePermission(scope, "staff:manage");
  await dir.update(clinics).set({ careTeamOnly: on }).where(eq(clinics.id, scope.clinic.id));
  forgetClinic(scope.clinic.slug);
  await audit(scope, {
    action: "update",
    event: "settings.chart_access",
    entityType: "clinic",
    entityId: scope.clinic.slug,
    detail: on ? "charts open to the care team only" : "charts open to every clinical role",
  });
}
