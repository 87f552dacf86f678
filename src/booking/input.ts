/**
 * Input of the public booking pages: the hold and details forms, the cancel form and the query
 * strings that carry the booking flow's signed tokens (`h` a hold, `m` a booking's manage link,
 * `invite` an invitation). Tokens are only read here as text; their signatures are checked by
 * `./tokens`, so a missing or mangled token is refused there, like any other bad token.
 */
import { isIsoDate } from "../platform/time";
import * as z from "zod/mini";

import { toE164 } from "../platform/phone";
import { CHALLENGE_FIELD } from "./challenge";
import { oneLine, type FormValues } from "../platform/validation";

/** The last value of a field (a field sent twice keeps the later one, as a plain form read did). */
const lastOf = (v: FormValues[string] | undefined): string | undefined => (Array.isArray(v) ? v.at(-1) : v);

/** An optional query parameter, kept as typed; absent stays undefined, so old links keep working. */
const param = z.optional(z.string());

/** A token parameter: absent is "", which the token check refuses like any other bad token. */
const token = z.pipe(z.optional(z.string()), z.transform((v) => v ?? ""));

/** A slot button's value: provider, location and start instant. */
const SLOT_VALUE = /^([\w-]{1,64})\|([\w-]{1,64})\|(\d{10,15})$/;

/**
 * The hold form (one button per offered slot). Only the slot is checked here (anything else is a
 * 400 "pick one of the times shown", given by the route); the type is checked against the clinic's
 * bookable types and the `m` and `invite` tokens by their signatures.
 */
export const holdForm = z.pipe(
  z.transform((raw: FormValues) => ({
    slot: lastOf(raw.slot) ?? "",
    type: lastOf(raw.type) ?? "",
    provider: lastOf(raw.provider) ?? "",
    back: lastOf(raw.back) ?? "",
    from: lastOf(raw.from) ?? "",
    m: lastOf(raw.m) ?? "",
    invite: lastOf(raw.invite) ?? "",
    challenge: lastOf(raw[CHALLENGE_FIELD]) ?? "",
  })),
  z.object({
    slot: z.pipe(
      z.string().check(z.regex(SLOT_VALUE, { error: "Pick one of the times shown." })),
      z.transform((v: string) => {
        const [, providerId, locationId, start] = SLOT_VALUE.exec(v) as unknown as [string, string, string, string];
        return { providerId, locationId, startsAt: Number(start) };
      }),
    ),
    type: z.string(),
    provider: z.string(),
    /** Where the slot list came from; only paths under /book are followed back. */
    back: z.pipe(z.string(), z.transform((v: string) => (v.startsWith("/book") ? v : "/book"))),
    from: z.string(),
    m: z.string(),
    invite: z.string(),
    /** The human check's token, when the page asked for it (checked by ./challenge). */
    challenge: z.string(),
  }),
);

export const DETAILS_FIELDS = ["given_name", "family_name", "date_of_birth", "phone", "email"] as const;

/** The details form's fields as typed, to show the form again. */
export function detailsValues(raw: FormValues): Record<string, string> {
  return Object.fromEntries(DETAILS_FIELDS.map((f) => [f, lastOf(raw[f]) ?? ""]));
}

/** The booking details form; `today` is the clinic's, and the phone comes out in E.164 (read with the clinic's `country`). */
export const detailsSchema = (today: string, country: string) =>
  z.object({
    given_name: z.string().check(z.trim(), z.minLength(1, { error: "First name is required." }), z.maxLength(100, { error: "First name is too long." }), oneLine("First name")),
    family_name: z.string().check(z.trim(), z.minLength(1, { error: "Last name is required." }), z.maxLength(100, { error: "Last name is too long." }), oneLine("Last name")),
    date_of_birth: z.string().check(
      z.trim(),
      z.refine(isIsoDate, { error: "Date of birth must be a real date, as YYYY-MM-DD." }),
      z.refine((v) => !isIsoDate(v) || (v <= today && v >= "1900-01-01"), { error: "Date of birth must be in the past." }),
    ),
    phone: z.pipe(
      z.string().check(
        z.trim(),
        z.refine((v) => toE164(v, country) !== null, { error: "Mobile phone must be a phone number with 7 to 15 digits, like (555) 201-3344." }),
      ),
      z.transform((v: string) => toE164(v, country) ?? v),
    ),
    email: z.pipe(
      z.string().check(
        z.trim(),
        z.maxLength(254, { error: "Email is too long." }),
        z.refine((v) => v === "" || z.email().safeParse(v).success, { error: "Email must be a valid address, like name@example.com." }),
      ),
      z.transform((v: string) => (v === "" ? null : v.toLowerCase())),
    ),
  });

/**
 * The confirm form: the details, the hold token (`hold`) and the fields as typed (`submitted`),
 * for showing the form again after a refusal by the booking itself.
 */
export const confirmForm = (today: string, country: string) =>
  z.pipe(
    z.transform((raw: FormValues) => ({ ...detailsValues(raw), hold: lastOf(raw.hold) ?? "", challenge: lastOf(raw[CHALLENGE_FIELD]) ?? "", submitted: detailsValues(raw) })),
    z.extend(detailsSchema(today, country), { hold: z.string(), challenge: z.string(), submitted: z.record(z.string(), z.string()) }),
  );

/** The hold token of a details form sent back, whatever else is wrong with it. */
export const holdOf = (raw: FormValues): string => lastOf(raw.hold) ?? "";

/** The cancel form: just the manage token. */
export const cancelForm = z.pipe(
  z.transform((raw: FormValues) => ({ m: lastOf(raw.m) ?? "" })),
  z.object({ m: z.string() }),
);

/** /book/details?h=<hold token>. */
export const detailsQuery = z.object({ h: token });

/** Pages reached by a manage link: ?m=<token>, with the notice after a change and the slot list's first day. */
export const manageQuery = z.object({ m: token, moved: param, cancelled: param, from: param });

/** Entry links: the type (for /book), the invitation token and the slot list's first day. */
export const entryQuery = z.object({ type: param, invite: param, from: param });
