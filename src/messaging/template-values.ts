/**
 * What fills a template's placeholders beyond the patient's own facts: the date style of a
 * channel, what {{location}} says, and realistic sample values for the settings preview.
 */
import { formatWhen } from "../platform/time";
import type { Locale, TemplateChannel, TemplateKey, TemplateValues } from "./template-catalogue";

/** The date style of a channel: short in SMS. */
export function dateStyle(channel: string): "long" | "short" {
  return channel === "sms" ? "short" : "long";
}

/** What {{location}} says: the location's name, or that it is a video visit. */
export function locationLabel(modality: string | null | undefined, locationName: string, locale: Locale): string {
  if (modality === "telehealth") return locale === "es" ? "videoconsulta" : "video visit";
  return locationName;
}

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
