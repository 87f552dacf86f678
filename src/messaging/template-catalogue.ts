/**
 * The catalogue of patient messages: which messages have templates, in which channels and
 * languages, which placeholders each may use (SMS carry no clinical detail: no location, so not
 * the kind of care), and the default wording of every one in English and Spanish. A template is
 * plain text with placeholders such as {{first_name}}.
 */
import { LOCALES } from "./tables";

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

/** `{{ name }}`: anything between double braces is a placeholder, known or not. */
export const PLACEHOLDER_RE = /\{\{([^{}]*)\}\}/g;

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
