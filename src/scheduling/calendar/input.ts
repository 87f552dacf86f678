/** Input schemas of the staff calendar: query strings and forms, validated at the edge. */
import * as z from "zod/mini";
import { isValidIsoDate } from "../../patients/input";
import { toE164 } from "../../platform/phone";
import { APPOINTMENT_STATUSES } from "../tables";
import { MAX_OCCURRENCES } from "./days";

export const ID = /^[\w-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A query parameter that is an id, or null when absent or malformed. */
export function idParam(v: string | undefined): string | null {
  return v && ID.test(v) ? v : null;
}

/** A query parameter that is a real YYYY-MM-DD date, or null. */
export function dateParam(v: string | undefined): string | null {
  return v && isValidIsoDate(v) ? v : null;
}

/** An epoch-milliseconds query parameter, or null. */
export function instantParam(v: string | undefined): number | null {
  return v && /^\d{10,15}$/.test(v) ? Number(v) : null;
}

/** A fresh idempotency key for a booking form; a key passed along (a re-rendered form) is kept. */
export function formKey(v: string | undefined): string {
  return v && UUID.test(v) ? v : crypto.randomUUID();
}

const id = (what: string) => z.string({ error: `The ${what} is missing.` }).check(z.regex(ID, { error: `The ${what} is not valid.` }));

const instant = z.pipe(
  z.string({ error: "The start time is missing." }).check(z.regex(/^\d{10,15}$/, { error: "The start time is not valid." })),
  z.transform((v: string) => Number(v)),
);

const optionalId = z.pipe(
  z.string().check(z.refine((v) => v === "" || ID.test(v), { error: "Not a valid id." })),
  z.transform((v: string) => (v === "" ? null : v)),
);

const version = z.pipe(
  z.string({ error: "The form is missing its version: reload the page." }).check(
    z.regex(/^[1-9]\d{0,8}$/, { error: "The form is missing its version: reload the page." }),
  ),
  z.transform((v: string) => Number(v)),
);

const name = (label: string) =>
  z.string().check(z.trim(), z.minLength(1, { error: `${label} is required.` }), z.maxLength(100, { error: `${label} must be at most 100 characters.` }));

/**
 * The quick-add patient: what the front desk needs to book someone new. `today` is the clinic's
 * today; the phone is read with the clinic's `country` as default and comes out in E.164.
 */
export const quickPatientSchema = (today: string, country: string) =>
  z.object({
    given_name: name("First name"),
    family_name: name("Last name"),
    date_of_birth: z.string().check(
      z.trim(),
      z.refine(isValidIsoDate, { error: "Date of birth must be a real date, as YYYY-MM-DD." }),
      z.refine((v) => !isValidIsoDate(v) || (v <= today && v >= "1900-01-01"), { error: "Date of birth must be in the past (after 1900)." }),
    ),
    phone: z.pipe(
      z.string().check(
        z.trim(),
        z.refine((v) => toE164(v, country) !== null, { error: "Phone must be a phone number with 7 to 15 digits, like (555) 201-3344." }),
      ),
      z.transform((v: string) => toE164(v, country) ?? v),
    ),
  });

export type QuickPatient = z.output<ReturnType<typeof quickPatientSchema>>;

const slotFields = {
  key: z.string({ error: "This form is missing its key: reload the page." }).check(z.regex(UUID, { error: "This form is missing its key: reload the page." })),
  provider: id("provider"),
  location: id("location"),
  type: id("appointment type"),
  start: instant,
  room: optionalId,
};

export const bookingBaseSchema = z.object({
  ...slotFields,
  patient_id: z.string({ error: "Pick a patient, or add a new one." }).check(
    z.refine((v) => v === "new" || ID.test(v), { error: "Pick a patient, or add a new one." }),
  ),
  repeat_weeks: z.pipe(
    z.string().check(z.regex(/^(?:|0|[1-9]|1[0-2])$/, { error: "Repeat every 1 to 12 weeks, or not at all." })),
    z.transform((v: string) => (v === "" ? 0 : Number(v))),
  ),
  repeat_end: z.enum(["count", "until"], { error: "Choose how the series ends." }),
  repeat_count: z.string(),
  repeat_until: z.string(),
  confirm_duplicate: z.string(),
});

export type Repeat = { everyWeeks: number; end: { count: number } | { until: string } };

export interface BookingInput {
  key: string;
  provider: string;
  location: string;
  type: string;
  start: number;
  room: string | null;
  patient: { id: string } | { new: QuickPatient; confirmDuplicate: boolean };
  repeat: Repeat | null;
}

export const BOOKING_FIELDS = [
  "key",
  "provider",
  "location",
  "type",
  "start",
  "room",
  "patient_id",
  "given_name",
  "family_name",
  "date_of_birth",
  "phone",
  "repeat_weeks",
  "repeat_end",
  "repeat_count",
  "repeat_until",
  "confirm_duplicate",
] as const;

type Errors = Record<string, string>;

function issuesOf(r: { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } }, into: Errors): void {
  for (const issue of r.error.issues) {
    const key = issue.path.map(String).join(".") || "_form";
    if (!into[key]) into[key] = issue.message;
  }
}

