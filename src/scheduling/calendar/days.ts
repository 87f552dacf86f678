/**
 * Pure calendar arithmetic for the staff calendar: local dates, a provider's hours on one day (for
 * display), the 15-minute rows of the day grid, and the dates of a recurring series. Nothing here
 * reads the clock or the environment; date arithmetic itself is the time module's (src/platform/time).
 */
import { addDays, isoWeekday, minutesOf } from "../../platform/time";
import type { DateOverride, Holiday, WeeklyRule } from "../slots";

/** Rows of the day grid are this many minutes apart. */
export const ROW_MINUTES = 15;


/** The Monday of the ISO week that holds `date`. */
export function mondayOf(date: string): string {
  return addDays(date, 1 - isoWeekday(date));
}

/** Minutes after midnight as "HH:MM". */
export function hhmm(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}

export type WallInterval = [number, number];

function merge(list: WallInterval[]): WallInterval[] {
  const sorted = list.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out: WallInterval[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

function minus(from: WallInterval[], cuts: WallInterval[]): WallInterval[] {
  let out = from;
  for (const [cs, ce] of cuts) {
    out = out.flatMap(([s, e]): WallInterval[] => (ce <= s || cs >= e ? [[s, e]] : ([[s, cs], [ce, e]] as WallInterval[]).filter(([a, b]) => b > a)));
  }
  return out;
}

/** A wall interval on one day; an end at or before the start runs to midnight (display only). */
function wall(start: string, end: string): WallInterval {
  const s = minutesOf(start);
  const e = minutesOf(end);
  return [s, e <= s ? 1440 : e];
}

export interface HoursInput {
  weekly: WeeklyRule[];
  overrides: DateOverride[];
  holidays: Holiday[];
}

/**
 * A provider's working hours at a location on one local date, as minutes after midnight, for
 * drawing the day (the slot engine stays the authority on what is bookable). Same precedence as
 * the engine: a holiday or an `unavailable` override closes the day, an `available` override
 * replaces the weekly hours, otherwise weekly `work` rules minus `break` rules. Hours running past
 * midnight are cut at midnight here.
 *   work 08:00-18:00, break 12:00-13:00 -> [[480, 720], [780, 1080]]
 */
export function dayHours(h: HoursInput, providerId: string, locationId: string, date: string): WallInterval[] {
  if (h.holidays.some((x) => x.date === date && (x.locationId === null || x.locationId === locationId))) return [];
  const overrides = h.overrides.filter((o) => o.providerId === providerId && o.locationId === locationId && o.date === date);
  if (overrides.some((o) => o.kind === "unavailable")) return [];
  const available = overrides.filter((o) => o.kind === "available");
  if (available.length > 0) return merge(available.map((o) => wall(o.startTime ?? "00:00", o.endTime ?? "24:00")));
  const weekday = isoWeekday(date);
  const rules = h.weekly.filter(
    (r) =>
      r.providerId === providerId &&
      r.locationId === locationId &&
      r.weekday === weekday &&
      (r.validFrom === null || r.validFrom <= date) &&
      (r.validUntil === null || date <= r.validUntil),
  );
  const work = merge(rules.filter((r) => r.kind === "work").map((r) => wall(r.startTime, r.endTime)));
  const breaks = merge(rules.filter((r) => r.kind === "break").map((r) => wall(r.startTime, r.endTime)));
  return minus(work, breaks);
}

export interface Placed {
  /** Minutes after local midnight. */
  startMin: number;
  endMin: number;
}

/** A run of grid rows in one column holding items that touch the same rows. */
export interface Cluster<T> {
  row: number;
  span: number;
  items: T[];
}

/**
 * Places items (appointments) into the rows of one column: each covers the rows its local start
 * and end touch, and items sharing a row share one cell, so a column never needs two cells in a
 * row (a 10:00-10:20 visit and a 10:25 one both fall in the 10:15 row: one cell of two rows).
 */
export function clusterRows<T extends Placed>(items: T[], firstMin: number, rows: number): Cluster<T>[] {
  const sorted = [...items].sort((a, b) => a.startMin - b.startMin);
  const out: Cluster<T>[] = [];
  for (const it of sorted) {
    const r0 = Math.min(rows - 1, Math.max(0, Math.floor((it.startMin - firstMin) / ROW_MINUTES)));
    const r1 = Math.min(rows, Math.max(r0 + 1, Math.ceil((it.endMin - firstMin) / ROW_MINUTES)));
    const last = out[out.length - 1];
    if (last && r0 < last.row + last.span) {
      last.span = Math.max(last.span, r1 - last.row);
      last.items.push(it);
    } else {
      out.push({ row: r0, span: r1 - r0, items: [it] });
    }
  }
  return out;
}

/** The grid's first row and row count covering every interval, on 15-minute boundaries. */
export function gridBounds(intervals: WallInterval[]): { firstMin: number; rows: number } | null {
  if (intervals.length === 0) return null;
  const first = Math.floor(Math.min(...intervals.map((i) => i[0])) / ROW_MINUTES) * ROW_MINUTES;
  const last = Math.ceil(Math.max(...intervals.map((i) => i[1])) / ROW_MINUTES) * ROW_MINUTES;
  return { firstMin: first, rows: Math.max(1, (last - first) / ROW_MINUTES) };
}

export const MAX_OCCURRENCES = 52;
/** A series may not run further ahead than this from its first visit. */
export const MAX_SERIES_DAYS = 366;

/**
 * The local dates of a recurring series: every `everyWeeks` weeks from `firstDate`, `count`
 * visits in all (the first included), or up to and including `until`; never more than 52.
 * Each visit keeps the first one's wall-clock time, so a weekly 10:00 stays at 10:00 across a
 * daylight saving change (RFC 5545 RRULE:FREQ=WEEKLY;INTERVAL=n;COUNT=c or UNTIL=d semantics).
 *   ("2026-03-03", 1, {count: 3}) -> 2026-03-03, 2026-03-10, 2026-03-17
 *   ("2026-03-03", 2, {until: "2026-03-31"}) -> 2026-03-03, 2026-03-17, 2026-03-31
 */
export function seriesDates(firstDate: string, everyWeeks: number, end: { count: number } | { until: string }): string[] {
  const out: string[] = [];
  for (let k = 0; out.length < MAX_OCCURRENCES; k++) {
    const date = addDays(firstDate, k * 7 * everyWeeks);
    if ("count" in end ? k >= end.count : date > end.until) break;
    out.push(date);
  }
  return out;
}
