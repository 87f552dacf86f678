/**
 * Setting up scheduling for one clinic: locations and their rooms and equipment, providers,
 * appointment types, weekly hours, date overrides, time off, holidays and booking rules.
 * Every function checks `scheduling:setup`, works on the clinic-scoped database only, and writes
 * each change together with its audit row in one batch. Ids that this clinic's database does not
 * hold (another clinic's, or made up) are "not found".
 */
import type { BatchItem } from "drizzle-orm/batch";
import { eq } from "drizzle-orm";
import { auditStatement, scheduleSeal, type AuditEntry } from "../../audit/service";
import type { Env } from "../../platform/env";
import { AppError, notFound, type FieldErrors } from "../../platform/errors";
import { requirePermission, type StaffScope } from "../../platform/scope";
import { directoryDb } from "../../platform/tenancy";
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
import {
  availabilityOf,
  findHoliday,
  findLocation,
  findOverride,
  findResource,
  findRule,
  findTimeOff,
  findType,
  holidaysFrom,
  listEquipment,
  locationsAndTypes,
  locationWithResources,
  overview,
  providerBySlug,
  providerByUser,
  providerUsers,
  providerWithLinks,
  readBookingRules,
  typeBySlug,
  type AppointmentType,
  type BookingRules,
  type Location,
  type Provider,
  type ProviderUser,
} from "./repo";
import type {
  AppointmentTypeInput,
  BookingRulesInput,
  HolidayInput,
  LocationInput,
  OverrideInput,
  ProviderInput,
  ResourceInput,
  RuleInput,
  TimeOffInput,
} from "./input";
import { zonedInstant } from "../../platform/time";

const PERMISSION = "scheduling:setup";

/** The staff scope plus the bindings, for the one directory read (staff with the provider role). */
export interface SetupScope extends StaffScope {
  env: Env;
}

type Batch = [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];

/** A form error the service found (a taken slug, an id not in the list): 422 with the field named. */
function invalid(errors: FieldErrors): AppError {
  const first = Object.values(errors)[0] ?? "Check the form.";
  return new AppError("validation", first, errors);
}

function isUniqueViolation(err: unknown, column: string): boolean {
  // D1 reports "UNIQUE constraint failed: providers.slug"; drizzle may wrap it in a cause.
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (String((e as { message?: unknown }).message ?? e).includes(`UNIQUE constraint failed: ${column}`)) return true;
  }
  return false;
}

/** Runs the writes and their audit row as one D1 transaction, then seals the chain after the response. */
async function commit(scope: StaffScope, writes: Batch, entry: AuditEntry): Promise<void> {
  // A batch is one transaction: the audit row exists exactly when the writes do.
  await scope.db.batch([...writes, auditStatement(scope, entry)]);
  scheduleSeal(scope);
}

/** Names of the columns whose values differ (for the audit detail; names only). */
function changedKeys<T extends Record<string, unknown>>(before: T, after: Partial<T>): string[] {
  return (Object.keys(after) as (keyof T & string)[]).filter((k) => (before[k] ?? null) !== (after[k] ?? null));
}

function changedDetail(keys: string[]): string {
  return keys.length ? `changed: ${keys.join(", ")}` : "no changes";
}

// ---------------------------------------------------------------------------------------------
// Overview

/** Everything the setup overview lists. `today` is the clinic's date (for upcoming holidays). */
export async function setupOverview(scope: StaffScope, today: string) {
  requirePermission(scope, PERMISSION);
  return overview(scope.db, today);
}

// ---------------------------------------------------------------------------------------------
// Locations, rooms and equipment

function locationRow(input: LocationInput) {
  return {
    name: input.name,
    addressLine1: input.address_line1,
    city: input.city,
    region: input.region,
    postalCode: input.postal_code,
    phone: input.phone,
    timezone: input.timezone,
  };
}

export async function viewLocation(scope: StaffScope, id: string) {
  requirePermission(scope, PERMISSION);
  const found = await locationWithResources(scope.db, id);
  if (!found) throw notFound("This location");
  return found;
}

