/**
 * Message templates: the default wording of every patient message in English and Spanish, the
 * clinic's own wording (message_templates) that wins over it, and rendering.
 *
 * A template is plain text with placeholders such as {{first_name}}. Rendering is one pass of a
 * regular expression over the template: a value is inserted as text and never read again, so a
 * patient named "{{link}}" or "<script>" stays exactly that, and nothing is evaluated. Values lose
 * control characters, line breaks and bidirectional overrides (a name cannot add a line to an
 * email or reorder what the patient reads); the HTML form of a body escapes everything.
 *
 * SMS carry no clinical detail: no appointment type, no reason, no location name (a location
 * called "Fertility Center" says too much), only the clinic, the provider, the date and time and a
 * link. SMS bodies are counted in segments as carriers bill them: GSM 03.38 7-bit text holds 160
 * characters in one segment and 153 per segment when split; anything outside that alphabet makes
 * the whole message UCS-2, 70 and 67. See: 3GPP TS 23.038 section 6.2.1, TS 23.040 section 9.2.3.24.1.
 */
import { inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { ClinicDb } from "../platform/env";
import * as clinicSchema from "../schema/clinic";
import type { Channel } from "./tables";
import { LOCALES, messageTemplates } from "./tables";

export type Locale = (typeof LOCALES)[number];

/** Every message that has a template. */
export const TEMPLATE_KEYS = [
  "reminder",
  "booking.confirmation",
  "appointment.rescheduled",
  "appointment.cancelled",
  "waitlist.offer",
  "followup.completed",
  "followup.no_show",
  "recall",
] as const;
export type TemplateKey = (typeof TEMPLATE_KEYS)[number];

/** The channels templates are written for (portal messages reuse the email text). */
export const TEMPLATE_CHANNELS = ["email", "sms"] as const;
export type TemplateChannel = (typeof TEMPLATE_CHANNELS)[number];

export const VARIABLES = ["first_name", "clinic", "provider", "date", "time", "location", "link", "confirm_link"] as const;
export type Variable = (typeof VARIABLES)[number];
export type TemplateValues = Partial<Record<Variable, string>>;

export const VARIABLE_HELP: Record<Variable, string> = {
  first_name: "the patient's first name",
  clinic: "the clinic's name",
  provider: "the provider's name",
  date: "the visit's date, in the location's timezone",
  time: "the visit's time, in the location's timezone",
  location: "the location's name (or \"video visit\"); not in SMS",
  link: "the message's link (manage, offer or booking page)",
  confirm_link: "the signed link to confirm or cancel the visit",
};

const APPOINTMENT: readonly Variable[] = ["first_name", "clinic", "provider", "date", "time", "location", "link"];

export const TEMPLATE_INFO: Record<TemplateKey, { label: string; variables: readonly Variable[] }> = {
  reminder: { label: "Appointment reminder", variables: [...APPOINTMENT, "confirm_link"] },
  "booking.confirmation": { label: "Booking confirmation", variables: APPOINTMENT },
  "appointment.rescheduled": { label: "Appointment moved", variables: APPOINTMENT },
  "appointment.cancelled": { label: "Appointment cancelled", variables: APPOINTMENT },
  "waitlist.offer": { label: "Waitlist offer", variables: APPOINTMENT },
  "followup.completed": { label: "Follow-up after a visit", variables: APPOINTMENT },
  "followup.no_show": { label: "Follow-up after a missed visit", variables: APPOINTMENT },
  recall: { label: "Recall: time for the next visit", variables: ["first_name", "clinic", "link"] },
};

/** Variables SMS may not use: they can reveal the kind of care. */
const NOT_IN_SMS: readonly Variable[] = ["location"];

/** The variables a template of this message and channel may use. */
export function allowedVariables(key: TemplateKey, channel: TemplateChannel): Variable[] {
  return TEMPLATE_INFO[key].variables.filter((v) => channel !== "sms" || !NOT_IN_SMS.includes(v));
}

export function isTemplateKey(v: string): v is TemplateKey {
  return (TEMPLATE_KEYS as readonly string[]).includes(v);
}

export function isTemplateChannel(v: string): v is TemplateChannel {
  return (TEMPLATE_CHANNELS as readonly string[]).includes(v);
}

export function isLocale(v: string): v is Locale {
  return (LOCALES as readonly string[]).includes(v);
}

/** A patient's language for messages: their preference when it is one we write in, else English. */
export function localeOf(v: string | null | undefined): Locale {
  return v && isLocale(v) ? v : "en";
}

export interface TemplateText {
  /** Email only; null for SMS. */
  subject: string | null;
  body: string;
}

// ---------------------------------------------------------------------------------------------
// Defaults. SMS texts are written in the GSM 7-bit alphabet (the Spanish ones avoid á, í, ó, ú,
// which it lacks) so that they are billed 153 characters a segment, not 67.

type Defaults = Record<TemplateKey, Record<TemplateChannel, Record<Locale, TemplateText>>>;

const email = (subject: string, body: string): TemplateText => ({ subject, body });
const sms = (body: string): TemplateText => ({ subject: null, body });

export const DEFAULT_TEMPLATES: Defaults = {
  reminder: {
    email: {
      en: email(
        "Reminder: your appointment at {{clinic}} on {{date}}",
        "Hello {{first_name}},\n\nThis is a reminder of your appointment with {{provider}} at {{clinic}} on {{date}} at {{time}} ({{location}}).\n\n" +
          "Please confirm that you are coming, or cancel if you cannot make it:\n{{confirm_link}}\n\nSee you soon,\n{{clinic}}",
      ),
      es: email(
        "Recordatorio: su cita en {{clinic}} el {{date}}",
        "Hola {{first_name}}:\n\nLe recordamos su cita con {{provider}} en {{clinic}} el {{date}} a las {{time}} ({{location}}).\n\n" +
          "Confirme su asistencia o cancele la cita si no puede venir:\n{{confirm_link}}\n\nHasta pronto,\n{{clinic}}",
      ),
    },
    sms: {
      en: sms("{{clinic}}: your visit with {{provider}} is {{date}} at {{time}}. Confirm or cancel: {{confirm_link}} Reply STOP to opt out"),
      es: sms("{{clinic}}: su cita con {{provider}} es el {{date}} a las {{time}}. Confirme o cancele: {{confirm_link}} Responda STOP para darse de baja"),
    },
  },
  "booking.confirmation": {
    email: {
      en: email(
        "Your appointment at {{clinic}} is booked",
        "Hello {{first_name}},\n\nYour appointment with {{provider}} at {{clinic}} is booked for {{date}} at {{time}} ({{location}}).\n\n" +
          "Change or cancel it here:\n{{link}}\n\nSee you soon,\n{{clinic}}",
      ),
      es: email(
        "Su cita en {{clinic}} está reservada",
        "Hola {{first_name}}:\n\nSu cita con {{provider}} en {{clinic}} está reservada para el {{date}} a las {{time}} ({{location}}).\n\n" +
          "Puede cambiarla o cancelarla aquí:\n{{link}}\n\nHasta pronto,\n{{clinic}}",
      ),
    },
    sms: {
      en: sms("{{clinic}}: you are booked with {{provider}}, {{date}} at {{time}}. Change or cancel: {{link}} Reply STOP to opt out"),
      es: sms("{{clinic}}: su cita con {{provider}} es el {{date}} a las {{time}}. Cambiar o cancelar: {{link}} Responda STOP para darse de baja"),
    },
  },
  "appointment.rescheduled": {
    email: {
      en: email(
        "Your appointment at {{clinic}} has moved",
        "Hello {{first_name}},\n\nYour appointment with {{provider}} at {{clinic}} is now on {{date}} at {{time}} ({{location}}).\n\n" +
          "Change or cancel it here:\n{{link}}\n\n{{clinic}}",
      ),
      es: email(
        "Su cita en {{clinic}} cambió de fecha",
        "Hola {{first_name}}:\n\nSu cita con {{provider}} en {{clinic}} ahora es el {{date}} a las {{time}} ({{location}}).\n\n" +
          "Puede cambiarla o cancelarla aquí:\n{{link}}\n\n{{clinic}}",
      ),
    },
    sms: {
      en: sms("{{clinic}}: your visit with {{provider}} is now {{date}} at {{time}}. Details: {{link}}"),
      es: sms("{{clinic}}: su cita con {{provider}} ahora es el {{date}} a las {{time}}. Detalles: {{link}}"),
    },
  },
  "appointment.cancelled": {
    email: {
      en: email(
        "Your appointment at {{clinic}} is cancelled",
        "Hello {{first_name}},\n\nYour appointment with {{provider}} at {{clinic}} on {{date}} at {{time}} is cancelled.\n\n" +
          "Book a new time here:\n{{link}}\n\n{{clinic}}",
      ),
      es: email(
        "Su cita en {{clinic}} está cancelada",
        "Hola {{first_name}}:\n\nSu cita con {{provider}} en {{clinic}} del {{date}} a las {{time}} está cancelada.\n\n" +
          "Reserve otra hora aquí:\n{{link}}\n\n{{clinic}}",
      ),
    },
    sms: {
      en: sms("{{clinic}}: your visit with {{provider}}, {{date}} at {{time}}, is cancelled. Book again: {{link}}"),
      es: sms("{{clinic}}: su cita con {{provider}} del {{date}} a las {{time}} fue cancelada. Reserve otra: {{link}}"),
    },
  },
  "waitlist.offer": {
    email: {
      en: email(
        "An earlier time at {{clinic}}",
        "Hello {{first_name}},\n\nAn earlier time opened with {{provider}} at {{clinic}}: {{date}} at {{time}} ({{location}}).\n\n" +
          "The first person to claim it gets it:\n{{link}}\n\nIf it is taken, you stay on the waitlist.\n{{clinic}}",
      ),
      es: email(
        "Una hora antes en {{clinic}}",
        "Hola {{first_name}}:\n\nSe liberó una hora con {{provider}} en {{clinic}}: el {{date}} a las {{time}} ({{location}}).\n\n" +
          "La primera persona que la reserve se la queda:\n{{link}}\n\nSi ya no está libre, sigue en la lista de espera.\n{{clinic}}",
      ),
    },
    sms: {
      en: sms("{{clinic}}: an earlier time opened with {{provider}}, {{date}} at {{time}}. First to claim it gets it: {{link}}"),
      es: sms("{{clinic}}: hay una hora libre con {{provider}}, el {{date}} a las {{time}}. Se la queda quien la reserve primero: {{link}}"),
    },
  },
  "followup.completed": {
    email: {
      en: email(
        "Thank you for visiting {{clinic}}",
        "Hello {{first_name}},\n\nThank you for your visit with {{provider}}. When you need your next visit, book it here:\n{{link}}\n\n{{clinic}}",
      ),
      es: email(
        "Gracias por su visita a {{clinic}}",
        "Hola {{first_name}}:\n\nGracias por su visita con {{provider}}. Cuando necesite la próxima, resérvela aquí:\n{{link}}\n\n{{clinic}}",
      ),
    },
    sms: {
      en: sms("{{clinic}}: thank you for your visit. Book your next one: {{link}}"),
      es: sms("{{clinic}}: gracias por su visita. Reserve la siguiente: {{link}}"),
    },
  },
  "followup.no_show": {
    email: {
      en: email(
        "We missed you at {{clinic}}",
        "Hello {{first_name}},\n\nWe missed you at your appointment with {{provider}} on {{date}} at {{time}}. Book a new time here:\n{{link}}\n\n{{clinic}}",
      ),
      es: email(
        "Le echamos de menos en {{clinic}}",
        "Hola {{first_name}}:\n\nNo pudo venir a su cita con {{provider}} del {{date}} a las {{time}}. Reserve otra hora aquí:\n{{link}}\n\n{{clinic}}",
      ),
    },
    sms: {
      en: sms("{{clinic}}: we missed you on {{date}}. Book a new time: {{link}}"),
      es: sms("{{clinic}}: le esperamos el {{date}} y no pudo venir. Reserve otra hora: {{link}}"),
    },
  },
  recall: {
    email: {
      en: email("Time for your next visit at {{clinic}}", "Hello {{first_name}},\n\nIt is time to book your next visit at {{clinic}}:\n{{link}}\n\n{{clinic}}"),
      es: email("Es hora de su próxima visita a {{clinic}}", "Hola {{first_name}}:\n\nEs momento de reservar su próxima visita a {{clinic}}:\n{{link}}\n\n{{clinic}}"),
    },
    sms: {
      en: sms("{{clinic}}: it is time to book your next visit: {{link}}"),
      es: sms("{{clinic}}: es momento de reservar su siguiente visita: {{link}}"),
    },
  },
};

export function defaultTemplate(key: TemplateKey, channel: TemplateChannel, locale: Locale): TemplateText {
  return DEFAULT_TEMPLATES[key][channel][locale];
}

// ---------------------------------------------------------------------------------------------
// Clinic overrides

/** A clinic's own wording of one message (a row of message_templates). */
export interface StoredTemplate {
  template: string;
  channel: string;
  locale: string;
  subject: string | null;
  body: string;
  updatedAt: number;
  updatedBy: string | null;
}

/** The columns of message_templates that make a StoredTemplate. */
export const storedTemplateColumns = {
  template: messageTemplates.template,
  channel: messageTemplates.channel,
  locale: messageTemplates.locale,
  subject: messageTemplates.subject,
  body: messageTemplates.body,
  updatedAt: messageTemplates.updatedAt,
  updatedBy: messageTemplates.updatedBy,
};

/** The clinic's overrides, all of them or those of some messages (one query). */
export function overridesQuery(db: ClinicDb, keys?: readonly TemplateKey[]) {
  const all = db.select(storedTemplateColumns).from(messageTemplates);
  if (!keys || keys.length === 0) return all.orderBy(messageTemplates.template, messageTemplates.channel, messageTemplates.locale);
  return all.where(inArray(messageTemplates.template, [...keys]));
}

/** A drizzle client for callers that still hold the raw D1 binding. */
function clientOf(db: ClinicDb | D1Database): ClinicDb {
  return "select" in db ? db : drizzle(db, { schema: clinicSchema });
}

export async function loadOverrides(db: ClinicDb | D1Database, keys?: readonly TemplateKey[]): Promise<StoredTemplate[]> {
  return overridesQuery(clientOf(db), keys);
}

/**
 * The text of one message for one patient: the clinic's wording in the patient's language, else
 * the default in that language.
 */
export function chooseTemplate(
  overrides: readonly StoredTemplate[],
  key: TemplateKey,
  channel: TemplateChannel,
  locale: Locale,
): TemplateText & { source: "clinic" | "default" } {
  const own = overrides.find((o) => o.template === key && o.channel === channel && o.locale === locale);
  if (own) return { subject: channel === "email" ? (own.subject ?? defaultTemplate(key, channel, locale).subject) : null, body: own.body, source: "clinic" };
  return { ...defaultTemplate(key, channel, locale), source: "default" };
}

/** One message's text, read from the clinic's database (one query). */
export async function templateFor(db: ClinicDb | D1Database, key: TemplateKey, channel: TemplateChannel, locale: Locale): Promise<TemplateText> {
  const { subject, body } = chooseTemplate(await loadOverrides(db, [key]), key, channel, locale);
  return { subject, body };
}

// ---------------------------------------------------------------------------------------------
// Validation

/** `{{ name }}`: anything between double braces is a placeholder, known or not. */
const PLACEHOLDER_RE = /\{\{([^{}]*)\}\}/g;

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

// ---------------------------------------------------------------------------------------------
// Rendering

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

function fill(text: string, values: TemplateValues, channel: Channel): string {
  return text.replace(PLACEHOLDER_RE, (_m, raw: string) => {
    const name = raw.trim();
    const value = (VARIABLES as readonly string[]).includes(name) ? values[name as Variable] : undefined;
    if (value === undefined) return "";
    const clean = cleanValue(value);
    return channel === "sms" ? toGsm(clean) : clean;
  });
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

// ---------------------------------------------------------------------------------------------
// Dates and times in the location's timezone

/**
 * The date and time of an instant as a patient reads them, in the location's timezone. Email
 * spells the date out, SMS abbreviates it (every character counts there):
 *   long  en `Tuesday, March 9` / `9:00 AM`, es `martes, 9 de marzo` / `9:00`
 *   short en `Tue, Mar 9`, es `mar, 9 mar`
 */
export function formatWhen(instant: number, timezone: string, locale: Locale, style: "long" | "short" = "long"): { date: string; time: string } {
  const tag = locale === "es" ? "es" : "en-US";
  const at = new Date(instant);
  const date = new Intl.DateTimeFormat(tag, { timeZone: timezone, weekday: style, month: style, day: "numeric" }).format(at);
  const time = new Intl.DateTimeFormat(tag, { timeZone: timezone, hour: "numeric", minute: "2-digit", hour12: locale !== "es" }).format(at);
  // ICU puts a narrow no-break space before AM/PM, which is not in the SMS alphabet.
  return { date: date.replace(/\s+/g, " "), time: time.replace(/\s+/g, " ") };
}

/** The date style of a channel: short in SMS. */
export function dateStyle(channel: string): "long" | "short" {
  return channel === "sms" ? "short" : "long";
}

/** What {{location}} says: the location's name, or that it is a video visit. */
export function locationLabel(modality: string | null | undefined, locationName: string, locale: Locale): string {
  if (modality === "telehealth") return locale === "es" ? "videoconsulta" : "video visit";
  return locationName;
}

// ---------------------------------------------------------------------------------------------
// SMS segments

const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/** Characters of the extension table: each takes two septets (escape + character). */
const GSM_EXTENDED = "^{}\\[~]|€\f";
const GSM = new Set([...GSM_BASIC, ...GSM_EXTENDED]);

const LOOKALIKES: Record<string, string> = {
  "\u2018": "'",
  "\u2019": "'",
  "\u201a": "'",
  "\u201c": '"',
  "\u201d": '"',
  "\u201e": '"',
  "\u2013": "-",
  "\u2014": "-",
  "\u2026": "...",
  "\u00a0": " ",
  "\u202f": " ",
};

/**
 * A value in the SMS alphabet where it can be without changing its meaning: accents GSM lacks
 * are dropped (`María` → `Maria`, while `José` keeps its é), curly quotes and dashes become plain.
 * Characters with no such form (`李`) are kept, and make the message UCS-2.
 */
export function toGsm(value: string): string {
  let out = "";
  for (const ch of value) {
    if (GSM.has(ch)) out += ch;
    else if (LOOKALIKES[ch] !== undefined) out += LOOKALIKES[ch];
    else {
      const bare = ch.normalize("NFD").replace(/\p{M}/gu, "");
      out += bare !== "" && [...bare].every((c) => GSM.has(c)) ? bare : ch;
    }
  }
  return out;
}

export interface SmsCount {
  encoding: "GSM-7" | "UCS-2";
  /** Septets (GSM-7, extension characters count two) or UTF-16 code units (UCS-2). */
  length: number;
  segments: number;
  /** Room in one segment of a message that is split. */
  perSegment: number;
}

/** How many segments an SMS takes: GSM-7 160 alone / 153 each when split; UCS-2 70 / 67. */
export function smsSegments(text: string): SmsCount {
  const chars = [...text];
  if (chars.every((c) => GSM.has(c))) {
    const length = chars.reduce((n, c) => n + (GSM_EXTENDED.includes(c) ? 2 : 1), 0);
    return { encoding: "GSM-7", length, segments: length === 0 ? 0 : length <= 160 ? 1 : Math.ceil(length / 153), perSegment: 153 };
  }
  const length = text.length;
  return { encoding: "UCS-2", length, segments: length <= 70 ? 1 : Math.ceil(length / 67), perSegment: 67 };
}

// ---------------------------------------------------------------------------------------------
// Sample data for previews

export interface SampleContext {
  clinicName: string;
  origin: string;
  /** A signed token of the real length, so the preview counts SMS segments truthfully. */
  token: string;
  timezone: string;
  locale: Locale;
  /** The sample visit's start. */
  at: number;
  channel: TemplateChannel;
  firstName?: string;
}

/** Values of a realistic message of this kind, for the preview. */
export function sampleValues(key: TemplateKey, s: SampleContext): TemplateValues {
  const { date, time } = formatWhen(s.at, s.timezone, s.locale, dateStyle(s.channel));
  const t = encodeURIComponent(s.token);
  const links: Partial<Record<TemplateKey, string>> = {
    reminder: `${s.origin}/appointment/respond?t=${t}`,
    "booking.confirmation": `${s.origin}/book/manage?m=${t}`,
    "appointment.rescheduled": `${s.origin}/book/manage?m=${t}`,
    "waitlist.offer": `${s.origin}/book/offer?o=${t}`,
  };
  const link = links[key] ?? `${s.origin}/book/dr-alex-rivera/check-up`;
  return {
    first_name: s.firstName ?? "Maria",
    clinic: s.clinicName,
    provider: "Dr. Alex Rivera",
    date,
    time,
    location: s.locale === "es" ? "Consultorio principal" : "Main office",
    link,
    confirm_link: `${s.origin}/appointment/respond?t=${t}`,
  };
}
