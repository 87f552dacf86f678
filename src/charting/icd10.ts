/**
 * ICD-10-CM codes for the problem list: how a code is written (with its dot), how a search box
 * query becomes a condition on `icd10_codes.search_text`, and the lookups. The table holds the
 * starter subset of migration 0007, or the full CMS release loaded by `npm run icd10:load`.
 */
import { and, asc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { ClinicDb } from "../platform/env";
import { foldForSearch } from "../patients/repo";
import { icd10Codes } from "./tables";

export type Icd10Code = typeof icd10Codes.$inferSelect;

/** A letter, a digit, then up to five letters or digits (the dot optional): the shape of a code. */
const CODE_SHAPE = /^[A-Za-z]\d[0-9A-Za-z]\.?[0-9A-Za-z]{0,4}$/;

/** `e119` or `E11.9` → `E11.9`; null when it cannot be a code. */
export function normalizeCode(raw: string): string | null {
  const s = raw.trim().toUpperCase().replace(".", "");
  if (!/^[A-Z]\d[0-9A-Z][0-9A-Z]{0,4}$/.test(s)) return null;
  return s.length > 3 ? `${s.slice(0, 3)}.${s.slice(3)}` : s;
}

/** Lower-case, without diacritics or apostrophes: "Crohn's" and "crohns" are the same word. */
export function foldCodeText(s: string): string {
  return foldForSearch(s).replace(/['’]/g, "");
}

/** What `search_text` holds for a code: the code without its dot and the folded description. */
export function searchTextOf(code: string, description: string): string {
  return `${code.replace(".", "").toLowerCase()} ${foldCodeText(description)}`;
}

/**
 * A query that looks like a code matches by prefix (`E11`, `e11.6`, `M5450`); anything else
 * matches codes whose description (or code) contains every word, accents ignored.
 */
export function codeSearchWhere(q: string): SQL | undefined {
  const text = q.trim();
  if (!text) return undefined;
  if (CODE_SHAPE.test(text)) {
    const prefix = text.replace(".", "").toLowerCase();
    // A range rather than LIKE, so the search_text index serves it.
    return and(gte(icd10Codes.searchText, prefix), lt(icd10Codes.searchText, `${prefix}\u{10FFFF}`));
  }
  const words = foldCodeText(text).replace(/\./g, "").split(/[\s,;]+/).filter(Boolean).slice(0, 6);
  return and(...words.map((w) => sql`instr(${icd10Codes.searchText}, ${w}) > 0`));
}

export const CODE_RESULTS = 25;

/** Codes matching a search box query, billable codes first, then by code. */
export function searchCodes(db: ClinicDb, q: string) {
  const where = codeSearchWhere(q);
  return db
    .select()
    .from(icd10Codes)
    .where(where ?? sql`0`)
    .orderBy(sql`${icd10Codes.billable} DESC`, asc(icd10Codes.code))
    .limit(CODE_RESULTS + 1);
}

/** The row of one code (to check that a code typed or picked exists). */
export function findCode(db: ClinicDb, code: string) {
  return db.select().from(icd10Codes).where(eq(icd10Codes.code, code)).limit(1);
}
