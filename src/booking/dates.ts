/**
 * Calendar dates of the booking pages (YYYY-MM-DD strings): the one place booking adds days and
 * reads the clinic's today.
 */
import { localParts } from "../scheduling/slots";

export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The clinic's "today" in the timezone of its first location (or the clinic's own). */
export function todayIn(timezone: string, now: number): string {
  return localParts(now, timezone).date;
}
