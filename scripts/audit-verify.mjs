// npm run audit:verify -- --clinic <slug> [--remote | --persist-to <dir>]
//
// Verifies a clinic's audit hash chain: finds the clinic's database through the directory
// (clinics.db_binding) and wrangler.toml, reads audit_log in id order a page at a time, checks every
// sealed row against the previous one with the keyed hash of src/audit/chain.ts (HMAC-SHA-256 under
// the row's key id; plain SHA-256 for rows sealed before keys existed), and checks the chain against
// the clinic's anchors: every row of the directory's audit_anchors, and the R2 copy of the latest one
// (`wrangler r2 object get`). A truncated tail or a chain recomputed after an edit is reported.
//
// The keys come from the AUDIT_KEYS environment variable (`kid:secret,kid2:secret2`, as the Worker
// secret); for local databases, from .dev.vars when the variable is not set.
//
// Exit codes: 0 chain intact (rows not sealed yet are reported, not an error), 1 chain broken,
// 2 usage error (bad arguments, unknown clinic), 3 could not verify (wrangler or database failure,
// missing keys).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CliError,
  ROOT,
  TARGET_OPTIONS,
  d1Bindings,
  d1Execute,
  describeTarget,
  directoryBinding,
  isMain,
  locationArgs,
  parseCli,
  readWranglerConfig,
  runMain,
  runWrangler,
  sqlValue,
  targetFrom,
  usageError,
  validateSlug,
  wranglerError,
  indent,
} from "./lib.mjs";

// Imported after lib.mjs has checked the Node version: Node >= 22.18 strips the types of this .ts
// file by itself (the Node that npm scripts run, from node_modules, does).
let chain;
try {
  chain = await import("../src/audit/chain.ts");
} catch (err) {
  if (err?.code !== "ERR_UNKNOWN_FILE_EXTENSION") throw err;
  console.error(
    `error: this Node (${process.versions.node}) cannot load TypeScript files; run \`npm run audit:verify\`, which uses the Node 22 in node_modules.`,
  );
  process.exit(3);
}
/** The verifier of src/audit/chain.ts: fed a page at a time, holding only the previous hash. */
export const { ChainVerifier, parseAuditKeys } = chain;

export const PAGE_SIZE = 1000;

const pageQuery = (afterId) =>
  "SELECT id, occurred_at AS occurredAt, user_id AS userId, user_email AS userEmail, clinic_slug AS clinicSlug, " +
  "action, event, entity_type AS entityType, entity_id AS entityId, patient_id AS patientId, outcome, ip, " +
  "user_agent AS userAgent, request_id AS requestId, detail, prev_hash AS prevHash, hash, key_id AS keyId " +
  `FROM audit_log WHERE id > ${Number(afterId)} ORDER BY id LIMIT ${PAGE_SIZE}`;

