// npm run db:migrate [-- --remote] [-- --persist-to <dir>]
//
// Applies pending migrations to the directory database (binding DIRECTORY, migrations/directory)
// and to every clinic database (every CLINIC_* binding, migrations/clinic) of wrangler.toml: the
// top-level bindings locally, those of [env.production] with --remote. Never prompts.
import {
  CliError,
  TARGET_OPTIONS,
  applyMigrations,
  clinicBindings,
  describeTarget,
  directoryBinding,
  isMain,
  mapLimit,
  parseCli,
  readWranglerConfig,
  runMain,
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
  // Each wrangler run takes a second or two to start; distinct databases are separate files, so a
  // few run side by side. Lines are printed in wrangler.toml order.
  const results = await mapLimit(databases, target.remote ? 2 : 4, async (b) => {
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
  return results;
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const values = parseCli({ usage: "npm run db:migrate [-- --remote | --persist-to <dir>]", options: { ...TARGET_OPTIONS } });
    await migrateAll(targetFrom(values));
  });
}
