// npm run clinic:create -- --slug acme --name "Acme Clinic" [--org riverside] [--org-name "Riverside Health"]
//                          [--timezone America/Chicago] [--remote] [--persist-to <dir>]
//
// Adds a clinic: its database binding CLINIC_<SLUG> in wrangler.toml (for --remote, a new D1
// database made with `wrangler d1 create` and an [[env.production.d1_databases]] block), the clinic
// migrations on that database, and its row in the directory (with its organization, created when
// missing). Idempotent: every step is skipped when already done, and a second run changes nothing.
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import {
  CliError,
  REMOTE_ENV,
  TARGET_OPTIONS,
  WRANGLER_TOML,
  applyMigrations,
  clinicBindingName,
  clinicDatabaseName,
  d1Bindings,
  d1Execute,
  describeTarget,
  directoryBinding,
  indent,
  isMain,
  parseCli,
  readWranglerConfig,
  runMain,
  runWrangler,
  sqlValue,
  targetFrom,
  usageError,
  validateSlug,
  validateTimezone,
  wranglerError,
} from "./lib.mjs";

const DEFAULT_TIMEZONE = "America/New_York";

const OPTIONS = {
  slug: { required: true, valueName: "slug", description: "subdomain of the clinic: a-z, 0-9 and hyphens, 2-63 characters" },
  name: { required: true, valueName: "name", description: 'display name, e.g. "Acme Clinic"' },
  org: { valueName: "slug", description: "organization (chain) the clinic belongs to; created when missing" },
  "org-name": { valueName: "name", description: "name of the organization when it is created (default: its slug, title-cased)" },
  timezone: { valueName: "zone", description: `IANA time zone of the clinic (default ${DEFAULT_TIMEZONE})` },
  ...TARGET_OPTIONS,
};

const titleCase = (slug) => slug.split("-").filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join(" ");

export function readClinicArgs(argv) {
  const v = parseCli({
    usage: 'npm run clinic:create -- --slug <slug> --name "<name>" [--org <slug>] [--org-name "<name>"] [--timezone <zone>] [--remote | --persist-to <dir>]',
    options: OPTIONS,
    argv,
  });
  const slug = validateSlug(v.slug.trim());
  const name = v.name.trim();
  if (name.length > 200) throw usageError("--name must be at most 200 characters.");
  const timezone = v.timezone === undefined ? undefined : validateTimezone(v.timezone.trim());
  const org = v.org === undefined ? null : validateSlug(v.org.trim(), "--org");
  if (v["org-name"] !== undefined && org === null) throw usageError("--org-name needs --org <slug>: it names the organization --org creates.");
  const orgName = org === null ? null : (v["org-name"]?.trim() ?? null);
  return { slug, name, timezone, org, orgName, target: targetFrom(v) };
}

function bindingBlock(header, binding, databaseName, databaseId) {
  return (
    `[[${header}]]\n` +
    `binding = "${binding}"\n` +
    `database_name = "${databaseName}"\n` +
    `database_id = "${databaseId}"\n` +
    `migrations_dir = "migrations/clinic"\n`
  );
}

/** Appends a block to wrangler.toml, then re-reads it; restores the file if the result is not as expected. */
function appendToWranglerToml(block, target, binding) {
  const before = readFileSync(WRANGLER_TOML, "utf8");
  const sep = before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
  appendFileSync(WRANGLER_TOML, sep + block);
  try {
    const added = d1Bindings(target).find((b) => b.binding === binding);
    if (!added) throw new Error(`the binding ${binding} is not where it was expected after appending`);
  } catch (err) {
    writeFileSync(WRANGLER_TOML, before);
    throw new CliError(`could not add ${binding} to wrangler.toml (${err.message}); the file was left unchanged.`);
  }
}

/** Checks the config for the clinic's binding; returns it, or null when it is missing. */
function existingBinding(target, binding, databaseName) {
  const all = d1Bindings(target, readWranglerConfig());
  const where = target.remote ? `[env.${REMOTE_ENV}]` : "the top level";
  const found = all.find((b) => b.binding === binding) ?? null;
  if (found && found.database_name !== databaseName) {
    throw new CliError(
      `wrangler.toml already binds ${binding} (in ${where}) to the database "${found.database_name}", not "${databaseName}". ` +
        `Bindings are stored in the directory, so this script will not rename it; fix wrangler.toml by hand.`,
    );
  }
  const other = all.find((b) => b.database_name === databaseName && b.binding !== binding);
  if (other) throw new CliError(`wrangler.toml already uses the database "${databaseName}" for the binding ${other.binding} (in ${where}).`);
  if (found && (found.migrations_dir ?? "migrations") !== "migrations/clinic") {
    throw new CliError(`wrangler.toml binds ${binding} with migrations_dir = "${found.migrations_dir ?? "(unset)"}", expected "migrations/clinic".`);
  }
  return found;
}

