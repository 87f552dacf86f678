/**
 * Scored questionnaires: the built-in PHQ-9 and GAD-7 (published wording, scoring and severity
 * bands) and the clinic's own (table `questionnaires`), which share one shape and one scoring
 * function. Everything here is pure except `findInstrument`, which reads one row.
 *
 * PHQ-9: Kroenke K, Spitzer RL, Williams JB. J Gen Intern Med 2001;16:606-13.
 * GAD-7: Spitzer RL, Kroenke K, Williams JB, Löwe B. Arch Intern Med 2006;166:1092-7.
 * Both were developed by Drs. Spitzer, Williams, Kroenke and colleagues with an educational grant
 * from Pfizer Inc.; no permission is required to reproduce, translate, display or distribute them.
 */
import { eq } from "drizzle-orm";
import { questionnaires } from "../charting/tables";
import type { ClinicDb } from "../platform/env";

export interface AnswerOption {
  points: number;
  label: string;
}

/** Scores from `min` to `max` inclusive read as `label`. */
export interface SeverityBand {
  min: number;
  max: number;
  label: string;
}

/** An item (1-based) answered with at least `atLeast` points needs attention today. */
export interface FlagRule {
  item: number;
  atLeast: number;
  message: string;
}

/** What a clinic stores in `questionnaires.definition` (JSON). */
export interface QuestionnaireDefinition {
  /** The question every item answers, e.g. "Over the last 2 weeks, how often…". */
  stem?: string;
  items: string[];
  /** The same answer choices for every item. */
  options: AnswerOption[];
  /** Cover every possible score exactly once, lowest first. */
  bands: SeverityBand[];
  flags?: FlagRule[];
}

export interface Instrument extends QuestionnaireDefinition {
  /** `phq9`, `gad7`, or the clinic questionnaire's code. */
  code: string;
  name: string;
  builtIn: boolean;
  archived: boolean;
  /** An unscored closing question (PHQ-9 and GAD-7 ask how difficult the problems made life). */
  difficulty?: { question: string; options: string[] };
}

const FREQUENCY: AnswerOption[] = [
  { points: 0, label: "Not at all" },
  { points: 1, label: "Several days" },
  { points: 2, label: "More than half the days" },
  { points: 3, label: "Nearly every day" },
];

const DIFFICULTY = {
  question:
    "If you checked off any problems, how difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?",
  options: ["Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult"],
};

export const PHQ9: Instrument = {
  code: "phq9",
  name: "PHQ-9",
  builtIn: true,
  archived: false,
  stem: "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
  items: [
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
  ],
  options: FREQUENCY,
  bands: [
    { min: 0, max: 4, label: "minimal" },
    { min: 5, max: 9, label: "mild" },
    { min: 10, max: 14, label: "moderate" },
    { min: 15, max: 19, label: "moderately severe" },
    { min: 20, max: 27, label: "severe" },
  ],
  flags: [{ item: 9, atLeast: 1, message: "thoughts of self-harm — assess safety today" }],
  difficulty: DIFFICULTY,
};

export const GAD7: Instrument = {
  code: "gad7",
  name: "GAD-7",
  builtIn: true,
  archived: false,
  stem: "Over the last 2 weeks, how often have you been bothered by the following problems?",
  items: [
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
  ],
  options: FREQUENCY,
  bands: [
    { min: 0, max: 4, label: "minimal" },
    { min: 5, max: 9, label: "mild" },
    { min: 10, max: 14, label: "moderate" },
    { min: 15, max: 21, label: "severe" },
  ],
  difficulty: DIFFICULTY,
};

export const builtInInstruments: readonly Instrument[] = [PHQ9, GAD7];

/** Lowest and highest possible total of an instrument. */
export function scoreRange(def: Pick<QuestionnaireDefinition, "items" | "options">): { min: number; max: number } {
  const points = def.options.map((o) => o.points);
  if (points.length === 0) return { min: 0, max: 0 };
  return { min: def.items.length * Math.min(...points), max: def.items.length * Math.max(...points) };
}

/** The band a total falls in (bands cover every possible score, see `validateDefinition`). */
export function bandOf(def: Pick<QuestionnaireDefinition, "bands">, score: number): SeverityBand | undefined {
  return def.bands.find((b) => score >= b.min && score <= b.max);
}

