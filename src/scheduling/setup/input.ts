/**
 * Input schemas of the scheduling setup forms (zod/mini). Form values arrive as strings; empty
 * optional fields become null, numbers are whole numbers within their range, money is dollars.
 */
import { isDialable } from "../../platform/phone";
import { canonicalTimeZone } from "../../platform/time";
import * as z from "zod/mini";
import { isIsoDate } from "../../platform/time";
import { emptyToNull, optionalText, requiredText, type FormValues as SentForm } from "../../platform/validation";
import { ELIGIBILITY, MODALITIES, RESOURCE_KINDS } from "../tables";

// ---------------------------------------------------------------------------------------------
// Checks shared by several forms, exported for direct tests.

/** `HH:MM`, 24-hour, 00:00 to 23:59. */
export const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Lowercase letters, digits and single hyphens between them, e.g. `dr-patel`, `new-patient-60`. */
export const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A real calendar date as YYYY-MM-DD (the time module's check). */

/**
 * True for a National Provider Identifier with a valid check digit: the Luhn formula over the
 * card-issuer prefix 80840 followed by the 10 digits.
 * See: https://www.cms.gov/Regulations-and-Guidance/Administrative-Simplification/NationalProvIdentStand/Downloads/NPIcheckdigit.pdf
 */
export function isValidNpi(npi: string): boolean {
  if (!/^\d{10}$/.test(npi)) return false;
  const digits = `80840${npi}`;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // From the right, every second digit (starting with the one left of the check digit) doubles.
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** `120`, `120.5` or `120.00` dollars → 12000 cents; null when it is not an amount. */
export function dollarsToCents(v: string): number | null {
  const m = v.match(/^\$?(\d{1,6})(?:\.(\d{1,2}))?$/);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? "0").padEnd(2, "0"));
}

