/**
 * Loading what the slot engine needs, for one appointment type over a date range, in one D1
 * batch plus one call to the calendar object for live holds.
 */
import { and, asc, between, eq, gt, lt, ne, or } from "drizzle-orm";
import type { Clinic, ClinicDb, Env } from "../platform/env";
import { AppError } from "../platform/errors";
import type { ClinicScope } from "../platform/scope";
import { utcDateOf } from "../platform/time";
import type { Busy, SlotLocation, SlotProvider, SlotQuery, SlotRules, SlotType } from "./slots";
import type { ClinicRef } from "../calendar/calendar";
import {
  appointments,
  appointmentTypes,
  availabilityOverrides,
  availabilityRules,
  bookingRules,
  holidays,
  locations,
  providerAppointmentTypes,
  providerLocations,
  providers,
  resources,
  timeOff,
} from "./tables";

export interface TypeRow extends SlotType {
  slug: string;
  name: string;
  priceCents: number;
  modality: "in_person" | "telehealth";
  bookableOnline: boolean;
  eligibility: "all" | "new" | "existing";
  active: boolean;
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
  // Browsers send Origin with every WebSocket handshake and cookies go along: a page of another
  // site must not open a signed-in socket (cross-site WebSocket hijacking).
  const origin = request.headers.get("Origin");
  if ((origin !== null && origin !== new URL(request.url).origin) || request.headers.get("Sec-Fetch-Site") === "cross-site") {
    throw new AppError("forbidden", "Live updates open only from this clinic's own pages.");
  }
  const res = await calendarOf(env, clinic).fetch(request);
  if (res.status !== 101 || !res.webSocket) return res;
  // A response of our own, whose headers the middleware may still add to.
  return new Response(null, { status: 101, webSocket: res.webSocket });
}

const DAY = 86_400_000;

/** appointment_types columns under their TypeRow names, for `db.select(TYPE_COLUMNS)`. */
export const TYPE_COLUMNS = {
  id: appointmentTypes.id,
  slug: appointmentTypes.slug,
  name: appointmentTypes.name,
  durationMinutes: appointmentTypes.durationMinutes,
  bufferBeforeMinutes: appointmentTypes.bufferBeforeMinutes,
  bufferAfterMinutes: appointmentTypes.bufferAfterMinutes,
  priceCents: appointmentTypes.priceCents,
  modality: appointmentTypes.modality,
  needsRoom: appointmentTypes.needsRoom,
  resourceId: appointmentTypes.resourceId,
  bookableOnline: appointmentTypes.bookableOnline,
  eligibility: appointmentTypes.eligibility,
  active: appointmentTypes.active,
};

/** availability_rules columns as the slot engine's WeeklyRule. */
export const WEEKLY_COLUMNS = {
  providerId: availabilityRules.providerId,
  locationId: availabilityRules.locationId,
  weekday: availabilityRules.weekday,
  kind: availabilityRules.kind,
  startTime: availabilityRules.startTime,
  endTime: availabilityRules.endTime,
  validFrom: availabilityRules.validFrom,
  validUntil: availabilityRules.validUntil,
};

/** appointments columns as the slot engine's Busy. */
export const BUSY_COLUMNS = {
  providerId: appointments.providerId,
  roomId: appointments.roomId,
  resourceId: appointments.resourceId,
  blockStart: appointments.blockStart,
  blockEnd: appointments.blockEnd,
};

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
export function exceptionStatements(db: ClinicDb, from: number, to: number) {
  const o = availabilityOverrides;
  return [
    db
      .select({ providerId: o.providerId, locationId: o.locationId, date: o.date, kind: o.kind, startTime: o.startTime, endTime: o.endTime })
      .from(o)
      .where(between(o.date, utcDateOf(from), utcDateOf(to))),
    db
      .select({ providerId: timeOff.providerId, startsAt: timeOff.startsAt, endsAt: timeOff.endsAt })
      .from(timeOff)
      .where(and(lt(timeOff.startsAt, to), gt(timeOff.endsAt, from))),
    db
      .select({ locationId: holidays.locationId, date: holidays.date })
      .from(holidays)
      .where(between(holidays.date, utcDateOf(from), utcDateOf(to))),
  ] as const;
}

