/**
 * Loading what the slot engine needs, for one appointment type over a date range, in one D1
 * batch plus one call to the calendar object for live holds.
 */
import type { Clinic, Env } from "../platform/env";
import type { ClinicScope } from "../platform/scope";
import type { Busy, DateOverride, Holiday, SlotLocation, SlotProvider, SlotQuery, SlotRoom, SlotRules, SlotType, TimeOff, WeeklyRule } from "./slots";
import type { ClinicRef } from "../calendar/calendar";

export interface TypeRow extends SlotType {
  slug: string;
  name: string;
  priceCents: number;
  modality: "in_person" | "telehealth";
  bookableOnline: number;
  eligibility: "all" | "new" | "existing";
  active: number;
}

export interface ProviderRow {
  id: string;
  slug: string;
  displayName: string;
  credentials: string | null;
}

export interface LocationRow extends SlotLocation {
  name: string;
  addressLine1: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
}

export interface BookingRules extends SlotRules {
  cancelWindowHours: number;
  maxUpcomingPerPatient: number;
  holdMinutes: number;
}

export interface SchedulingData {
  query: Omit<SlotQuery, "now">;
  type: TypeRow;
  providerRows: ProviderRow[];
  locationRows: LocationRow[];
  rules: BookingRules;
}

export function clinicRef(clinic: Pick<Clinic, "slug" | "dbBinding">): ClinicRef {
  return { slug: clinic.slug, dbBinding: clinic.dbBinding };
}

export function calendarOf(env: Env, clinic: Pick<Clinic, "slug">) {
  return env.CALENDAR.getByName(clinic.slug);
}

/**
 * Hands a WebSocket upgrade to the clinic's calendar object, which then tells the page when a time
 * is taken or freed (provider and times only). A request that is not an upgrade gets 426.
 */
export async function forwardLiveSocket(env: Env, clinic: Pick<Clinic, "slug">, request: Request, what: string): Promise<Response> {
  if ((request.headers.get("Upgrade") ?? "").toLowerCase() !== "websocket") {
    return new Response(`This address takes a WebSocket: ${what}.`, { status: 426, headers: { Upgrade: "websocket", "Content-Type": "text/plain; charset=utf-8" } });
  }
  const res = await calendarOf(env, clinic).fetch(request);
  if (res.status !== 101 || !res.webSocket) return res;
  // A response of our own, whose headers the middleware may still add to.
  return new Response(null, { status: 101, webSocket: res.webSocket });
}

const DAY = 86_400_000;

/** appointment_types columns under their TypeRow names. */
export const TYPE_COLUMNS = `id, slug, name, duration_minutes AS durationMinutes, buffer_before_minutes AS bufferBeforeMinutes,
  buffer_after_minutes AS bufferAfterMinutes, price_cents AS priceCents, modality, needs_room AS needsRoom,
  resource_id AS resourceId, bookable_online AS bookableOnline, eligibility, active`;

/** The rules a clinic has before it sets its own (the migration writes the same row). */
export const DEFAULT_BOOKING_RULES: BookingRules = { minNoticeMinutes: 120, maxDaysAhead: 60, slotStepMinutes: 15, cancelWindowHours: 24, maxUpcomingPerPatient: 3, holdMinutes: 5 };

/**
 * The UTC instants that cover local dates fromDate..toDate in every timezone: a day before the
 * first, two after the last.
 */
export function utcWindow(fromDate: string, toDate: string): { from: number; to: number } {
  return { from: Date.parse(`${fromDate}T00:00:00Z`) - DAY, to: Date.parse(`${toDate}T00:00:00Z`) + 2 * DAY };
}

/** Date overrides, time off and holidays in a UTC window, for the slot engine (in this order). */
export function exceptionStatements(d1: D1Database, from: number, to: number): D1PreparedStatement[] {
  return [
    d1
      .prepare(
        `SELECT provider_id AS providerId, location_id AS locationId, date, kind, start_time AS startTime, end_time AS endTime
         FROM availability_overrides WHERE date BETWEEN ?1 AND ?2`,
      )
      .bind(isoDate(from), isoDate(to)),
    d1.prepare("SELECT provider_id AS providerId, starts_at AS startsAt, ends_at AS endsAt FROM time_off WHERE starts_at < ?2 AND ends_at > ?1").bind(from, to),
    d1.prepare("SELECT location_id AS locationId, date FROM holidays WHERE date BETWEEN ?1 AND ?2").bind(isoDate(from), isoDate(to)),
  ];
}

/** The clinic's booking rules row, as BookingRules. */
export function bookingRulesStatement(d1: D1Database): D1PreparedStatement {
  return d1.prepare(
    `SELECT min_notice_minutes AS minNoticeMinutes, max_days_ahead AS maxDaysAhead, slot_step_minutes AS slotStepMinutes,
       cancel_window_hours AS cancelWindowHours, max_upcoming_per_patient AS maxUpcomingPerPatient, hold_minutes AS holdMinutes
     FROM booking_rules WHERE id = 1`,
  );
}

