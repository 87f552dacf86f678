/**
 * The slot engine: which appointment starts are bookable, for one appointment type, across
 * providers, locations, rooms and equipment. It is pure: the clock (`now`), the timezone names
 * and every row it needs arrive as parameters; it reads no environment and no current time.
 *
 * This file imports nothing from the project but the time module (which imports only
 * @date-fns/tz), with the `.ts` extension, and uses only erasable TypeScript, because
 * scripts/bench.mjs loads it directly with Node's type stripping.
 *
 * How a slot is found, in order:
 *  1. Open intervals, per provider, per location they work at, per local date (in the location's
 *     timezone): the weekly `work` rules of that weekday valid on that date, minus that weekday's
 *     `break` rules. An `available` override replaces the day's weekly hours (breaks included)
 *     with its interval; an `unavailable` override or a holiday (of that location, or with no
 *     location: every location) closes the whole local day. Time off is cut out. What is left
 *     is merged, so Friday 22:00-24:00 and Saturday 00:00-02:00 form one interval.
 *  2. Candidate starts step from each open interval's start by `slotStepMinutes`, in real
 *     elapsed time; the appointment [start, start + duration] must fit inside the interval.
 *       availability 9:00-12:00, 30 min, step 15 -> 9:00, 9:15, ... 11:30
 *       availability 9:00-12:00 with a break 10:00-10:20, 30 min, step 15
 *         -> 9:00, 9:15, 9:30, then from the break's end: 10:20, 10:35, 10:50, 11:05, 11:20
 *  3. The block [start - bufferBefore, end + bufferAfter] must not overlap anything the provider
 *     is busy with (appointments, live holds), half-open, so touching is fine. Buffers may reach
 *     outside the open hours (a 9:00 visit with a 10 min buffer before blocks from 8:50).
 *       busy 10:30-11:00, 30 min, buffers 10/10, step 10, hours 9:00-12:00
 *         -> 9:00 ... 9:50 (block ends 10:30, touching), then 11:10 (block starts 11:00) ...
 *  4. A type that needs a room takes the first room of the location (by id) free for the whole
 *     block; a type with a resource needs that resource free for the block, at any location.
 *  5. Booking rules: start > now, start >= now + minNotice, start < now + maxDaysAhead * 24 h.
 *
 * Dates and midnight: a slot belongs to the local date on which it starts (`localDate`), and the
 * query's [fromDate, toDate] selects slots by that date. A rule whose end is <= its start runs
 * into the next day (Friday 22:00-02:00 -> Friday 22:00 to Saturday 02:00), so the rules of the
 * day before fromDate are read too: asking for Saturday alone returns Saturday 00:00 and 01:00
 * from that Friday rule. "24:00" as an end means the next midnight.
 *
 * Daylight saving time: interval bounds are wall times converted to instants, and starts then
 * step by real time, so no two slots share an instant and none overlap.
 *  - Spring forward (America/New_York 2026-03-08, 02:00 -> 03:00): hours 00:00-06:00 are five
 *    real hours; 30 min, step 30 -> 00:00, 00:30, 01:00, 01:30, 03:00, ... 05:30 (ten slots);
 *    no slot shows a 02:xx time. A wall time inside the gap moves forward by the gap (02:30 is
 *    read as 03:30).
 *  - Fall back (2026-11-01, 02:00 -> 01:00): hours 00:00-04:00 are five real hours; 30 min,
 *    step 30 -> 00:00, 00:30, 01:00, 01:30 (EDT), 01:00, 01:30 (EST), 02:00, ... 03:30 (ten
 *    slots; two of them show the same local time but are an hour apart). A wall time that occurs
 *    twice is read as its first occurrence.
 *  - Australia/Sydney works the same way: 2026-04-05 03:00 -> 02:00 makes 01:00-04:00 four real
 *    hours; 2026-10-04 02:00 -> 03:00 makes it two.
 */
import { addDays, isoWeekday, minutesOf, offsetAt, wallClock as wallOf, zonedInstant } from "../platform/time.ts";

export interface SlotRules {
  minNoticeMinutes: number;
  maxDaysAhead: number;
  slotStepMinutes: number;
}

