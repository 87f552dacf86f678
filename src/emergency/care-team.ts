/**
 * Who may open a chart when the clinic keeps charts to the care team (ONC 170.315(d)(6),
 * HIPAA 164.312(a)(2)(ii)). The rule, in one place:
 *
 * A staff member holding `chart:read` is on the care team of a patient when any of these holds:
 *  1. they are linked to a provider (`providers.user_id`) who has an appointment with the patient,
 *     in any status but cancelled, starting from 365 days ago to 30 days ahead;
 *  2. they are not linked to any provider (nurses, assistants, students) and the patient has such
 *     an appointment with any provider of the clinic: they support every provider's visits;
 *  3. they are the provider of one of the patient's encounters, or the author or co-signer of one
 *     of the patient's notes;
 *  4. they registered the patient (`patients.created_by`).
 * Anyone else opens the chart only under an emergency grant they take with a reason
 * (./repo.ts), which lasts `EMERGENCY_GRANT_MINUTES` (4 hours).
 *
 * The rule applies only to route groups declared `careTeam` in src/mounts.ts (the chart, progress
 * and documents under /patients/:id/..., notes and encounters), only to staff holding `chart:read`, and only when the
 * clinic says "care team only" (the directory's `clinics.care_team_only`, read with the clinic,
 * so a clinic with charts open pays no extra query). Owners and administrators do not hold `chart:read`, and
 * front desk and billers reach only administrative documents, so none of them is restricted.
 */
import { and, desc, eq, gt, gte, lte, ne, or, sql } from "drizzle-orm";
import { encounters, notes } from "../charting/tables";
import { patients } from "../patients/tables";
import { appointments, providers } from "../scheduling/tables";
import type { ClinicDb, Staff } from "../platform/env";
import { emergencyAccess } from "./tables";

const DAY = 86_400_000;
/** How far back and ahead an appointment makes a care relationship. */
export const CARE_WINDOW = { pastDays: 365, aheadDays: 30 } as const;
/** How long an emergency grant lasts. */
export const EMERGENCY_GRANT_MINUTES = 240;

/** What the gate found for one staff member and one patient. */
export type ChartAccess =
  /** The patient is not in this clinic: the handler answers its 404 as usual. */
  | { kind: "no_patient" }
  /** The staff member is on the care team. */
  | { kind: "open" }
  /** Open under an emergency grant, until `expiresAt`. */
  | { kind: "emergency"; grantId: string; expiresAt: number }
  /** No care relationship and no grant: the interstitial. */
  | { kind: "restricted"; patientName: string };

/**
 * Whether `staff` may open the chart of `patientId` at `now` in a clinic that keeps charts to the
 * care team, in one round trip: the patient, each kind of care relationship and an unexpired grant.
 */
export async function chartAccessFor(db: ClinicDb, staff: Pick<Staff, "id">, patientId: string, now: number): Promise<ChartAccess> {
  const isMe = eq(providers.userId, staff.id);
  const notAProvider = sql`NOT EXISTS (SELECT 1 FROM ${providers} WHERE ${providers.userId} = ${staff.id})`;
  const [patient, visit, encounter, note, grant] = await db.batch([
    db
      .select({ givenName: patients.givenName, familyName: patients.familyName, createdBy: patients.createdBy })
      .from(patients)
      .where(eq(patients.id, patientId))
      .limit(1),
    db
      .select({ id: appointments.id })
      .from(appointments)
      .innerJoin(providers, eq(providers.id, appointments.providerId))
      .where(
        and(
          eq(appointments.patientId, patientId),
          ne(appointments.status, "cancelled"),
          gte(appointments.startsAt, now - CARE_WINDOW.pastDays * DAY),
          lte(appointments.startsAt, now + CARE_WINDOW.aheadDays * DAY),
          or(isMe, notAProvider),
        ),
      )
      .limit(1),
    db
      .select({ id: encounters.id })
      .from(encounters)
      .where(and(eq(encounters.patientId, patientId), eq(encounters.providerStaffId, staff.id)))
      .limit(1),
    db
      .select({ id: notes.id })
      .from(notes)
      .where(and(eq(notes.patientId, patientId), or(eq(notes.authorStaffId, staff.id), eq(notes.cosignerStaffId, staff.id))))
      .limit(1),
    db
      .select({ id: emergencyAccess.id, expiresAt: emergencyAccess.expiresAt })
      .from(emergencyAccess)
      .where(and(eq(emergencyAccess.staffId, staff.id), eq(emergencyAccess.patientId, patientId), gt(emergencyAccess.expiresAt, now)))
      .orderBy(desc(emergencyAccess.expiresAt))
      .limit(1),
  ]);
  const p = patient[0];
  if (!p) return { kind: "no_patient" };
  if (visit.length > 0 || encounter.length > 0 || note.length > 0 || p.createdBy === staff.id) return { kind: "open" };
  const g = grant[0];
  if (g) return { kind: "emergency", grantId: g.id, expiresAt: g.expiresAt };
  return { kind: "restricted", patientName: `${p.givenName} ${p.familyName}` };
}
