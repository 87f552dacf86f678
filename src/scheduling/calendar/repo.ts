/**
 * Reading the staff calendar's data: everything one calendar page needs (locations, rooms,
 * providers, types, hours, closures, busy time and the appointments shown with their patients'
 * names) in one D1 batch, whatever the number of providers or appointments.
 */
import { bookingRulesStatement, DEFAULT_BOOKING_RULES, exceptionStatements, TYPE_COLUMNS, utcWindow, type BookingRules, type TypeRow } from "../data";
import type { Busy, DateOverride, Holiday, TimeOff, WeeklyRule } from "../slots";
import type { AppointmentStatus } from "../tables";

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

const SHOWN_COLUMNS = `a.id, a.patient_id AS patientId, pt.given_name AS givenName, pt.family_name AS familyName,
  a.provider_id AS providerId, p.display_name AS providerName, a.location_id AS locationId, l.name AS locationName, l.timezone,
  a.appointment_type_id AS typeId, t.name AS typeName, a.room_id AS roomId, r.name AS roomName, a.starts_at AS startsAt,
  a.ends_at AS endsAt, a.block_start AS blockStart, a.block_end AS blockEnd, a.status, a.source, a.series_id AS seriesId,
  a.cancel_reason AS cancelReason, a.version, a.resource_id AS resourceId`;

const SHOWN_FROM = `appointments a JOIN patients pt ON pt.id = a.patient_id JOIN providers p ON p.id = a.provider_id
  JOIN locations l ON l.id = a.location_id JOIN appointment_types t ON t.id = a.appointment_type_id
  LEFT JOIN resources r ON r.id = a.room_id`;


/** Everything a calendar page reads for local dates fromDate..toDate, in one D1 batch. */
export async function loadWorld(d1: D1Database, q: WorldQuery): Promise<CalendarWorld> {
  const { from, to } = utcWindow(q.fromDate, q.toDate);
  const bf = q.busyFor ?? null;
  const statements = [
    d1.prepare("SELECT id, name, timezone FROM locations WHERE active = 1 ORDER BY name, id"),
    d1.prepare("SELECT id, location_id AS locationId, name FROM resources WHERE active = 1 AND kind = 'room' ORDER BY id"),
    d1.prepare(
      `SELECT p.id, p.slug, p.display_name AS displayName, p.credentials,
         (SELECT group_concat(location_id) FROM provider_locations WHERE provider_id = p.id) AS locationIds,
         (SELECT group_concat(appointment_type_id) FROM provider_appointment_types WHERE provider_id = p.id) AS typeIds
       FROM providers p WHERE p.active = 1 ORDER BY p.display_name, p.id`,
    ),
    d1.prepare(`SELECT ${TYPE_COLUMNS} FROM appointment_types WHERE active = 1 ORDER BY name, id`),
    d1.prepare(
      `SELECT provider_id AS providerId, location_id AS locationId, weekday, kind, start_time AS startTime, end_time AS endTime,
         valid_from AS validFrom, valid_until AS validUntil FROM availability_rules`,
    ),
    ...exceptionStatements(d1, from, to),
    d1
      .prepare(
        `SELECT id, provider_id AS providerId, room_id AS roomId, resource_id AS resourceId, block_start AS blockStart, block_end AS blockEnd
         FROM appointments WHERE status != 'cancelled' AND block_start < ?2 AND block_end > ?1
           AND (?3 IS NULL OR provider_id = ?3 OR (?4 = 1 AND room_id IS NOT NULL) OR (?5 IS NOT NULL AND resource_id = ?5))`,
      )
      .bind(from, to, bf?.providerId ?? null, bf?.anyRoom ? 1 : 0, bf?.resourceId ?? null),
    bookingRulesStatement(d1),
  ];
  if (q.show) {
    statements.push(
      d1
        .prepare(
          `SELECT ${SHOWN_COLUMNS} FROM ${SHOWN_FROM}
           WHERE a.status != 'cancelled' AND a.starts_at >= ?1 AND a.starts_at < ?2
             AND (?3 IS NULL OR a.location_id = ?3) AND (?4 IS NULL OR a.provider_id = ?4)
           ORDER BY a.starts_at, a.provider_id`,
        )
        .bind(from, to, q.show.locationId, q.show.providerId),
    );
  }
  const [locs, rooms, providers, types, weekly, overrides, off, hols, busy, rules, shown] = await d1.batch(statements);
  const split = (v: unknown) => (typeof v === "string" && v ? v.split(",") : []);
  return {
    locations: (locs?.results ?? []) as CalLocation[],
    rooms: (rooms?.results ?? []) as CalRoom[],
    providers: ((providers?.results ?? []) as (Omit<CalProvider, "locationIds" | "typeIds"> & { locationIds: string | null; typeIds: string | null })[]).map((p) => ({
      ...p,
      locationIds: split(p.locationIds),
      typeIds: split(p.typeIds),
    })),
    types: ((types?.results ?? []) as TypeRow[]).map((t) => ({ ...t, needsRoom: !!t.needsRoom })),
    weekly: (weekly?.results ?? []) as WeeklyRule[],
    overrides: (overrides?.results ?? []) as DateOverride[],
    timeOff: (off?.results ?? []) as TimeOff[],
    holidays: (hols?.results ?? []) as Holiday[],
    busy: (busy?.results ?? []) as BusyRow[],
    rules: (rules?.results[0] as BookingRules | undefined) ?? DEFAULT_BOOKING_RULES,
    shown: (shown?.results ?? []) as ShownAppointment[],
    from,
    to,
  };
}

