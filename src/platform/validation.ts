/** Reading and validating form input at the edge: handlers only ever see validated values. */
import type { Context } from "hono";
import * as z from "zod/mini";
import type { AppEnv } from "./env";
import { AppError, type FieldErrors } from "./errors";

/** The submitted form as strings (files are ignored here). */
export async function formOf(c: Context<AppEnv>): Promise<Record<string, string>> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) {
    throw new AppError("unsupported_media_type", "Send this form as a regular HTML form.");
  }
  let body: Awaited<ReturnType<typeof c.req.parseBody>>;
  try {
    body = await c.req.parseBody();
  } catch {
    throw new AppError("bad_request", "The form could not be read. Reload the page and try again.");
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === "string") out[k] = v;
  return out;
}

/** An empty string (an optional field left blank) becomes null. */
export const emptyToNull = z.transform((v: string) => (v === "" ? null : v));

/** A text field that must be filled: trimmed, at most `max` characters; the messages name it by `label`. */
export const requiredText = (max: number, label: string) =>
  z.string({ error: `${label} is required.` }).check(
    z.trim(),
    z.minLength(1, { error: `${label} is required.` }),
    z.maxLength(max, { error: `${label} must be at most ${max} characters.` }),
  );

/** A text field that may be left blank: trimmed, at most `max` characters, null when empty. */
export const optionalText = (max: number, label: string) =>
  z.pipe(z.string().check(z.trim(), z.maxLength(max, { error: `${label} must be at most ${max} characters.` })), emptyToNull);

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