/** `wrangler d1 create`; reads the new database's id from its output (or looks it up if it exists already). */
async function createRemoteDatabase(databaseName) {
  const created = await runWrangler(["d1", "create", databaseName]);
  const out = `${created.stdout}\n${created.stderr}`;
  if (created.code === 0) {
    const m = out.match(/database_id["']?\s*[:=]\s*["']([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})["']/i);
    if (!m) throw new CliError(`wrangler d1 create ${databaseName} succeeded but printed no database_id:\n${indent(out.trim())}`);
    return { id: m[1], created: true };
  }
  if (/already exists/i.test(out)) {
    // A previous run created it but did not get as far as wrangler.toml: adopt it.
    const info = await runWrangler(["d1", "info", databaseName, "--json"]);
    let id;
    try {
      id = info.code === 0 ? JSON.parse(info.stdout.slice(info.stdout.indexOf("{"))).uuid : undefined;
    } catch {
      id = undefined;
    }
    if (typeof id === "string" && id) return { id, created: false };
  }
  throw new CliError(`wrangler d1 create ${databaseName} failed:\n${indent(wranglerError(created))}`);
}

/** Adds the clinic (and its organization when missing) to the directory. Returns what changed. */
async function register(target, clinic, dirName) {
  const q = (sql) => d1Execute(dirName, target, { command: sql });
  const binding = clinicBindingName(clinic.slug);
  let rows;
  try {
    rows = await q(
      `SELECT id, name, timezone, db_binding AS dbBinding, organization_id AS organizationId, ` +
        `(SELECT slug FROM organizations o WHERE o.id = c.organization_id) AS orgSlug FROM clinics c WHERE slug = ${sqlValue(clinic.slug)}; ` +
        `SELECT slug FROM clinics WHERE db_binding = ${sqlValue(binding)} AND slug <> ${sqlValue(clinic.slug)}; ` +
        `SELECT id, name FROM organizations WHERE slug = ${sqlValue(clinic.org ?? "")}`,
    );
  } catch (err) {
    if (/no such table/i.test(err.message)) {
      throw new CliError(`the directory database ${dirName} has no tables yet: run \`npm run db:migrate${target.remote ? " -- --remote" : ""}\` first.`);
    }
    throw err;
  }
  const [[existing], [clash], [org]] = rows;
  const notes = [];
  if (clash) throw new CliError(`the directory already gives the binding ${binding} to the clinic "${clash.slug}".`);
  if (existing) {
    if (existing.dbBinding !== binding) {
      throw new CliError(`the directory already has a clinic "${clinic.slug}" on the binding ${existing.dbBinding}, not ${binding}; not changing it.`);
    }
    const differs = [];
    if (existing.name !== clinic.name) differs.push(`name "${existing.name}"`);
    if (clinic.timezone && existing.timezone !== clinic.timezone) differs.push(`time zone ${existing.timezone}`);
    if (clinic.org !== null && existing.orgSlug !== clinic.org) differs.push(existing.orgSlug ? `organization ${existing.orgSlug}` : "no organization");
    if (differs.length) notes.push(`note: the clinic was registered earlier with ${differs.join(", ")}; this script does not change existing clinics.`);
    return { changes: [], notes };
  }
  const changes = [];
  const stmts = [];
  if (clinic.org !== null && !org) {
    const orgName = clinic.orgName ?? titleCase(clinic.org);
    stmts.push(`INSERT INTO organizations (id, slug, name) VALUES (${sqlValue(crypto.randomUUID())}, ${sqlValue(clinic.org)}, ${sqlValue(orgName)})`);
    changes.push(`created the organization ${clinic.org} ("${orgName}")`);
  } else if (org && clinic.orgName && org.name !== clinic.orgName) {
    notes.push(`note: the organization ${clinic.org} exists already, named "${org.name}"; --org-name was not applied.`);
  }
  const orgId = clinic.org === null ? "NULL" : `(SELECT id FROM organizations WHERE slug = ${sqlValue(clinic.org)})`;
  const timezone = clinic.timezone ?? DEFAULT_TIMEZONE;
  // A new clinic keeps charts to the care team from the start (emergency access for everyone else);
  // clinics that existed before that setting keep charts open until an administrator turns it on.
  stmts.push(
    `INSERT INTO clinics (id, slug, name, timezone, db_binding, organization_id, care_team_only) VALUES ` +
      `(${sqlValue(crypto.randomUUID())}, ${sqlValue(clinic.slug)}, ${sqlValue(clinic.name)}, ${sqlValue(timezone)}, ${sqlValue(binding)}, ${orgId}, 1)`,
  );
  await q(stmts.join("; "));
  changes.push(`registered the clinic in the directory (${timezone}${clinic.org ? `, organization ${clinic.org}` : ""})`);
  return { changes, notes };
}

