/**
 * The chart data a note embeds: the encounter's vital signs and questionnaire responses, and the
 * patient's active problems, medications and allergies. While a note is a draft these are read live;
 * signing freezes them, in this same shape, into the signed content.
 */
import { and, asc, eq } from "drizzle-orm";
import type { ClinicDb } from "../platform/env";
import { allergies, measureResponses, medications, problems, vitals } from "../charting/tables";
import { type VitalsValues, vitalsValuesOf } from "../charting/vitals";
import type { ChartSource, TemplateDefinition } from "./model";

export interface VitalsSnapshot extends VitalsValues {
  takenAt: string;
}

export interface MeasureSnapshot {
  instrument: string;
  instrumentName: string;
  score: number;
  severity: string;
  /** Items needing attention, e.g. PHQ-9 item 9 answered above zero. */
  flags: string[];
  takenAt: string;
  /** Item index -> points chosen, as recorded. */
  answers: unknown;
}

export interface ProblemSnapshot {
  code: string | null;
  description: string;
  onsetDate: string | null;
}

export interface MedicationSnapshot {
  name: string;
  dose: string | null;
  route: string | null;
  frequency: string | null;
  startDate: string | null;
  prescriber: string | null;
}

export interface AllergySnapshot {
  substance: string;
  category: string;
  reaction: string | null;
  severity: string;
}

/** Only the blocks the note's definition uses are present. */
export interface NoteBlocks {
  vitals?: VitalsSnapshot[];
  questionnaires?: MeasureSnapshot[];
  problems?: ProblemSnapshot[];
  medications?: MedicationSnapshot[];
  allergies?: AllergySnapshot[];
}

/** Which blocks a definition embeds. */
export function blocksUsed(def: TemplateDefinition): { vitals: boolean; instruments: string[]; sources: ChartSource[] } {
  const fields = def.sections.flatMap((s) => s.fields);
  return {
    vitals: fields.some((f) => f.type === "vitals"),
    instruments: [...new Set(fields.filter((f) => f.type === "questionnaire" && f.instrument).map((f) => f.instrument!))],
    sources: [...new Set(fields.filter((f) => f.type === "chart_insert" && f.source).map((f) => f.source!))],
  };
}

/** The five reads behind the blocks, to put in a page's `db.batch`. */
export function blockQueries(db: ClinicDb, patientId: string, encounterId: string) {
  return [
    db
      .select()
      .from(vitals)
      .where(and(eq(vitals.encounterId, encounterId), eq(vitals.patientId, patientId), eq(vitals.status, "final")))
      .orderBy(asc(vitals.takenAt))
      .limit(20),
    db
      .select()
      .from(measureResponses)
      .where(and(eq(measureResponses.encounterId, encounterId), eq(measureResponses.patientId, patientId), eq(measureResponses.status, "final")))
      .orderBy(asc(measureResponses.takenAt))
      .limit(20),
    db
      .select({ code: problems.code, description: problems.description, onsetDate: problems.onsetDate })
      .from(problems)
      .where(and(eq(problems.patientId, patientId), eq(problems.status, "active")))
      .orderBy(asc(problems.description))
      .limit(100),
    db
      .select({
        name: medications.name,
        dose: medications.dose,
        route: medications.route,
        frequency: medications.frequency,
        startDate: medications.startDate,
        prescriber: medications.prescriber,
      })
      .from(medications)
      .where(and(eq(medications.patientId, patientId), eq(medications.status, "active")))
      .orderBy(asc(medications.name))
      .limit(100),
    db
      .select({ substance: allergies.substance, category: allergies.category, reaction: allergies.reaction, severity: allergies.severity })
      .from(allergies)
      .where(and(eq(allergies.patientId, patientId), eq(allergies.status, "active")))
      .orderBy(asc(allergies.substance))
      .limit(50),
  ] as const;
}

export type BlockResults = [
  (typeof vitals.$inferSelect)[],
  (typeof measureResponses.$inferSelect)[],
  ProblemSnapshot[],
  MedicationSnapshot[],
  AllergySnapshot[],
];

const iso = (ms: number) => new Date(ms).toISOString();

export function toVitalsSnapshot(v: typeof vitals.$inferSelect): VitalsSnapshot {
  return { takenAt: iso(v.takenAt), ...vitalsValuesOf(v) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export function toMeasureSnapshot(m: typeof measureResponses.$inferSelect): MeasureSnapshot {
  const answers = parseJson(m.answers) ?? m.answers;
  const flags = parseJson(m.flags ?? "[]");
  return {
    instrument: m.instrument,
    instrumentName: m.instrumentName,
    score: m.score,
    severity: m.severity,
    flags: Array.isArray(flags) ? flags.map(String) : [],
    takenAt: iso(m.takenAt),
    answers,
  };
}

/** The blocks a definition uses, from the results of `blockQueries`. */
export function readBlocks(def: TemplateDefinition, [v, m, p, med, a]: BlockResults): NoteBlocks {
  const used = blocksUsed(def);
  const out: NoteBlocks = {};
  if (used.vitals) out.vitals = v.map(toVitalsSnapshot);
  if (used.instruments.length) out.questionnaires = m.filter((r) => used.instruments.includes(r.instrument)).map(toMeasureSnapshot);
  if (used.sources.includes("problems")) out.problems = p;
  if (used.sources.includes("medications")) out.medications = med;
  if (used.sources.includes("allergies")) out.allergies = a;
  return out;
}