/** `Item 3 (“Trouble falling or staying asleep…”)`: how messages name an item (long ones cut). */
export function itemLabel(instrument: Pick<Instrument, "items">, i: number): string {
  const text = instrument.items[i] ?? "";
  return `Item ${i + 1} (“${text.length > 100 ? `${text.slice(0, 97).trimEnd()}…` : text}”)`;
}

export type ScoreResult =
  | { ok: true; score: number; severity: string; flags: string[] }
  | { ok: false; errors: Record<string, string> };

/**
 * Scores one administration. `answers[i]` is the points chosen for item i+1. Every item must be
 * answered with one of the instrument's options; errors are keyed by form field (`q<item number>`)
 * and name the item by number and text.
 */
export function scoreResponse(instrument: Instrument, answers: readonly (number | null | undefined)[]): ScoreResult {
  const allowed = new Set(instrument.options.map((o) => o.points));
  const errors: Record<string, string> = {};
  let score = 0;
  instrument.items.forEach((_, i) => {
    const a = answers[i];
    const label = itemLabel(instrument, i);
    if (a === null || a === undefined || Number.isNaN(a)) errors[`q${i + 1}`] = `${label} needs an answer.`;
    else if (!allowed.has(a)) errors[`q${i + 1}`] = `${label} must be answered with one of the choices offered.`;
    else score += a;
  });
  if (answers.length > instrument.items.length) errors._form = `${instrument.name} has ${instrument.items.length} items; more answers were sent.`;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const band = bandOf(instrument, score);
  if (!band) return { ok: false, errors: { _form: `${instrument.name} has no severity band for a score of ${score}.` } };
  const flags = (instrument.flags ?? [])
    .filter((f) => (answers[f.item - 1] ?? 0) >= f.atLeast)
    .map((f) => `Item ${f.item}: ${f.message}`);
  return { ok: true, score, severity: band.label, flags };
}

/** Limits that keep a clinic questionnaire usable on a phone and small in one row. */
export const QUESTIONNAIRE_LIMITS = { items: 40, itemLength: 300, options: 10, optionLength: 60, points: 100, bands: 10, bandLength: 40, flags: 10, flagLength: 200, stemLength: 300 };

export type DefinitionErrors = Partial<Record<"stem" | "items" | "options" | "bands" | "flags", string>>;

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const isText = (v: unknown, max: number): v is string => typeof v === "string" && v.trim().length > 0 && v.length <= max;

/**
 * Checks a clinic's definition: items and options present and within limits, distinct option
 * points, bands covering every possible score from the lowest to the highest total without a gap
 * or an overlap, flag rules pointing at real items and points. Errors are keyed by form field.
 */
