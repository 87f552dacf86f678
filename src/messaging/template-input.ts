/**
 * Checking a template a clinic is about to save: unknown placeholders, ones an SMS may not carry,
 * braces without their pair, and lengths. Errors are keyed by the form's field names.
 */
import { controlCharacterError } from "../platform/validation";
import { allowedVariables, PLACEHOLDER_RE, TEMPLATE_INFO, VARIABLES, type TemplateChannel, type TemplateKey } from "./template-catalogue";

/**
 * The placeholders of a text that this message and channel do not know, as written
 * (`{{diagnosis}}`), each once. `allowed` defaults to every variable.
 */
export function unknownVariables(text: string, allowed: readonly string[] = VARIABLES): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER_RE)) {
    if (!allowed.includes(m[1]!.trim()) && !out.includes(m[0])) out.push(m[0]);
  }
  return out;
}

/** Lists the unknown variables of a template text (see unknownVariables). */
export const validate = unknownVariables;

/** True when braces are left over after the placeholders: `{{first_name` or `name}}`. */
function strayBraces(text: string): boolean {
  const rest = text.replace(PLACEHOLDER_RE, "");
  return rest.includes("{{") || rest.includes("}}");
}

export const SUBJECT_MAX = 200;
export const EMAIL_BODY_MAX = 5000;
export const SMS_BODY_MAX = 640;

/**
 * Field errors of a template about to be saved (empty when it may be saved): unknown or
 * disallowed variables, unclosed braces, lengths. Keys are the form's field names.
 */
export function templateErrors(key: TemplateKey, channel: TemplateChannel, t: { subject: string | null; body: string }): Record<string, string> {
  const allowed = allowedVariables(key, channel);
  const errors: Record<string, string> = {};
  const check = (field: "subject" | "body", label: string, text: string, max: number) => {
    if (field === "body" && text.trim() === "") return void (errors[field] = `${label} is required.`);
    if (text.length > max) return void (errors[field] = `${label} must be at most ${max} characters.`);
    const control = controlCharacterError(text, label, field === "subject" ? "one-line" : "multi-line");
    if (control) return void (errors[field] = control);
    const unknown = unknownVariables(text, allowed);
    if (unknown.length) {
      const smsOnly = channel === "sms" && unknown.every((u) => unknownVariables(u, TEMPLATE_INFO[key].variables).length === 0);
      errors[field] = smsOnly
        ? `${label} uses ${unknown.join(", ")}, which an SMS may not carry (it can reveal the kind of care). You can use: ${allowed.map((v) => `{{${v}}}`).join(", ")}.`
        : `${label} uses ${unknown.length === 1 ? "an unknown variable" : "unknown variables"}: ${unknown.join(", ")}. You can use: ${allowed.map((v) => `{{${v}}}`).join(", ")}.`;
      return;
    }
    if (strayBraces(text)) errors[field] = `${label} has a {{ or }} without its pair. Write variables as {{first_name}}.`;
  };
  if (channel === "email") check("subject", "Subject", t.subject ?? "", SUBJECT_MAX);
  check("body", channel === "sms" ? "Message" : "Body", t.body, channel === "sms" ? SMS_BODY_MAX : EMAIL_BODY_MAX);
  return errors;
}
