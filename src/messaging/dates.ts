/**
 * The date and time of a visit as messages print them, in the location's timezone and the
 * patient's language. Kept alone so one time module can take its place.
 */
import type { Locale } from "./template-catalogue";

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
