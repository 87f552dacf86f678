/**
 * Reading the staff calendar's data: everything one calendar page needs (locations, rooms,
 * providers, types, hours, closures, busy time and the appointments shown with their patients'
 * names) in one D1 batch, whatever the number of providers or appointments.
 */
import { and, asc, count, eq, gt, gte, inArray, isNotNull, lt, lte, ne, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { patients } from "../../patients/tables";
import type { ClinicDb } from "../../platform/env";
import { bookingRulesStatement, BUSY_COLUMNS, DEFAULT_BOOKING_RULES, exceptionStatements, TYPE_COLUMNS, utcWindow, WEEKLY_COLUMNS, type BookingRules, type TypeRow } from "../data";
import type { Busy, DateOverride, Holiday, TimeOff, WeeklyRule } from "../slots";
import {
  appointments,
  appointmentSeries,
  appointmentTypes,
  availabilityRules,
  locations,
  providerAppointmentTypes,
  providerLocations,
  providers,
  resources,
  type AppointmentStatus,
} from "../tables";

export interface CalLocation {
  id: string;
  name: string;
  timezone: string;
}

export interface CalRoom {
  id: string;
  locationId: string;
  name: string;
}

export interface CalProvider {
  id: string;
  slug: string;
  displayName: string;
  credentials: string | null;
  locationIds: string[];
  typeIds: string[];
}

/** An appointment as the calendar shows it: with the patient's name, type, room and provider. */
export interface ShownAppointment {
  id: string;
  patientId: string;
  givenName: string;
  familyName: string;
  providerId: string;
  providerName: string;
  locationId: string;
  locationName: string;
  timezone: string;
  typeId: string;
  typeName: string;
  roomId: string | null;
  roomName: string | null;
  startsAt: number;
  endsAt: number;
  blockStart: number;
  blockEnd: number;
  status: AppointmentStatus;
  source: "staff" | "online" | "waitlist" | "recurring";
  seriesId: string | null;
  cancelReason: string | null;
  version: number;
  resourceId: string | null;
}

export interface BusyRow extends Busy {
  /** The appointment holding the time; null for a live claim of the calendar object. */
  id: string | null;
}

export interface CalendarWorld {
  locations: CalLocation[];
  rooms: CalRoom[];
  providers: CalProvider[];
  types: TypeRow[];
  weekly: WeeklyRule[];
  overrides: DateOverride[];
  timeOff: TimeOff[];
  holidays: Holiday[];
  busy: BusyRow[];
  rules: BookingRules;
  shown: ShownAppointment[];
  /** The instants the data covers: the local dates asked for, padded by a day for any timezone. */
  from: number;
  to: number;
}

export interface WorldQuery {
  /** Local dates, inclusive. */
  fromDate: string;
  toDate: string;
  /** Which appointments to show with names (none when omitted). */
  show?: { locationId: string | null; providerId: string | null };
  /** Only busy time that can matter to this provider, room set or resource (a booking's check). */
  busyFor?: { providerId: string; anyRoom: boolean; resourceId: string | null };
}

/**
 * The columns of a ShownAppointment. The names of the location, type and room are aliased: in a
 * D1 batch, result columns of the same name ("name") would overwrite each other.
 */
const SHOWN_COLUMNS = {
  id: appointments.id,
  patientId: appointments.patientId,
  givenName: patients.givenName,
  familyName: patients.familyName,
  providerId: appointments.providerId,
  providerName: providers.displayName,
  locationId: appointments.locationId,
  locationName: sql<string>`${locations.name}`.as("location_name"),
  timezone: locations.timezone,
  typeId: appointments.appointmentTypeId,
  typeName: sql<string>`${appointmentTypes.name}`.as("type_name"),
  roomId: appointments.roomId,
  roomName: sql<string | null>`${resources.name}`.as("room_name"),
  startsAt: appointments.startsAt,
  endsAt: appointments.endsAt,
  blockStart: appointments.blockStart,
  blockEnd: appointments.blockEnd,
  status: appointments.status,
  source: appointments.source,
  seriesId: appointments.seriesId,
  cancelReason: appointments.cancelReason,
  version: appointments.version,
  resourceId: appointments.resourceId,
};

/** Appointments with their patient, provider, location, type and room, as the calendar shows them. */
function shownWhere(db: ClinicDb, where: SQL | undefined) {
  return db
    .select(SHOWN_COLUMNS)
    .from(appointments)
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .innerJoin(providers, eq(providers.id, appointments.providerId))
    .innerJoin(locations, eq(locations.id, appointments.locationId))
    .innerJoin(appointmentTypes, eq(appointmentTypes.id, appointments.appointmentTypeId))
    .leftJoin(resources, eq(resources.id, appointments.roomId))
    .where(where);
}

/** Everything a calendar page reads for local dates fromDate..toDate, in one D1 batch. */
export async function loadWorld(db: ClinicDb, q: WorldQuery): Promise<CalendarWorld> {
  const { from, to } = utcWindow(q.fromDate, q.toDate);
  const bf = q.busyFor ?? null;
  const a = appointments;
  // Ids of a provider's locations and types, comma-separated (split below).
  const locationIds = sql<string | null>`(SELECT group_concat(${providerLocations.locationId}) FROM ${providerLocations} WHERE ${providerLocations.providerId} = ${providers.id})`;
  const typeIds = sql<string | null>`(SELECT group_concat(${providerAppointmentTypes.appointmentTypeId}) FROM ${providerAppointmentTypes} WHERE ${providerAppointmentTypes.providerId} = ${providers.id})`;
  const show = q.show;
  const [locs, rooms, providerRows, types, weekly, overrides, off, hols, busy, rules, shown] = await db.batch([
    db.select({ id: locations.id, name: locations.name, timezone: locations.timezone }).from(locations).where(eq(locations.active, true)).orderBy(asc(locations.name), asc(locations.id)),
    db
      .select({ id: resources.id, locationId: resources.locationId, name: resources.name })
      .from(resources)
      .where(and(eq(resources.active, true), eq(resources.kind, "room")))
      .orderBy(asc(resources.id)),
    db
      .select({
        id: providers.id,
        slug: providers.slug,
        displayName: providers.displayName,
        credentials: providers.credentials,
        locationIds: locationIds.as("location_ids"),
        typeIds: typeIds.as("type_ids"),
      })
      .from(providers)
      .where(eq(providers.active, true))
      .orderBy(asc(providers.displayName), asc(providers.id)),
    db.select(TYPE_COLUMNS).from(appointmentTypes).where(eq(appointmentTypes.active, true)).orderBy(asc(appointmentTypes.name), asc(appointmentTypes.id)),
    db.select(WEEKLY_COLUMNS).from(availabilityRules),
    ...exceptionStatements(db, from, to),
    db
      .select({ id: a.id, ...BUSY_COLUMNS })
      .from(a)
      .where(
        and(
          ne(a.status, "cancelled"),
          lt(a.blockStart, to),
          gt(a.blockEnd, from),
          // Only what can matter to this provider, any room, or this resource.
          bf
            ? or(eq(a.providerId, bf.providerId), bf.anyRoom ? isNotNull(a.roomId) : undefined, bf.resourceId !== null ? eq(a.resourceId, bf.resourceId) : undefined)
            : undefined,
        ),
      ),
    bookingRulesStatement(db),
    shownWhere(
      db,
      show
        ? and(
            ne(a.status, "cancelled"),
            gte(a.startsAt, from),
            lt(a.startsAt, to),
            show.locationId === null ? undefined : eq(a.locationId, show.locationId),
            show.providerId === null ? undefined : eq(a.providerId, show.providerId),
          )
        : sql`0`,
    ).orderBy(asc(a.startsAt), asc(a.providerId)),
  ]);
  const split = (v: string | null) => (v ? v.split(",") : []);
  return {
    locations: locs,
    rooms,
    providers: providerRows.map((p) => ({ ...p, locationIds: split(p.locationIds), typeIds: split(p.typeIds) })),
    types,
    weekly,
    overrides,
    timeOff: off,
    holidays: hols,
    busy,
    rules: rules[0] ?? DEFAULT_BOOKING_RULES,
    shown,
    from,
    to,
  };
}

/** One appointment as shown on its page, or null. */
export async function findShown(db: ClinicDb, id: string): Promise<ShownAppointment | null> {
  return (await shownWhere(db, eq(appointments.id, id)).get()) ?? null;
}

export interface SeriesInfo {
  everyWeeks: number;
  /** This visit's place in the series (1-based) and the series' live visits. */
  position: number;
  total: number;
  /** Later visits still booked or confirmed: what "this and following" would cancel besides this one. */
  following: number;
}

/** An appointment with its series facts, in one round trip. */
export async function findWithSeries(db: ClinicDb, id: string): Promise<{ a: ShownAppointment; series: SeriesInfo | null } | null> {
  const a = appointments;
  const o = alias(appointments, "o");
  // Visits of this visit's series (correlated with the outer appointment), counted.
  const inSeries = (extra?: SQL) => sql<number>`(${db.select({ n: count() }).from(o).where(and(eq(o.seriesId, appointmentSeries.id), extra))})`;
  const [rows, series] = await db.batch([
    shownWhere(db, eq(a.id, id)),
    db
      .select({
        everyWeeks: appointmentSeries.everyWeeks,
        position: inSeries(lte(o.startsAt, a.startsAt)).as("position"),
        total: inSeries().as("total"),
        following: inSeries(and(gt(o.startsAt, a.startsAt), inArray(o.status, ["booked", "confirmed"]))).as("following"),
      })
      .from(a)
      .innerJoin(appointmentSeries, eq(appointmentSeries.id, a.seriesId))
      .where(eq(a.id, id)),
  ]);
  const found = rows[0];
  if (!found) return null;
  return { a: found, series: series[0] ?? null };
}
export interface PatientBrief {
  id: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  phone: string | null;
}

export interface BookingPrelude {
  /** Appointments already booked under the form's key (`key`, or `key:n` for a series). */
  prior: { id: string; idempotencyKey: string; seriesId: string | null; patientId: string }[];
  patientExists: boolean;
  /** Patients with the quick-added patient's name and date of birth. */
  duplicates: PatientBrief[];
  type: TypeRow | null;
  location: CalLocation | null;
}

/** A patient's name and identifiers (PatientBrief). */
const BRIEF_COLUMNS = {
  id: patients.id,
  givenName: patients.givenName,
  familyName: patients.familyName,
  dateOfBirth: patients.dateOfBirth,
  phone: patients.phone,
};

/** What a booking checks before it looks at the calendar, in one round trip. */
export async function bookingPrelude(
  db: ClinicDb,
  o: { key: string; patientId: string | null; identityKey: string | null; typeId: string; locationId: string },
): Promise<BookingPrelude> {
  const a = appointments;
  const [prior, patient, duplicates, type, location] = await db.batch([
    // A range on the unique index instead of LIKE: `key:` up to (not including) `key;`.
    db
      .select({ id: a.id, idempotencyKey: a.idempotencyKey, seriesId: a.seriesId, patientId: a.patientId })
      .from(a)
      .where(or(eq(a.idempotencyKey, o.key), and(gte(a.idempotencyKey, `${o.key}:`), lt(a.idempotencyKey, `${o.key};`)))),
    db.select({ id: patients.id }).from(patients).where(eq(patients.id, o.patientId ?? "")),
    db.select(BRIEF_COLUMNS).from(patients).where(eq(patients.identityKey, o.identityKey ?? "")).orderBy(asc(patients.id)).limit(5),
    db.select(TYPE_COLUMNS).from(appointmentTypes).where(and(eq(appointmentTypes.id, o.typeId), eq(appointmentTypes.active, true))),
    db
      .select({ id: locations.id, name: locations.name, timezone: locations.timezone })
      .from(locations)
      .where(and(eq(locations.id, o.locationId), eq(locations.active, true))),
  ]);
  return {
    prior,
    patientExists: patient.length > 0,
    duplicates,
    type: type[0] ?? null,
    location: location[0] ?? null,
  };
}

/** One patient's name and identifiers, for showing who was picked on a re-rendered form. */
export async function patientBrief(db: ClinicDb, id: string): Promise<PatientBrief | null> {
  return (await db.select(BRIEF_COLUMNS).from(patients).where(eq(patients.id, id)).get()) ?? null;
}

/** Later visits of a series still booked or confirmed (for "cancel this and following"). */
export async function followingInSeries(db: ClinicDb, seriesId: string, after: number): Promise<ShownAppointment[]> {
  const a = appointments;
  return shownWhere(db, and(eq(a.seriesId, seriesId), gt(a.startsAt, after), inArray(a.status, ["booked", "confirmed"]))).orderBy(asc(a.startsAt));
}
