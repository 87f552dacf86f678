/**
 * Rendering a template with its values. Rendering is one pass of a regular expression over the
 * template: a value is inserted as text and never read again, so a patient named "{{link}}" or
 * "<script>" stays exactly that, and nothing is evaluated. Values lose control characters, line
 * breaks and bidirectional overrides (a name cannot add a line to an email or reorder what the
 * patient reads); the HTML form of a body escapes everything.
 */
import { PLACEHOLDER_RE, VARIABLES, type TemplateText, type TemplateValues, type Variable } from "./template-catalogue";
import { toGsm } from "./sms-segments";
import type { Channel } from "./tables";

// eslint-disable-next-line no-control-regex
const VALUE_BREAKS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
const TEXT_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
/** Bidirectional embeddings, overrides and isolates: they can make text read differently than it is. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;
const VALUE_MAX = 1000;

/** A value as it may appear in a message: one line, no control or bidi characters, trimmed. */
export function cleanValue(v: string): string {
  return v.replace(VALUE_BREAKS, " ").replace(BIDI, "").replace(/\s+/g, " ").trim().slice(0, VALUE_MAX);
}

/** Template text: line breaks kept (as \n) in bodies, none in a subject; no other controls. */
function cleanText(t: string, multiline: boolean): string {
  const unified = t.replace(/\r\n?/g, "\n").replace(BIDI, "");
  if (!multiline) return unified.replace(/[\n\t]/g, " ").replace(TEXT_CONTROLS, " ");
  return unified.replace(/\t/g, " ").replace(TEXT_CONTROLS, " ");
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

export interface RenderOptions {
  channel: Channel;
  /** The HTML part of an email: everything escaped, line breaks as <br>. */
  html?: boolean;
}

/** Marks a placeholder left empty while filling (template text holds no control characters). */
export const EMPTY = "\u0000";

/**
 * Removes the marks of empty placeholders with the space or comma that only served them:
 * "Hello {{first_name}}," becomes "Hello,", "See you soon, {{first_name}}!" becomes "See you soon!".
 */
export function dropEmpty(text: string): string {
  return text
    .replace(/[ \t]*\u0000(?=[,:;.!?])/g, "")
    .replace(/,[ \t]*\u0000(?=[ \t]*(?:$|\n|[.!?]))/gm, "")
    .replaceAll(EMPTY, "");
}

/** Fills the placeholders; one left empty (no value, or a name withheld from an unconfirmed contact) goes with its space (`dropEmpty`). */
function fill(text: string, values: TemplateValues, channel: Channel): string {
  const filled = text.replace(PLACEHOLDER_RE, (_m, raw: string) => {
    const name = raw.trim();
    const value = (VARIABLES as readonly string[]).includes(name) ? values[name as Variable] : undefined;
    if (value === undefined) return EMPTY;
    const clean = cleanValue(value);
    if (clean === "") return EMPTY;
    return channel === "sms" ? toGsm(clean) : clean;
  });
  return dropEmpty(filled);
}

/**
 * A message from a template and its values. Placeholders without a value (or unknown ones, which
 * saving refuses) are left out. Plain text unless `html` is asked for.
 */
export function render(t: TemplateText, values: TemplateValues, o: RenderOptions): TemplateText {
  const subject = t.subject === null || o.channel === "sms" ? null : fill(cleanText(t.subject, false), values, o.channel).replace(/ {2,}/g, " ").trim();
  let body = fill(cleanText(t.body, true), values, o.channel).trim();
  if (o.html) return { subject: subject === null ? null : escapeHtml(subject), body: escapeHtml(body).replace(/\n/g, "<br>\n") };
  if (o.channel === "sms") body = body.replace(/[ \t]*\n[ \t]*/g, "\n");
  return { subject, body };
}
