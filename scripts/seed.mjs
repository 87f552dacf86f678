// npm run db:seed [-- --persist-to <dir>]
//
// Demo data for the LOCAL databases (never production): the Riverside Health chain with its two
// clinics, the Hillcrest practice, their staff (password demo-clinic-2026), about fifty fictional
// patients per clinic, and each clinic's scheduling setup (location, rooms, provider, appointment
// types, weekly hours, booking rules) with a week of appointments from today, so every demo clinic
// can be booked online. Idempotent: fixed ids and INSERT OR IGNORE, so running it again adds
// nothing (appointments: a new week only once no seeded appointment of an earlier seed date is
// still ahead). Run `npm run db:migrate` first.
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
import { demoClinical } from "./seed-clinical.mjs";
import { CLINICS, DEMO_BOOKING_RULES, DEMO_PASSWORD, ORGANIZATIONS, USERS, demoAppointments, demoPatients, demoScheduling } from "./seed-data.mjs";

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
      // Demo clinics leave the second factor optional for every role (README, "Demo clinics"), so
      // the demo accounts sign in with their password alone; real clinics start with it required
      // for owners, administrators and providers.
      `INSERT OR IGNORE INTO clinics (id, slug, name, timezone, db_binding, organization_id, second_factor_roles) VALUES ` +
        `(${sqlValue(c.id)}, ${sqlValue(c.slug)}, ${sqlValue(c.name)}, ${sqlValue(c.timezone)}, ${sqlValue(c.binding)}, ${org}, '');`,
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

const CLINIC_COUNTS =
  "SELECT (SELECT count(*) FROM patients) AS patients, (SELECT count(*) FROM problems) AS charts, (SELECT count(*) FROM locations) AS locations, " +
  "(SELECT count(*) FROM resources) AS rooms, (SELECT count(*) FROM providers) AS providers, " +
  "(SELECT count(*) FROM appointment_types) AS types, (SELECT count(*) FROM availability_rules) AS hours, " +
  "(SELECT count(*) FROM appointments) AS appointments;";

const APPOINTMENT_COLUMNS = [
  "id", "patient_id", "provider_id", "location_id", "appointment_type_id", "room_id", "resource_id", "starts_at", "ends_at",
  "block_start", "block_end", "status", "source", "cancel_reason", "idempotency_key", "created_by", "created_at", "updated_at",
];

/**
 * The scheduling setup of one clinic. Rows that others refer to are found by their unique slug
 * (providers, appointment types), like memberships by email: if someone already made a provider
 * `dr-patel` by hand, the demo hours attach to it, and no statement fails on a foreign key.
 */
