/** Input schemas of the patient forms. Empty optional fields become null. */
import * as z from "zod/mini";
import { toE164 } from "../platform/phone";
import { isIsoDate } from "../platform/time";
import { optionalText, requiredText } from "../platform/validation";
import { SEX_AT_BIRTH } from "./tables";

/**
 * A phone number as people type it, read with the clinic's country as the default and stored in
 * E.164 (`(555) 201-3344` in a US clinic -> `+15552013344`); empty becomes null.
 */
export const phoneField = (label: string, country: string) =>
  z.pipe(
    z.string().check(
      z.trim(),
      z.maxLength(32, { error: `${label} is too long.` }),
      z.refine((v) => v === "" || toE164(v, country) !== null, {
        error: `${label} must be a phone number with 7 to 15 digits, like (555) 201-3344 or +1 555 201 3344.`,
      }),
    ),
    z.transform((v: string) => (v === "" ? null : toE164(v, country))),
  );

const EMAIL = z.email();

/** A real calendar date as YYYY-MM-DD (the time module's `isIsoDate`, under the name forms import). */

/**
 * `today` is the clinic's today (`clinicToday`), not UTC's: a baby born this morning in Auckland
 * is not "in the future". `country` is the clinic's, the default of phones typed without a code.
 */
export function patientInputSchema(today: string, country: string) {
  return z.object({
    given_name: requiredText(100, "Legal first name"),
    family_name: requiredText(100, "Legal last name"),
    preferred_name: optionalText(100, "Preferred name"),
    date_of_birth: z.string({ error: "Date of birth is required." }).check(
      z.trim(),
      z.minLength(1, { error: "Date of birth is required." }),
      z.refine((v) => v === "" || isIsoDate(v), { error: "Date of birth must be a real date, as YYYY-MM-DD." }),
      z.refine((v) => !isIsoDate(v) || v <= today, { error: "Date of birth cannot be in the future." }),
      z.refine((v) => !isIsoDate(v) || v >= "1900-01-01", { error: "Date of birth must be after 1900-01-01." }),
    ),
    sex_at_birth: z.enum(SEX_AT_BIRTH, { error: "Choose the sex assigned at birth (or unknown)." }),
    gender_identity: optionalText(100, "Gender identity"),
    phone: phoneField("Phone", country),
    email: z.pipe(
      z.string().check(
        z.trim(),
        z.maxLength(254, { error: "Email must be at most 254 characters." }),
        z.refine((v) => v === "" || EMAIL.safeParse(v).success, { error: "Email must be a valid address, like name@example.com." }),
      ),
      z.transform((v: string) => (v === "" ? null : v.toLowerCase())),
    ),
    address_line1: optionalText(200, "Address"),
    address_line2: optionalText(200, "Address line 2"),
    city: optionalText(100, "City"),
    region: optionalText(100, "State or region"),
    postal_code: optionalText(20, "Postal code"),
    country: optionalText(100, "Country"),
    preferred_language: optionalText(50, "Preferred language"),
    emergency_name: optionalText(100, "Emergency contact name"),
    emergency_relationship: optionalText(50, "Emergency contact relationship"),
    emergency_phone: phoneField("Emergency contact phone", country),
    insurance_payer: optionalText(100, "Insurance payer"),
    insurance_member_id: optionalText(50, "Insurance member id"),
    insurance_group: optionalText(50, "Insurance group"),
  });
}

export type PatientInput = z.output<ReturnType<typeof patientInputSchema>>;

/** The form fields, in order, with their labels: one list for the form view and the CSV of changes. */
export const PATIENT_FIELDS = [
  "given_name",
  "family_name",
  "preferred_name",
  "date_of_birth",
  "sex_at_birth",
  "gender_identity",
  "phone",
  "email",
  "address_line1",
  "address_line2",
  "city",
  "region",
  "postal_code",
  "country",
  "preferred_language",
  "emergency_name",
  "emergency_relationship",
  "emergency_phone",
  "insurance_payer",
  "insurance_member_id",
  "insurance_group",
] as const;

export type PatientField = (typeof PATIENT_FIELDS)[number];
export type PatientFormValues = Partial<Record<PatientField, string | null>>;
