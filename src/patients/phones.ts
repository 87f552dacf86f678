/**
 * Stored phone numbers in E.164: the conversion of a clinic's existing numbers (run by
 * scripts/migrate.mjs after the SQL migrations, and callable again at any time: it is
 * idempotent), and the list of patients whose number could not be read, shown to staff who can
 * fix it on /patients.
 */
import { eq, isNotNull, or, sql } from "drizzle-orm";
import type { ClinicDb } from "../platform/env";
import { requirePermission, type StaffScope } from "../platform/scope";
import { planPhoneConversion, type UnparsedPhone } from "./phone-conversion";
import { patients } from "./tables";

export type { UnparsedPhone } from "./phone-conversion";

/** D1 takes at most this many statements per batch comfortably; larger clinics go in several. */
const BATCH = 100;

/**
 * Converts every patient's phone and emergency phone to E.164, reading numbers without a
 * country code as numbers of `country` (the clinic's), and refreshes phone_digits. Returns how
 * many patients changed and the numbers it could not read (kept as typed).
 */
export async function convertStoredPhones(db: ClinicDb, country: string): Promise<{ converted: number; unparsed: UnparsedPhone[] }> {
  const rows = await db
    .select({
      id: patients.id,
      givenName: patients.givenName,
      familyName: patients.familyName,
      phone: patients.phone,
      emergencyPhone: patients.emergencyPhone,
      phoneDigits: patients.phoneDigits,
    })
    .from(patients)
    .where(or(isNotNull(patients.phone), isNotNull(patients.emergencyPhone)));
  const plan = planPhoneConversion(rows, country);
  const updates = plan.changes.map((ch) =>
    db.update(patients).set({ phone: ch.phone, emergencyPhone: ch.emergencyPhone, phoneDigits: ch.phoneDigits }).where(eq(patients.id, ch.id)),
  );
  for (let i = 0; i < updates.length; i += BATCH) {
    const chunk = updates.slice(i, i + BATCH);
    await db.batch(chunk as [(typeof chunk)[number], ...typeof chunk]);
  }
  return { converted: plan.changes.length, unparsed: plan.unparsed };
}

/** A number is stored in E.164 when it is a + and digits only, the first not 0. */
const notE164 = (column: typeof patients.phone | typeof patients.emergencyPhone) =>
  sql`(${column} IS NOT NULL AND NOT (${column} GLOB '+[1-9]*' AND substr(${column}, 2) NOT GLOB '*[^0-9]*'))`;

/**
 * Patients whose phone or emergency phone is not stored in E.164 (the conversion could not read
 * it), by name, for the notice on /patients. At most `limit`; the notice links each to its edit form.
 */
export async function phonesToFix(scope: StaffScope, limit = 50): Promise<{ id: string; name: string }[]> {
  requirePermission(scope, "patients:write");
  const rows = await scope.db
    .select({ id: patients.id, givenName: patients.givenName, familyName: patients.familyName })
    .from(patients)
    .where(or(notE164(patients.phone), notE164(patients.emergencyPhone)))
    .orderBy(patients.familyName, patients.givenName)
    .limit(limit);
  return rows.map((r) => ({ id: r.id, name: `${r.familyName}, ${r.givenName}` }));
}
