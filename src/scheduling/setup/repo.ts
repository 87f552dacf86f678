/**
 * Queries of the scheduling setup against one clinic's database (every function takes the
 * clinic-scoped client), plus the one directory read: this clinic's staff with the provider role.
 */
import { and, asc, desc, eq, gte, ne, sql } from "drizzle-orm";
import type { ClinicDb, DirectoryDb } from "../../platform/env";
import { memberships, users } from "../../schema/directory";
import {
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
} from "../tables";

export type Location = typeof locations.$inferSelect;
export type Resource = typeof resources.$inferSelect;
export type Provider = typeof providers.$inferSelect;
export type AppointmentType = typeof appointmentTypes.$inferSelect;
export type AvailabilityRule = typeof availabilityRules.$inferSelect;
export type AvailabilityOverride = typeof availabilityOverrides.$inferSelect;
export type TimeOff = typeof timeOff.$inferSelect;
export type Holiday = typeof holidays.$inferSelect;
export type BookingRules = typeof bookingRules.$inferSelect;

/** Staff of the clinic who hold the provider role, as the directory knows them. */
export interface ProviderUser {
  id: string;
  name: string;
  email: string;
}

/** The booking rules as created by the migration, should the row ever be missing. */
export const DEFAULT_BOOKING_RULES: BookingRules = {
  id: 1,
  minNoticeMinutes: 120,
  maxDaysAhead: 60,
  cancelWindowHours: 24,
  maxUpcomingPerPatient: 3,
  holdMinutes: 5,
  slotStepMinutes: 15,
};

/** Everything the overview lists, in one round trip. */
export async function overview(db: ClinicDb, today: string) {
  const [locs, res, provs, types, rules, upcoming] = await db.batch([
    db.select().from(locations).orderBy(desc(locations.active), asc(locations.name)),
    db.select().from(resources).orderBy(asc(resources.name)),
    db.select().from(providers).orderBy(desc(providers.active), asc(providers.displayName)),
    db.select().from(appointmentTypes).orderBy(desc(appointmentTypes.active), asc(appointmentTypes.name)),
    db.select().from(bookingRules).where(eq(bookingRules.id, 1)),
    db.select({ n: sql<number>`count(*)` }).from(holidays).where(gte(holidays.date, today)),
  ]);
  return {
    locations: locs,
    resources: res,
    providers: provs,
    types,
    bookingRules: rules[0] ?? DEFAULT_BOOKING_RULES,
    upcomingHolidays: upcoming[0]?.n ?? 0,
  };
}

/** Every location and appointment type (active first, then by name), in one round trip. */
export async function locationsAndTypes(db: ClinicDb): Promise<{ locations: Location[]; types: AppointmentType[] }> {
  const [locs, types] = await db.batch([
    db.select().from(locations).orderBy(desc(locations.active), asc(locations.name)),
    db.select().from(appointmentTypes).orderBy(desc(appointmentTypes.active), asc(appointmentTypes.name)),
  ]);
  return { locations: locs, types };
}

export async function findLocation(db: ClinicDb, id: string): Promise<Location | undefined> {
  return db.query.locations.findFirst({ where: eq(locations.id, id) });
}

/** A location with its rooms and other resources, in one round trip. */
export async function locationWithResources(db: ClinicDb, id: string): Promise<{ location: Location; resources: Resource[] } | undefined> {
  const [loc, res] = await db.batch([
    db.select().from(locations).where(eq(locations.id, id)),
    db.select().from(resources).where(eq(resources.locationId, id)).orderBy(asc(resources.kind), asc(resources.name)),
  ]);
  return loc[0] ? { location: loc[0], resources: res } : undefined;
}

export async function findResource(db: ClinicDb, id: string): Promise<Resource | undefined> {
  return db.query.resources.findFirst({ where: eq(resources.id, id) });
}

/** Equipment a type can require, with the name of its location. */
export async function listEquipment(db: ClinicDb): Promise<(Resource & { locationName: string })[]> {
  const rows = await db
    .select({ resource: resources, locationName: locations.name })
    .from(resources)
    .innerJoin(locations, eq(locations.id, resources.locationId))
    .where(eq(resources.kind, "equipment"))
    .orderBy(asc(locations.name), asc(resources.name));
  return rows.map((r) => ({ ...r.resource, locationName: r.locationName }));
}

export async function findProvider(db: ClinicDb, id: string): Promise<Provider | undefined> {
  return db.query.providers.findFirst({ where: eq(providers.id, id) });
}

/** A provider with the locations they work at and the types they offer, in one round trip. */
export async function providerWithLinks(
  db: ClinicDb,
  id: string,
): Promise<{ provider: Provider; locationIds: string[]; typeIds: string[] } | undefined> {
  const [prov, locs, types] = await db.batch([
    db.select().from(providers).where(eq(providers.id, id)),
    db.select({ id: providerLocations.locationId }).from(providerLocations).where(eq(providerLocations.providerId, id)),
    db
      .select({ id: providerAppointmentTypes.appointmentTypeId })
      .from(providerAppointmentTypes)
      .where(eq(providerAppointmentTypes.providerId, id)),
  ]);
  if (!prov[0]) return undefined;
  return { provider: prov[0], locationIds: locs.map((l) => l.id), typeIds: types.map((t) => t.id) };
}