/** One appointment as shown on its page, or null. */
export async function findShown(d1: D1Database, id: string): Promise<ShownAppointment | null> {
  return d1.prepare(`SELECT ${SHOWN_COLUMNS} FROM ${SHOWN_FROM} WHERE a.id = ?`).bind(id).first<ShownAppointment>();
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
export async function findWithSeries(d1: D1Database, id: string): Promise<{ a: ShownAppointment; series: SeriesInfo | null } | null> {
  const [row, series] = await d1.batch([
    d1.prepare(`SELECT ${SHOWN_COLUMNS} FROM ${SHOWN_FROM} WHERE a.id = ?`).bind(id),
    d1
      .prepare(
        `SELECT s.every_weeks AS everyWeeks,
           (SELECT COUNT(*) FROM appointments o WHERE o.series_id = s.id AND o.starts_at <= a.starts_at) AS position,
           (SELECT COUNT(*) FROM appointments o WHERE o.series_id = s.id) AS total,
           (SELECT COUNT(*) FROM appointments o WHERE o.series_id = s.id AND o.starts_at > a.starts_at AND o.status IN ('booked', 'confirmed')) AS following
         FROM appointments a JOIN appointment_series s ON s.id = a.series_id WHERE a.id = ?`,
      )
      .bind(id),
  ]);
  const a = row?.results[0] as ShownAppointment | undefined;
  if (!a) return null;
  return { a, series: (series?.results[0] as SeriesInfo | undefined) ?? null };
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

/** What a booking checks before it looks at the calendar, in one round trip. */
export async function bookingPrelude(
  d1: D1Database,
  o: { key: string; patientId: string | null; identityKey: string | null; typeId: string; locationId: string },
): Promise<BookingPrelude> {
  const [prior, patient, dups, type, location] = await d1.batch([
    // A range on the unique index instead of LIKE: `key:` up to (not including) `key;`.
    d1
      .prepare(
        `SELECT id, idempotency_key AS idempotencyKey, series_id AS seriesId, patient_id AS patientId FROM appointments
         WHERE idempotency_key = ?1 OR (idempotency_key >= ?2 AND idempotency_key < ?3)`,
      )
      .bind(o.key, `${o.key}:`, `${o.key};`),
    d1.prepare("SELECT id FROM patients WHERE id = ?").bind(o.patientId ?? ""),
    d1
      .prepare(
        `SELECT id, given_name AS givenName, family_name AS familyName, date_of_birth AS dateOfBirth, phone FROM patients
         WHERE identity_key = ? ORDER BY id LIMIT 5`,
      )
      .bind(o.identityKey ?? ""),
    d1.prepare(`SELECT ${TYPE_COLUMNS} FROM appointment_types WHERE id = ? AND active = 1`).bind(o.typeId),
    d1.prepare("SELECT id, name, timezone FROM locations WHERE id = ? AND active = 1").bind(o.locationId),
  ]);
  const t = type?.results[0] as TypeRow | undefined;
  return {
    prior: (prior?.results ?? []) as BookingPrelude["prior"],
    patientExists: (patient?.results.length ?? 0) > 0,
    duplicates: (dups?.results ?? []) as PatientBrief[],
    type: t ? { ...t, needsRoom: !!t.needsRoom } : null,
    location: (location?.results[0] as CalLocation | undefined) ?? null,
  };
}

/** One patient's name and identifiers, for showing who was picked on a re-rendered form. */
export async function patientBrief(d1: D1Database, id: string): Promise<PatientBrief | null> {
  return d1
    .prepare("SELECT id, given_name AS givenName, family_name AS familyName, date_of_birth AS dateOfBirth, phone FROM patients WHERE id = ?")
    .bind(id)
    .first<PatientBrief>();
}

/** Later visits of a series still booked or confirmed (for "cancel this and following"). */
export async function followingInSeries(d1: D1Database, seriesId: string, after: number): Promise<ShownAppointment[]> {
  const res = await d1
    .prepare(`SELECT ${SHOWN_COLUMNS} FROM ${SHOWN_FROM} WHERE a.series_id = ? AND a.starts_at > ? AND a.status IN ('booked', 'confirmed') ORDER BY a.starts_at`)
    .bind(seriesId, after)
    .all<ShownAppointment>();
  return res.results;
}