/** The clinic's booking rules row, as BookingRules (no row: an empty result). */
export function bookingRulesStatement(db: ClinicDb) {
  const r = bookingRules;
  return db
    .select({
      minNoticeMinutes: r.minNoticeMinutes,
      maxDaysAhead: r.maxDaysAhead,
      slotStepMinutes: r.slotStepMinutes,
      cancelWindowHours: r.cancelWindowHours,
      maxUpcomingPerPatient: r.maxUpcomingPerPatient,
      holdMinutes: r.holdMinutes,
    })
    .from(r)
    .where(eq(r.id, 1));
}

/** One appointment type by id or slug (active), or null. */
export async function findType(db: ClinicDb, idOrSlug: string): Promise<TypeRow | null> {
  const t = appointmentTypes;
  const row = await db
    .select(TYPE_COLUMNS)
    .from(t)
    .where(and(or(eq(t.id, idOrSlug), eq(t.slug, idOrSlug)), eq(t.active, true)))
    .get();
  return row ?? null;
}

/**
 * Everything the slot engine reads for `type` between two local dates, for all providers offering
 * it (or one). The UTC window is padded by a day on each side to cover every timezone.
 */
export async function loadSchedulingData(
  scope: Pick<ClinicScope, "db">,
  env: Env,
  clinic: Clinic,
  o: { type: TypeRow; providerId?: string | null; fromDate: string; toDate: string },
): Promise<SchedulingData> {
  const db = scope.db;
  const { from, to } = utcWindow(o.fromDate, o.toDate);
  const pid = o.providerId ?? null;
  const pat = providerAppointmentTypes;
  const [providerRows, provLocs, locationRows, rooms, weekly, overrides, off, hols, busy, rules] = await db.batch([
    db
      .select({ id: providers.id, slug: providers.slug, displayName: providers.displayName, credentials: providers.credentials })
      .from(providers)
      .innerJoin(pat, and(eq(pat.providerId, providers.id), eq(pat.appointmentTypeId, o.type.id)))
      .where(and(eq(providers.active, true), pid === null ? undefined : eq(providers.id, pid)))
      .orderBy(asc(providers.displayName)),
    db.select({ providerId: providerLocations.providerId, locationId: providerLocations.locationId }).from(providerLocations),
    db
      .select({
        id: locations.id,
        name: locations.name,
        timezone: locations.timezone,
        addressLine1: locations.addressLine1,
        city: locations.city,
        region: locations.region,
        postalCode: locations.postalCode,
      })
      .from(locations)
      .where(eq(locations.active, true)),
    db
      .select({ id: resources.id, locationId: resources.locationId })
      .from(resources)
      .where(and(eq(resources.active, true), eq(resources.kind, "room")))
      .orderBy(asc(resources.id)),
    db
      .select(WEEKLY_COLUMNS)
      .from(availabilityRules)
      .where(pid === null ? undefined : eq(availabilityRules.providerId, pid)),
    ...exceptionStatements(db, from, to),
    db
      .select(BUSY_COLUMNS)
      .from(appointments)
      .where(and(ne(appointments.status, "cancelled"), lt(appointments.blockStart, to), gt(appointments.blockEnd, from))),
    bookingRulesStatement(db),
  ]);
  const ids = new Set(providerRows.map((p) => p.id));
  const locationsBy = new Map<string, string[]>();
  for (const pl of provLocs) {
    if (!ids.has(pl.providerId)) continue;
    locationsBy.set(pl.providerId, [...(locationsBy.get(pl.providerId) ?? []), pl.locationId]);
  }
  const slotProviders: SlotProvider[] = providerRows.map((p) => ({ id: p.id, locationIds: locationsBy.get(p.id) ?? [] }));
  const live = await calendarOf(env, clinic).liveClaims(clinicRef(clinic), from, to);
  const busyRows: Busy[] = [...busy, ...live.map((l) => ({ providerId: l.providerId, roomId: l.roomId, resourceId: l.resourceId, blockStart: l.blockStart, blockEnd: l.blockEnd }))];
  const ruleRow: BookingRules = rules[0] ?? DEFAULT_BOOKING_RULES;
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
      rooms,
      weekly,
      overrides,
      timeOff: off,
      holidays: hols,
      busy: busyRows,
      rules: { minNoticeMinutes: ruleRow.minNoticeMinutes, maxDaysAhead: ruleRow.maxDaysAhead, slotStepMinutes: ruleRow.slotStepMinutes },
    },
  };
}