export async function createClinic(clinic, { log = console.log } = {}) {
  const { slug, target } = clinic;
  const binding = clinicBindingName(slug);
  const databaseName = clinicDatabaseName(slug);
  const config = readWranglerConfig();
  const dir = directoryBinding(target, config); // fails early on a missing/placeholder directory
  log(`Clinic ${slug}: binding ${binding}, database ${databaseName}, ${describeTarget(target)}`);
  const changes = [];
  const notes = [];
  let bindingAdded = false;

  // 1. The binding in wrangler.toml (and, remotely, the database itself).
  if (existingBinding(target, binding, databaseName)) {
    log(`  wrangler.toml: ${binding} is already there`);
  } else if (target.remote) {
    const { id, created } = await createRemoteDatabase(databaseName);
    log(`  ${created ? "created" : "found existing"} D1 database ${databaseName} (${id})`);
    if (created) changes.push(`created the D1 database ${databaseName}`);
    appendToWranglerToml(bindingBlock(`env.${REMOTE_ENV}.d1_databases`, binding, databaseName, id), target, binding);
    log(`  wrangler.toml: added [[env.${REMOTE_ENV}.d1_databases]] ${binding}`);
    changes.push(`added ${binding} to [env.${REMOTE_ENV}] in wrangler.toml`);
    bindingAdded = true;
  } else {
    appendToWranglerToml(bindingBlock("d1_databases", binding, databaseName, crypto.randomUUID()), target, binding);
    log(`  wrangler.toml: added [[d1_databases]] ${binding}`);
    changes.push(`added ${binding} to wrangler.toml`);
    bindingAdded = true;
  }

  // 2. Migrations. Locally the directory is brought up to date too (it is only a local copy);
  //    production directory migrations ship with a deploy (npm run db:migrate -- --remote).
  const clinicDb = { binding, database_name: databaseName };
  const toMigrate = target.remote ? [clinicDb] : [dir, clinicDb];
  for (const b of toMigrate) {
    const applied = await applyMigrations(b, target);
    log(`  ${b.database_name}: ${applied.length ? `applied ${applied.join(", ")}` : "migrations up to date"}`);
    if (applied.length) changes.push(`migrated ${b.database_name}`);
  }

  // 3. The directory entry.
  const reg = await register(target, clinic, dir.database_name);
  for (const c of reg.changes) log(`  directory: ${c}`);
  if (reg.changes.length === 0) log(`  directory: ${slug} is already registered`);
  changes.push(...reg.changes);
  notes.push(...reg.notes);

  for (const n of notes) log(n);
  if (changes.length === 0) {
    log(`Nothing to do: clinic ${slug} was already set up.`);
  } else {
    log(`Done: ${changes.join("; ")}.`);
  }
  if (bindingAdded && !target.remote) {
    log(`A running \`wrangler dev\` (or \`npm start\`) does not see new bindings: restart it, then open http://${slug}.localhost:8787`);
  }
  if (bindingAdded && target.remote) {
    log(`The deployed Worker does not have the binding ${binding} yet: run \`npm run deploy\` (and commit wrangler.toml).`);
  }
  if (changes.some((c) => c.startsWith("registered"))) {
    log(`The clinic has no staff yet${clinic.org ? ` (chain admins of ${clinic.org} can reach it)` : ""}.`);
  }
  return { changes };
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    await createClinic(readClinicArgs());
  });
}
