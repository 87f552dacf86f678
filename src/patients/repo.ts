/** Patient queries against one clinic's database. Every function takes the clinic-scoped client. */
import { phoneDigits } from "../platform/phone";
import { isIsoDate } from "../platform/time";
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { ClinicDb } from "../platform/env";
import { patients } from "./tables";
import { type PatientInput } from "./input";

export type Patient = typeof patients.$inferSelect;

/** Lower-case without diacritics, so "garcia" finds "García" and "Lopez" finds "López". */
export function foldForSearch(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

export function identityKey(given: string, family: string, dob: string): string {
  return `${given.trim().toLowerCase()}|${family.trim().toLowerCase()}|${dob}`;
}

/** Columns derived from the input: what search and the duplicate check read. */
export function toRow(input: PatientInput) {
  return {
    givenName: input.given_name,
    familyName: input.family_name,
    preferredName: input.preferred_name,
    dateOfBirth: input.date_of_birth,
    sexAtBirth: input.sex_at_birth,
    genderIdentity: input.gender_identity,
    phone: input.phone,
    phoneDigits: input.phone ? phoneDigits(input.phone) : null,
    email: input.email,
    addressLine1: input.address_line1,
    addressLine2: input.address_line2,
    city: input.city,
    region: input.region,
    postalCode: input.postal_code,
    country: input.country,
    preferredLanguage: input.preferred_language,
    emergencyName: input.emergency_name,
    emergencyRelationship: input.emergency_relationship,
    emergencyPhone: input.emergency_phone,
    insurancePayer: input.insurance_payer,
    insuranceMemberId: input.insurance_member_id,
    insuranceGroup: input.insurance_group,
    searchName: foldForSearch([input.given_name, input.family_name, input.preferred_name ?? ""].join(" ").trim()),
    identityKey: identityKey(input.given_name, input.family_name, input.date_of_birth),
  };
}

/** Reads a US (MM/DD/YYYY) or ISO date typed into search; null if it is not a date. */
export function searchDate(q: string): string | null {
  const iso = q.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/);
  const us = q.match(/^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : us ? [us[3], us[1], us[2]] : [];
  if (!y || !m || !d) return null;
  const v = `${y}-${m.padStart(2, "0")}-${d.padStart(2, "0")}`;
  return isIsoDate(v) ? v : null;
}

export type SearchKind = "recent" | "name" | "dob" | "phone";

/** How a search box query is read: a date, a phone number, or name words. */
export function searchWhere(q: string): { kind: SearchKind; where?: SQL } {
  const text = q.trim();
  if (!text) return { kind: "recent" };
  const date = searchDate(text);
  if (date) return { kind: "dob", where: eq(patients.dateOfBirth, date) };
  if (/^[\d\s()+.\-]+$/.test(text) && phoneDigits(text).length >= 3) {
    // instr(), not LIKE: D1 refuses LIKE patterns longer than 50 bytes, and no escaping is needed.
    return { kind: "phone", where: sql`instr(${patients.phoneDigits}, ${phoneDigits(text)}) > 0` };
  }
  const words = foldForSearch(text).split(/[\s,]+/).filter(Boolean).slice(0, 5);
  const conds = words.map((w) => sql`instr(${patients.searchName}, ${w}) > 0`);
  return { kind: "name", where: and(...conds) };
}

export const PAGE_SIZE = 25;

/** One page of matches (and whether there are more), newest changes first for an empty query. */
export async function searchPatients(db: ClinicDb, q: string, pageNo: number): Promise<{ rows: Patient[]; more: boolean; kind: SearchKind }> {
  const { kind, where } = searchWhere(q);
  const rows = await db
    .select()
    .from(patients)
    .where(where)
    .orderBy(...(kind === "recent" ? [desc(patients.updatedAt)] : [patients.familyName, patients.givenName, patients.id]))
    .limit(PAGE_SIZE + 1)
    .offset((pageNo - 1) * PAGE_SIZE);
  return { rows: rows.slice(0, PAGE_SIZE), more: rows.length > PAGE_SIZE, kind };
}

export async function findPatient(db: ClinicDb, id: string): Promise<Patient | undefined> {
  return db.query.patients.findFirst({ where: eq(patients.id, id) });
}

export async function findByIdentity(db: ClinicDb, key: string, exceptId?: string): Promise<Patient[]> {
  return db
    .select()
    .from(patients)
    .where(exceptId ? and(eq(patients.identityKey, key), sql`${patients.id} != ${exceptId}`) : eq(patients.identityKey, key))
    .limit(5);
}