/**
 * The booking form: the slot, the patient (picked, or quick-added) and the optional repeat. The
 * series' reach (at most a year) is checked by the service, which knows the location's timezone.
 */
export function parseBookingForm(form: Record<string, string>, today: string, country: string): { ok: true; data: BookingInput } | { ok: false; errors: Errors } {
  const errors: Errors = {};
  const base = bookingBaseSchema.safeParse({
    ...form,
    repeat_weeks: form.repeat_weeks ?? "",
    repeat_end: form.repeat_end || "count",
    repeat_count: form.repeat_count ?? "",
    repeat_until: form.repeat_until ?? "",
    confirm_duplicate: form.confirm_duplicate ?? "",
    room: form.room ?? "",
  });
  if (!base.success) issuesOf(base, errors);
  let patient: BookingInput["patient"] | null = null;
  if (base.success && base.data.patient_id === "new") {
    const p = quickPatientSchema(today, country).safeParse(form);
    if (!p.success) issuesOf(p, errors);
    else patient = { new: p.data, confirmDuplicate: base.data.confirm_duplicate === "yes" };
  } else if (base.success) {
    patient = { id: base.data.patient_id };
  }
  let repeat: Repeat | null = null;
  if (base.success && base.data.repeat_weeks > 0) {
    const weeks = base.data.repeat_weeks;
    if (base.data.repeat_end === "count") {
      const n = /^\d{1,3}$/.test((form.repeat_count ?? "").trim()) ? Number(form.repeat_count) : NaN;
      if (!(n >= 2 && n <= MAX_OCCURRENCES)) errors.repeat_count = `Number of visits must be 2 to ${MAX_OCCURRENCES}.`;
      else repeat = { everyWeeks: weeks, end: { count: n } };
    } else {
      const until = (form.repeat_until ?? "").trim();
      if (!isValidIsoDate(until)) errors.repeat_until = "End date must be a real date, as YYYY-MM-DD.";
      else repeat = { everyWeeks: weeks, end: { until } };
    }
  }
  if (!base.success || !patient || Object.keys(errors).length > 0) return { ok: false, errors };
  const d = base.data;
  return { ok: true, data: { key: d.key, provider: d.provider, location: d.location, type: d.type, start: d.start, room: d.room, patient, repeat } };
}

export const STATUS_FLOW = ["booked", "confirmed", "arrived", "in_room", "completed"] as const;

export const statusSchema = z.object({
  status: z.enum(APPOINTMENT_STATUSES, { error: "Choose a status." }),
  version,
});

export const cancelSchema = z.object({
  reason: z.string({ error: "Give a reason for the cancellation." }).check(
    z.trim(),
    z.minLength(1, { error: "Give a reason for the cancellation." }),
    z.maxLength(500, { error: "The reason must be at most 500 characters." }),
  ),
  version,
  which: z.enum(["this", "following"], { error: "Choose which visits to cancel." }),
});

export const rescheduleSchema = z.object({
  slot: z.pipe(
    z.string({ error: "Pick one of the times shown." }).check(z.regex(/^[\w-]{1,64}\|[\w-]{1,64}\|\d{10,15}$/, { error: "Pick one of the times shown." })),
    z.transform((v: string) => {
      const [providerId, locationId, start] = v.split("|") as [string, string, string];
      return { providerId, locationId, startsAt: Number(start) };
    }),
  ),
  version,
});