/** 12000 → `120.00`. */
export function centsToDollars(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

// ---------------------------------------------------------------------------------------------
// Field builders.

/** An id chosen from a select; empty means none. Whether it exists is the service's question. */
const optionalId = z.pipe(z.string().check(z.trim(), z.maxLength(64, { error: "Choose an option from the list." })), emptyToNull);

const requiredId = (message: string) =>
  z.string({ error: message }).check(z.trim(), z.minLength(1, { error: message }), z.maxLength(64, { error: message }));

const wholeNumber = (label: string, min: number, max: number, unit: string) =>
  z.pipe(
    z.string({ error: `${label} is required.` }).check(
      z.trim(),
      z.refine((v) => /^\d{1,6}$/.test(v) && Number(v) >= min && Number(v) <= max, {
        error: `${label} must be a whole number of ${unit} from ${min} to ${max}.`,
      }),
    ),
    z.transform((v: string) => Number.parseInt(v, 10)),
  );

const slug = (label: string) =>
  z.string({ error: `${label} is required.` }).check(
    z.trim(),
    z.minLength(1, { error: `${label} is required.` }),
    z.maxLength(60, { error: `${label} must be at most 60 characters.` }),
    z.refine((v) => v === "" || SLUG_RE.test(v), {
      error: `${label} may contain only lowercase letters, digits and hyphens, like dr-lee or new-patient.`,
    }),
  );

const color = (label: string) =>
  z.pipe(
    z.string({ error: `${label} is required.` }).check(
      z.trim(),
      z.refine((v) => /^#[0-9a-fA-F]{6}$/.test(v), { error: `${label} must be a colour like #0b5cad.` }),
    ),
    z.transform((v: string) => v.toLowerCase()),
  );

/** A checkbox: present (any value) is on, absent is off. */
const checkbox = z.pipe(z.optional(z.string()), z.transform((v: string | undefined) => v !== undefined && v !== ""));

const time = (label: string) =>
  z.string({ error: `${label} is required.` }).check(
    z.trim(),
    z.refine((v) => TIME_RE.test(v), { error: `${label} must be a time as HH:MM (24-hour), like 09:00 or 17:30.` }),
  );

/** A time that may be left empty (its form decides whether it is needed). */
const optionalTime = (label: string) =>
  z.pipe(
    z.string().check(
      z.trim(),
      z.refine((v) => v === "" || TIME_RE.test(v), { error: `${label} must be a time as HH:MM (24-hour), like 09:00 or 17:30.` }),
    ),
    emptyToNull,
  );

const date = (label: string) =>
  z.string({ error: `${label} is required.` }).check(
    z.trim(),
    z.minLength(1, { error: `${label} is required.` }),
    z.refine((v) => v === "" || isIsoDate(v), { error: `${label} must be a real date, as YYYY-MM-DD.` }),
  );

const optionalDate = (label: string) =>
  z.pipe(
    z.string().check(
      z.trim(),
      z.refine((v) => v === "" || isIsoDate(v), { error: `${label} must be a real date, as YYYY-MM-DD.` }),
    ),
    emptyToNull,
  );

const idList = (max: number, label: string) =>
  z.array(z.string().check(z.maxLength(64)), { error: `Choose ${label} from the list.` }).check(
    z.maxLength(max, { error: `Choose at most ${max} ${label}.` }),
  );

const phone = (label: string) =>
  z.pipe(
    z.string().check(
      z.trim(),
      z.maxLength(32, { error: `${label} is too long.` }),
      z.refine((v) => v === "" || isDialable(v), {
        error: `${label} must be a phone number with 7 to 15 digits, like (555) 201-3344.`,
      }),
    ),
    emptyToNull,
  );

// ---------------------------------------------------------------------------------------------
// The forms.

export const locationSchema = z.object({
  name: requiredText(100, "Name"),
  address_line1: optionalText(200, "Address"),
  city: optionalText(100, "City"),
  region: optionalText(100, "State or region"),
  postal_code: optionalText(20, "Postal code"),
  phone: phone("Phone"),
  timezone: z.pipe(
    z.string({ error: "Timezone is required." }).check(
      z.trim(),
      z.minLength(1, { error: "Timezone is required." }),
      z.refine((v) => v === "" || canonicalTimeZone(v) !== null, {
        error: "Timezone must be an IANA timezone name, like America/New_York or Europe/Berlin.",
      }),
    ),
    z.transform((v: string) => canonicalTimeZone(v) ?? v),
  ),
});
export type LocationInput = z.output<typeof locationSchema>;
export const LOCATION_FIELDS = ["name", "address_line1", "city", "region", "postal_code", "phone", "timezone"] as const;

export const resourceSchema = z.object({
  resource_name: requiredText(100, "Name"),
  resource_kind: z.enum(RESOURCE_KINDS, { error: "Choose room or equipment." }),
});
export type ResourceInput = z.output<typeof resourceSchema>;
export const RESOURCE_FIELDS = ["resource_name", "resource_kind"] as const;

export const providerSchema = z.object({
  display_name: requiredText(100, "Display name"),
  slug: slug("Booking link name"),
  credentials: optionalText(50, "Credentials"),
  npi: z.pipe(
    z.string().check(
      z.trim(),
      z.refine((v) => v === "" || /^\d{10}$/.test(v), { error: "NPI must be exactly 10 digits." }),
      z.refine((v) => !/^\d{10}$/.test(v) || isValidNpi(v), {
        error: "NPI check digit does not match: this is not a valid NPI, check it for a typo.",
      }),
    ),
    emptyToNull,
  ),
  color: color("Colour"),
  user_id: optionalId,
  location_ids: idList(50, "locations"),
  type_ids: idList(200, "appointment types"),
});
export type ProviderInput = z.output<typeof providerSchema>;
export const PROVIDER_FIELDS = ["display_name", "slug", "credentials", "npi", "color", "user_id"] as const;

export const appointmentTypeSchema = z.object({
  name: requiredText(100, "Name"),
  slug: slug("Booking link name"),
  duration_minutes: wholeNumber("Duration", 5, 480, "minutes"),
  buffer_before_minutes: wholeNumber("Buffer before", 0, 120, "minutes"),
  buffer_after_minutes: wholeNumber("Buffer after", 0, 120, "minutes"),
  price: z.pipe(
    z.string({ error: "Price is required." }).check(
      z.trim(),
      z.refine((v) => !v.startsWith("-"), { error: "Price cannot be negative: enter 0.00 for a free visit." }),
      z.refine((v) => v.startsWith("-") || dollarsToCents(v) !== null, {
        error: "Price must be an amount in dollars, like 120.00 (0.00 for a free visit).",
      }),
    ),
    z.transform((v: string) => dollarsToCents(v) ?? 0),
  ),
  modality: z.enum(MODALITIES, { error: "Choose in person or telehealth." }),
  needs_room: checkbox,
  resource_id: optionalId,
  bookable_online: checkbox,
  eligibility: z.enum(ELIGIBILITY, { error: "Choose who may book this type." }),
  color: color("Colour"),
  active: checkbox,
});
export type AppointmentTypeInput = z.output<typeof appointmentTypeSchema>;
export const TYPE_FIELDS = [
  "name",
  "slug",
  "duration_minutes",
  "buffer_before_minutes",
  "buffer_after_minutes",
  "price",
  "modality",
  "needs_room",
  "resource_id",
  "bookable_online",
  "eligibility",
  "color",
  "active",
] as const;

/** A weekly rule; end at or before start means the interval runs past midnight. */
export const ruleSchema = z
  .object({
    location_id: requiredId("Choose a location."),
    weekday: z.pipe(
      z.string({ error: "Choose a weekday." }).check(z.refine((v) => /^[1-7]$/.test(v), { error: "Choose a weekday." })),
      z.transform((v: string) => Number(v)),
    ),
    kind: z.enum(["work", "break"], { error: "Choose working hours or a break." }),
    start_time: time("Start time"),
    end_time: time("End time"),
    valid_from: optionalDate("Valid from"),
    valid_until: optionalDate("Valid until"),
  })
  .check(
    z.refine((r) => !r.valid_from || !r.valid_until || r.valid_until >= r.valid_from, {
      error: "Valid until must be on or after valid from.",
      path: ["valid_until"],
    }),
  );
export type RuleInput = z.output<typeof ruleSchema>;
export const RULE_FIELDS = ["location_id", "weekday", "kind", "start_time", "end_time", "valid_from", "valid_until"] as const;

export const overrideSchema = z
  .object({
    override_date: date("Date"),
    override_location_id: requiredId("Choose a location."),
    override_kind: z.enum(["available", "unavailable"], { error: "Choose available or unavailable." }),
    override_start: optionalTime("Start time"),
    override_end: optionalTime("End time"),
  })
  .check(
    z.refine((o) => o.override_kind === "unavailable" || o.override_start !== null, {
      error: "Start time is required when the provider is available that day.",
      path: ["override_start"],
    }),
    z.refine((o) => o.override_kind === "unavailable" || o.override_end !== null, {
      error: "End time is required when the provider is available that day.",
      path: ["override_end"],
    }),
  );
export type OverrideInput = z.output<typeof overrideSchema>;
export const OVERRIDE_FIELDS = ["override_date", "override_location_id", "override_kind", "override_start", "override_end"] as const;

export const timeOffSchema = z.object({
  off_location_id: optionalId,
  off_start_date: date("Start date"),
  off_start_time: time("Start time"),
  off_end_date: date("End date"),
  off_end_time: time("End time"),
  off_reason: optionalText(200, "Reason"),
});
export type TimeOffInput = z.output<typeof timeOffSchema>;
export const TIME_OFF_FIELDS = ["off_location_id", "off_start_date", "off_start_time", "off_end_date", "off_end_time", "off_reason"] as const;

export const holidaySchema = z.object({
  date: date("Date"),
  name: requiredText(100, "Name"),
  location_id: optionalId,
});
export type HolidayInput = z.output<typeof holidaySchema>;
export const HOLIDAY_FIELDS = ["date", "name", "location_id"] as const;

export const SLOT_STEPS = [5, 10, 15, 20, 30, 60] as const;

export const bookingRulesSchema = z.object({
  min_notice_minutes: wholeNumber("Minimum notice", 0, 10080, "minutes"),
  max_days_ahead: wholeNumber("Booking horizon", 1, 365, "days"),
  cancel_window_hours: wholeNumber("Cancellation window", 0, 720, "hours"),
  max_upcoming_per_patient: wholeNumber("Upcoming bookings per patient", 1, 50, "bookings"),
  hold_minutes: wholeNumber("Hold time", 1, 30, "minutes"),
  slot_step_minutes: z.pipe(
    z.string({ error: "Choose a slot step." }).check(
      z.refine((v) => (SLOT_STEPS as readonly number[]).includes(Number(v)) && /^\d+$/.test(v), {
        error: "Slot step must be 5, 10, 15, 20, 30 or 60 minutes.",
      }),
    ),
    z.transform((v: string) => Number(v)),
  ),
});
export type BookingRulesInput = z.output<typeof bookingRulesSchema>;
export const BOOKING_RULE_FIELDS = [
  "min_notice_minutes",
  "max_days_ahead",
  "cancel_window_hours",
  "max_upcoming_per_patient",
  "hold_minutes",
  "slot_step_minutes",
] as const;

/** Raw values of a form as typed, to re-render it after a failed post. */
export type FormValues = Record<string, string | null | undefined>;

// ---------------------------------------------------------------------------------------------
// Reading the sent forms (for the route middleware) and the query string.

/** The last value of a field (a field sent twice keeps the later one, as a plain form read did). */
const lastOf = (v: SentForm[string] | undefined): string | undefined => (Array.isArray(v) ? v.at(-1) : v);

/** The named fields of a sent form as typed, "" when absent; a missing checkbox stays undefined (unticked). */
export function pickFields(raw: SentForm, fields: readonly string[], checkboxes: readonly string[] = []): FormValues {
  const out: FormValues = {};
  for (const f of fields) out[f] = checkboxes.includes(f) ? lastOf(raw[f]) : (lastOf(raw[f]) ?? "");
  return out;
}

/** Every value of a repeated field (a checkbox group). */
const listOf = (raw: SentForm, name: string): string[] => [raw[name] ?? []].flat();

/**
 * A setup form for the route middleware: what `read` takes from the sent form (`values`, as typed,
 * to show the form again when the service refuses it) and those values checked by `schema`
 * (`data`). Field messages keep the field's own name.
 */
function setupForm<V, S extends z.ZodMiniType>(read: (raw: SentForm) => V, schema: S, input: (values: V) => unknown = (v) => v) {
  return z.transform((raw: SentForm, ctx): { values: V; data: z.output<S> } => {
    const values = read(raw);
    const r = schema.safeParse(input(values));
    if (r.success) return { values, data: r.data as z.output<S> };
    for (const i of r.error.issues) ctx.issues.push({ code: "custom", message: i.message, path: i.path, input: values });
    return z.NEVER;
  });
}

export const TYPE_CHECKBOXES = ["needs_room", "bookable_online", "active"] as const;

/** The provider form as typed: its fields and the ticked locations and appointment types. */
export interface ProviderValues {
  fields: FormValues;
  locationIds: string[];
  typeIds: string[];
}

export const locationForm = setupForm((raw) => pickFields(raw, LOCATION_FIELDS), locationSchema);
export const resourceForm = setupForm((raw) => pickFields(raw, RESOURCE_FIELDS), resourceSchema);
/** The provider form as typed, from the sent form. */
export const providerValues = (raw: SentForm): ProviderValues => ({
  fields: pickFields(raw, PROVIDER_FIELDS),
  locationIds: listOf(raw, "location_ids"),
  typeIds: listOf(raw, "type_ids"),
});

export const providerForm = setupForm(
  providerValues,
  providerSchema,
  (v) => ({ ...v.fields, location_ids: v.locationIds, type_ids: v.typeIds }),
);
export const ruleForm = setupForm((raw) => pickFields(raw, RULE_FIELDS), ruleSchema);
export const overrideForm = setupForm((raw) => pickFields(raw, OVERRIDE_FIELDS), overrideSchema);
export const timeOffForm = setupForm((raw) => pickFields(raw, TIME_OFF_FIELDS), timeOffSchema);
export const typeForm = setupForm((raw) => pickFields(raw, TYPE_FIELDS, TYPE_CHECKBOXES), appointmentTypeSchema);
export const holidayForm = setupForm((raw) => pickFields(raw, HOLIDAY_FIELDS), holidaySchema);
export const bookingRulesForm = setupForm((raw) => pickFields(raw, BOOKING_RULE_FIELDS), bookingRulesSchema);

/** The active/inactive switches: `active=1` turns on, anything else off. */
export const activeForm = z.pipe(
  z.transform((raw: SentForm) => ({ active: lastOf(raw.active) === "1" })),
  z.object({ active: z.boolean() }),
);

/** `?saved=1` after a redirect shows the saved notice (display only, so never refused). */
export const savedQuery = z.object({ saved: z.pipe(z.optional(z.string()), z.transform((v) => v === "1")) });
