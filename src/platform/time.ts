/**
 * The time module: every calendar date, wall clock and timezone conversion of the platform, and
 * the one set of date and time formatters (staff pages, booking pages, messages, calendar files).
 *
 * Vocabulary: an instant is epoch milliseconds (UTC); a date is a calendar date `YYYY-MM-DD`
 * with no zone; a time is a wall clock `HH:MM`. A date plus a time means something only in a
 * timezone (IANA name, e.g. America/New_York): `zonedInstant` and `localParts` convert between
 * the two worlds, with offsets read through @date-fns/tz. Formatting goes through `Intl` in
 * English (en-US) or Spanish (es).
 *
 * This file imports nothing from the project (only @date-fns/tz) and uses only erasable
 * TypeScript, because the slot engine uses it and scripts/bench.mjs loads that engine directly
 * with Node's type stripping. Nothing here reads the clock: `now` is always a parameter.
 */
import { tzName, tzOffset } from "@date-fns/tz";

/** The languages dates are written in; the same codes as the messaging catalogue's locales. */
export type Locale = "en" | "es";

const MINUTE = 60_000;
const DAY = 86_400_000;

/** BCP 47 tag for `Intl` of a locale. */
function tagOf(locale: Locale): string {
  return locale === "es" ? "es" : "en-US";
}

