/**
 * The chart header every clinical page shows: who the patient is, their active allergies and
 * alerts. `headerQueries` can join a page's own batch; `loadChartHeader` runs it alone.
 */
import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { ClinicDb } from "../platform/env";
import { notFound } from "../platform/errors";
import { can } from "../platform/scope";
import type { Staff } from "../platform/env";
import { patients } from "../patients/tables";
import { allergies, chartAlerts } from "./tables";

export interface ChartHeaderData {
  patientId: string;
  name: string;
  preferredName: string | null;
  dateOfBirth: string;
  sexAtBirth: string;
  /** Active allergies (empty when none recorded, or when the viewer may not read clinical data). */
  allergies: { substance: string; severity: string; reaction: string | null }[];
  /** Null when nothing was ever recorded: "no known allergies" must be said, not assumed. */
  allergiesRecorded: boolean;
  alerts: { text: string; severity: string }[];
  /** Whether the viewer sees clinical data at all (the banner and tabs depend on it). */
  clinical: boolean;
}

/** The three reads of a header, to put at the start of a page's `db.batch`. */
export function headerQueries(db: ClinicDb, patientId: string) {
  return [
    db.select().from(patients).where(eq(patients.id, patientId)).limit(1),
    db
      .select({ substance: allergies.substance, severity: allergies.severity, reaction: allergies.reaction, status: allergies.status })
      .from(allergies)
      .where(eq(allergies.patientId, patientId))
      // Active ones first, so a long history of resolved or voided entries never pushes one out of the banner.
      .orderBy(desc(sql`${allergies.status} = 'active'`), asc(allergies.substance))
      .limit(50),
    db
      .select({ text: chartAlerts.text, severity: chartAlerts.severity })
      .from(chartAlerts)
      .where(and(eq(chartAlerts.patientId, patientId), eq(chartAlerts.active, 1)))
      .limit(20),
  ] as const;
}

/** What the three header queries return, in order. */
export type HeaderResults = [
  (typeof patients.$inferSelect)[],
  { substance: string; severity: string; reaction: string | null; status: string }[],
  { text: string; severity: string }[],
];

/** Builds the header from the results of `headerQueries`; a missing patient is a 404. */
export function readHeader(staff: Staff | null, patientId: string, [p, a, al]: HeaderResults): ChartHeaderData {
  const patient = p[0];
  if (!patient) throw notFound("This patient");
  const clinical = can(staff, "chart:read");
  return {
    patientId,
    name: `${patient.familyName}, ${patient.givenName}`,
    preferredName: patient.preferredName,
    dateOfBirth: patient.dateOfBirth,
    sexAtBirth: patient.sexAtBirth,
    allergies: clinical ? a.filter((x) => x.status === "active") : [],
    allergiesRecorded: a.some((x) => x.status !== "entered_in_error"),
    alerts: clinical ? al : [],
    clinical,
  };
}

/** The header alone, in one round trip. The caller audits the read it is part of. */
export async function loadChartHeader(db: ClinicDb, staff: Staff | null, patientId: string): Promise<ChartHeaderData> {
  const [p, a, al] = headerQueries(db, patientId);
  const results = await db.batch([p, a, al]);
  return readHeader(staff, patientId, results as unknown as HeaderResults);
}
