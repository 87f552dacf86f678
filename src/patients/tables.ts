/** Patient demographics, the first table of every clinic database. */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const SEX_AT_BIRTH = ["female", "male", "intersex", "unknown"] as const;

export const patients = sqliteTable(
  "patients",
  {
    id: text("id").primaryKey(),
    givenName: text("given_name").notNull(),
    familyName: text("family_name").notNull(),
    preferredName: text("preferred_name"),
    /** ISO date, YYYY-MM-DD. */
    dateOfBirth: text("date_of_birth").notNull(),
    sexAtBirth: text("sex_at_birth", { enum: SEX_AT_BIRTH }).notNull(),
    genderIdentity: text("gender_identity"),
    phone: text("phone"),
    /** Digits only, for search. */
    phoneDigits: text("phone_digits"),
    email: text("email"),
    addressLine1: text("address_line1"),
    addressLine2: text("address_line2"),
    city: text("city"),
    region: text("region"),
    postalCode: text("postal_code"),
    country: text("country"),
    preferredLanguage: text("preferred_language"),
    emergencyName: text("emergency_name"),
    emergencyRelationship: text("emergency_relationship"),
    emergencyPhone: text("emergency_phone"),
    insurancePayer: text("insurance_payer"),
    insuranceMemberId: text("insurance_member_id"),
    insuranceGroup: text("insurance_group"),
    /** "given family preferred", lower-cased without diacritics (repo.foldForSearch), for name search. */
    searchName: text("search_name").notNull(),
    /** Lower-cased "given|family|dob", for the duplicate warning. */
    identityKey: text("identity_key").notNull(),
    version: integer("version").notNull().default(1),
    createdAt: integer("created_at").notNull().default(sql`(unixepoch('subsec') * 1000)`),
    updatedAt: integer("updated_at").notNull().default(sql`(unixepoch('subsec') * 1000)`),
    createdBy: text("created_by"),
    updatedBy: text("updated_by"),
  },
  (t) => [
    index("patients_search_name_idx").on(t.searchName),
    index("patients_family_idx").on(t.familyName),
    index("patients_dob_idx").on(t.dateOfBirth),
    index("patients_phone_idx").on(t.phoneDigits),
    index("patients_identity_idx").on(t.identityKey),
  ],
);