export function validateDefinition(def: unknown): { ok: true; def: QuestionnaireDefinition } | { ok: false; errors: DefinitionErrors } {
  const L = QUESTIONNAIRE_LIMITS;
  const d = (def ?? {}) as Partial<Record<keyof QuestionnaireDefinition, unknown>>;
  const errors: DefinitionErrors = {};
  if (d.stem !== undefined && d.stem !== "" && !isText(d.stem, L.stemLength)) errors.stem = `Question stem must be at most ${L.stemLength} characters.`;

  const items = Array.isArray(d.items) ? d.items : [];
  if (items.length === 0) errors.items = "Items: write at least one item, one per line.";
  else if (items.length > L.items) errors.items = `Items: at most ${L.items} items.`;
  else {
    const bad = items.findIndex((t) => !isText(t, L.itemLength));
    if (bad >= 0) errors.items = `Items: item ${bad + 1} must have text of at most ${L.itemLength} characters.`;
  }

  const options = (Array.isArray(d.options) ? d.options : []) as Partial<AnswerOption>[];
  if (options.length < 2) errors.options = "Answer options: write at least two, one per line as points|label (e.g. 0|Not at all).";
  else if (options.length > L.options) errors.options = `Answer options: at most ${L.options}.`;
  else {
    const bad = options.findIndex((o) => !isInt(o.points) || o.points < 0 || o.points > L.points || !isText(o.label, L.optionLength));
    if (bad >= 0) errors.options = `Answer options: line ${bad + 1} needs whole points from 0 to ${L.points} and a label of at most ${L.optionLength} characters.`;
    else if (new Set(options.map((o) => o.points)).size !== options.length) errors.options = "Answer options: each option must give a different number of points.";
  }

  const bands = (Array.isArray(d.bands) ? d.bands : []) as Partial<SeverityBand>[];
  if (!errors.items && !errors.options) {
    const range = scoreRange({ items: items as string[], options: options as AnswerOption[] });
    const problem = bandProblem(bands, range);
    if (problem) errors.bands = `Severity bands: ${problem}`;
  } else if (bands.length === 0) errors.bands = "Severity bands: write at least one band as min-max|label.";

  const flags = (Array.isArray(d.flags) ? d.flags : []) as Partial<FlagRule>[];
  if (flags.length > L.flags) errors.flags = `Flags: at most ${L.flags}.`;
  else if (!errors.items && !errors.options) {
    const maxPoints = Math.max(...options.map((o) => o.points as number));
    const bad = flags.findIndex(
      (f) => !isInt(f.item) || f.item < 1 || f.item > items.length || !isInt(f.atLeast) || f.atLeast < 1 || f.atLeast > maxPoints || !isText(f.message, L.flagLength),
    );
    if (bad >= 0) {
      errors.flags = `Flags: line ${bad + 1} needs an item number from 1 to ${items.length}, minimum points from 1 to ${maxPoints}, and a message of at most ${L.flagLength} characters.`;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    def: {
      ...(typeof d.stem === "string" && d.stem.trim() ? { stem: d.stem.trim() } : {}),
      items: (items as string[]).map((t) => t.trim()),
      options: options as AnswerOption[],
      bands: bands as SeverityBand[],
      ...(flags.length ? { flags: flags as FlagRule[] } : {}),
    },
  };
}

/** Why bands do not tile [min, max] exactly, or null when they do. */
function bandProblem(bands: Partial<SeverityBand>[], range: { min: number; max: number }): string | null {
  const L = QUESTIONNAIRE_LIMITS;
  if (bands.length === 0) return `write at least one band as min-max|label, covering ${range.min} to ${range.max}.`;
  if (bands.length > L.bands) return `at most ${L.bands} bands.`;
  const bad = bands.findIndex((b) => !isInt(b.min) || !isInt(b.max) || b.min > b.max || !isText(b.label, L.bandLength));
  if (bad >= 0) return `band ${bad + 1} needs whole numbers min ≤ max and a label of at most ${L.bandLength} characters.`;
  const sorted = [...(bands as SeverityBand[])].sort((a, b) => a.min - b.min);
  let next = range.min;
  for (const b of sorted) {
    if (b.min > next) return `no band covers ${next === b.min - 1 ? next : `${next} to ${b.min - 1}`}; bands must cover every score from ${range.min} to ${range.max}.`;
    if (b.min < next) return `${b.label} (${b.min}-${b.max}) overlaps the band before it; each score must fall in exactly one band.`;
    next = b.max + 1;
  }
  if (sorted[0]!.min < range.min || next - 1 > range.max) {
    return `bands must cover exactly ${range.min} to ${range.max} (the lowest and highest possible totals), not ${sorted[0]!.min} to ${next - 1}.`;
  }
  if (next - 1 < range.max) return `no band covers ${next === range.max ? next : `${next} to ${range.max}`}; the highest possible total is ${range.max}.`;
  return null;
}

/** A stored definition, validated again: a hand-edited row must not break scoring. */
export function parseDefinition(json: string): QuestionnaireDefinition | null {
  try {
    const r = validateDefinition(JSON.parse(json));
    return r.ok ? r.def : null;
  } catch {
    return null;
  }
}

/** A clinic row as an instrument; null when its stored definition is unusable. */
export function instrumentOfRow(row: Pick<typeof questionnaires.$inferSelect, "code" | "name" | "definition" | "archived">): Instrument | null {
  const def = parseDefinition(row.definition);
  return def ? { ...def, code: row.code, name: row.name, builtIn: false, archived: row.archived === 1 } : null;
}

export function builtInInstrument(code: string): Instrument | undefined {
  return builtInInstruments.find((i) => i.code === code);
}

/** A built-in instrument, or the clinic's questionnaire with this code (archived ones included). */
export async function findInstrument(db: ClinicDb, code: string): Promise<Instrument | null> {
  const builtIn = builtInInstrument(code);
  if (builtIn) return builtIn;
  if (!/^[a-z][a-z0-9-]{1,29}$/.test(code)) return null;
  const row = await db.query.questionnaires.findFirst({ where: eq(questionnaires.code, code) });
  return row ? instrumentOfRow(row) : null;
}
