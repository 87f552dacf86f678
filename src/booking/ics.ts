/**
 * iCalendar files for booked appointments (RFC 5545): one VEVENT in the location's timezone with
 * a VTIMEZONE that carries that zone's UTC offset changes for the event's year. Nothing clinical
 * goes into the file: it names the clinic, the time, the place and a link to manage the booking.
 * See https://www.rfc-editor.org/rfc/rfc5545
 */
import { offsetAt as offsetMinutes, zoneAbbreviation as zoneName } from "../platform/time";
import type { Clinic } from "../platform/env";
import type { ManagedAppointment } from "./changes";

export interface IcsEvent {
  uid: string;
  startsAt: number;
  endsAt: number;
  timezone: string;
  summary: string;
  location: string | null;
  description: string;
  url: string | null;
  stamp: number;
  status?: "CONFIRMED" | "CANCELLED";
  sequence?: number;
}

/** The instants in [from, to) at which the zone's offset changes (found day by day, then to the minute). */
export function offsetTransitions(timezone: string, from: number, to: number): number[] {
  const out: number[] = [];
  const DAY = 86_400_000;
  let prev = offsetMinutes(timezone, from);
  for (let t = from + DAY; t <= to; t += DAY) {
    const cur = offsetMinutes(timezone, t);
    if (cur !== prev) {
      let lo = t - DAY;
      let hi = t;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (offsetMinutes(timezone, mid) === prev) lo = mid;
        else hi = mid;
      }
      out.push(hi);
      prev = cur;
    }
  }
  return out;
}

function two(n: number): string {
  return String(n).padStart(2, "0");
}

function fmtOffset(min: number): string {
  const sign = min < 0 ? "-" : "+";
  const a = Math.abs(min);
  return `${sign}${two(Math.floor(a / 60))}${two(a % 60)}`;
}

/** Local wall time of an instant at a fixed offset, as YYYYMMDDTHHMMSS. */
function wall(instant: number, offset: number): string {
  const d = new Date(instant + offset * 60_000);
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}T${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
}

function utc(instant: number): string {
  return `${wall(instant, 0)}Z`;
}

/** TEXT escaping (RFC 5545 §3.3.11). */
export function escapeText(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

/** Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence. */
export function fold(line: string): string {
  const bytes = new TextEncoder().encode(line);
  if (bytes.length <= 75) return line;
  const out: string[] = [];
  let chunk = "";
  let size = 0;
  let limit = 75;
  for (const ch of line) {
    const n = new TextEncoder().encode(ch).length;
    if (size + n > limit) {
      out.push(chunk);
      chunk = "";
      size = 0;
      limit = 74; // continuation lines begin with a space
    }
    chunk += ch;
    size += n;
  }
  out.push(chunk);
  return out.join("\r\n ");
}

function vtimezone(timezone: string, around: number): string[] {
  // From the middle of the year before, so an event early in the year still has the observance in
  // force (the previous autumn's change) and not only the ones that follow it.
  const year = new Date(around).getUTCFullYear();
  const from = Date.UTC(year - 1, 6, 1);
  const to = Date.UTC(year + 1, 0, 1);
  const lines = ["BEGIN:VTIMEZONE", `TZID:${timezone}`];
  const changes = offsetTransitions(timezone, from, to);
  if (changes.length === 0) {
    const off = offsetMinutes(timezone, around);
    lines.push("BEGIN:STANDARD", "DTSTART:19700101T000000", `TZOFFSETFROM:${fmtOffset(off)}`, `TZOFFSETTO:${fmtOffset(off)}`);
    lines.push(`TZNAME:${zoneName(timezone, around)}`, "END:STANDARD");
  } else {
    for (const t of changes) {
      const before = offsetMinutes(timezone, t - 60_000);
      const after = offsetMinutes(timezone, t);
      const kind = after > before ? "DAYLIGHT" : "STANDARD";
      lines.push(`BEGIN:${kind}`, `DTSTART:${wall(t, before)}`, `TZOFFSETFROM:${fmtOffset(before)}`, `TZOFFSETTO:${fmtOffset(after)}`);
      lines.push(`TZNAME:${zoneName(timezone, t)}`, `END:${kind}`);
    }
  }
  lines.push("END:VTIMEZONE");
  return lines;
}

export function buildIcs(e: IcsEvent): string {
  const startOff = offsetMinutes(e.timezone, e.startsAt);
  const endOff = offsetMinutes(e.timezone, e.endsAt);
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Clinic Platform//Booking//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    ...vtimezone(e.timezone, e.startsAt),
    "BEGIN:VEVENT",
    `UID:${e.uid}`,
    `DTSTAMP:${utc(e.stamp)}`,
    `DTSTART;TZID=${e.timezone}:${wall(e.startsAt, startOff)}`,
    `DTEND;TZID=${e.timezone}:${wall(e.endsAt, endOff)}`,
    `SUMMARY:${escapeText(e.summary)}`,
    ...(e.location ? [`LOCATION:${escapeText(e.location)}`] : []),
    `DESCRIPTION:${escapeText(e.description)}`,
    ...(e.url ? [`URL:${e.url}`] : []),
    `STATUS:${e.status ?? "CONFIRMED"}`,
    `SEQUENCE:${e.sequence ?? 0}`,
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return `${lines.map(fold).join("\r\n")}\r\n`;
}

/** The calendar file of a booking, with its manage link. */
export function icsFor(a: ManagedAppointment, clinic: Clinic, manageUrl: string, now: number): string {
  return buildIcs({
    uid: `${a.id}@${clinic.slug}`,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    timezone: a.timezone,
    summary: `Appointment at ${clinic.name}`,
    location: a.modality === "telehealth" ? "Video visit (link sent before the visit)" : [a.locationName, a.address].filter(Boolean).join(", "),
    description: `Change or cancel: ${manageUrl}`,
    url: manageUrl,
    stamp: now,
    status: a.status === "cancelled" ? "CANCELLED" : "CONFIRMED",
    // Each change of the appointment bumps its version, so calendars replace their copy.
    sequence: a.version - 1,
  });
}
