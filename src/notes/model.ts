/**
 * The shape of a note template and of a note's values. A template is an ordered list of
 * sections (SOAP or custom), each an ordered list of fields. A note keeps a copy of the
 * definition it was started from, so editing a template never changes a note already written.
 */
import { AppError } from "../platform/errors";

/** Every kind of field the template builder offers. */
export const FIELD_TYPES = [
  "text", // free text (multi-line)
  "number", // number with a unit
  "single_choice", // one of `options`
  "multi_choice", // any of `options`
  "checkbox", // yes / no
  "date",
  "vitals", // the encounter's vital signs (recorded through the chart, shown and signed with the note)
  "ros", // body-system review checklist: per system, normal / abnormal / not examined, plus a comment
  "questionnaire", // a scored questionnaire (PHQ-9, GAD-7, or a clinic's own) administered in the encounter
  "chart_insert", // a snapshot of the chart: problems, medications or allergies, taken when signed
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const CHART_SOURCES = ["problems", "medications", "allergies"] as const;
export type ChartSource = (typeof CHART_SOURCES)[number];

export interface TemplateField {
  /** Stable within the template (`[a-z0-9_]{1,40}`); the key of the field's value in a note. */
  key: string;
  type: FieldType;
  label: string;
  help?: string;
  required?: boolean;
  /** number: the unit shown beside the input, e.g. "mmHg", "cm", "min". */
  unit?: string;
  min?: number;
  max?: number;
  /** single_choice, multi_choice: the choices; ros: the body systems. */
  options?: string[];
  /** questionnaire: `phq9`, `gad7` or a clinic questionnaire's code. */
  instrument?: string;
  /** chart_insert: which list to insert. */
  source?: ChartSource;
}

export interface TemplateSection {
  /** Stable within the template (`[a-z0-9_]{1,40}`). */
  key: string;
  /** "Subjective", "Objective", "Assessment", "Plan", or the clinic's own heading. */
  title: string;
  fields: TemplateField[];
}

export interface TemplateDefinition {
  sections: TemplateSection[];
}

/**
 * A note's values, by field key:
 * text, date, single_choice: string; number: string (as typed, validated on sign);
 * multi_choice: string[]; checkbox: boolean;
 * ros: { [system]: { status: "normal" | "abnormal" | "not_examined", comment?: string } };
 * vitals, questionnaire, chart_insert: nothing while a draft (they read the chart), and the
 * snapshot in the signed content once signed.
 */
export type NoteValue = string | string[] | boolean | Record<string, { status: string; comment?: string }>;
export type NoteContent = Record<string, NoteValue>;

/** Limits that keep a definition and a note small enough for one D1 row and one autosave. */
export const LIMITS = {
  sections: 20,
  fieldsPerSection: 40,
  options: 40,
  labelLength: 200,
  optionLength: 100,
  /** Characters of one text field. */
  textLength: 20_000,
  /** Characters of a whole note's content JSON. */
  contentLength: 200_000,
};

/** Field and section keys: lowercase letters, digits and underscores, 1 to 40 characters. */
export const KEY_PATTERN = /^[a-z0-9_]{1,40}$/;

/** Questionnaire codes: the built-in `phq9`, `gad7`, or a clinic questionnaire's code (`sleep-5`). */
export const INSTRUMENT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** The scored questionnaires every clinic has (their scoring lives in src/progress). */
export const BUILT_IN_INSTRUMENTS = [
  { code: "phq9", name: "PHQ-9 (depression)" },
  { code: "gad7", name: "GAD-7 (anxiety)" },
] as const;

/** Further limits of a definition's parts. */
export const DEFINITION_LIMITS = {
  helpLength: 500,
  unitLength: 20,
  rosCommentLength: 1_000,
  /** Characters of a whole definition's JSON. */
  definitionLength: 100_000,
};

/** Values of a review-of-systems line. */
export const ROS_STATUSES = ["normal", "abnormal", "not_examined"] as const;
export type RosStatus = (typeof ROS_STATUSES)[number];

/** Field types whose data comes from the chart; the note form has no input for them. */
export const EMBEDDED_TYPES: readonly FieldType[] = ["vitals", "questionnaire", "chart_insert"];

export type DefinitionCheck = { ok: true; def: TemplateDefinition } | { ok: false; errors: Record<string, string> };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `“Mood” (Subjective)`: how a message names a field. */
function fieldName(label: unknown, i: number, section: string): string {
  return typeof label === "string" && label.trim() ? `“${label.trim()}” (${section})` : `Field ${i + 1} of ${section}`;
}

/**
 * Checks a definition from any source (the builder, an imported JSON, a stored row) and returns
 * a clean copy holding only known properties. Error keys are paths such as
 * `sections.0.fields.2.options`, each with a sentence naming the section or field.
 */
export function validateDefinition(def: unknown): DefinitionCheck {
  const errors: Record<string, string> = {};
  const fail = (path: string, msg: string) => {
    if (!errors[path]) errors[path] = msg;
  };
  if (!isRecord(def) || !Array.isArray(def.sections)) {
    return { ok: false, errors: { sections: "The definition must be an object with a list of sections." } };
  }
  if (def.sections.length > LIMITS.sections) fail("sections", `A template can have at most ${LIMITS.sections} sections.`);
  const sectionKeys = new Set<string>();
  const fieldKeys = new Map<string, string>();
  const sections: TemplateSection[] = [];
  def.sections.slice(0, LIMITS.sections).forEach((raw, si) => {
    const at = `sections.${si}`;
    if (!isRecord(raw)) return fail(at, `Section ${si + 1} must be an object with a key, a title and fields.`);
    const title = typeof raw.title === "string" ? raw.title.trim() : "";
    const sectionName = title ? `section “${title}”` : `section ${si + 1}`;
    if (!title) fail(`${at}.title`, `The title of section ${si + 1} is required.`);
    else if (title.length > LIMITS.labelLength) fail(`${at}.title`, `The title of ${sectionName} must be at most ${LIMITS.labelLength} characters.`);
    const key = typeof raw.key === "string" ? raw.key : "";
    if (!KEY_PATTERN.test(key)) fail(`${at}.key`, `The key of ${sectionName} must be 1 to 40 lowercase letters, digits or underscores.`);
    else if (sectionKeys.has(key)) fail(`${at}.key`, `The key “${key}” of ${sectionName} is used by another section.`);
    sectionKeys.add(key);
    const rawFields = Array.isArray(raw.fields) ? raw.fields : [];
    if (!Array.isArray(raw.fields)) fail(`${at}.fields`, `The fields of ${sectionName} must be a list.`);
    if (rawFields.length > LIMITS.fieldsPerSection) fail(`${at}.fields`, `${capitalize(sectionName)} can have at most ${LIMITS.fieldsPerSection} fields.`);
    const fields: TemplateField[] = [];
    rawFields.slice(0, LIMITS.fieldsPerSection).forEach((f, fi) => {
      const checked = checkField(f, fi, title || `section ${si + 1}`, `${at}.fields.${fi}`, fieldKeys, fail);
      if (checked) fields.push(checked);
    });
    sections.push({ key, title, fields });
  });
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, def: { sections } };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function checkField(
  raw: unknown,
  i: number,
  section: string,
  at: string,
  keys: Map<string, string>,
  fail: (path: string, msg: string) => void,
): TemplateField | null {
  if (!isRecord(raw)) {
    fail(at, `Field ${i + 1} of ${section} must be an object with a key, a type and a label.`);
    return null;
  }
  const name = fieldName(raw.label, i, section);
  const label = typeof raw.label === "string" ? raw.label.trim() : "";
  if (!label) fail(`${at}.label`, `The label of field ${i + 1} of ${section} is required.`);
  else if (label.length > LIMITS.labelLength) fail(`${at}.label`, `The label of ${name} must be at most ${LIMITS.labelLength} characters.`);
  const key = typeof raw.key === "string" ? raw.key : "";
  if (!KEY_PATTERN.test(key)) fail(`${at}.key`, `The key of ${name} must be 1 to 40 lowercase letters, digits or underscores.`);
  else if (keys.has(key)) fail(`${at}.key`, `The key “${key}” of ${name} is already used by ${keys.get(key)}.`);
  else keys.set(key, name);
  const type = raw.type as FieldType;
  if (!FIELD_TYPES.includes(type)) {
    fail(`${at}.type`, `The type of ${name} must be one of: ${FIELD_TYPES.join(", ")}.`);
    return null;
  }
  const out: TemplateField = { key, type, label };
  if (raw.help !== undefined && raw.help !== null && raw.help !== "") {
    const help = typeof raw.help === "string" ? raw.help.trim() : "";
    if (typeof raw.help !== "string") fail(`${at}.help`, `The help text of ${name} must be text.`);
    else if (help.length > DEFINITION_LIMITS.helpLength) fail(`${at}.help`, `The help text of ${name} must be at most ${DEFINITION_LIMITS.helpLength} characters.`);
    if (help) out.help = help;
  }
  // Embedded fields read the chart: the form cannot leave them empty, so "required" means nothing there.
  if (raw.required === true && !EMBEDDED_TYPES.includes(type)) out.required = true;
  else if (raw.required !== undefined && typeof raw.required !== "boolean") fail(`${at}.required`, `“Required” of ${name} must be true or false.`);

  if (type === "number") {
    const unit = typeof raw.unit === "string" ? raw.unit.trim() : "";
    if (!unit) fail(`${at}.unit`, `The unit of ${name} is required (for example mmHg, cm, min or points).`);
    else if (unit.length > DEFINITION_LIMITS.unitLength) fail(`${at}.unit`, `The unit of ${name} must be at most ${DEFINITION_LIMITS.unitLength} characters.`);
    out.unit = unit;
    for (const bound of ["min", "max"] as const) {
      const v = raw[bound];
      if (v === undefined || v === null) continue;
      if (typeof v !== "number" || !Number.isFinite(v)) fail(`${at}.${bound}`, `The ${bound === "min" ? "minimum" : "maximum"} of ${name} must be a number.`);
      else out[bound] = v;
    }
    if (out.min !== undefined && out.max !== undefined && out.min >= out.max) {
      fail(`${at}.max`, `The maximum of ${name} must be greater than its minimum.`);
    }
  }
  if (type === "single_choice" || type === "multi_choice" || type === "ros") {
    const what = type === "ros" ? "body systems" : "options";
    const least = type === "single_choice" ? 2 : 1;
    const opts = Array.isArray(raw.options) ? raw.options : [];
    const clean = opts.map((o) => (typeof o === "string" ? o.trim() : ""));
    if (!Array.isArray(raw.options) || clean.length < least) {
      fail(`${at}.options`, `${capitalize(what)} of ${name} are required: enter at least ${least === 1 ? "one" : "two"}, one per line.`);
    } else if (clean.length > LIMITS.options) {
      fail(`${at}.options`, `${name} can have at most ${LIMITS.options} ${what}.`);
    } else if (clean.some((o) => !o)) {
      fail(`${at}.options`, `Every one of the ${what} of ${name} must be text, none empty.`);
    } else if (clean.some((o) => o.length > LIMITS.optionLength)) {
      fail(`${at}.options`, `Each of the ${what} of ${name} must be at most ${LIMITS.optionLength} characters.`);
    } else if (new Set(clean.map((o) => o.toLowerCase())).size !== clean.length) {
      fail(`${at}.options`, `The ${what} of ${name} must all be different.`);
    }
    out.options = clean;
  }
  if (type === "questionnaire") {
    const code = typeof raw.instrument === "string" ? raw.instrument : "";
    if (!INSTRUMENT_PATTERN.test(code)) fail(`${at}.instrument`, `Choose the questionnaire of ${name} (phq9, gad7 or one of the clinic's).`);
    out.instrument = code;
  }
  if (type === "chart_insert") {
    const source = raw.source as ChartSource;
    if (!CHART_SOURCES.includes(source)) fail(`${at}.source`, `Choose what ${name} inserts from the chart: ${CHART_SOURCES.join(", ")}.`);
    out.source = source;
  }
  return out;
}

/** Reads a stored or imported definition; an invalid one is a validation error listing its problems. */
export function parseDefinition(json: string): TemplateDefinition {
  if (json.length > DEFINITION_LIMITS.definitionLength) {
    throw new AppError("validation", `The template is too large (at most ${DEFINITION_LIMITS.definitionLength.toLocaleString("en-US")} characters).`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new AppError("validation", "The template is not valid JSON.", { definition: "The template is not valid JSON." });
  }
  const r = validateDefinition(raw);
  if (!r.ok) throw new AppError("validation", `The template has ${Object.keys(r.errors).length === 1 ? "a problem" : "problems"}: ${Object.values(r.errors).join(" ")}`, r.errors);
  return r.def;
}

/**
 * A key for a new field or section from its label: "Blood pressure (sitting)" → `blood_pressure_sitting`,
 * with `_2`, `_3`… when taken.
 */
export function keyFromLabel(label: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base =
    label
      .normalize("NFD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, 36)
      .replace(/_+$/, "") || "field";
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}_${n}`)) return `${base}_${n}`;
}

/** Every field key of a definition (section keys are separate). */
export function fieldKeys(def: TemplateDefinition): string[] {
  return def.sections.flatMap((s) => s.fields.map((f) => f.key));
}
