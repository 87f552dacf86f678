/**
 * Input schemas of the template builder's forms (name and description, a section, a field, an
 * import), and the conversion of a field form into a template field. Checks that need the whole
 * definition (unique keys, options of a choice) happen in `validateDefinition` afterwards.
 */
import * as z from "zod/mini";
import { CHART_SOURCES, DEFINITION_LIMITS, FIELD_TYPES, KEY_PATTERN, LIMITS, type TemplateField } from "./model";
import { oneLine, requiredText } from "../platform/validation";
import { DESCRIPTION_MAX, NAME_MAX } from "./templates";

const optionalText = (max: number, label: string) =>
  z.pipe(
    z.optional(z.string().check(z.trim(), z.maxLength(max, { error: `${label} must be at most ${max} characters.` }), oneLine(label))),
    z.transform((v: string | undefined) => (v ? v : null)),
  );

const optionalNumber = (label: string) =>
  z.pipe(
    z.optional(
      z.string().check(
        z.trim(),
        z.refine((v) => v === "" || (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(v) && Number.isFinite(Number(v))), { error: `${label} must be a number, like 0 or 10.5.` }),
      ),
    ),
    z.transform((v: string | undefined) => (v ? Number(v) : undefined)),
  );

/** Name and description of a template. */
export const metaSchema = z.object({
  name: requiredText(NAME_MAX, "Name"),
  description: optionalText(DESCRIPTION_MAX, "Description"),
});

/** A section to add or rename. */
export const sectionSchema = z.object({
  title: requiredText(LIMITS.labelLength, "Section title"),
});

/** Version of the template a form was opened on; a form without one is stale by definition. */
export const versionSchema = z.object({
  version: z.pipe(
    z.string({ error: "The form is missing its version; reload the page." }).check(z.regex(/^\d{1,9}$/, { error: "The form is missing its version; reload the page." })),
    z.transform((v: string) => Number.parseInt(v, 10)),
  ),
});

export const FIELD_FORM_NAMES = ["type", "label", "key", "help", "required", "unit", "min", "max", "options", "instrument", "source"] as const;

/** A field to add or edit, as the builder's field form sends it. */
export const fieldSchema = z.object({
  type: z.enum(FIELD_TYPES, { error: "Choose the kind of field." }),
  label: requiredText(LIMITS.labelLength, "Label"),
  key: z.pipe(
    z.optional(
      z.string().check(
        z.trim(),
        z.refine((v) => v === "" || KEY_PATTERN.test(v), { error: "Key must be 1 to 40 lowercase letters, digits or underscores, like blood_pressure." }),
      ),
    ),
    z.transform((v: string | undefined) => v || null),
  ),
  help: optionalText(DEFINITION_LIMITS.helpLength, "Help text"),
  required: z.optional(z.string()),
  unit: optionalText(DEFINITION_LIMITS.unitLength, "Unit"),
  min: optionalNumber("Minimum"),
  max: optionalNumber("Maximum"),
  options: z.optional(z.string().check(z.maxLength(LIMITS.options * (LIMITS.optionLength + 2), { error: "Options are too long." }))),
  instrument: z.optional(z.string()),
  source: z.optional(z.string()),
});

export type FieldInputValues = z.output<typeof fieldSchema>;

/**
 * The template field a valid field form describes; properties that do not apply to its type are
 * dropped (a unit on a text field, say), so changing a field's type leaves nothing stale behind.
 */
export function fieldFromForm(v: FieldInputValues, key: string): TemplateField {
  const f: TemplateField = { key, type: v.type, label: v.label };
  if (v.help) f.help = v.help;
  if (v.required === "1") f.required = true;
  if (v.type === "number") {
    f.unit = v.unit ?? "";
    if (v.min !== undefined) f.min = v.min;
    if (v.max !== undefined) f.max = v.max;
  }
  if (v.type === "single_choice" || v.type === "multi_choice" || v.type === "ros") {
    f.options = (v.options ?? "")
      .split(/\r?\n/)
      .map((o) => o.trim())
      .filter(Boolean);
  }
  if (v.type === "questionnaire") f.instrument = v.instrument ?? "";
  if (v.type === "chart_insert") f.source = (CHART_SOURCES as readonly string[]).includes(v.source ?? "") ? (v.source as TemplateField["source"]) : undefined;
  return f;
}

/** The form values that show a field in the builder's edit form. */
export function fieldToForm(f: TemplateField): Record<string, string> {
  return {
    type: f.type,
    label: f.label,
    key: f.key,
    help: f.help ?? "",
    required: f.required ? "1" : "",
    unit: f.unit ?? "",
    min: f.min === undefined ? "" : String(f.min),
    max: f.max === undefined ? "" : String(f.max),
    options: (f.options ?? []).join("\n"),
    instrument: f.instrument ?? "",
    source: f.source ?? "",
  };
}

/** "Import JSON": the pasted export (or bare definition) and an optional name. */
export const importSchema = z.object({
  json: requiredText(DEFINITION_LIMITS.definitionLength + 2_000, "Template JSON", "multi-line"),
  name: optionalText(NAME_MAX, "Name"),
});
