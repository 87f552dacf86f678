/**
 * Input schemas of the chart's forms (problems, allergies, medications, immunizations, histories,
 * alerts). Empty optional fields become null; every message names its field. Vitals have their
 * own reader in ./vitals.ts. `today` is the clinic's date, so "not in the future" means the clinic's.
 * Also the form readers the clinical routes (chart, notes, progress) give `formInput`: the fields as
 * typed beside their checked values, and the version a form was sent with.
 */
import { isIsoDate } from "../platform/time";
import * as z from "zod/mini";

import { CVX_VACCINES } from "./cvx";
import { normalizeCode } from "./icd10";
import { emptyToNull, optionalText, requiredText, type FormValues, lastText } from "../platform/validation";
import { ALLERGY_CATEGORIES, ALLERGY_SEVERITIES, SMOKING_STATUSES } from "./tables";

/** An optional YYYY-MM-DD date, not after `today` unless `future` is allowed. */
const optionalDate = (label: string, today: string, o: { future?: boolean } = {}) =>
  z.pipe(
    z.string().check(
      z.trim(),
      z.refine((v) => v === "" || isIsoDate(v), { error: `${label} must be a real date, as YYYY-MM-DD.` }),
      z.refine((v) => v === "" || !isIsoDate(v) || o.future || v <= today, { error: `${label} cannot be in the future.` }),
      z.refine((v) => v === "" || !isIsoDate(v) || v >= "1900-01-01", { error: `${label} must be after 1900-01-01.` }),
    ),
    emptyToNull,
  );

const requiredDate = (label: string, today: string) =>
  z.string({ error: `${label} is required.` }).check(
    z.trim(),
    z.minLength(1, { error: `${label} is required.` }),
    z.refine((v) => v === "" || isIsoDate(v), { error: `${label} must be a real date, as YYYY-MM-DD.` }),
    z.refine((v) => !isIsoDate(v) || v <= today, { error: `${label} cannot be in the future.` }),
    z.refine((v) => !isIsoDate(v) || v >= "1900-01-01", { error: `${label} must be after 1900-01-01.` }),
  );

/** The version a form was opened on (a positive integer). */
export const versionSchema = z.pipe(
  z.string({ error: "The form is missing its version; reopen it and try again." }).check(
    z.regex(/^[1-9]\d{0,8}$/, { error: "The form is missing its version; reopen it and try again." }),
  ),
  z.transform((v: string) => Number(v)),
);

const choice = <T extends readonly [string, ...string[]]>(values: T, message: string) => z.enum(values, { error: message });

export const PROBLEM_FORM_STATUSES = ["active", "inactive", "resolved"] as const;

export function problemSchema(today: string) {
  return z
    .object({
      code: z.pipe(
        z.string().check(
          z.trim(),
          z.maxLength(10, { error: "ICD-10-CM code must be at most 10 characters." }),
          z.refine((v) => v === "" || normalizeCode(v) !== null, { error: "ICD-10-CM code must look like E11.9 or M54.50 (a letter, two characters, then up to four more)." }),
        ),
        z.transform((v: string) => (v === "" ? null : normalizeCode(v))),
      ),
      description: optionalText(300, "Description"),
      status: choice(PROBLEM_FORM_STATUSES, "Status must be active, inactive or resolved."),
      onset_date: optionalDate("Onset date", today),
      resolved_date: optionalDate("Resolved date", today),
      note: optionalText(1000, "Note", "multi-line"),
    })
    .check(
      z.refine((v) => v.code !== null || v.description !== null, {
        error: "Description is required when no ICD-10-CM code is chosen.",
        path: ["description"],
      }),
      z.refine((v) => !v.onset_date || !v.resolved_date || v.resolved_date >= v.onset_date, {
        error: "Resolved date cannot be before the onset date.",
        path: ["resolved_date"],
      }),
    );
}
export type ProblemInput = z.output<ReturnType<typeof problemSchema>>;

export const ALLERGY_FORM_STATUSES = ["active", "inactive", "resolved"] as const;

export function allergySchema(today: string) {
  return z.object({
    substance: requiredText(200, "Substance"),
    category: choice(ALLERGY_CATEGORIES, "Category must be medication, food, environment, biologic or other."),
    reaction: optionalText(200, "Reaction"),
    severity: choice(ALLERGY_SEVERITIES, "Severity must be mild, moderate, severe or unknown."),
    status: choice(ALLERGY_FORM_STATUSES, "Status must be active, inactive or resolved."),
    onset_date: optionalDate("Onset date", today),
    note: optionalText(1000, "Note", "multi-line"),
  });
}
export type AllergyInput = z.output<ReturnType<typeof allergySchema>>;

export const MEDICATION_FORM_STATUSES = ["active", "stopped"] as const;

export function medicationSchema(today: string) {
  return z
    .object({
      name: requiredText(200, "Medication name"),
      dose: optionalText(100, "Dose"),
      route: optionalText(50, "Route"),
      frequency: optionalText(100, "Frequency"),
      start_date: optionalDate("Start date", today),
      stop_date: optionalDate("Stop date", today, { future: true }),
      status: choice(MEDICATION_FORM_STATUSES, "Status must be active or stopped."),
      stop_reason: optionalText(300, "Stop reason"),
      prescriber: optionalText(200, "Prescriber"),
      note: optionalText(1000, "Note", "multi-line"),
    })
    .check(
      z.refine((v) => !v.start_date || !v.stop_date || v.stop_date >= v.start_date, { error: "Stop date cannot be before the start date.", path: ["stop_date"] }),
      z.refine((v) => v.status !== "stopped" || v.stop_reason !== null, { error: "Stop reason is required for a stopped medication.", path: ["stop_reason"] }),
    );
}
export type MedicationInput = z.output<ReturnType<typeof medicationSchema>>;

