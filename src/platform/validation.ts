/** Reading and validating form input at the edge: handlers only ever see validated values. */
import type { Context } from "hono";
import { validator } from "hono/validator";
import * as z from "zod/mini";
import type { AppEnv } from "./env";
import { AppError, type FieldErrors } from "./errors";

/** An empty string (an optional field left blank) becomes null. */
export const emptyToNull = z.transform((v: string) => (v === "" ? null : v));

/**
 * Control characters (C0, DEL and C1). A one-line field refuses every one of them, tab and line
 * breaks included; multi-line text (notes, message bodies) keeps tab, CR and LF. NUL and the rest
 * never reach the database: they break exports, CSV, HL7 and SMS gateways, and hide text on screen.
 */
const CONTROL_ONE_LINE = /[\u0000-\u001F\u007F-\u009F]/;
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** The field's message when it holds a control character, or null (for checks outside zod). */
export function controlCharacterError(value: string, label: string, kind: TextKind = "one-line"): string | null {
  if (kind === "one-line") return CONTROL_ONE_LINE.test(value) ? `${label} must be a single line without control characters.` : null;
  return CONTROL_MULTI_LINE.test(value) ? `${label} contains a control character that cannot be stored. Remove it and try again.` : null;
}

/** A one-line field (names, titles, subjects) or multi-line text (notes, bodies). */
export type TextKind = "one-line" | "multi-line";

/** A zod check refusing control characters: `z.string().check(oneLine("Name"))`. */
export const oneLine = (label: string) => z.refine<string>((v) => controlCharacterError(v, label, "one-line") === null, { error: `${label} must be a single line without control characters.` });

/** A zod check for multi-line text: keeps tab, CR and LF, refuses other control characters. */
export const multiLine = (label: string) =>
  z.refine<string>((v) => controlCharacterError(v, label, "multi-line") === null, { error: `${label} contains a control character that cannot be stored. Remove it and try again.` });

const textCheck = (label: string, kind: TextKind) => (kind === "one-line" ? oneLine(label) : multiLine(label));

/**
 * A text field that must be filled: trimmed, at most `max` characters, one line unless `kind`
 * says multi-line; the messages name it by `label`.
 */
export const requiredText = (max: number, label: string, kind: TextKind = "one-line") =>
  z.string({ error: `${label} is required.` }).check(
    z.trim(),
    z.minLength(1, { error: `${label} is required.` }),
    z.maxLength(max, { error: `${label} must be at most ${max} characters.` }),
    textCheck(label, kind),
  );

/** A text field that may be left blank: trimmed, at most `max` characters, null when empty; one line unless `kind` says multi-line. */
export const optionalText = (max: number, label: string, kind: TextKind = "one-line") =>
  z.pipe(z.string().check(z.trim(), z.maxLength(max, { error: `${label} must be at most ${max} characters.` }), textCheck(label, kind)), emptyToNull);

export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** Validates input against a schema; on failure returns one message per field, first issue wins. */
export function validate<S extends z.ZodMiniType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const r = schema.safeParse(input);
  if (r.success) return { ok: true, data: r.data };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const key = issue.path.map(String).join(".") || "_form";
    if (!errors[key]) errors[key] = issue.message;
  }
  return { ok: false, errors };
}

type Invalid = (c: Context<AppEnv>, errors: FieldErrors, raw: FormValues) => Response | Promise<Response>;
type SchemaOf<S> = S | ((c: Context<AppEnv>) => S);

/** Submitted form fields as strings; a field sent more than once (checkboxes) keeps every value. */
export type FormValues = Record<string, string | string[]>;

/** The last value of a form field (a field sent twice keeps its last), "" when it was not sent. */
export const lastText = (v: FormValues[string] | undefined): string => (Array.isArray(v) ? (v.at(-1) ?? "") : (v ?? ""));

function formValues(value: Record<string, unknown>): FormValues {
  const out: FormValues = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === "string") out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === "string");
  }
  return out;
}

/**
 * Route middleware that reads the form through `schema` (or a schema built from the request, for
 * rules that depend on the clinic's today). The handler reads `c.req.valid("form")` and never sees
 * unchecked input. On failure `invalid` answers (usually the form again, with the field messages,
 * as a 422); without it the failure is a 422 naming the first field. A body that is not a form is
 * a 415, one that cannot be parsed a 400; nothing is written in either case.
 */
export function formInput<S extends z.ZodMiniType>(schema: SchemaOf<S>, invalid?: Invalid) {
  return validator("form", async (value, c: Context<AppEnv>) => {
    const type = (c.req.header("content-type") ?? "").toLowerCase();
    if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) {
      throw new AppError("unsupported_media_type", "Send this form as a regular HTML form.");
    }
    const raw = formValues(value);
    const parsed = validate(typeof schema === "function" ? (schema as (c: Context<AppEnv>) => S)(c) : schema, raw);
    if (parsed.ok) return parsed.data as z.output<S>;
    if (invalid) return invalid(c, parsed.errors, raw);
    throw new AppError("validation", Object.values(parsed.errors)[0] ?? "The form has errors.", parsed.errors);
  });
}

/**
 * Route middleware that reads the query string through `schema`; the handler reads
 * `c.req.valid("query")`. Lenient schemas (defaults, clamps) keep links working; a value the
 * schema refuses is a 400 naming the parameter.
 */
export function queryInput<S extends z.ZodMiniType>(schema: SchemaOf<S>) {
  return validator("query", (value, c: Context<AppEnv>) => {
    const parsed = validate(typeof schema === "function" ? (schema as (c: Context<AppEnv>) => S)(c) : schema, value);
    if (parsed.ok) return parsed.data as z.output<S>;
    const [field, message] = Object.entries(parsed.errors)[0] ?? ["_query", "The address has an error."];
    throw new AppError("bad_request", `${message} (${field})`, parsed.errors);
  });
}

/** A whole number from a query or form string, clamped to [min, max]; `fallback` when blank or not a number. */
export const clampedInt = (min: number, max: number, fallback: number) =>
  z.pipe(
    z.optional(z.string()),
    z.transform((v) => {
      const n = Number.parseInt(v ?? "", 10);
      return Number.isFinite(n) ? Math.min(Math.max(n, min), max) : fallback;
    }),
  );
