/**
 * The chart summary: active problems, allergies, active medications, the latest vitals, upcoming
 * and past visits, recent results, documents and encounters. One round trip whatever the size of
 * the chart: every list has a LIMIT and rides in the same batch as the header and the audit row.
 */
import { and, asc, desc, eq, gte, inArray, isNull, lt, ne, sql } from "drizzle-orm";
import { readableCategories } from "../attachments/service";
import type { ClinicDb, Staff } from "../platform/env";
import { can, type StaffScope } from "../platform/scope";
import { appointments, appointmentTypes, providers } from "../scheduling/tables";
import { readChart } from "./access";
import { attachments, encounters, labResults, medications, notes, problems, vitals } from "./tables";

export const SUMMARY_LIMITS = { problems: 30, medications: 30, appointments: 5, results: 8, documents: 8, encounters: 8 };

/** Attachment categories the viewer may see listed; null means all of them. */
export function visibleCategories(staff: Staff): string[] | null {
  if (!can(staff, "attachments:read") && !can(staff, "attachments:read_admin")) return [];
  return readableCategories(staff);
}

function appointmentQuery(db: ClinicDb, patientId: string, now: number, upcoming: boolean) {
  return db
    .select({
      id: appointments.id,
      startsAt: appointments.startsAt,
      status: appointments.status,
      typeName: appointmentTypes.name,
      providerName: providers.displayName,
    })
    .from(appointments)
    .innerJoin(appointmentTypes, eq(appointmentTypes.id, appointments.appointmentTypeId))
    .innerJoin(providers, eq(providers.id, appointments.providerId))
    .where(
      and(
        eq(appointments.patientId, patientId),
        upcoming ? and(gte(appointments.startsAt, now), ne(appointments.status, "cancelled")) : lt(appointments.startsAt, now),
      ),
    )
    .orderBy(upcoming ? asc(appointments.startsAt) : desc(appointments.startsAt))
    .limit(SUMMARY_LIMITS.appointments);
}

/** Encounters, open ones first, each with its latest note (if any). */
export function encounterListQuery(db: ClinicDb, patientId: string, limit: number) {
  return db
    .select({
      id: encounters.id,
      startedAt: encounters.startedAt,
      kind: encounters.kind,
      reason: encounters.reason,
      status: encounters.status,
      providerName: encounters.providerName,
      // Aliased: D1 returns rows as objects, so two columns named `id` (or `status`) would collapse into one.
      noteId: sql<string | null>`${notes.id}`.as("note_id"),
      noteTitle: sql<string | null>`${notes.title}`.as("note_title"),
      noteStatus: sql<(typeof notes.status._.data) | null>`${notes.status}`.as("note_status"),
    })
    .from(encounters)
    .leftJoin(
      notes,
      eq(notes.id, sql`(SELECT n2.id FROM notes n2 WHERE n2.encounter_id = ${encounters.id} ORDER BY n2.created_at DESC LIMIT 1)`),
    )
    .where(eq(encounters.patientId, patientId))
    .orderBy(sql`${encounters.status} = 'open' DESC`, desc(encounters.startedAt))
    .limit(limit);
}

/** Everything the summary page shows, from one batch. */
export async function chartSummary(scope: StaffScope, patientId: string, now = Date.now()) {
  const db = scope.db;
  const cats = visibleCategories(scope.staff);
  const { header, results } = await readChart(scope, patientId, { event: "chart.view" }, [
    db
      .select({ id: problems.id, code: problems.code, description: problems.description, onsetDate: problems.onsetDate })
      .from(problems)
      .where(and(eq(problems.patientId, patientId), eq(problems.status, "active")))
      .orderBy(sql`${problems.code} IS NULL`, asc(problems.code), asc(problems.description))
      .limit(SUMMARY_LIMITS.problems),
    db
      .select({ id: medications.id, name: medications.name, dose: medications.dose, frequency: medications.frequency, route: medications.route })
      .from(medications)
      .where(and(eq(medications.patientId, patientId), eq(medications.status, "active")))
      .orderBy(asc(medications.name))
      .limit(SUMMARY_LIMITS.medications),
    db
      .select()
      .from(vitals)
      .where(and(eq(vitals.patientId, patientId), eq(vitals.status, "final")))
      .orderBy(desc(vitals.takenAt))
      .limit(1),
    appointmentQuery(db, patientId, now, true),
    appointmentQuery(db, patientId, now, false),
    db
      .select({
        id: labResults.id,
        name: labResults.name,
        valueNum: labResults.valueNum,
        valueText: labResults.valueText,
        unit: labResults.unit,
        flag: labResults.flag,
        observedAt: labResults.observedAt,
      })
      .from(labResults)
      .where(and(eq(labResults.patientId, patientId), eq(labResults.status, "final")))
      .orderBy(desc(labResults.observedAt))
      .limit(SUMMARY_LIMITS.results),
    db
      .select({ id: attachments.id, filename: attachments.filename, title: attachments.title, category: attachments.category, uploadedAt: attachments.uploadedAt })
      .from(attachments)
      .where(
        and(
          eq(attachments.patientId, patientId),
          isNull(attachments.deletedAt),
          cats === null ? undefined : cats.length ? inArray(attachments.category, cats as (typeof attachments.category._.data)[]) : sql`0`,
        ),
      )
      .orderBy(desc(attachments.uploadedAt))
      .limit(SUMMARY_LIMITS.documents),
    encounterListQuery(db, patientId, SUMMARY_LIMITS.encounters),
  ] as const);
  const [activeProblems, activeMedications, latestVitals, upcoming, past, results_, documents, recentEncounters] = results;
  return {
    header,
    problems: activeProblems,
    medications: activeMedications,
    vitals: latestVitals[0] ?? null,
    upcoming,
    past,
    results: results_,
    documents,
    encounters: recentEncounters,
  };
}

export type ChartSummary = Awaited<ReturnType<typeof chartSummary>>;