export interface SlotType {
  id: string;
  durationMinutes: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  needsRoom: boolean;
  resourceId: string | null;
}

export interface SlotProvider {
  id: string;
  locationIds: string[];
}

export interface SlotLocation {
  id: string;
  /** IANA timezone, e.g. America/New_York. */
  timezone: string;
}

export interface SlotRoom {
  id: string;
  locationId: string;
}

export interface WeeklyRule {
  providerId: string;
  locationId: string;
  /** 1 = Monday ... 7 = Sunday (ISO 8601). */
  weekday: number;
  kind: "work" | "break";
  /** HH:MM. */
  startTime: string;
  /** HH:MM; "24:00" allowed; an end <= start means the interval runs past midnight into the next day. */
  endTime: string;
  /** Inclusive YYYY-MM-DD, or null for no bound. */
  validFrom: string | null;
  validUntil: string | null;
}

export interface DateOverride {
  providerId: string;
  locationId: string;
  date: string;
  kind: "available" | "unavailable";
  /** For `available`: null start means 00:00, null end means 24:00. */
  startTime: string | null;
  endTime: string | null;
}

export interface TimeOff {
  providerId: string;
  startsAt: number;
  endsAt: number;
}

export interface Holiday {
  /** null: every location of the clinic. */
  locationId: string | null;
  date: string;
}

/** Something that occupies time: an appointment (not cancelled) or a live claim/hold. */
export interface Busy {
  providerId: string | null;
  roomId: string | null;
  resourceId: string | null;
  blockStart: number;
  blockEnd: number;
}

export interface SlotQuery {
  /** Epoch ms. */
  now: number;
  /** Inclusive, YYYY-MM-DD, interpreted in each location's own timezone. */
  fromDate: string;
  toDate: string;
  type: SlotType;
  providers: SlotProvider[];
  locations: SlotLocation[];
  rooms: SlotRoom[];
  weekly: WeeklyRule[];
  overrides: DateOverride[];
  timeOff: TimeOff[];
  holidays: Holiday[];
  busy: Busy[];
  rules: SlotRules;
}

export interface Slot {
  providerId: string;
  locationId: string;
  startsAt: number;
  endsAt: number;
  blockStart: number;
  blockEnd: number;
  roomId: string | null;
  resourceId: string | null;
  /** The local date (YYYY-MM-DD) at the location on which the slot starts. */
  localDate: string;
  /** HH:MM at the location. */
  localTime: string;
}

export type SlotRefusal = "past" | "too_soon" | "too_far" | "outside_hours" | "taken" | "no_room" | "resource_busy";

const MINUTE = 60_000;
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Intervals of instants: [start, end) pairs kept sorted and disjoint

type Interval = [number, number];