/** The provider using a slug, other than `exceptId`. */
export async function providerBySlug(db: ClinicDb, slug: string, exceptId?: string): Promise<Provider | undefined> {
  return db.query.providers.findFirst({
    where: exceptId ? and(eq(providers.slug, slug), ne(providers.id, exceptId)) : eq(providers.slug, slug),
  });
}

/** The provider linked to a staff account, other than `exceptId`. */
export async function providerByUser(db: ClinicDb, userId: string, exceptId?: string): Promise<Provider | undefined> {
  return db.query.providers.findFirst({
    where: exceptId ? and(eq(providers.userId, userId), ne(providers.id, exceptId)) : eq(providers.userId, userId),
  });
}

export async function findType(db: ClinicDb, id: string): Promise<AppointmentType | undefined> {
  return db.query.appointmentTypes.findFirst({ where: eq(appointmentTypes.id, id) });
}

export async function typeBySlug(db: ClinicDb, slug: string, exceptId?: string): Promise<AppointmentType | undefined> {
  return db.query.appointmentTypes.findFirst({
    where: exceptId ? and(eq(appointmentTypes.slug, slug), ne(appointmentTypes.id, exceptId)) : eq(appointmentTypes.slug, slug),
  });
}

/**
 * One provider's availability page: the provider, every location and the ids of those they work
 * at, the weekly rules, and the overrides and time off not over yet (from `today` / `now`), in
 * one round trip.
 */
export async function availabilityOf(db: ClinicDb, providerId: string, today: string, now: number) {
  const [prov, locs, worksAt, rules, overrides, off] = await db.batch([
    db.select().from(providers).where(eq(providers.id, providerId)),
    db.select().from(locations).orderBy(desc(locations.active), asc(locations.name)),
    db.select({ id: providerLocations.locationId }).from(providerLocations).where(eq(providerLocations.providerId, providerId)),
    db
      .select()
      .from(availabilityRules)
      .where(eq(availabilityRules.providerId, providerId))
      .orderBy(asc(availabilityRules.weekday), asc(availabilityRules.startTime)),
    db
      .select()
      .from(availabilityOverrides)
      .where(and(eq(availabilityOverrides.providerId, providerId), gte(availabilityOverrides.date, today)))
      .orderBy(asc(availabilityOverrides.date), asc(availabilityOverrides.startTime))
      .limit(200),
    db
      .select()
      .from(timeOff)
      .where(and(eq(timeOff.providerId, providerId), gte(timeOff.endsAt, now)))
      .orderBy(asc(timeOff.startsAt))
      .limit(200),
  ]);
  if (!prov[0]) return undefined;
  return { provider: prov[0], locations: locs, locationIds: worksAt.map((l) => l.id), rules, overrides, timeOff: off };
}

export async function findRule(db: ClinicDb, id: string): Promise<AvailabilityRule | undefined> {
  return db.query.availabilityRules.findFirst({ where: eq(availabilityRules.id, id) });
}

export async function findOverride(db: ClinicDb, id: string): Promise<AvailabilityOverride | undefined> {
  return db.query.availabilityOverrides.findFirst({ where: eq(availabilityOverrides.id, id) });
}

export async function findTimeOff(db: ClinicDb, id: string): Promise<TimeOff | undefined> {
  return db.query.timeOff.findFirst({ where: eq(timeOff.id, id) });
}

/** Holidays from `today` on, with every location (for names and the form), in one round trip. */
export async function holidaysFrom(db: ClinicDb, today: string) {
  const [rows, locs] = await db.batch([
    db.select().from(holidays).where(gte(holidays.date, today)).orderBy(asc(holidays.date), asc(holidays.name)).limit(200),
    db.select().from(locations).orderBy(desc(locations.active), asc(locations.name)),
  ]);
  return { holidays: rows, locations: locs };
}

export async function findHoliday(db: ClinicDb, id: string): Promise<Holiday | undefined> {
  return db.query.holidays.findFirst({ where: eq(holidays.id, id) });
}

export async function readBookingRules(db: ClinicDb): Promise<BookingRules> {
  return (await db.query.bookingRules.findFirst({ where: eq(bookingRules.id, 1) })) ?? DEFAULT_BOOKING_RULES;
}

/** Members of this clinic whose role here is provider (directory database). */
export async function providerUsers(dir: DirectoryDb, clinicId: string): Promise<ProviderUser[]> {
  return dir
    .select({ id: users.id, name: users.name, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.clinicId, clinicId), eq(memberships.role, "provider")))
    .orderBy(asc(users.name));
}
