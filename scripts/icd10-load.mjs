// npm run icd10:load -- --clinic <slug> --file <icd10cm_order_2026.txt> [--release cms-2026] [--remote | --persist-to <dir>]
//
// Loads a full ICD-10-CM release (the public CMS "order file") into one clinic's icd10_codes table,
// so the problem list can use every code, not only the starter subset of migration 0007. Rows are
// written with INSERT OR REPLACE in chunks through `wrangler d1 execute`, so a second run (or a
// newer release) updates descriptions in place; problems keep the codes they were charted with.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  CliError,
  TARGET_OPTIONS,
  d1Bindings,
  d1Execute,
  d1ExecuteSql,
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
import { parseOrderFile } from "./icd10-order-file.mjs";

/** Rows per INSERT (D1 caps a statement at 100 KB) and statements per wrangler run. */
export const ROWS_PER_INSERT = 200;
export const INSERTS_PER_RUN = 25;

/** The INSERT OR REPLACE statements for parsed rows, `ROWS_PER_INSERT` rows each. */
export function insertStatements(rows, release) {
  const out = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const values = rows
      .slice(i, i + ROWS_PER_INSERT)
      .map((r) => `(${sqlValue(r.code)}, ${sqlValue(r.description)}, ${sqlValue(r.searchText)}, ${r.billable}, ${sqlValue(release)})`)
      .join(",\n");
    out.push(`INSERT OR REPLACE INTO icd10_codes (code, description, search_text, billable, source) VALUES\n${values};`);
  }
  return out;
}

/** The database of clinic `slug`: its directory row, then its binding in wrangler.toml. */
async function clinicDatabaseName(slug, target) {
  const config = readWranglerConfig();
  const dir = directoryBinding(target, config);
  const [[found]] = await d1Execute(dir.database_name, target, {
    command: `SELECT db_binding AS dbBinding FROM clinics WHERE slug = ${sqlValue(slug)}`,
  });
  if (!found) throw usageError(`no clinic "${slug}" in the directory (${describeTarget(target)}).`);
  const binding = d1Bindings(target, config).find((b) => b.binding === found.dbBinding);
  if (!binding) throw new CliError(`the directory says clinic ${slug} lives in the binding ${found.dbBinding}, but wrangler.toml has no such d1_databases binding.`);
  return binding.database_name;
}

export async function loadIcd10(values, { log = console.log } = {}) {
  const slug = validateSlug(values.clinic.trim(), "--clinic");
  const release = (values.release ?? "cms-2026").trim();
  if (!/^[a-z0-9-]{2,40}$/.test(release)) throw usageError(`--release "${release}" may contain only lowercase letters, digits and hyphens (e.g. cms-2026).`);
  const file = resolve(process.env.INIT_CWD ?? process.cwd(), values.file);
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw usageError(`cannot read --file ${file}: ${err.message}`);
  }
  let rows;
  try {
    rows = parseOrderFile(text);
  } catch (err) {
    throw usageError(`${file}: ${err.message}`);
  }
  if (rows.length === 0) throw usageError(`${file} holds no codes.`);
  const target = targetFrom(values);
  const database = await clinicDatabaseName(slug, target);
  const statements = insertStatements(rows, release);
  let written = 0;
  for (let i = 0; i < statements.length; i += INSERTS_PER_RUN) {
    const chunk = statements.slice(i, i + INSERTS_PER_RUN);
    await d1ExecuteSql(database, target, chunk.join("\n"));
    written = Math.min(rows.length, (i + chunk.length) * ROWS_PER_INSERT);
    if (process.stderr.isTTY) process.stderr.write(`\r${slug}: ${written} of ${rows.length} codes written...`);
  }
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  const billable = rows.filter((r) => r.billable === 1).length;
  log(`${slug}: ${rows.length} ICD-10-CM codes (${billable} billable, ${rows.length - billable} header${rows.length - billable === 1 ? "" : "s"}) loaded from ${release} into ${database} (${describeTarget(target)})`);
  return rows.length;
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const values = parseCli({
      usage: "npm run icd10:load -- --clinic <slug> --file <icd10cm_order_2026.txt> [--release cms-2026] [--remote | --persist-to <dir>]",
      options: {
        clinic: { required: true, valueName: "slug", description: "the clinic whose code table to load" },
        file: { required: true, valueName: "path", description: "the CMS order file, e.g. icd10cm_order_2026.txt" },
        release: { valueName: "name", description: "recorded in icd10_codes.source (default cms-2026)" },
        ...TARGET_OPTIONS,
      },
    });
    await loadIcd10(values);
    return 0;
  });
}