/** AUDIT_KEYS from the environment, or (local databases only) from .dev.vars. */
export function auditKeysText(target, { env = process.env, devVars = join(ROOT, ".dev.vars") } = {}) {
  if (env.AUDIT_KEYS) return env.AUDIT_KEYS;
  if (!target.remote && existsSync(devVars)) {
    const line = readFileSync(devVars, "utf8").match(/^\s*AUDIT_KEYS\s*=\s*(.+?)\s*$/m);
    if (line) return line[1].replace(/^(["'])(.*)\1$/, "$2");
  }
  throw new CliError(
    target.remote
      ? "set AUDIT_KEYS to the production audit keys (kid:secret,...) to verify the production chain."
      : "no AUDIT_KEYS in the environment or in .dev.vars (npm start writes one).",
  );
}

/** The R2 anchor object of the latest directory anchor, or null when it is not there. */
async function objectAnchor(slug, lastId, target, config) {
  const buckets = (target.remote ? config.env?.production?.r2_buckets : config.r2_buckets) ?? [];
  const bucket = buckets.find((b) => b.binding === "ATTACHMENTS");
  if (!bucket) return { anchor: null, note: "wrangler.toml has no ATTACHMENTS bucket: R2 anchors not checked" };
  const key = `audit-anchors/${slug}/${String(lastId).padStart(12, "0")}.json`;
  const result = await runWrangler(["r2", "object", "get", `${bucket.bucket_name}/${key}`, "--pipe", ...locationArgs(target)]);
  if (result.code !== 0) {
    const text = wranglerError(result);
    if (/not found|does not exist|NoSuchKey/i.test(text)) return { anchor: null, note: `R2 has no anchor object ${key}` };
    throw new CliError(`reading the R2 anchor ${key} failed:\n${indent(text)}`);
  }
  let a;
  try {
    a = JSON.parse(result.stdout);
  } catch {
    throw new CliError(`the R2 anchor ${key} is not JSON.`);
  }
  return { anchor: { lastId: a.lastId, lastHash: a.lastHash, rowCount: a.rowCount, keyId: a.keyId ?? null, source: "R2" }, note: null };
}

/** Finds the database of clinic `slug`: directory row, then its binding in wrangler.toml. */
async function clinicDatabase(slug, target) {
  const config = readWranglerConfig();
  const dir = directoryBinding(target, config);
  let found, all;
  try {
    [[found], all] = await d1Execute(dir.database_name, target, {
      command: `SELECT db_binding AS dbBinding, status FROM clinics WHERE slug = ${sqlValue(slug)}; SELECT slug FROM clinics ORDER BY slug`,
    });
  } catch (err) {
    if (/no such table/i.test(err.message)) throw new CliError(`the directory database ${dir.database_name} (${describeTarget(target)}) has no tables: run db:migrate first.`);
    throw err;
  }
  if (!found) {
    const known = all.map((r) => r.slug);
    throw usageError(
      `no clinic "${slug}" in the directory (${describeTarget(target)}).` +
        (known.length ? ` Known clinics: ${known.join(", ")}.` : " The directory has no clinics."),
    );
  }
  const binding = d1Bindings(target, config).find((b) => b.binding === found.dbBinding);
  if (!binding) {
    const where = target.remote ? "[env.production] of wrangler.toml" : "wrangler.toml";
    throw new CliError(`the directory says clinic ${slug} lives in the binding ${found.dbBinding}, but ${where} has no such d1_databases binding.`);
  }
  return binding;
}

export async function verifyClinic(slug, target, { log = console.log, env = process.env } = {}) {
  let keyring;
  try {
    keyring = await parseAuditKeys(auditKeysText(target, { env }));
  } catch (err) {
    throw err instanceof CliError ? err : new CliError(err.message);
  }
  const config = readWranglerConfig();
  const binding = await clinicDatabase(slug, target);
  let anchors;
  try {
    [anchors] = await d1Execute(directoryBinding(target, config).database_name, target, {
      command: `SELECT last_id AS lastId, last_hash AS lastHash, row_count AS rowCount, key_id AS keyId FROM audit_anchors WHERE clinic_slug = ${sqlValue(slug)} ORDER BY last_id`,
    });
  } catch (err) {
    if (/no such table/i.test(err.message)) throw new CliError("the directory has no audit_anchors table: run db:migrate first.");
    throw err;
  }
  anchors = anchors.map((a) => ({ ...a, source: "directory" }));
  const notes = [];
  if (anchors.length > 0) {
    const { anchor, note } = await objectAnchor(slug, anchors[anchors.length - 1].lastId, target, config);
    if (anchor) anchors.push(anchor);
    if (note) notes.push(note);
  } else {
    notes.push("no anchors yet (the cron scan writes them)");
  }
  const verifier = new ChainVerifier(keyring, anchors);
  const progress = process.stderr.isTTY;
  let afterId = 0;
  let rowsRead = 0;
  for (;;) {
    let rows;
    try {
      [rows] = await d1Execute(binding.database_name, target, { command: pageQuery(afterId) });
    } catch (err) {
      if (/no such table|no such column/i.test(err.message)) throw new CliError(`${binding.database_name} has no audit_log table with key_id: run db:migrate first.`);
      throw err;
    }
    if (rows.length === 0) break;
    rowsRead += rows.length;
    if (!(await verifier.add(rows))) break;
    afterId = rows[rows.length - 1].id;
    if (progress && rows.length === PAGE_SIZE) process.stderr.write(`\r${slug}: ${rowsRead} rows read...`);
    if (rows.length < PAGE_SIZE) break;
  }
  if (progress && rowsRead >= PAGE_SIZE) process.stderr.write("\r\x1b[K");
  const r = verifier.report();
  const anchorText = `${r.anchors} anchor${r.anchors === 1 ? "" : "s"} checked`;
  if (r.ok) {
    log(`${slug}: ${r.checked} rows sealed and verified, ${r.pending} pending seal, ${anchorText}, chain intact`);
  } else {
    if (r.firstBroken) log(`${slug}: BROKEN at audit row ${r.firstBroken.id}: ${r.firstBroken.reason}`);
    for (const p of r.anchorProblems) log(`${slug}: ANCHOR MISMATCH at audit row ${p.id}: ${p.reason}`);
    log(`  (${r.checked} sealed rows verified, ${anchorText}; database ${binding.database_name}, ${describeTarget(target)})`);
  }
  for (const note of notes) log(`  note: ${note}`);
  return r;
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const values = parseCli({
      usage: "npm run audit:verify -- --clinic <slug> [--remote | --persist-to <dir>]",
      options: { clinic: { required: true, valueName: "slug", description: "the clinic whose audit log to verify" }, ...TARGET_OPTIONS },
    });
    const slug = validateSlug(values.clinic.trim(), "--clinic");
    try {
      const report = await verifyClinic(slug, targetFrom(values));
      return report.ok ? 0 : 1;
    } catch (err) {
      // Exit 1 means "broken"; a failure to verify must not look like one.
      if (err instanceof CliError && err.exitCode === 1) err.exitCode = 3;
      throw err;
    }
  });
}
