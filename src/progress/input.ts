/**
 * Input schemas of the progress forms (zod/mini): administering a questionnaire, goals, lab values
 * and the clinic's questionnaire definitions. Form values arrive as strings; empty optional fields
 * become null. Messages name the field.
 */
import { isIsoDate } from "../platform/time";
import * as z from "zod/mini";
import { GOAL_STATUSES } from "../charting/tables";

import { optionalText, requiredText } from "../platform/validation";
import { type DefinitionErrors, type Instrument, itemLabel, type QuestionnaireDefinition, validateDefinition } from "./instruments";
import { findLabTest } from "./labs";
import type { MeasureChoice } from "./measures";

/** A decimal as typed: `6.4`, `120`, `-3`, `.5`; null when it is not one. */
export function parseDecimal(v: string): number | null {
  const t = v.trim();
  if (!/^-?(\d{1,7}(\.\d{0,4})?|\.\d{1,4})$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** A date not after `today` (and not absurdly old). */
const pastDate = (label: string, today: string) =>
  z.string({ error: `${label} is required.` }).check(
    z.trim(),
    z.minLength(1, { error: `${label} is required.` }),
    z.refine((v) => v === "" || isIsoDate(v), { error: `${label} must be a real date, as YYYY-MM-DD.` }),
    z.refine((v) => !isIsoDate(v) || v <= today, { error: `${label} cannot be in the future.` }),
    z.refine((v) => !isIsoDate(v) || v >= "1950-01-01", { error: `${label} must be after 1950-01-01.` }),
  );

// ---------------------------------------------------------------------------------------------
// Administering a questionnaire

/** Fields `q1`…`qN` (points chosen), optional `difficulty` (0-based choice) and `taken_on`. */
export function measureSchema(instrument: Instrument, today: string) {
  const allowed = new Set(instrument.options.map((o) => String(o.points)));
  const shape: Record<string, z.ZodMiniType> = {};
  instrument.items.forEach((_, i) => {
    const label = itemLabel(instrument, i);
    shape[`q${i + 1}`] = z.pipe(
      z.string({ error: `${label} needs an answer.` }).check(
        z.refine((v) => v !== "", { error: `${label} needs an answer.` }),
        z.refine((v) => v === "" || allowed.has(v), { error: `${label} must be answered with one of the choices offered.` }),
      ),
      z.transform((v: string) => Number(v)),
    );
  });
  const difficulties = (instrument.difficulty?.options ?? []).map((_, i) => String(i));
  shape.difficulty = z.pipe(
    z.string().check(z.refine((v) => v === "" || difficulties.includes(v), { error: "Choose one of the difficulty answers offered." })),
    z.transform((v: string) => (v === "" ? null : Number(v))),
  );
  shape.taken_on = pastDate("Date taken", today);
  return z.object(shape);
}

/** The form's values for `measureSchema`: every item present (an unanswered radio sends nothing). */
export function measureValues(instrument: Instrument, form: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { difficulty: form.difficulty ?? "", taken_on: form.taken_on ?? "" };
  instrument.items.forEach((_, i) => (out[`q${i + 1}`] = form[`q${i + 1}`] ?? ""));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Goals

export const GOAL_FIELDS = ["description", "measure", "target_value", "target_direction", "target_date", "status", "note"] as const;
export type GoalFormValues = Partial<Record<(typeof GOAL_FIELDS)[number], string>>;

export function goalSchema(measures: readonly MeasureChoice[]) {
  const byCode = new Map(measures.map((m) => [m.code, m]));
  return z
    .object({
      description: requiredText(300, "Goal"),
      measure: z.pipe(
        z.string().check(z.refine((v) => v === "" || byCode.has(v), { error: "Measure must be one of the measures listed." })),
        z.transform((v: string) => (v === "" ? null : v)),
      ),
      target_value: z.pipe(
        z.string().check(z.refine((v) => v.trim() === "" || parseDecimal(v) !== null, { error: "Target value must be a number, like 7 or 85.5." })),
        z.transform((v: string) => (v.trim() === "" ? null : parseDecimal(v))),
      ),
      target_direction: z.pipe(
        z.string().check(z.refine((v) => v === "" || v === "below" || v === "above", { error: "Choose whether the target is at or below, or at or above, the value." })),
        z.transform((v: string) => (v === "" ? null : (v as "below" | "above"))),
      ),
      target_date: z.pipe(
        z.string().check(
          z.trim(),
          z.refine((v) => v === "" || isIsoDate(v), { error: "Target date must be a real date, as YYYY-MM-DD." }),
          z.refine((v) => v === "" || !isIsoDate(v) || (v >= "2000-01-01" && v <= "2100-12-31"), { error: "Target date must be between 2000 and 2100." }),
        ),
        z.transform((v: string) => (v === "" ? null : v)),
      ),
      status: z.enum(GOAL_STATUSES, { error: "Choose a status: active, met, not met or cancelled." }),
      note: optionalText(1000, "Note", "multi-line"),
    })
    .check(
      z.refine((g) => g.measure === null || g.target_value !== null, { error: "Target value is required when a measure is tracked.", path: ["target_value"] }),
      z.refine((g) => g.measure === null || g.target_direction !== null, {
        error: "Choose whether the target is at or below, or at or above, the value.",
        path: ["target_direction"],
      }),
      z.refine((g) => g.target_value === null || g.measure !== null, { error: "Choose the measure this target value is for.", path: ["measure"] }),
      z.refine(
        (g) => {
          const m = g.measure ? byCode.get(g.measure) : undefined;
          return !m || g.target_value === null || (g.target_value >= m.range[0] && g.target_value <= m.range[1]);
        },
        {
          error: (iss) => {
            const m = byCode.get((iss.input as { measure: string }).measure);
            return m ? `Target value for ${m.name} must be between ${m.range[0]} and ${m.range[1]} ${m.unit}.` : "Target value is out of range.";
          },
          path: ["target_value"],
        },
      ),
    );
}
export type GoalInput = z.output<ReturnType<typeof goalSchema>>;

// ---------------------------------------------------------------------------------------------
// Lab values

export const LAB_FIELDS = ["code", "value", "observed_on"] as const;
export type LabFormValues = Partial<Record<(typeof LAB_FIELDS)[number], string>>;

export function labSchema(today: string) {
  return z
    .object({
      code: z.string({ error: "Choose the test." }).check(z.refine((v) => findLabTest(v) !== undefined, { error: "Choose the test from the list." })),
      value: z.pipe(
        z.string({ error: "Value is required." }).check(
          z.trim(),
          z.minLength(1, { error: "Value is required." }),
          z.refine((v) => v === "" || parseDecimal(v) !== null, { error: "Value must be a number, like 6.4." }),
        ),
        z.transform((v: string) => parseDecimal(v) as number),
      ),
      observed_on: pastDate("Date of the result", today),
    })
    .check(
      z.refine(
        (l) => {
          const t = findLabTest(l.code);
          return !t || (l.value >= t.plausible[0] && l.value <= t.plausible[1]);
        },
        {
          error: (iss) => {
            const t = findLabTest((iss.input as { code: string }).code);
            return t ? `Value of ${t.name} must be between ${t.plausible[0]} and ${t.plausible[1]} ${t.unit}.` : "Value is out of range.";
          },
          path: ["value"],
        },
      ),
    );
}
export type LabInput = z.output<ReturnType<typeof labSchema>>;

// ---------------------------------------------------------------------------------------------
// The clinic's questionnaires

export const QUESTIONNAIRE_FIELDS = ["code", "name", "stem", "items", "options", "bands", "flags"] as const;
export type QuestionnaireFormValues = Partial<Record<(typeof QUESTIONNAIRE_FIELDS)[number], string>>;

/** Codes the progress page and goals already use for something else. */
const RESERVED = new Set(["phq9", "gad7", "weight", "bmi", "systolic", "diastolic", "bp"]);

export const questionnaireHeadSchema = z.object({
  code: z.string({ error: "Code is required." }).check(
    z.trim(),
    z.toLowerCase(),
    z.minLength(1, { error: "Code is required." }),
    z.refine((v) => v === "" || /^[a-z][a-z0-9-]{1,29}$/.test(v), {
      error: "Code must be 2 to 30 lowercase letters, digits or hyphens, starting with a letter (e.g. sleep-5).",
    }),
    z.refine((v) => !RESERVED.has(v), { error: "Code is already used by a built-in measure; choose another." }),
  ),
  name: requiredText(100, "Name"),
});

const lines = (v: string | undefined) =>
  (v ?? "")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/**
 * Reads the plain-text definition fields: items one per line, options `points|label`, bands
 * `min-max|label`, flags `item|minimum points|message`. Lines that cannot be read are reported by
 * field and line; the result then goes through `validateDefinition`.
 */
export function parseQuestionnaireText(
  v: QuestionnaireFormValues,
): { ok: true; def: QuestionnaireDefinition } | { ok: false; errors: DefinitionErrors } {
  const errors: DefinitionErrors = {};
  const options = lines(v.options).map((l, i) => {
    const m = l.match(/^(\d{1,3})\s*\|\s*(.+)$/);
    if (!m) errors.options ??= `Answer options: line ${i + 1} must be points|label, like 0|Not at all.`;
    return { points: m ? Number(m[1]) : NaN, label: m ? m[2]!.trim() : "" };
  });
  const bands = lines(v.bands).map((l, i) => {
    const m = l.match(/^(\d{1,4})\s*[-–]\s*(\d{1,4})\s*\|\s*(.+)$/);
    if (!m) errors.bands ??= `Severity bands: line ${i + 1} must be min-max|label, like 0-4|minimal.`;
    return { min: m ? Number(m[1]) : NaN, max: m ? Number(m[2]) : NaN, label: m ? m[3]!.trim() : "" };
  });
  const flags = lines(v.flags).map((l, i) => {
    const m = l.match(/^(\d{1,3})\s*\|\s*(\d{1,3})\s*\|\s*(.+)$/);
    if (!m) errors.flags ??= `Flags: line ${i + 1} must be item|minimum points|message, like 9|1|assess safety today.`;
    return { item: m ? Number(m[1]) : NaN, atLeast: m ? Number(m[2]) : NaN, message: m ? m[3]!.trim() : "" };
  });
  const checked = validateDefinition({ stem: (v.stem ?? "").trim(), items: lines(v.items), options, bands, flags });
  if (!checked.ok) Object.assign(errors, { ...checked.errors, ...errors });
  if (Object.keys(errors).length > 0 || !checked.ok) return { ok: false, errors };
  return checked;
}

/** A definition written back as the form's text fields (for editing). */
export function definitionToText(def: QuestionnaireDefinition): Required<Pick<QuestionnaireFormValues, "stem" | "items" | "options" | "bands" | "flags">> {
  return {
    stem: def.stem ?? "",
    items: def.items.join("\n"),
    options: def.options.map((o) => `${o.points}|${o.label}`).join("\n"),
    bands: def.bands.map((b) => `${b.min}-${b.max}|${b.label}`).join("\n"),
    flags: (def.flags ?? []).map((f) => `${f.item}|${f.atLeast}|${f.message}`).join("\n"),
  };
}