export async function createLocation(scope: StaffScope, input: LocationInput): Promise<string> {
  requirePermission(scope, PERMISSION);
  const id = crypto.randomUUID();
  await commit(scope, [scope.db.insert(locations).values({ id, ...locationRow(input) })], {
    action: "create",
    event: "scheduling.location.create",
    entityType: "location",
    entityId: id,
    detail: input.name,
  });
  return id;
}

export async function updateLocation(scope: StaffScope, id: string, input: LocationInput): Promise<void> {
  requirePermission(scope, PERMISSION);
  const before = await findLocation(scope.db, id);
  if (!before) throw notFound("This location");
  const row = locationRow(input);
  await commit(scope, [scope.db.update(locations).set(row).where(eq(locations.id, id))], {
    action: "update",
    event: "scheduling.location.update",
    entityType: "location",
    entityId: id,
    detail: changedDetail(changedKeys(before, row)),
  });
}

/** Opens or closes a location for scheduling (its history stays). */
export async function setLocationActive(scope: StaffScope, id: string, active: boolean): Promise<void> {
  requirePermission(scope, PERMISSION);
  const before = await findLocation(scope.db, id);
  if (!before) throw notFound("This location");
  if (before.active === active) return;
  await commit(scope, [scope.db.update(locations).set({ active }).where(eq(locations.id, id))], {
    action: "update",
    event: `scheduling.location.${active ? "activate" : "deactivate"}`,
    entityType: "location",
    entityId: id,
  });
}

export async function addResource(scope: StaffScope, locationId: string, input: ResourceInput): Promise<string> {
  requirePermission(scope, PERMISSION);
  if (!(await findLocation(scope.db, locationId))) throw notFound("This location");
  const id = crypto.randomUUID();
  await commit(scope, [scope.db.insert(resources).values({ id, locationId, name: input.resource_name, kind: input.resource_kind })], {
    action: "create",
    event: "scheduling.resource.create",
    entityType: "resource",
    entityId: id,
    detail: `${input.resource_kind} ${input.resource_name}`,
  });
  return id;
}

/** Makes a room or piece of equipment bookable or not; answers its location (for the redirect). */
export async function setResourceActive(scope: StaffScope, id: string, active: boolean): Promise<string> {
  requirePermission(scope, PERMISSION);
  const before = await findResource(scope.db, id);
  if (!before) throw notFound("This room or resource");
  if (before.active !== active) {
    await commit(scope, [scope.db.update(resources).set({ active }).where(eq(resources.id, id))], {
      action: "update",
      event: `scheduling.resource.${active ? "activate" : "deactivate"}`,
      entityType: "resource",
      entityId: id,
    });
  }
  return before.locationId;
}

// ---------------------------------------------------------------------------------------------
// Providers

export interface ProviderOptions {
  locations: Location[];
  types: AppointmentType[];
  users: ProviderUser[];
}

/** The choices of the provider form: locations, appointment types, staff with the provider role. */
export async function providerOptions(scope: SetupScope): Promise<ProviderOptions> {
  requirePermission(scope, PERMISSION);
  const [{ locations: locs, types }, users] = await Promise.all([
    locationsAndTypes(scope.db),
    providerUsers(directoryDb(scope.env), scope.clinic.id),
  ]);
  return { locations: locs, types, users };
}

export async function viewProvider(scope: StaffScope, id: string) {
  requirePermission(scope, PERMISSION);
  const found = await providerWithLinks(scope.db, id);
  if (!found) throw notFound("This provider");
  return found;
}

function providerRow(input: ProviderInput) {
  return {
    displayName: input.display_name,
    slug: input.slug,
    credentials: input.credentials,
    npi: input.npi,
    color: input.color,
    userId: input.user_id,
  };
}