/** ICU puts narrow no-break spaces in dates and before AM/PM; pages, SMS and tests want plain spaces. */
function plain(s: string): string {
  return s.replace(/\s+/g, " ");
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

// ---------------------------------------------------------------------------------------------
// Calendar dates (no timezone)

/** The instant of a date's midnight in UTC; calendar arithmetic happens there, where no day is 23 or 25 hours. */
function utcMidnight(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

/**
 * The UTC calendar date of an instant: for windows of dates wide enough to hold the instant's date
 * in any zone (one day either side), never for a clinic's own day (see `clinicToday`).
 */
export function utcDateOf(ms: number): string {
  return dateOfUtc(ms);
}

function dateOfUtc(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
}

/**
 * A calendar date `n` days later (or earlier, for negative `n`). Dates carry no zone, so a DST
 * change in between changes nothing: addDays("2026-03-07", 1) is "2026-03-08" everywhere. To move
 * an instant by days keeping its wall clock, use `addLocalDays`.
 */
export function addDays(date: string, n: number): string {
  return dateOfUtc(utcMidnight(date) + n * DAY);
}

/** Whole days from date `a` to date `b` (negative when `b` is earlier). */
export function daysBetween(a: string, b: string): number {
  return Math.round((utcMidnight(b) - utcMidnight(a)) / DAY);
}

/** ISO weekday of a calendar date: 1 = Monday ... 7 = Sunday. */
export function isoWeekday(date: string): number {
  return new Date(utcMidnight(date)).getUTCDay() || 7;
}

/** True for a real calendar date written `YYYY-MM-DD` (not 2026-02-30). */
export function isIsoDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const ms = utcMidnight(v);
  return !Number.isNaN(ms) && dateOfUtc(ms) === v;
}

/** "HH:MM" as minutes after midnight ("24:00" is 1440). */
export function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** Age in whole years on a date (a birthday counts from its day). */
export function ageOn(dob: string, today: string): number {
  const [by, bm, bd] = dob.split("-").map(Number) as [number, number, number];
  const [ty, tm, td] = today.split("-").map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// Instants and wall clocks in a timezone

/** UTC offset of a timezone at an instant, in minutes east of UTC (New York in winter: -300). */
export function offsetAt(timezone: string, instant: number): number {
  return tzOffset(timezone, new Date(instant));
}

/** The local parts of an instant read at a known offset; `localParts` with the offset already looked up. */
export function wallClock(instant: number, offsetMinutes: number): { date: string; time: string; weekday: number } {
  const d = new Date(instant + offsetMinutes * MINUTE);
  return {
    date: `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`,
    time: `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`,
    weekday: d.getUTCDay() || 7,
  };
}

/**
 * Local calendar date (YYYY-MM-DD), HH:MM and ISO weekday (1 = Monday) of an instant in a timezone.
 * localParts(Date.parse("2026-10-03T16:00:00Z"), "Australia/Sydney")
 *   -> { date: "2026-10-04", time: "03:00", weekday: 7 }
 */
export function localParts(instant: number, timezone: string): { date: string; time: string; weekday: number } {
  return wallClock(instant, offsetAt(timezone, instant));
}

/**
 * Today's date in a timezone: the clinic's today, for ages, dates of birth and every "not in the
 * future" check. At 2026-12-03T20:00Z it is already 2026-12-04 in Pacific/Auckland.
 */
export function clinicToday(timezone: string, now: number): string {
  return localParts(now, timezone).date;
}

/**
 * The instant of a wall-clock time on a date in a timezone ("24:00" is the next midnight).
 * Same disambiguation as Temporal's "compatible":
 *   a time skipped by a DST jump moves forward by the gap:
 *     zonedInstant("2026-03-08", "02:30", "America/New_York") -> 2026-03-08T07:30Z (03:30 EDT)
 *   a time that occurs twice is its first occurrence:
 *     zonedInstant("2026-11-01", "01:30", "America/New_York") -> 2026-11-01T05:30Z (01:30 EDT)
 */
export function zonedInstant(date: string, time: string, timezone: string): number {
  const wall = utcMidnight(date) + minutesOf(time) * MINUTE;
  // A day either side of `wall` is surely before and after the true instant (offsets are < 15 h).
  const before = offsetAt(timezone, wall - DAY);
  const after = offsetAt(timezone, wall + DAY);
  const byBefore = wall - before * MINUTE;
  if (before === after) return byBefore;
  const byAfter = wall - after * MINUTE;
  const beforeFits = offsetAt(timezone, byBefore) === before;
  const afterFits = offsetAt(timezone, byAfter) === after;
  if (beforeFits && afterFits) return Math.min(byBefore, byAfter);
  if (afterFits) return byAfter;
  // In the gap (or the plain case): read with the offset in force before the jump, which lands
  // after the jump by exactly the wall time's distance into the gap.
  return byBefore;
}

/**
 * The same wall clock `n` local days later: a 10:00 visit moved by a week across a DST change is
 * still at 10:00 (so 167 or 169 real hours later, not 168).
 */
export function addLocalDays(instant: number, n: number, timezone: string): number {
  const p = localParts(instant, timezone);
  return zonedInstant(addDays(p.date, n), p.time, timezone);
}

/** The short name of a timezone at an instant, as `Intl` gives it in English: `EST`, `EDT`, `GMT+13`. */
export function zoneAbbreviation(timezone: string, instant: number): string {
  return tzName(timezone, new Date(instant), "short");
}

// ---------------------------------------------------------------------------------------------
// Formatters (Intl)

/** `1984-03-12` -> `Mar 12, 1984` (es: `12 mar 1984`); anything not a date is returned as it is. */
export function formatDate(date: string, locale: Locale = "en"): string {
  if (!isIsoDate(date)) return date;
  const f = new Intl.DateTimeFormat(tagOf(locale), { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" });
  return plain(f.format(utcMidnight(date)));
}

/** `2026-12-01` -> `Tue, Dec 1` (es: `mar, 1 dic`). */
export function dayLabel(date: string, locale: Locale = "en"): string {
  const f = new Intl.DateTimeFormat(tagOf(locale), { timeZone: "UTC", weekday: "short", month: "short", day: "numeric" });
  return plain(f.format(utcMidnight(date)));
}

/** `13:05` -> `1:05 PM` (es: `13:05`). */
export function timeLabel(hhmm: string, locale: Locale = "en"): string {
  const f = new Intl.DateTimeFormat(tagOf(locale), { timeZone: "UTC", hour: "numeric", minute: "2-digit", hour12: locale !== "es" });
  return plain(f.format(utcMidnight("1970-01-01") + minutesOf(hhmm) * MINUTE));
}

/** `10:00 AM`: the wall clock of an instant in a timezone. */
export function clockLabel(instant: number, timezone: string, locale: Locale = "en"): string {
  return timeLabel(localParts(instant, timezone).time, locale);
}

/**
 * `Tue, Dec 1 at 10:00 AM` in the timezone, with ` EST` after it when `zone` is set (pages a
 * patient may read from another timezone show the zone). Spanish: `mar, 1 dic a las 10:00`.
 */
export function whenLabel(instant: number, timezone: string, o: { zone?: boolean; locale?: Locale } = {}): string {
  const locale = o.locale ?? "en";
  const p = localParts(instant, timezone);
  const at = locale === "es" ? "a las" : "at";
  const zone = o.zone ? zoneAbbreviation(timezone, instant) : "";
  return `${dayLabel(p.date, locale)} ${at} ${timeLabel(p.time, locale)}${zone ? ` ${zone}` : ""}`;
}

/**
 * The date and time of an instant as a patient reads them in a message, in the location's
 * timezone. Email spells the date out, SMS abbreviates it (every character counts there):
 *   long  en `Tuesday, March 9` / `9:00 AM`, es `martes, 9 de marzo` / `9:00`
 *   short en `Tue, Mar 9`, es `mar, 9 mar`
 */
export function formatWhen(instant: number, timezone: string, locale: Locale, style: "long" | "short" = "long"): { date: string; time: string } {
  const tag = tagOf(locale);
  const at = new Date(instant);
  const date = new Intl.DateTimeFormat(tag, { timeZone: timezone, weekday: style, month: style, day: "numeric" }).format(at);
  const time = new Intl.DateTimeFormat(tag, { timeZone: timezone, hour: "numeric", minute: "2-digit", hour12: locale !== "es" }).format(at);
  return { date: plain(date), time: plain(time) };
}

/** An instant for staff records (audit, history) in the clinic's timezone: `2026-11-27 09:14:05 EST`. */
export function formatInstant(at: string | number, timezone: string): string {
  const instant = new Date(at).getTime();
  const p = localParts(instant, timezone);
  const seconds = two(new Date(instant + offsetAt(timezone, instant) * MINUTE).getUTCSeconds());
  return `${p.date} ${p.time}:${seconds} ${zoneAbbreviation(timezone, instant)}`;
}

/**
 * The canonical IANA name of a timezone (`america/new_york` → `America/New_York`), or null when
 * Intl does not know it. Offsets such as `+05:00` are refused: a location needs a zone with rules.
 */
export function canonicalTimeZone(name: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(name)) return null;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}
