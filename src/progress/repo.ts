/**
 * Progress queries against one clinic's database: what the progress page reads in its one batch,
 * and the single rows the forms need. Every function takes the clinic-scoped client.
 */
import { and, asc, desc, eq, isNotNull, or, sql } from "drizzle-orm";
import { encounters, goals, labResults, measureResponses, questionnaires, vitals } from "../charting/tables";
import type { ClinicDb } from "../platform/env";

export type MeasureResponse = typeof measureResponses.$inferSelect;
export type Goal = typeof goals.$inferSelect;
export type LabResult = typeof labResults.$inferSelect;
export type QuestionnaireRow = typeof questionnaires.$inferSelect;
export type VitalsPoint = { takenAt: number; systolic: number | null; diastolic: number | null; weightKg: number | null; bmi: number | null };

/** Bounds of the progress page's reads, whatever the size of the chart. */
export const LIMITS = { responses: 500, vitals: 200, labs: 500, goals: 100, questionnaires: 100 };

/** The progress page's reads after the header: responses, vitals, labs, goals, clinic questionnaires. */
export function progressQueries(db: ClinicDb, patientId: string) {
  return [
    db
      .select()
      .from(measureResponses)
      .where(eq(measureResponses.patientId, patientId))
      .orderBy(desc(measureResponses.takenAt))
      .limit(LIMITS.responses),
    db
      .select({ takenAt: vitals.takenAt, systolic: vitals.systolic, diastolic: vitals.diastolic, weightKg: vitals.weightKg, bmi: vitals.bmi })
      .from(vitals)
      .where(
        and(
          eq(vitals.patientId, patientId),
          eq(vitals.status, "final"),
          or(isNotNull(vitals.systolic), isNotNull(vitals.diastolic), isNotNull(vitals.weightKg), isNotNull(vitals.bmi)),
        ),
      )
      .orderBy(desc(vitals.takenAt))
      .limit(LIMITS.vitals),
    db.select().from(labResults).where(eq(labResults.patientId, patientId)).orderBy(desc(labResults.observedAt)).limit(LIMITS.labs),
    db
      .select()
      .from(goals)
      .where(eq(goals.patientId, patientId))
      .orderBy(sql`CASE ${goals.status} WHEN 'active' THEN 0 ELSE 1 END`, asc(goals.targetDate), asc(goals.createdAt))
      .limit(LIMITS.goals),
    questionnaireListQuery(db),
  ] as const;
}

export function questionnaireListQuery(db: ClinicDb) {
  return db.select().from(questionnaires).orderBy(asc(questionnaires.archived), asc(questionnaires.name)).limit(LIMITS.questionnaires);
}

export function encounterQuery(db: ClinicDb, encounterId: string) {
  return db.select({ id: encounters.id, patientId: encounters.patientId }).from(encounters).where(eq(encounters.id, encounterId)).limit(1);
}

export function goalQuery(db: ClinicDb, goalId: string) {
  return db.select().from(goals).where(eq(goals.id, goalId)).limit(1);
}

export function questionnaireByCodeQuery(db: ClinicDb, code: string) {
  return db.select().from(questionnaires).where(eq(questionnaires.code, code)).limit(1);
}
