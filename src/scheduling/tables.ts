/**
 * Scheduling data of one clinic: where (locations, rooms and other resources), who (providers),
 * what (appointment types), when (weekly availability, date overrides, time off, holidays, rules),
 * and the record of appointments, recurring series and the waitlist.
 * Instants are epoch milliseconds (UTC); wall-clock times are "HH:MM" in the location's timezone.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const now = sql`(unixepoch('subsec') * 1000)`;

export const locations = sqliteTable("locations", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  addressLine1: text("address_line1"),
  city: text("city"),
  region: text("region"),
  postalCode: text("postal_code"),
  phone: text("phone"),
  /** IANA timezone, e.g. America/New_York. */
  timezone: text("timezone").notNull(),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  createdAt: integer("created_at").notNull().default(now),
});

export const RESOURCE_KINDS = ["room", "equipment"] as const;

/** Rooms and other bookable things (an ultrasound machine, a treatment chair). */
export const resources = sqliteTable(
  "resources",
  {
    id: text("id").primaryKey(),
    locationId: text("location_id").notNull().references(() => locations.id),
    name: text("name").notNull(),
    kind: text("kind", { enum: RESOURCE_KINDS }).notNull().default("room"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
  },
  (t) => [index("resources_location_idx").on(t.locationId)],
);

export const providers = sqliteTable("providers", {
  id: text("id").primaryKey(),
  /** The staff account (directory user id) of this provider, if they sign in. */
  userId: text("user_id"),
  /** Used in booking links: /book/<slug>. */
  slug: text("slug").notNull().unique(),
  displayName: text("display_name").notNull(),
  credentials: text("credentials"),
  npi: text("npi"),
  color: text("color").notNull().default("#0b5cad"),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  createdAt: integer("created_at").notNull().default(now),
});

export const providerLocations = sqliteTable(
  "provider_locations",
  {
    providerId: text("provider_id").notNull().references(() => providers.id),
    locationId: text("location_id").notNull().references(() => locations.id),
  },
  (t) => [primaryKey({ columns: [t.providerId, t.locationId] })],
);

export const MODALITIES = ["in_person", "telehealth"] as const;
export const ELIGIBILITY = ["all", "new", "existing"] as const;

export const appointmentTypes = sqliteTable("appointment_types", {
  id: text("id").primaryKey(),
  /** Used in booking links: /book/<provider>/<slug>. */
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  durationMinutes: integer("duration_minutes").notNull(),
  bufferBeforeMinutes: integer("buffer_before_minutes").notNull().default(0),
  bufferAfterMinutes: integer("buffer_after_minutes").notNull().default(0),
  priceCents: integer("price_cents").notNull().default(0),
  modality: text("modality", { enum: MODALITIES }).notNull().default("in_person"),
  /** Any active room of the location must be free (and is claimed). */
  needsRoom: integer("needs_room", { mode: "boolean" }).notNull().default(false),
  /** A specific resource (equipment) that must be free (and is claimed). */
  resourceId: text("resource_id").references(() => resources.id),
  bookableOnline: integer("bookable_online", { mode: "boolean" }).notNull().default(true),
  eligibility: text("eligibility", { enum: ELIGIBILITY }).notNull().default("all"),
  color: text("color").notNull().default("#2f7d4f"),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
});

/** Which provider offers which appointment type. */
export const providerAppointmentTypes = sqliteTable(
  "provider_appointment_types",
  {
    providerId: text("provider_id").notNull().references(() => providers.id),
    appointmentTypeId: text("appointment_type_id").notNull().references(() => appointmentTypes.id),
  },
  (t) => [primaryKey({ columns: [t.providerId, t.appointmentTypeId] })],
);

/**
 * Weekly hours of a provider at a location. `work` intervals are open for booking; `break`
 * intervals are cut out of them. weekday: 1 = Monday ... 7 = Sunday (ISO 8601).
 */
export const availabilityRules = sqliteTable(
  "availability_rules",
  {
    id: text("id").primaryKey(),
    providerId: text("provider_id").notNull().references(() => providers.id),
    locationId: text("location_id").notNull().references(() => locations.id),
    weekday: integer("weekday").notNull(),
    kind: text("kind", { enum: ["work", "break"] }).notNull().default("work"),
    startTime: text("start_time").notNull(),
    endTime: text("end_time").notNull(),
    validFrom: text("valid_from"),
    validUntil: text("valid_until"),
  },
  (t) => [index("availability_provider_idx").on(t.providerId)],
);

/**
 * A date that differs from the weekly pattern: `available` replaces that day's hours at the
 * location with startTime-endTime; `unavailable` closes the day.
 */
export const availabilityOverrides = sqliteTable(
  "availability_overrides",
  {
    id: text("id").primaryKey(),
    providerId: text("provider_id").notNull().references(() => providers.id),
    locationId: text("location_id").notNull().references(() => locations.id),
    date: text("date").notNull(),
    kind: text("kind", { enum: ["available", "unavailable"] }).notNull(),
    startTime: text("start_time"),
    endTime: text("end_time"),
  },
  (t) => [index("overrides_provider_date_idx").on(t.providerId, t.date)],
);

export const timeOff = sqliteTable(
  "time_off",
  {
    id: text("id").primaryKey(),
    providerId: text("provider_id").notNull().references(() => providers.id),
    startsAt: integer("starts_at").notNull(),
    endsAt: integer("ends_at").notNull(),
    reason: text("reason"),
  },
  (t) => [index("time_off_provider_idx").on(t.providerId, t.startsAt)],
);

/** A day the clinic (or one location, when locationId is set) is closed. */
export const holidays = sqliteTable("holidays", {
  id: text("id").primaryKey(),
  locationId: text("location_id").references(() => locations.id),
  date: text("date").notNull(),
  name: text("name").notNull(),
});

/** The clinic's booking rules: one row, id = 1. */
export const bookingRules = sqliteTable("booking_rules", {
  id: integer("id").primaryKey(),
  minNoticeMinutes: integer("min_notice_minutes").notNull().default(120),
  maxDaysAhead: integer("max_days_ahead").notNull().default(60),
  cancelWindowHours: integer("cancel_window_hours").notNull().default(24),
  maxUpcomingPerPatient: integer("max_upcoming_per_patient").notNull().default(3),
  holdMinutes: integer("hold_minutes").notNull().default(5),
  slotStepMinutes: integer("slot_step_minutes").notNull().default(15),
});

export const APPOINTMENT_STATUSES = ["booked", "confirmed", "arrived", "in_room", "completed", "cancelled", "no_show"] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export const appointments = sqliteTable(
  "appointments",
  {
    id: text("id").primaryKey(),
    patientId: text("patient_id").notNull(),
    providerId: text("provider_id").notNull().references(() => providers.id),
    locationId: text("location_id").notNull().references(() => locations.id),
    appointmentTypeId: text("appointment_type_id").notNull().references(() => appointmentTypes.id),
    /** The room claimed for this visit, when the type needs one. */
    roomId: text("room_id"),
    /** The equipment claimed for this visit, when the type needs it. */
    resourceId: text("resource_id"),
    startsAt: integer("starts_at").notNull(),
    endsAt: integer("ends_at").notNull(),
    /** The time the provider is blocked: start minus buffer before, end plus buffer after. */
    blockStart: integer("block_start").notNull(),
    blockEnd: integer("block_end").notNull(),
    status: text("status", { enum: APPOINTMENT_STATUSES }).notNull().default("booked"),
    source: text("source", { enum: ["staff", "online", "waitlist", "recurring"] }).notNull(),
    seriesId: text("series_id"),
    cancelReason: text("cancel_reason"),
    /** Client-supplied key: confirming the same booking twice yields the same appointment. */
    idempotencyKey: text("idempotency_key").notNull(),
    version: integer("version").notNull().default(1),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
    createdBy: text("created_by"),
  },
  (t) => [
    uniqueIndex("appointments_idempotency_idx").on(t.idempotencyKey),
    index("appointments_provider_time_idx").on(t.providerId, t.blockStart),
    index("appointments_room_time_idx").on(t.roomId, t.blockStart),
    index("appointments_resource_time_idx").on(t.resourceId, t.blockStart),
    index("appointments_patient_idx").on(t.patientId, t.startsAt),
    index("appointments_start_idx").on(t.startsAt),
    index("appointments_series_idx").on(t.seriesId),
  ],
);

export const appointmentSeries = sqliteTable("appointment_series", {
  id: text("id").primaryKey(),
  everyWeeks: integer("every_weeks").notNull(),
  untilDate: text("until_date"),
  count: integer("count"),
  createdAt: integer("created_at").notNull().default(now),
});

export const TIMES_OF_DAY = ["morning", "afternoon", "evening"] as const;

export const waitlistEntries = sqliteTable(
  "waitlist_entries",
  {
    id: text("id").primaryKey(),
    patientId: text("patient_id").notNull(),
    providerId: text("provider_id").references(() => providers.id),
    appointmentTypeId: text("appointment_type_id").notNull().references(() => appointmentTypes.id),
    fromDate: text("from_date").notNull(),
    toDate: text("to_date").notNull(),
    /** Comma-separated TIMES_OF_DAY. */
    timesOfDay: text("times_of_day").notNull(),
    status: text("status", { enum: ["waiting", "offered", "booked", "cancelled"] }).notNull().default("waiting"),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [index("waitlist_status_idx").on(t.status, t.createdAt)],
);

export const waitlistOffers = sqliteTable(
  "waitlist_offers",
  {
    id: text("id").primaryKey(),
    entryId: text("entry_id").notNull().references(() => waitlistEntries.id),
    holdId: text("hold_id").notNull(),
    providerId: text("provider_id").notNull(),
    locationId: text("location_id"),
    startsAt: integer("starts_at").notNull(),
    status: text("status", { enum: ["offered", "claimed", "lost", "expired"] }).notNull().default("offered"),
    expiresAt: integer("expires_at").notNull(),
    appointmentId: text("appointment_id"),
  },
  (t) => [index("waitlist_offers_hold_idx").on(t.holdId)],
);
