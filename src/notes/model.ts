/**
 * The shape of a note template and of a note's values. A template is an ordered list of
 * sections (SOAP or custom), each an ordered list of fields. A note keeps a copy of the
 * definition it was started from, so editing a template never changes a note already written.
 */

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
