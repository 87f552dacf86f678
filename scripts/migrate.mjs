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
  return results;
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const values = parseCli({ usage: "npm run db:migrate [-- --remote | --persist-to <dir>]", options: { ...TARGET_OPTIONS } });
    await migrateAll(targetFrom(values));
  });
}
