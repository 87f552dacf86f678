// npm run db:seed [-- --persist-to <dir>]
//
// Demo data for the LOCAL databases (never production): the Riverside Health chain with its two
// clinics, the Hillcrest practice, their staff (password demo-clinic-2026) and about fifty
// fictional patients per clinic. Idempotent: fixed ids and INSERT OR IGNORE, so running it again
// adds nothing. Run `npm run db:migrate` first.
import {
  CliError,
  clinicBindings,
  d1ExecuteSql,
  directoryBinding,
  hashPassword,
  isMain,
  mapLimit,
  parseCli,
  readWranglerConfig,
  runMain,
  sqlValue,
  targetFrom,
  usageError,
} from "./lib.mjs";
import { CLINICS, DEMO_PASSWORD, ORGANIZATIONS, USERS, demoPatients } from "./seed-data.mjs";

const PATIENT_COLUMNS = [
  "id", "given_name", "family_name", "preferred_name", "date_of_birth", "sex_at_birth", "gender_identity",
  "phone", "phone_digits", "email", "address_line1", "address_line2", "city", "region", "postal_code", "country",
  "preferred_language", "emergency_name", "emergency_relationship", "emergency_phone",
  "insurance_payer", "insurance_member_id", "insurance_group", "search_name", "identity_key",
  "version", "created_at", "updated_at", "created_by", "updated_by",
];

const DIRECTORY_COUNTS =
  "SELECT (SELECT count(*) FROM organizations) AS organizations, (SELECT count(*) FROM clinics) AS clinics, " +
  "(SELECT count(*) FROM users) AS users, (SELECT count(*) FROM memberships) + (SELECT count(*) FROM org_memberships) AS memberships;";

async function directorySql() {
  const hashes = await Promise.all(USERS.map(() => hashPassword(DEMO_PASSWORD)));
  const lines = [DIRECTORY_COUNTS];
  for (const o of ORGANIZATIONS) {
    lines.push(`INSERT OR IGNORE INTO organizations (id, slug, name) VALUES (${sqlValue(o.id)}, ${sqlValue(o.slug)}, ${sqlValue(o.name)});`);
  }
  for (const c of CLINICS) {
    const org = c.org ? `(SELECT id FROM organizations WHERE slug = ${sqlValue(c.org)})` : "NULL";
    lines.push(
      `INSERT OR IGNORE INTO clinics (id, slug, name, timezone, db_binding, organization_id) VALUES ` +
        `(${sqlValue(c.id)}, ${sqlValue(c.slug)}, ${sqlValue(c.name)}, ${sqlValue(c.timezone)}, ${sqlValue(c.binding)}, ${org});`,
    );
  }
  USERS.forEach((u, i) => {
    lines.push(
      `INSERT OR IGNORE INTO users (id, email, name, password_hash) VALUES ` +
        `(${sqlValue(u.id)}, ${sqlValue(u.email)}, ${sqlValue(u.name)}, ${sqlValue(hashes[i])});`,
    );
    // Memberships go by email and slug, so they attach to existing rows whatever their ids.
    for (const [clinic, role] of u.clinics) {
      lines.push(
        `INSERT OR IGNORE INTO memberships (user_id, clinic_id, role) SELECT u.id, c.id, ${sqlValue(role)} ` +
          `FROM users u, clinics c WHERE u.email = ${sqlValue(u.email)} AND c.slug = ${sqlValue(clinic)};`,
      );
    }
    for (const [org, role] of u.orgs) {
      lines.push(
        `INSERT OR IGNORE INTO org_memberships (user_id, organization_id, role) SELECT u.id, o.id, ${sqlValue(role)} ` +
          `FROM users u, organizations o WHERE u.email = ${sqlValue(u.email)} AND o.slug = ${sqlValue(org)};`,
      );
    }
  });
  lines.push(DIRECTORY_COUNTS);
  return lines.join("\n") + "\n";
}