/** Stopping a medication: when and why. */
export function stopSchema(today: string) {
  return z.object({
    stop_date: z.pipe(
      z.string().check(z.trim(), z.refine((v) => v === "" || isIsoDate(v), { error: "Stop date must be a real date, as YYYY-MM-DD." })),
      z.transform((v: string) => v || today),
    ),
    stop_reason: requiredText(300, "Stop reason"),
  });
}

const CVX_CODES = CVX_VACCINES.map((v) => v.code) as [string, ...string[]];
export const VACCINE_ROUTES = ["IM", "SC", "ID", "IN", "PO"] as const;

export function immunizationSchema(today: string) {
  return z.object({
    cvx_code: choice(CVX_CODES, "Vaccine must be chosen from the list of CVX codes."),
    administered_on: requiredDate("Date given", today),
    lot_number: optionalText(50, "Lot number"),
    manufacturer: optionalText(100, "Manufacturer"),
    site: optionalText(50, "Site"),
    route: z.pipe(
      z.string().check(z.trim(), z.refine((v) => v === "" || (VACCINE_ROUTES as readonly string[]).includes(v), { error: "Route must be IM, SC, ID, IN or PO." })),
      emptyToNull,
    ),
    dose_number: z.pipe(
      z.string().check(z.trim(), z.refine((v) => v === "" || /^([1-9]|10)$/.test(v), { error: "Dose number must be a whole number from 1 to 10." })),
      z.transform((v: string) => (v === "" ? null : Number(v))),
    ),
    note: optionalText(1000, "Note", "multi-line"),
  });
}
export type ImmunizationInput = z.output<ReturnType<typeof immunizationSchema>>;

export const historySchema = z.object({
  medical: optionalText(4000, "Medical history", "multi-line"),
  surgical: optionalText(4000, "Surgical history", "multi-line"),
  family: optionalText(4000, "Family history", "multi-line"),
  smoking_status: choice(SMOKING_STATUSES, "Smoking status must be one of the listed choices."),
  alcohol_use: optionalText(200, "Alcohol use"),
  occupation: optionalText(200, "Occupation"),
  social_note: optionalText(2000, "Social history note", "multi-line"),
});
export type HistoryInput = z.output<typeof historySchema>;

export const ALERT_SEVERITIES = ["info", "warning", "critical"] as const;

export const alertSchema = z.object({
  text: requiredText(200, "Alert text"),
  severity: choice(ALERT_SEVERITIES, "Severity must be info, warning or critical."),
});
export type AlertInput = z.output<typeof alertSchema>;


/** The named fields of a submitted form as typed (each blank when left out), to show the form again. */
export function typedFields(raw: FormValues, fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) out[f] = lastText(raw[f]);
  return out;
}

/** The version a form was sent with, or null when it is missing or not a version (a stale or broken form). */
export function sentVersion(raw: FormValues): number | null {
  const r = versionSchema.safeParse(lastText(raw.version));
  return r.success ? r.data : null;
}

/**
 * A form schema for `formInput`: the named fields as typed (`values`, for showing the form again
 * after a conflict or a service's refusal), the same values read by `schema` (`data`), and the
 * version the form was sent with (`version`, null when missing: the caller answers a conflict, not
 * a field message; `versionOf` reads it). The field messages are keyed by field name, as `schema` gives them.
 */
export function fieldsForm<S extends z.ZodMiniType>(fields: readonly string[], schema: S, versionOf: (raw: FormValues) => number | null = sentVersion) {
  return z.transform((raw: FormValues, ctx) => {
    const values = typedFields(raw, fields);
    const r = schema.safeParse(values);
    if (!r.success) {
      for (const issue of r.error.issues) ctx.issues.push({ code: "custom", message: issue.message, path: issue.path, input: values });
      return z.NEVER;
    }
    return { values, data: r.data as z.output<S>, version: versionOf(raw) };
  });
}

/** Every field of a submitted form as text (a field sent more than once keeps its last value). */
export function allFields(raw: FormValues): Record<string, string> {
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, lastText(v)]));
}

/**
 * A form schema for editors whose fields a stored definition names (notes): `schema` reads the
 * fields it knows, and every field comes along as text (`form`) for the definition to read.
 */
export function withAllFields<S extends z.ZodMiniType<Record<string, unknown>>>(schema: S) {
  return z.transform((raw: FormValues, ctx) => {
    const form = allFields(raw);
    const r = schema.safeParse(form);
    if (!r.success) {
      for (const issue of r.error.issues) ctx.issues.push({ code: "custom", message: issue.message, path: issue.path, input: form });
      return z.NEVER;
    }
    return { ...(r.data as z.output<S>), form };
  });
}

/** A page's address: `saved=1` after a save. */
export const savedQuery = z.object({ saved: z.pipe(z.optional(z.string()), z.transform((v) => v === "1")) });

/** A one-button form that only carries the version the list was shown with (null when missing). */
export const versionOnlyForm = z.transform((raw: FormValues) => ({ version: sentVersion(raw) }));