/** Checks what the schema cannot: a free slug, a linkable staff account, known locations and types. */
async function checkProvider(scope: SetupScope, input: ProviderInput, current?: Provider): Promise<{ locationIds: string[]; typeIds: string[] }> {
  const options = await providerOptions(scope);
  const errors: FieldErrors = {};
  const taken = await providerBySlug(scope.db, input.slug, current?.id);
  if (taken) errors.slug = `Booking link name “${input.slug}” is already used by ${taken.displayName}; choose another.`;
  if (input.user_id && input.user_id !== current?.userId) {
    if (!options.users.some((u) => u.id === input.user_id)) {
      errors.user_id = "Choose a staff member with the provider role at this clinic, or none.";
    } else {
      const linked = await providerByUser(scope.db, input.user_id, current?.id);
      if (linked) errors.user_id = `This staff member is already linked to ${linked.displayName}.`;
    }
  }
  const locationIds = [...new Set(input.location_ids)];
  const typeIds = [...new Set(input.type_ids)];
  if (!locationIds.every((id) => options.locations.some((l) => l.id === id))) errors.location_ids = "Choose locations from the list.";
  if (!typeIds.every((id) => options.types.some((t) => t.id === id))) errors.type_ids = "Choose appointment types from the list.";
  if (Object.keys(errors).length) throw invalid(errors);
  return { locationIds, typeIds };
}

function linkRows(scope: StaffScope, providerId: string, locationIds: string[], typeIds: string[]): BatchItem<"sqlite">[] {
  const out: BatchItem<"sqlite">[] = [];
  if (locationIds.length) out.push(scope.db.insert(providerLocations).values(locationIds.map((locationId) => ({ providerId, locationId }))));
  if (typeIds.length) {
    out.push(scope.db.insert(providerAppointmentTypes).values(typeIds.map((appointmentTypeId) => ({ providerId, appointmentTypeId }))));
  }
  return out;
}

function slugTaken(err: unknown, table: "providers" | "appointment_types", slug: string): never {
  if (isUniqueViolation(err, `${table}.slug`)) {
    throw invalid({ slug: `Booking link name “${slug}” is already in use; choose another.` });
  }
  throw err;
}