/** One appointment type by id or slug (active), or null. */
export async function findType(d1: D1Database, idOrSlug: string): Promise<TypeRow | null> {
  return d1
    .prepare(
      `SELECT ${TYPE_COLUMNS} FROM appointment_types WHERE (id = ?1 OR slug = ?1) AND active = 1`,
    )
    .bind(idOrSlug)
    .first<TypeRow>()
    .then((t) => (t ? { ...t, needsRoom: !!t.needsRoom } : null));
}

/**
 * Everything the slot engine reads for `type` between two local dates, for all providers offering
 * it (or one). The UTC window is padded by a day on each side to cover every timezone.
 */
export async function loadSchedulingData(
  scope: Pick<ClinicScope, "d1">,
  env: Env,
  clinic: Clinic,
  o: { type: TypeRow; providerId?: string | null; fromDate: string; toDate: string },
): Promise<SchedulingData> {
  const d1 = scope.d1;
  const { from, to } = utcWindow(o.fromDate, o.toDate);
  const pid = o.providerId ?? null;
  const [providers, provLocs, locs, rooms, weekly, overrides, off, hols, busy, rules] = await d1.batch([
    d1
      .prepare(
        `SELECT p.id, p.slug, p.display_name AS displayName, p.credentials FROM providers p
         JOIN provider_appointment_types pt ON pt.provider_id = p.id AND pt.appointment_type_id = ?1
         WHERE p.active = 1 AND (?2 IS NULL OR p.id = ?2) ORDER BY p.display_name`,
      )
      .bind(o.type.id, pid),
    d1.prepare("SELECT provider_id AS providerId, location_id AS locationId FROM provider_locations"),
    d1.prepare(
      `SELECT id, name, timezone, address_line1 AS addressLine1, city, region, postal_code AS postalCode FROM locations WHERE active = 1`,
    ),
    d1.prepare("SELECT id, location_id AS locationId FROM resources WHERE active = 1 AND kind = 'room' ORDER BY id"),
    d1.prepare(
      `SELECT provider_id AS providerId, location_id AS locationId, weekday, kind, start_time AS startTime, end_time AS endTime,
         valid_from AS validFrom, valid_until AS validUntil FROM availability_rules WHERE (?1 IS NULL OR provider_id = ?1)`,
    ).bind(pid),
    ...exceptionStatements(d1, from, to),
    d1
      .prepare(
        `SELECT provider_id AS providerId, room_id AS roomId, resource_id AS resourceId, block_start AS blockStart, block_end AS blockEnd
         FROM appointments WHERE status != 'cancelled' AND block_start < ?2 AND block_end > ?1`,
      )
      .bind(from, to),
    bookingRulesStatement(d1),
  ]);
  const providerRows = (providers?.results ?? []) as ProviderRow[];
  const ids = new Set(providerRows.map((p) => p.id));
  const locationsBy = new Map<string, string[]>();
  for (const pl of (provLocs?.results ?? []) as { providerId: string; locationId: string }[]) {
    if (!ids.has(pl.providerId)) continue;
    locationsBy.set(pl.providerId, [...(locationsBy.get(pl.providerId) ?? []), pl.locationId]);
  }
  const slotProviders: SlotProvider[] = providerRows.map((p) => ({ id: p.id, locationIds: locationsBy.get(p.id) ?? [] }));
  const live = await calendarOf(env, clinic).liveClaims(clinicRef(clinic), from, to);
  const busyRows = [...((busy?.results ?? []) as Busy[]), ...live.map((l) => ({ providerId: l.providerId, roomId: l.roomId, resourceId: l.resourceId, blockStart: l.blockStart, blockEnd: l.blockEnd }))];
  const ruleRow = (rules?.results[0] ?? DEFAULT_BOOKING_RULES) as BookingRules;
  const locationRows = (locs?.results ?? []) as LocationRow[];
  return {
    type: o.type,
    providerRows,
    locationRows,
    rules: ruleRow,
    query: {
      fromDate: o.fromDate,
      toDate: o.toDate,
      type: o.type,
      providers: slotProviders,
      locations: locationRows.map((l) => ({ id: l.id, timezone: l.timezone })),
      rooms: (rooms?.results ?? []) as SlotRoom[],
      weekly: (weekly?.results ?? []) as WeeklyRule[],
      overrides: (overrides?.results ?? []) as DateOverride[],
      timeOff: (off?.results ?? []) as TimeOff[],
      holidays: (hols?.results ?? []) as Holiday[],
      busy: busyRows,
      rules: { minNoticeMinutes: ruleRow.minNoticeMinutes, maxDaysAhead: ruleRow.maxDaysAhead, slotStepMinutes: ruleRow.slotStepMinutes },
    },
  };
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
