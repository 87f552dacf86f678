/** Input schemas of the staff calendar: query strings and forms, validated at the edge. */
import { isIsoDate } from "../../platform/time";
import * as z from "zod/mini";

import { toE164 } from "../../platform/phone";
import { multiLine, oneLine, type FormValues } from "../../platform/validation";
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
  return v && isIsoDate(v) ? v : null;
}

/** An epoch-milliseconds query parameter, or null. */
export function instantParam(v: string | undefined): number | null {
  return v && /^\d{10,15}$/.test(v) ? Number(v) : null;
}

/** A fresh idempotency key for a booking form; a key passed along (a re-rendered form) is kept. */
export function formKey(v: string | undefined): string {
  return v && UUID.test(v) ? v : crypto.randomUUID();
}

// ---- query strings: lenient, a malformed value reads as absent so old links keep working ------

const param = z.optional(z.string());
const idQ = z.pipe(param, z.transform(idParam));
const dateQ = z.pipe(param, z.transform(dateParam));

/** The day view: GET /calendar?date&location&room&type. */
export const dayQuery = z.object({ date: dateQ, location: idQ, room: idQ, type: idQ });

/** One provider's week: GET /calendar/week?provider&date&location&type. */
export const weekQuery = z.object({ provider: idQ, date: dateQ, location: idQ, type: idQ });

/** Reschedule options: GET /calendar/appointments/:id/reschedule?date&provider. */
export const rescheduleQuery = z.object({ date: dateQ, provider: idQ });

/**
 * The booking form's page: the free slot clicked (checked by the route, which answers 400 when it
 * is not a slot), the patient search `q` and the form's idempotency `key` when it is re-rendered.
 */
export const newQuery = z.object({
  provider: param,
  location: param,
  type: param,
  start: param,
  room: param,
  q: z.pipe(param, z.transform((v) => (v ?? "").trim().slice(0, 100))),
  key: param,
});

/** The one-line notice after a change, from the redirect's query (display only, so never refused). */
export const noticeQuery = z.object({ booked: param, series: param, skipped: param, saved: param, moved: param, cancelled: param });
export type NoticeQuery = z.output<typeof noticeQuery>;

// ---- forms ------------------------------------------------------------------------------------

/** The last value of a field (a field sent twice keeps the later one, as a plain form read did). */
const lastOf = (v: FormValues[string] | undefined): string | undefined => (Array.isArray(v) ? v.at(-1) : v);

/** The named fields of a sent form, "" when absent. */
function textFields<const F extends string>(raw: FormValues, fields: readonly F[]): Record<F, string> {
  return Object.fromEntries(fields.map((f) => [f, lastOf(raw[f]) ?? ""])) as Record<F, string>;
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
  z.string().check(z.trim(), z.minLength(1, { error: `${label} is required.` }), z.maxLength(100, { error: `${label} must be at most 100 characters.` }), oneLine(label));

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
      z.refine(isIsoDate, { error: "Date of birth must be a real date, as YYYY-MM-DD." }),
      z.refine((v) => !isIsoDate(v) || (v <= today && v >= "1900-01-01"), { error: "Date of birth must be in the past (after 1900)." }),
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

export type BookingValues = Record<(typeof BOOKING_FIELDS)[number], string>;

/**
 * The booking form's fields as typed. A "nearest open times" button (`alt`, provider|start) sends
 * the same form for another start, maybe with another provider.
 */
export function bookingValues(raw: FormValues): BookingValues {
  const values = textFields(raw, BOOKING_FIELDS);
  const alt = /^([\w-]{1,64})\|(\d{10,15})$/.exec(lastOf(raw.alt) ?? "");
  if (alt) {
    values.provider = alt[1]!;
    values.start = alt[2]!;
  }
  return values;
}

/** A field error found after the slot and patient choice passed (kept apart, as they were). */
type Issue = { code: "custom"; message: string; path: string[]; input: unknown };
const issue = (field: string, message: string, input: unknown): Issue => ({ code: "custom", message, path: [field], input });

/**
 * The booking form: the slot, the patient (picked, or quick-added) and the optional repeat; the
 * output is the booking (`input`) and the fields as typed (`values`, to show the form again).
 * The quick-add and repeat fields are only checked once the slot and patient choice are valid.
 * The series' reach (at most a year) is checked by the service, which knows the location's
 * timezone. `today` is the clinic's; the phone is read with the clinic's `country`.
 */
const bookingStage = z.extend(bookingBaseSchema, { values: z.custom<BookingValues>() });

export const bookingForm = (today: string, country: string) =>
  z.pipe(
    // Typed as the next stage's input: that stage is what checks the strings.
    z.transform((raw: FormValues) => {
      const values = bookingValues(raw);
      return { ...values, repeat_end: values.repeat_end || "count", values } as z.input<typeof bookingStage>;
    }),
    z.pipe(
      bookingStage,
      z.transform((d, ctx): { values: BookingValues; input: BookingInput } => {
        const { values } = d;
        let patient: BookingInput["patient"] | null = null;
        if (d.patient_id === "new") {
          const p = quickPatientSchema(today, country).safeParse(values);
          if (!p.success) for (const i of p.error.issues) ctx.issues.push(issue(i.path.map(String).join("."), i.message, values));
          else patient = { new: p.data, confirmDuplicate: d.confirm_duplicate === "yes" };
        } else {
          patient = { id: d.patient_id };
        }
        let repeat: Repeat | null = null;
        if (d.repeat_weeks > 0) {
          if (d.repeat_end === "count") {
            const n = /^\d{1,3}$/.test(values.repeat_count.trim()) ? Number(values.repeat_count) : NaN;
            if (!(n >= 2 && n <= MAX_OCCURRENCES)) ctx.issues.push(issue("repeat_count", `Number of visits must be 2 to ${MAX_OCCURRENCES}.`, values));
            else repeat = { everyWeeks: d.repeat_weeks, end: { count: n } };
          } else {
            const until = values.repeat_until.trim();
            if (!isIsoDate(until)) ctx.issues.push(issue("repeat_until", "End date must be a real date, as YYYY-MM-DD.", values));
            else repeat = { everyWeeks: d.repeat_weeks, end: { until } };
          }
        }
        const input = { key: d.key, provider: d.provider, location: d.location, type: d.type, start: d.start, room: d.room, patient: patient!, repeat };
        return { values, input };
      }),
    ),
  );

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
    multiLine("The reason"),
  ),
  version,
  which: z.enum(["this", "following"], { error: "Choose which visits to cancel." }),
});

/** The status form. */
export const statusForm = z.pipe(
  z.transform((raw: FormValues) => textFields(raw, ["status", "version"])),
  statusSchema,
);

/** The cancel form; `typed_reason` is the reason as typed, to show the form again after a refusal. */
export const cancelForm = z.pipe(
  z.transform((raw: FormValues) => {
    const f = textFields(raw, ["reason", "version", "which"]);
    return { ...f, which: f.which || "this", typed_reason: f.reason };
  }),
  z.extend(cancelSchema, { typed_reason: z.string() }),
);

/** The reason of a sent cancel form as typed. */
export const typedReason = (raw: FormValues): string => lastOf(raw.reason) ?? "";

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

/** The reschedule form: one of the offered slots and the appointment's version. */
export const rescheduleForm = z.pipe(
  z.transform((raw: FormValues) => textFields(raw, ["slot", "version"])),
  rescheduleSchema,
);