function clinicSql(clinic) {
  const registrar = USERS.find((u) => u.email === clinic.registrar)?.id ?? null;
  const rows = demoPatients(clinic, { createdBy: registrar });
  const lines = ["SELECT count(*) AS patients FROM patients;"];
  for (const p of rows) {
    lines.push(`INSERT OR IGNORE INTO patients (${PATIENT_COLUMNS.join(", ")}) VALUES (${PATIENT_COLUMNS.map((c) => sqlValue(p[c])).join(", ")});`);
  }
  lines.push("SELECT count(*) AS patients FROM patients;");
  return { sql: lines.join("\n") + "\n", count: rows.length };
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function added(before, after, key) {
  const d = Number(after[key]) - Number(before[key]);
  return d;
}

/** Seeds the local databases of `target` (local only). */
export async function seedAll(target, { log = console.log } = {}) {
  if (target.remote) throw usageError("db:seed only fills local databases with demo data; it never touches production.");
  const config = readWranglerConfig();
  const dir = directoryBinding(target, config);
  const bound = new Map(clinicBindings(target, config).map((b) => [b.binding, b]));
  for (const c of CLINICS) {
    if (!bound.has(c.binding)) {
      throw new CliError(
        `wrangler.toml has no [[d1_databases]] binding ${c.binding} for the demo clinic ${c.slug}: ` +
          `run \`npm run clinic:create -- --slug ${c.slug} --name "${c.name}"\` (it adds it), then seed again.`,
      );
    }
  }
  const jobs = [
    { label: `${dir.database_name} (directory)`, db: dir.database_name, sql: await directorySql(), kind: "directory" },
    ...CLINICS.map((c) => ({ label: `${bound.get(c.binding).database_name} (${c.slug})`, db: bound.get(c.binding).database_name, ...clinicSql(c), kind: "clinic" })),
  ];
  log(`Seeding demo data into the local databases${target.persistTo ? ` in ${target.persistTo}` : ""}:`);
  // One at a time: concurrent local runtimes on one state directory fail with SQLITE_BUSY.
  const results = await mapLimit(jobs, 1, async (job) => {
    try {
      const out = await d1ExecuteSql(job.db, target, job.sql);
      return { job, before: out[0][0], after: out[out.length - 1][0] };
    } catch (err) {
      return { job, err, unmigrated: /no such table/i.test(err.message) };
    }
  });
  const failures = [];
  const unmigrated = [];
  for (const { job, before, after, err, unmigrated: noTables } of results) {
    if (err) {
      log(`  ${job.label}: FAILED${noTables ? " (no tables)" : ""}`);
      if (noTables) unmigrated.push(job.db);
      else failures.push(err.message);
      continue;
    }
    if (job.kind === "directory") {
      const kinds = [["organizations", "organization"], ["clinics", "clinic"], ["users", "staff account"], ["memberships", "membership"]];
      const news = kinds.filter(([k]) => added(before, after, k) !== 0).map(([k, word]) => `+${plural(added(before, after, k), word)}`);
      log(`  ${job.label}: ${kinds.map(([k, word]) => plural(after[k], word)).join(", ")} (${news.length ? news.join(", ") : "nothing new"})`);
    } else {
      const n = added(before, after, "patients");
      log(`  ${job.label}: ${plural(after.patients, "patient")} (${n === 0 ? "nothing new" : `+${n}`})`);
    }
  }
  if (unmigrated.length > 0) {
    failures.push(
      `${unmigrated.join(", ")} ${unmigrated.length === 1 ? "has" : "have"} no tables yet: ` +
        `run \`npm run db:migrate${target.persistTo ? ` -- --persist-to ${target.persistTo}` : ""}\` first.`,
    );
  }
  if (failures.length > 0) throw new CliError(failures.join("\n"));
  return results;
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const values = parseCli({
      usage: "npm run db:seed [-- --persist-to <dir>]",
      options: {
        "persist-to": { valueName: "dir", description: "local state directory (default .wrangler/state), as for wrangler dev" },
        remote: { type: "boolean", description: "(refused: demo data is for local databases only)" },
      },
    });
    await seedAll(targetFrom(values));
  });
}