/** Adds a provider with the locations they work at and the types they offer, in one batch. */
export async function createProvider(scope: SetupScope, input: ProviderInput): Promise<string> {
  requirePermission(scope, PERMISSION);
  const { locationIds, typeIds } = await checkProvider(scope, input);
  const id = crypto.randomUUID();
  try {
    await commit(scope, [scope.db.insert(providers).values({ id, ...providerRow(input) }), ...linkRows(scope, id, locationIds, typeIds)], {
      action: "create",
      event: "scheduling.provider.create",
      entityType: "provider",
      entityId: id,
      detail: `${input.display_name}: ${locationIds.length} location(s), ${typeIds.length} appointment type(s)`,
    });
  } catch (err) {
    slugTaken(err, "providers", input.slug);
  }
  return id;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** Saves a provider and replaces their locations and types, in one batch. */
export async function updateProvider(scope: SetupScope, id: string, input: ProviderInput): Promise<void> {
  requirePermission(scope, PERMISSION);
  const before = await providerWithLinks(scope.db, id);
  if (!before) throw notFound("This provider");
  const { locationIds, typeIds } = await checkProvider(scope, input, before.provider);
  const row = providerRow(input);
  const changed = changedKeys(before.provider, row);
  if (!sameSet(before.locationIds, locationIds)) changed.push("locations");
  if (!sameSet(before.typeIds, typeIds)) changed.push("appointment types");
  try {
    await commit(
      scope,
      [
        scope.db.update(providers).set(row).where(eq(providers.id, id)),
        scope.db.delete(providerLocations).where(eq(providerLocations.providerId, id)),
        scope.db.delete(providerAppointmentTypes).where(eq(providerAppointmentTypes.providerId, id)),
        ...linkRows(scope, id, locationIds, typeIds),
      ],
      { action: "update", event: "scheduling.provider.update", entityType: "provider", entityId: id, detail: changedDetail(changed) },
    );
  } catch (err) {
    slugTaken(err, "providers", input.slug);
  }
}

export async function setProviderActive(scope: StaffScope, id: string, active: boolean): Promise<void> {
  requirePermission(scope, PERMISSION);
  const before = await providerWithLinks(scope.db, id);
  if (!before) throw notFound("This provider");
  if (before.provider.active === active) return;
  await commit(scope, [scope.db.update(providers).set({ active }).where(eq(providers.id, id))], {
    action: "update",
    event: `scheduling.provider.${active ? "activate" : "deactivate"}`,
    entityType: "provider",
    entityId: id,
  });
}

// ---------------------------------------------------------------------------------------------
// Appointment types

/** Equipment an appointment type may require (with its location's name). */
export async function typeOptions(scope: StaffScope) {
  requirePermission(scope, PERMISSION);
  return { equipment: await listEquipment(scope.db) };
}

export async function viewAppointmentType(scope: StaffScope, id: string): Promise<AppointmentType> {
  requirePermission(scope, PERMISSION);
  const found = await findType(scope.db, id);
  if (!found) throw notFound("This appointment type");
  return found;
}

function typeRow(input: AppointmentTypeInput) {
  return {
    name: input.name,
    slug: input.slug,
    durationMinutes: input.duration_minutes,
    bufferBeforeMinutes: input.buffer_before_minutes,
    bufferAfterMinutes: input.buffer_after_minutes,
    priceCents: input.price,
    modality: input.modality,
    needsRoom: input.needs_room,
    resourceId: input.resource_id,
    bookableOnline: input.bookable_online,
    eligibility: input.eligibility,
    color: input.color,
    active: input.active,
  };
}

async function checkType(scope: StaffScope, input: AppointmentTypeInput, current?: AppointmentType): Promise<void> {
  const errors: FieldErrors = {};
  const taken = await typeBySlug(scope.db, input.slug, current?.id);
  if (taken) errors.slug = `Booking link name “${input.slug}” is already used by ${taken.name}; choose another.`;
  if (input.resource_id && input.resource_id !== current?.resourceId) {
    const resource = await findResource(scope.db, input.resource_id);
    if (!resource || resource.kind !== "equipment") errors.resource_id = "Choose equipment from the list, or none.";
  }
  if (Object.keys(errors).length) throw invalid(errors);
}

export async function createAppointmentType(scope: StaffScope, input: AppointmentTypeInput): Promise<string> {
  requirePermission(scope, PERMISSION);
  await checkType(scope, input);
  const id = crypto.randomUUID();
  try {
    await commit(scope, [scope.db.insert(appointmentTypes).values({ id, ...typeRow(input) })], {
      action: "create",
      event: "scheduling.appointment_type.create",
      entityType: "appointment_type",
      entityId: id,
      detail: input.name,
    });
  } catch (err) {
    slugTaken(err, "appointment_types", input.slug);
  }
  return id;
}

export async function updateAppointmentType(scope: StaffScope, id: string, input: AppointmentTypeInput): Promise<void> {
  requirePermission(scope, PERMISSION);
  const before = await findType(scope.db, id);
  if (!before) throw notFound("This appointment type");
  await checkType(scope, input, before);
  const row = typeRow(input);
  try {
    await commit(scope, [scope.db.update(appointmentTypes).set(row).where(eq(appointmentTypes.id, id))], {
      action: "update",
      event: "scheduling.appointment_type.update",
      entityType: "appointment_type",
      entityId: id,
      detail: changedDetail(changedKeys(before, row)),
    });
  } catch (err) {
    slugTaken(err, "appointment_types", input.slug);
  }
}

// ---------------------------------------------------------------------------------------------
// Weekly hours, date overrides and time off

/**
 * A provider's availability page: weekly rules, and the overrides and time off not over yet.
 * `locationIds` are the locations the provider works at (the only ones hours can be set for).
 */
export async function viewAvailability(scope: StaffScope, providerId: string, today: string, now: number) {
  requirePermission(scope, PERMISSION);
  const found = await availabilityOf(scope.db, providerId, today, now);
  if (!found) throw notFound("This provider");
  return found;
}

/** The provider, and the location (which must be one they work at) for a rule or override. */
async function providerAt(scope: StaffScope, providerId: string, locationId: string, field: string): Promise<Provider> {
  const found = await providerWithLinks(scope.db, providerId);
  if (!found) throw notFound("This provider");
  if (!found.locationIds.includes(locationId)) {
    throw invalid({ [field]: `Choose one of the locations where ${found.provider.displayName} works.` });
  }
  return found.provider;
}

export async function addRule(scope: StaffScope, providerId: string, input: RuleInput): Promise<string> {
  requirePermission(scope, PERMISSION);
  await providerAt(scope, providerId, input.location_id, "location_id");
  const id = crypto.randomUUID();
  await commit(
    scope,
    [
      scope.db.insert(availabilityRules).values({
        id,
        providerId,
        locationId: input.location_id,
        weekday: input.weekday,
        kind: input.kind,
        startTime: input.start_time,
        endTime: input.end_time,
        validFrom: input.valid_from,
        validUntil: input.valid_until,
      }),
    ],
    {
      action: "create",
      event: "scheduling.availability_rule.create",
      entityType: "availability_rule",
      entityId: id,
      detail: `provider ${providerId}: weekday ${input.weekday} ${input.kind} ${input.start_time}-${input.end_time}`,
    },
  );
  return id;
}

/** Deletes a weekly rule; answers its provider (for the redirect). */
export async function deleteRule(scope: StaffScope, id: string): Promise<string> {
  requirePermission(scope, PERMISSION);
  const rule = await findRule(scope.db, id);
  if (!rule) throw notFound("This weekly rule");
  await commit(scope, [scope.db.delete(availabilityRules).where(eq(availabilityRules.id, id))], {
    action: "delete",
    event: "scheduling.availability_rule.delete",
    entityType: "availability_rule",
    entityId: id,
    detail: `provider ${rule.providerId}: weekday ${rule.weekday} ${rule.kind} ${rule.startTime}-${rule.endTime}`,
  });
  return rule.providerId;
}

export async function addOverride(scope: StaffScope, providerId: string, input: OverrideInput): Promise<string> {
  requirePermission(scope, PERMISSION);
  await providerAt(scope, providerId, input.override_location_id, "override_location_id");
  const id = crypto.randomUUID();
  const available = input.override_kind === "available";
  await commit(
    scope,
    [
      scope.db.insert(availabilityOverrides).values({
        id,
        providerId,
        locationId: input.override_location_id,
        date: input.override_date,
        kind: input.override_kind,
        startTime: available ? input.override_start : null,
        endTime: available ? input.override_end : null,
      }),
    ],
    {
      action: "create",
      event: "scheduling.availability_override.create",
      entityType: "availability_override",
      entityId: id,
      detail: `provider ${providerId}: ${input.override_date} ${input.override_kind}`,
    },
  );
  return id;
}

export async function deleteOverride(scope: StaffScope, id: string): Promise<string> {
  requirePermission(scope, PERMISSION);
  const row = await findOverride(scope.db, id);
  if (!row) throw notFound("This date override");
  await commit(scope, [scope.db.delete(availabilityOverrides).where(eq(availabilityOverrides.id, id))], {
    action: "delete",
    event: "scheduling.availability_override.delete",
    entityType: "availability_override",
    entityId: id,
    detail: `provider ${row.providerId}: ${row.date} ${row.kind}`,
  });
  return row.providerId;
}

/**
 * Records time off entered as wall-clock dates and times in a location's timezone (the clinic's
 * when no location is chosen), stored as instants.
 */
export async function addTimeOff(scope: StaffScope, providerId: string, input: TimeOffInput): Promise<string> {
  requirePermission(scope, PERMISSION);
  let timezone = scope.clinic.timezone;
  if (input.off_location_id) {
    const location = await findLocation(scope.db, input.off_location_id);
    if (!location) throw invalid({ off_location_id: "Choose a location from the list." });
    timezone = location.timezone;
  }
  const provider = await providerWithLinks(scope.db, providerId);
  if (!provider) throw notFound("This provider");
  const startsAt = zonedInstant(input.off_start_date, input.off_start_time, timezone);
  const endsAt = zonedInstant(input.off_end_date, input.off_end_time, timezone);
  if (endsAt <= startsAt) throw invalid({ off_end_date: "The end must be after the start." });
  const id = crypto.randomUUID();
  await commit(scope, [scope.db.insert(timeOff).values({ id, providerId, startsAt, endsAt, reason: input.off_reason })], {
    action: "create",
    event: "scheduling.time_off.create",
    entityType: "time_off",
    entityId: id,
    detail: `provider ${providerId}: ${new Date(startsAt).toISOString()} to ${new Date(endsAt).toISOString()}`,
  });
  return id;
}

export async function deleteTimeOff(scope: StaffScope, id: string): Promise<string> {
  requirePermission(scope, PERMISSION);
  const row = await findTimeOff(scope.db, id);
  if (!row) throw notFound("This time off");
  await commit(scope, [scope.db.delete(timeOff).where(eq(timeOff.id, id))], {
    action: "delete",
    event: "scheduling.time_off.delete",
    entityType: "time_off",
    entityId: id,
    detail: `provider ${row.providerId}`,
  });
  return row.providerId;
}

// ---------------------------------------------------------------------------------------------
// Holidays

export async function viewHolidays(scope: StaffScope, today: string) {
  requirePermission(scope, PERMISSION);
  return holidaysFrom(scope.db, today);
}

export async function addHoliday(scope: StaffScope, input: HolidayInput): Promise<string> {
  requirePermission(scope, PERMISSION);
  if (input.location_id && !(await findLocation(scope.db, input.location_id))) {
    throw invalid({ location_id: "Choose a location from the list, or the whole clinic." });
  }
  const id = crypto.randomUUID();
  await commit(scope, [scope.db.insert(holidays).values({ id, date: input.date, name: input.name, locationId: input.location_id })], {
    action: "create",
    event: "scheduling.holiday.create",
    entityType: "holiday",
    entityId: id,
    detail: `${input.date} ${input.name}`,
  });
  return id;
}

export async function deleteHoliday(scope: StaffScope, id: string): Promise<void> {
  requirePermission(scope, PERMISSION);
  const row = await findHoliday(scope.db, id);
  if (!row) throw notFound("This holiday");
  await commit(scope, [scope.db.delete(holidays).where(eq(holidays.id, id))], {
    action: "delete",
    event: "scheduling.holiday.delete",
    entityType: "holiday",
    entityId: id,
    detail: `${row.date} ${row.name}`,
  });
}

// ---------------------------------------------------------------------------------------------
// Booking rules

export async function viewBookingRules(scope: StaffScope): Promise<BookingRules> {
  requirePermission(scope, PERMISSION);
  return readBookingRules(scope.db);
}

/** Saves the clinic's booking rules (the single row id = 1). */
export async function saveBookingRules(scope: StaffScope, input: BookingRulesInput): Promise<void> {
  requirePermission(scope, PERMISSION);
  const before = await readBookingRules(scope.db);
  const row = {
    minNoticeMinutes: input.min_notice_minutes,
    maxDaysAhead: input.max_days_ahead,
    cancelWindowHours: input.cancel_window_hours,
    maxUpcomingPerPatient: input.max_upcoming_per_patient,
    holdMinutes: input.hold_minutes,
    slotStepMinutes: input.slot_step_minutes,
  };
  await commit(
    scope,
    [scope.db.insert(bookingRules).values({ id: 1, ...row }).onConflictDoUpdate({ target: bookingRules.id, set: row })],
    { action: "update", event: "scheduling.booking_rules.update", entityType: "booking_rules", entityId: "1", detail: changedDetail(changedKeys(before, row)) },
  );
}
