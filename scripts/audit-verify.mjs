// npm run audit:verify -- --clinic <slug> [--remote | --persist-to <dir>]
//
// Verifies a clinic's audit hash chain: finds the clinic's database through the directory
// (clinics.db_binding) and wrangler.toml, reads audit_log in id order a page at a time, and checks
// every sealed row against the previous one with the hash of src/audit/chain.ts.
//
// Exit codes: 0 chain intact (rows not sealed yet are reported, not an error), 1 chain broken,
// 2 usage error (bad arguments, unknown clinic), 3 could not verify (wrangler or database failure).
import {
  CliError,
  TARGET_OPTIONS,
  d1Bindings,
  d1Execute,
  describeTarget,
  directoryBinding,
  isMain,
  parseCli,
  readWranglerConfig,
  runMain,
  sqlValue,
  targetFrom,
  usageError,
  validateSlug,
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
const { GENESIS, rowHash } = chain;

export const PAGE_SIZE = 1000;

const pageQuery = (afterId) =>
  "SELECT id, occurred_at AS occurredAt, user_id AS userId, user_email AS userEmail, clinic_slug AS clinicSlug, " +
  "action, event, entity_type AS entityType, entity_id AS entityId, patient_id AS patientId, outcome, ip, " +
  "user_agent AS userAgent, request_id AS requestId, detail, prev_hash AS prevHash, hash " +
  `FROM audit_log WHERE id > ${Number(afterId)} ORDER BY id LIMIT ${PAGE_SIZE}`;

/**
 * verifyChain of src/audit/chain.ts, one page at a time: the same rules in the same order and the
 * same reasons, carrying the previous hash (starting at GENESIS) from page to page instead of
 * holding the whole log in memory.
 */
export class ChainVerifier {
  prev = GENESIS;
  checked = 0;
  pending = 0;
  lastId = -Infinity;
  firstBroken = null;

  /** Feeds the next rows (ascending id). Returns false once the chain is found broken. */
  async add(rows) {
    for (const row of rows) {
      if (this.firstBroken) return false;
      if (row.id <= this.lastId) return this.#broken(row.id, "rows are out of order");
      this.lastId = row.id;
      if (row.hash === null) {
        this.pending++;
        continue;
      }
      if (this.pending > 0) return this.#broken(row.id, "a sealed row follows an unsealed one");
      if (row.prevHash !== this.prev) {
        return this.#broken(row.id, "its previous-hash does not match the row before it (a row was removed or reordered)");
      }
      const expected = await rowHash(row, this.prev);
      if (expected !== row.hash) return this.#broken(row.id, "its content does not match its hash (the row was edited)");
      this.prev = row.hash;
      this.checked++;
    }
    return true;
  }

  report() {
    return { ok: this.firstBroken === null, checked: this.checked, pending: this.pending, firstBroken: this.firstBroken };
  }

  #broken(id, reason) {
    this.firstBroken = { id, reason };
    return false;
  }
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

export async function verifyClinic(slug, target, { log = console.log } = {}) {
  const binding = await clinicDatabase(slug, target);
  const verifier = new ChainVerifier();
  const progress = process.stderr.isTTY;
  let afterId = 0;
  let rowsRead = 0;
  for (;;) {
    let rows;
    try {
      [rows] = await d1Execute(binding.database_name, target, { command: pageQuery(afterId) });
    } catch (err) {
      if (/no such table/i.test(err.message)) throw new CliError(`${binding.database_name} has no audit_log table: run db:migrate first.`);
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
  if (r.ok) {
    log(`${slug}: ${r.checked} rows sealed and verified, ${r.pending} pending seal, chain intact`);
  } else {
    log(`${slug}: BROKEN at audit row ${r.firstBroken.id}: ${r.firstBroken.reason}`);
    log(`  (${r.checked} sealed rows before it verified; database ${binding.database_name}, ${describeTarget(target)})`);
  }
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
