// npm run db:migrate [-- --remote] [-- --persist-to <dir>]
//
// Applies pending migrations to the directory database (binding DIRECTORY, migrations/directory)
// and to every clinic database (every CLINIC_* binding, migrations/clinic) of wrangler.toml: the
// top-level bindings locally, those of [env.production] with --remote. Never prompts.
// Then converts every clinic's stored patient phone numbers to E.164 (idempotent; see
// src/patients/phone-conversion.ts) and prints how many it could not read, for staff to fix.
import {
  CliError,
  TARGET_OPTIONS,
  applyMigrations,
  clinicBindings,
  d1Execute,
  d1ExecuteSql,
  describeTarget,
  directoryBinding,
  isMain,
  mapLimit,
  parseCli,
  readWranglerConfig,
  runMain,
  sqlValue,
  targetFrom,
} from "./lib.mjs";

/** Migrates every database of `target`, printing one line per database. Throws if any failed. */
export async function migrateAll(target, { log = console.log } = {}) {
  const config = readWranglerConfig();
  const databases = [directoryBinding(target, config), ...clinicBindings(target, config)];
  log(`Migrating ${databases.length} database(s) (${describeTarget(target)}):`);
  for (const b of databases.slice(1)) {
    if (b.migrations_dir !== "migrations/clinic") {
      log(`  warning: ${b.binding} has migrations_dir = "${b.migrations_dir ?? "(unset)"}" in wrangler.toml; clinic databases use "migrations/clinic".`);
    }
  }
  // Remote databases migrate two at a time. Local ones go one by one: the local runtimes share a
  // state directory, and concurrent starts fail with SQLITE_BUSY.
  const results = await mapLimit(databases, target.remote ? 2 : 1, async (b) => {
    try {
      return { b, applied: await applyMigrations(b, target) };
    } catch (err) {
      return { b, err };
    }
  });
  const failures = [];
  for (const { b, applied, err } of results) {
    const label = `  ${b.database_name} (${b.binding})`;
    if (err) {
      log(`${label}: FAILED`);
      failures.push(err);
    } else if (applied.length === 0) log(`${label}: up to date`);
    else log(`${label}: applied ${applied.length} migration(s): ${applied.join(", ")}`);
  }
  if (failures.length > 0) throw new CliError(failures.map((e) => e.message).join("\n"));
  await convertPhones(target, databases[0], databases.slice(1), { log });
  return results;
}

const PHONE_ROWS =
  "SELECT id, given_name AS givenName, family_name AS familyName, phone, emergency_phone AS emergencyPhone, phone_digits AS phoneDigits " +
  "FROM patients WHERE phone IS NOT NULL OR emergency_phone IS NOT NULL";

/**
 * Converts the stored phone numbers of each clinic database to E.164, reading numbers without a
 * country code with the clinic's country (clinics.country in the directory). Numbers it cannot
 * read stay as typed; staff see them named on /patients. Only their count and patient ids are
 * printed here, so no patient's name or number lands in a terminal log.
 */
export async function convertPhones(target, directory, clinics, { log = console.log } = {}) {
  let planPhoneConversion;
  try {
    // TypeScript loaded by Node's type stripping (Node >= 22.18, the version npm scripts run).
    ({ planPhoneConversion } = await import("../src/patients/phone-conversion.ts"));
  } catch (err) {
    log(`Phone numbers were not converted (${err.message}). Run npm run db:migrate with Node >= 22.18.`);
    return;
  }
  log("Converting stored phone numbers to E.164:");
  for (const b of clinics) {
    const [clinicRows] = await d1Execute(directory.database_name, target, { command: `SELECT country FROM clinics WHERE db_binding = ${sqlValue(b.binding)}` });
    const country = clinicRows?.[0]?.country ?? "US";
    const [rows] = await d1Execute(b.database_name, target, { command: PHONE_ROWS });
    const { changes, unparsed } = planPhoneConversion(rows ?? [], country);
    if (changes.length > 0) {
      const sql = changes
        .map(
          (c) =>
            `UPDATE patients SET phone = ${sqlValue(c.phone)}, emergency_phone = ${sqlValue(c.emergencyPhone)}, phone_digits = ${sqlValue(c.phoneDigits)} WHERE id = ${sqlValue(c.id)};`,
        )
        .join("\n");
      await d1ExecuteSql(b.database_name, target, sql);
    }
    const ids = [...new Set(unparsed.map((u) => u.patientId))];
    log(`  ${b.database_name}: ${changes.length} patient(s) converted, ${ids.length} with a number to fix${ids.length ? `: ${ids.join(", ")}` : ""}`);
  }
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const values = parseCli({ usage: "npm run db:migrate [-- --remote | --persist-to <dir>]", options: { ...TARGET_OPTIONS } });
    await migrateAll(targetFrom(values));
  });
}