function normalize(list: Interval[]): Interval[] {
  const sorted = list.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** `from` minus `cuts`; both sorted and disjoint. */
function subtract(from: Interval[], cuts: Interval[]): Interval[] {
  if (cuts.length === 0) return from;
  const out: Interval[] = [];
  let j = 0;
  for (const [s0, e] of from) {
    let s = s0;
    while (j < cuts.length && cuts[j]![1] <= s) j++;
    let k = j;
    while (s < e && k < cuts.length && cuts[k]![0] < e) {
      const [cs, ce] = cuts[k]!;
      if (cs > s) out.push([s, cs]);
      s = Math.max(s, ce);
      k++;
    }
    if (s < e) out.push([s, e]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Busy lookups: entries sorted by blockStart with a running maximum of blockEnd, so "does anything
// overlap [a, b)?" is one binary search: among entries starting before b, does any end after a?

interface BusyIndex {
  starts: number[];
  maxEnds: number[];
}

function buildIndex(entries: Busy[]): BusyIndex {
  const sorted = entries.filter((b) => b.blockEnd > b.blockStart).sort((a, b) => a.blockStart - b.blockStart);
  const starts: number[] = [];
  const maxEnds: number[] = [];
  let max = -Infinity;
  for (const b of sorted) {
    max = Math.max(max, b.blockEnd);
    starts.push(b.blockStart);
    maxEnds.push(max);
  }
  return { starts, maxEnds };
}

function overlaps(ix: BusyIndex | undefined, a: number, b: number): boolean {
  if (!ix) return false;
  let lo = 0;
  let hi = ix.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ix.starts[mid]! < b) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && ix.maxEnds[lo - 1]! > a;
}

function indexBy(busy: Busy[], key: (b: Busy) => string | null): Map<string, BusyIndex> {
  const groups = new Map<string, Busy[]>();
  for (const b of busy) {
    const k = key(b);
    if (k === null) continue;
    const g = groups.get(k);
    if (g) g.push(b);
    else groups.set(k, [b]);
  }
  const out = new Map<string, BusyIndex>();
  for (const [k, g] of groups) out.set(k, buildIndex(g));
  return out;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const g = out.get(k);
    if (g) g.push(t);
    else out.set(k, [t]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The query, prepared once: lookups by provider, location, date and weekday

interface Prepared {
  q: SlotQuery;
  durationMs: number;
  stepMs: number;
  beforeMs: number;
  afterMs: number;
  /** Earliest and (exclusive) latest start allowed by the booking rules. */
  earliest: number;
  latest: number;
  locations: Map<string, SlotLocation>;
  roomsByLocation: Map<string, string[]>;
  weekly: Map<string, WeeklyRule[]>;
  overrides: Map<string, DateOverride[]>;
  holidays: Set<string>;
  timeOff: Map<string, Interval[]>;
  byProvider: Map<string, BusyIndex>;
  byRoom: Map<string, BusyIndex>;
  byResource: Map<string, BusyIndex>;
  instants: Map<string, number>;
}

function prepare(q: SlotQuery): Prepared {
  const { type, rules } = q;
  if (!(type.durationMinutes > 0)) throw new RangeError(`Appointment type ${type.id} has no positive duration`);
  if (!(rules.slotStepMinutes > 0)) throw new RangeError("slotStepMinutes must be positive");
  const roomsByLocation = new Map<string, string[]>();
  for (const [loc, rooms] of groupBy(q.rooms, (r) => r.locationId)) {
    roomsByLocation.set(loc, rooms.map((r) => r.id).sort());
  }
  const timeOff = new Map<string, Interval[]>();
  for (const [p, list] of groupBy(q.timeOff, (t) => t.providerId)) {
    timeOff.set(p, normalize(list.map((t): Interval => [t.startsAt, t.endsAt])));
  }
  return {
    q,
    durationMs: type.durationMinutes * MINUTE,
    stepMs: rules.slotStepMinutes * MINUTE,
    beforeMs: type.bufferBeforeMinutes * MINUTE,
    afterMs: type.bufferAfterMinutes * MINUTE,
    earliest: Math.max(q.now + 1, q.now + rules.minNoticeMinutes * MINUTE),
    latest: q.now + rules.maxDaysAhead * DAY,
    locations: new Map(q.locations.map((l) => [l.id, l])),
    roomsByLocation,
    weekly: groupBy(q.weekly, (r) => `${r.providerId}|${r.locationId}|${r.weekday}`),
    overrides: groupBy(q.overrides, (o) => `${o.providerId}|${o.locationId}|${o.date}`),
    holidays: new Set(q.holidays.map((h) => `${h.locationId ?? "*"}|${h.date}`)),
    timeOff,
    byProvider: indexBy(q.busy, (b) => b.providerId),
    byRoom: indexBy(q.busy, (b) => b.roomId),
    byResource: indexBy(q.busy, (b) => b.resourceId),
    instants: new Map(),
  };
}

/** zonedInstant, remembered for the call: many providers share the same hours. */
function instantOf(p: Prepared, date: string, time: string, timezone: string): number {
  const key = `${timezone}|${date}|${time}`;
  let t = p.instants.get(key);
  if (t === undefined) {
    t = zonedInstant(date, time, timezone);
    p.instants.set(key, t);
  }
  return t;
}

/** The instants of a wall-clock interval starting on `date`; an end <= start is on the next day. */
function wallInterval(p: Prepared, date: string, start: string, end: string, timezone: string): Interval {
  const s = minutesOf(start);
  const e = minutesOf(end);
  const endDate = e <= s ? addDays(date, 1) : date;
  return [instantOf(p, date, start, timezone), instantOf(p, endDate, end, timezone)];
}

function validOn(rule: WeeklyRule, date: string): boolean {
  return (rule.validFrom === null || rule.validFrom <= date) && (rule.validUntil === null || date <= rule.validUntil);
}

/**
 * Open intervals of a provider at a location, from the hours of the local dates firstDate..lastDate
 * (a day's hours may run into the next day), minus closed days and time off.
 */
function openIntervals(p: Prepared, providerId: string, location: SlotLocation, firstDate: string, lastDate: string): Interval[] {
  const tz = location.timezone;
  const open: Interval[] = [];
  const cuts: Interval[] = [];
  for (let date = firstDate; date <= lastDate; date = addDays(date, 1)) {
    const overrides = p.overrides.get(`${providerId}|${location.id}|${date}`) ?? [];
    const closed =
      p.holidays.has(`*|${date}`) || p.holidays.has(`${location.id}|${date}`) || overrides.some((o) => o.kind === "unavailable");
    if (closed) {
      // A closed day has no hours of its own and also ends hours spilling in from the day before.
      cuts.push([instantOf(p, date, "00:00", tz), instantOf(p, date, "24:00", tz)]);
      continue;
    }
    const available = overrides.filter((o) => o.kind === "available");
    if (available.length > 0) {
      for (const o of available) open.push(wallInterval(p, date, o.startTime ?? "00:00", o.endTime ?? "24:00", tz));
      continue;
    }
    const rules = (p.weekly.get(`${providerId}|${location.id}|${isoWeekday(date)}`) ?? []).filter((r) => validOn(r, date));
    const work = rules.filter((r) => r.kind === "work").map((r) => wallInterval(p, date, r.startTime, r.endTime, tz));
    const breaks = rules.filter((r) => r.kind === "break").map((r) => wallInterval(p, date, r.startTime, r.endTime, tz));
    open.push(...subtract(normalize(work), normalize(breaks)));
  }
  for (const t of p.timeOff.get(providerId) ?? []) cuts.push(t);
  return subtract(normalize(open), normalize(cuts));
}

/**
 * The open intervals from `firstDate` on, each whole: hours that run without a break across
 * midnight into `firstDate` (from one or more days before) are read back to where they begin,
 * since the step grid starts there. computeSlots and checkSlot both read through this, so the
 * grid is the same whatever day a search starts on (hours of 08:10 on Saturday to noon on Monday
 * step from Saturday 08:10 whether the search starts on Saturday or on Monday). Hours open around
 * the clock are read back at most a week; the grid then starts at a midnight, and every step the
 * rules allow divides an hour, so it is the same grid either way.
 */
function wholeIntervals(p: Prepared, providerId: string, location: SlotLocation, firstDate: string, lastDate: string): Interval[] {
  let from = firstDate;
  let open = openIntervals(p, providerId, location, addDays(from, -1), lastDate);
  for (let back = 0; back < 7; back++) {
    const midnight = instantOf(p, from, "00:00", location.timezone);
    if (!open.some(([s, e]) => s < midnight && e > midnight)) break;
    from = addDays(from, -1);
    open = openIntervals(p, providerId, location, addDays(from, -1), lastDate);
  }
  return open;
}

type Verdict = { ok: true; slot: Slot } | { ok: false; reason: "taken" | "no_room" | "resource_busy" };

/** Whether the appointment starting at `start` fits around what is already busy. */
function fitAround(p: Prepared, providerId: string, locationId: string, start: number, offsetMinutes: number): Verdict {
  const end = start + p.durationMs;
  const blockStart = start - p.beforeMs;
  const blockEnd = end + p.afterMs;
  if (overlaps(p.byProvider.get(providerId), blockStart, blockEnd)) return { ok: false, reason: "taken" };
  let roomId: string | null = null;
  if (p.q.type.needsRoom) {
    for (const id of p.roomsByLocation.get(locationId) ?? []) {
      if (!overlaps(p.byRoom.get(id), blockStart, blockEnd)) {
        roomId = id;
        break;
      }
    }
    if (roomId === null) return { ok: false, reason: "no_room" };
  }
  const resourceId = p.q.type.resourceId;
  if (resourceId !== null && overlaps(p.byResource.get(resourceId), blockStart, blockEnd)) {
    return { ok: false, reason: "resource_busy" };
  }
  const wall = wallOf(start, offsetMinutes);
  return {
    ok: true,
    slot: { providerId, locationId, startsAt: start, endsAt: end, blockStart, blockEnd, roomId, resourceId, localDate: wall.date, localTime: wall.time },
  };
}

/** The offset at `start`, cheaply: one interval rarely spans a DST change. */
function offsetWithin(tz: string, startOffset: number, endOffset: number, start: number): number {
  return startOffset === endOffset ? startOffset : offsetAt(tz, start);
}

/**
 * Every bookable slot in [fromDate, toDate] (local dates at each location), sorted by startsAt,
 * then providerId, then locationId. See the module comment for the rules and worked examples.
 */
export function computeSlots(q: SlotQuery): Slot[] {
  const p = prepare(q);
  const slots: Slot[] = [];
  for (const provider of q.providers) {
    for (const locationId of provider.locationIds) {
      const location = p.locations.get(locationId);
      if (!location) continue;
      const tz = location.timezone;
      const from = Math.max(p.earliest, instantOf(p, q.fromDate, "00:00", tz));
      const until = Math.min(p.latest, instantOf(p, q.toDate, "24:00", tz));
      if (from >= until) continue;
      for (const [s, e] of wholeIntervals(p, provider.id, location, addDays(q.fromDate, -1), addDays(q.toDate, 1))) {
        const startOffset = offsetAt(tz, s);
        const endOffset = offsetAt(tz, e);
        // Skip straight to the first grid start allowed by the rules and the date range.
        const k = from > s ? Math.ceil((from - s) / p.stepMs) : 0;
        for (let t = s + k * p.stepMs; t + p.durationMs <= e && t < until; t += p.stepMs) {
          const verdict = fitAround(p, provider.id, locationId, t, offsetWithin(tz, startOffset, endOffset, t));
          if (verdict.ok) slots.push(verdict.slot);
        }
      }
    }
  }
  return slots.sort(
    (a, b) =>
      a.startsAt - b.startsAt ||
      (a.providerId < b.providerId ? -1 : a.providerId > b.providerId ? 1 : 0) ||
      (a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : 0),
  );
}

/**
 * Whether one requested slot (provider, location, start) is bookable now; returns the full Slot
 * (with the room chosen) or the first reason it is not, checked in this order: past, too_soon,
 * too_far, outside_hours, taken, no_room, resource_busy. The start must be one computeSlots would
 * offer: inside the open hours and on the step grid of its open interval (10:10 on a 15 minute
 * grid from 9:00 is outside_hours). The query's fromDate and toDate are ignored.
 */
export function checkSlot(
  q: SlotQuery,
  want: { providerId: string; locationId: string; startsAt: number },
): { ok: true; slot: Slot } | { ok: false; reason: SlotRefusal } {
  const p = prepare(q);
  const start = want.startsAt;
  if (start <= q.now) return { ok: false, reason: "past" };
  if (start < p.earliest) return { ok: false, reason: "too_soon" };
  if (start >= p.latest) return { ok: false, reason: "too_far" };
  const provider = q.providers.find((x) => x.id === want.providerId);
  const location = p.locations.get(want.locationId);
  if (!provider || !location || !provider.locationIds.includes(location.id)) return { ok: false, reason: "outside_hours" };
  const tz = location.timezone;
  const offset = offsetAt(tz, start);
  const date = wallOf(start, offset).date;
  // The same days computeSlots reads for this one date, so both agree on the grid.
  const open = wholeIntervals(p, provider.id, location, addDays(date, -1), addDays(date, 1));
  const fits = open.some(([s, e]) => s <= start && start + p.durationMs <= e && (start - s) % p.stepMs === 0);
  if (!fits) return { ok: false, reason: "outside_hours" };
  return fitAround(p, provider.id, location.id, start, offset);
}