function schedulingSql(clinic, patients, createdBy, now) {
  const s = demoScheduling(clinic);
  if (!s) return [];
  const v = sqlValue;
  const lines = [];
  const l = s.location;
  lines.push(
    `INSERT OR IGNORE INTO locations (id, name, address_line1, city, region, postal_code, phone, timezone) VALUES ` +
      `(${v(l.id)}, ${v(l.name)}, ${v(l.address)}, ${v(l.city)}, ${v(l.region)}, ${v(l.postal)}, ${v(l.phone)}, ${v(l.timezone)});`,
  );
  for (const r of s.rooms) {
    lines.push(`INSERT OR IGNORE INTO resources (id, location_id, name, kind) SELECT ${v(r.id)}, id, ${v(r.name)}, 'room' FROM locations WHERE id = ${v(l.id)};`);
  }
  for (const p of s.providers) {
    lines.push(
      `INSERT OR IGNORE INTO providers (id, user_id, slug, display_name, credentials, npi, color) VALUES ` +
        `(${v(p.id)}, ${v(p.userId)}, ${v(p.slug)}, ${v(p.name)}, ${v(p.credentials)}, ${v(p.npi)}, ${v(p.color)});`,
    );
    lines.push(`INSERT OR IGNORE INTO provider_locations (provider_id, location_id) SELECT p.id, l.id FROM providers p, locations l WHERE p.slug = ${v(p.slug)} AND l.id = ${v(l.id)};`);
  }
  for (const t of s.types) {
    lines.push(
      `INSERT OR IGNORE INTO appointment_types (id, slug, name, duration_minutes, buffer_after_minutes, price_cents, modality, needs_room, eligibility, color) VALUES ` +
        `(${v(t.id)}, ${v(t.slug)}, ${v(t.name)}, ${t.duration}, ${t.bufferAfter}, ${t.priceCents}, ${v(t.modality)}, ${v(t.needsRoom)}, ${v(t.eligibility)}, ${v(t.color)});`,
    );
    for (const p of s.providers) {
      lines.push(
        `INSERT OR IGNORE INTO provider_appointment_types (provider_id, appointment_type_id) SELECT p.id, t.id FROM providers p, appointment_types t ` +
          `WHERE p.slug = ${v(p.slug)} AND t.slug = ${v(t.slug)};`,
      );
    }
  }
  for (const r of s.rules) {
    lines.push(
      `INSERT OR IGNORE INTO availability_rules (id, provider_id, location_id, weekday, kind, start_time, end_time) ` +
        `SELECT ${v(r.id)}, p.id, l.id, ${r.weekday}, ${v(r.kind)}, ${v(r.start)}, ${v(r.end)} FROM providers p, locations l ` +
        `WHERE p.slug = ${v(r.providerSlug)} AND l.id = ${v(l.id)};`,
    );
  }
  // The rules row comes with the migration; change it only while it still has the defaults, so a
  // clinic's own settings survive a re-seed.
  lines.push(
    `UPDATE booking_rules SET min_notice_minutes = ${DEMO_BOOKING_RULES.minNoticeMinutes}, max_days_ahead = ${DEMO_BOOKING_RULES.maxDaysAhead} ` +
      `WHERE id = 1 AND min_notice_minutes = 120 AND max_days_ahead = 60;`,
  );

  // A week of appointments, unless seeded appointments of an earlier seed date are still ahead
  // (then the clinic already has its demo week). Each insert also refuses any overlap with a live
  // appointment of the same provider or room, as src/calendar/sql.ts does, so it never double-books
  // what someone booked by hand.
  const { today, rows: week } = demoAppointments(clinic, { now, patients, createdBy });
  // One visit about 23 hours ahead (whatever the day), so the first cron scan has a reminder to
  // queue: its 24 h SMS is due now. Modelled on the week's first visit (same provider and type).
  const model = week.find((a) => a.status === "booked") ?? week[0];
  const rows = [...week];
  if (model) {
    const start = Math.ceil((now + 23 * 3600_000) / 900_000) * 900_000;
    const length = model.ends_at - model.starts_at;
    rows.push({
      ...model,
      id: `seed-reminder-${clinic.slug}-${today}`,
      idempotency_key: `seed:${today}:reminder`,
      status: "booked",
      room_id: null,
      starts_at: start,
      ends_at: start + length,
      block_start: start - (model.starts_at - model.block_start),
      block_end: start + length + (model.block_end - model.ends_at),
    });
  }
  // The patient with the fullest chart (seed-clinical.mjs) has arrived for a visit now, so a
  // provider signing in finds today's visit to chart: the current quarter hour, or the first free
  // one after it.
  if (model && patients[0]) {
    const length = model.ends_at - model.starts_at;
    const after = model.block_end - model.ends_at;
    let start = Math.floor(now / 900_000) * 900_000;
    for (const a of week) {
      if (a.status !== "cancelled" && a.block_start < start + length + after && a.block_end > start) start = Math.ceil(a.block_end / 900_000) * 900_000;
    }
    rows.push({
      ...model,
      id: `seed-now-${clinic.slug}-${today}`,
      patient_id: patients[0].id,
      idempotency_key: `seed:${today}:now`,
      status: "arrived",
      room_id: null,
      starts_at: start,
      ends_at: start + length,
      block_start: start,
      block_end: start + length + after,
    });
  }
  for (const a of rows) {
    const values = APPOINTMENT_COLUMNS.map((c) => {
      if (c === "provider_id") return "p.id";
      if (c === "appointment_type_id") return "t.id";
      if (c === "resource_id") return "NULL";
      if (c === "updated_at") return v(a.created_at);
      return v(a[c]);
    });
    lines.push(
      `INSERT OR IGNORE INTO appointments (${APPOINTMENT_COLUMNS.join(", ")}) SELECT ${values.join(", ")} ` +
        `FROM providers p, appointment_types t WHERE p.slug = ${v(a.provider_slug)} AND t.slug = ${v(a.type_slug)} ` +
        `AND NOT EXISTS (SELECT 1 FROM appointments o WHERE o.idempotency_key LIKE 'seed:%' AND o.idempotency_key NOT LIKE ${v(`seed:${today}:%`)} AND o.block_end > ${now}) ` +
        (a.status === "cancelled"
          ? ""
          : `AND NOT EXISTS (SELECT 1 FROM appointments o WHERE o.status != 'cancelled' AND o.block_start < ${a.block_end} AND o.block_end > ${a.block_start} ` +
            `AND o.id != ${v(a.id)} AND (o.provider_id = p.id${a.room_id ? ` OR o.room_id = ${v(a.room_id)}` : ""})) `) +
        `;`,
    );
  }
  return lines;
}

/** Demo clinical records (seed-clinical.mjs), recorded by the clinic's first provider. */
function clinicalSql(clinic, patients, now) {
  const provider = demoScheduling(clinic)?.providers[0];
  if (!provider) return [];
  const tables = demoClinical(clinic, { patients, clinician: provider.userId, clinicianName: provider.name, now });
  const lines = [];
  for (const [table, rows] of Object.entries(tables)) {
    for (const row of rows) {
      const cols = Object.keys(row);
      lines.push(`INSERT OR IGNORE INTO ${table} (${cols.join(", ")}) VALUES (${cols.map((c) => sqlValue(row[c])).join(", ")});`);
    }
  }
  return lines;
}

function clinicSql(clinic, now = Date.now()) {
  const registrar = USERS.find((u) => u.email === clinic.registrar)?.id ?? null;
  const rows = demoPatients(clinic, { createdBy: registrar });
  const lines = [CLINIC_COUNTS];
  for (const p of rows) {
    lines.push(`INSERT OR IGNORE INTO patients (${PATIENT_COLUMNS.join(", ")}) VALUES (${PATIENT_COLUMNS.map((c) => sqlValue(p[c])).join(", ")});`);
  }
  lines.push(...schedulingSql(clinic, rows, registrar, now));
  lines.push(...clinicalSql(clinic, rows, now));
  lines.push(CLINIC_COUNTS);
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
      const kinds = [
        ["patients", "patient"],
        ["charts", "charted problem"],
        ["locations", "location"],
        ["rooms", "room"],
        ["providers", "provider"],
        ["types", "appointment type"],
        ["hours", "weekly hours rule"],
        ["appointments", "appointment"],
      ];
      const news = kinds.filter(([k]) => added(before, after, k) !== 0).map(([k, word]) => `+${plural(added(before, after, k), word)}`);
      const shown = kinds.filter(([k]) => k !== "hours");
      log(`  ${job.label}: ${shown.map(([k, word]) => plural(after[k], word)).join(", ")} (${news.length ? news.join(", ") : "nothing new"})`);
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
