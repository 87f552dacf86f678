// Shared helpers of the operations scripts (db:migrate, db:seed, clinic:create, audit:verify, start):
// argument parsing, the D1 bindings of wrangler.toml, and running wrangler non-interactively with
// its output captured.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs as nodeParseArgs, stripVTControlCharacters } from "node:util";
import { parse as parseToml } from "smol-toml";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const WRANGLER_TOML = join(ROOT, "wrangler.toml");
export const WRANGLER_BIN = join(ROOT, "node_modules/wrangler/bin/wrangler.js");

/** Fixed environment for remote commands: the bindings of [env.production]. */
export const REMOTE_ENV = "production";

/** A failure to report to the user without a stack trace. Exit code 2 means a usage error. */
export class CliError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

export const usageError = (message) => new CliError(message, 2);

const [nodeMajor, nodeMinor] = process.versions.node.split(".").map(Number);
if (nodeMajor < 22 || (nodeMajor === 22 && nodeMinor < 12)) {
  console.error(
    `error: these scripts need Node 22.12 or newer (this is Node ${process.versions.node}).\n` +
      `Run them through npm (e.g. \`npm run db:migrate\`), which uses the Node 22 installed in node_modules.`,
  );
  process.exit(1);
}

/** True when the module at `metaUrl` is the script node was asked to run. */
export function isMain(metaUrl) {
  return Boolean(process.argv[1]) && metaUrl === pathToFileURL(resolve(process.argv[1])).href;
}

/**
 * Runs a script's main function: a CliError prints as `error: ...` and exits with its code;
 * anything else prints its stack and exits 1.
 */
export function runMain(main) {
  Promise.resolve()
    .then(main)
    .then(
      (code) => {
        process.exitCode = typeof code === "number" ? code : 0;
      },
      (err) => {
        if (err instanceof CliError) {
          console.error(`error: ${err.message}`);
          process.exitCode = err.exitCode;
        } else {
          console.error(err);
          process.exitCode = 1;
        }
      },
    );
}

/**
 * Parses command-line options. `options` is node:util parseArgs' spec plus `description` per
 * option, used for --help. Unknown options, missing values and stray words are usage errors.
 */
export function parseCli({ usage, options, argv = process.argv.slice(2) }) {
  const spec = { help: { type: "boolean", short: "h" } };
  for (const [name, o] of Object.entries(options)) spec[name] = { type: o.type ?? "string" };
  const helpText = () =>
    `usage: ${usage}\n\noptions:\n` +
    Object.entries(options)
      .map(([name, o]) => `  --${name}${o.type === "boolean" ? "" : ` <${o.valueName ?? "value"}>`}`.padEnd(28) + (o.description ?? ""))
      .join("\n");
  let parsed;
  try {
    parsed = nodeParseArgs({ args: argv, options: spec, strict: true, allowPositionals: false });
  } catch (err) {
    const msg = String(err.message ?? err)
      .replace(/\. To specify an option argument starting with.*$/s, "")
      .replace(/^Unexpected argument '(.*)'.*$/s, "unexpected argument '$1' (options start with --)")
      .replace(/^Option '(--[\w-]+)(?: <value>)?' argument is ambiguous.*$/s, "the value given to $1 starts with '-'; write $1=<value> if that is really the value");
    throw usageError(`${msg}\n\n${helpText()}`);
  }
  if (parsed.values.help) {
    console.log(helpText());
    process.exit(0);
  }
  const values = parsed.values;
  for (const [name, o] of Object.entries(options)) {
    if (o.type !== "boolean" && values[name] !== undefined && values[name].trim() === "") {
      throw usageError(`--${name} needs a value.\n\n${helpText()}`);
    }
    if (o.required && values[name] === undefined) throw usageError(`--${name} is required.\n\n${helpText()}`);
  }
  return values;
}

/** The common --remote / --persist-to pair: where the databases are. */
export const TARGET_OPTIONS = {
  remote: { type: "boolean", description: "act on the production databases ([env.production] in wrangler.toml)" },
  "persist-to": { valueName: "dir", description: "local state directory (default .wrangler/state), as for wrangler dev" },
};

/** Turns parsed --remote / --persist-to into a target; relative dirs are taken from where npm was run. */
export function targetFrom(values) {
  const remote = Boolean(values.remote);
  if (remote && values["persist-to"] !== undefined) throw usageError("--persist-to is for local databases; it cannot be combined with --remote.");
  const base = process.env.INIT_CWD ?? process.cwd();
  return { remote, persistTo: values["persist-to"] === undefined ? undefined : resolve(base, values["persist-to"]) };
}

/** Wrangler arguments that select local (optionally persisted elsewhere) or production databases. */
export function locationArgs(target) {
  if (target.remote) return ["--remote", "--env", REMOTE_ENV];
  return target.persistTo ? ["--local", "--persist-to", target.persistTo] : ["--local"];
}

export function describeTarget(target) {
  if (target.remote) return `production, [env.${REMOTE_ENV}]`;
  return `local, state in ${target.persistTo ?? ".wrangler/state"}`;
}

// --- wrangler.toml -----------------------------------------------------------------------------

export function readWranglerConfig() {
  let text;
  try {
    text = readFileSync(WRANGLER_TOML, "utf8");
  } catch (err) {
    throw new CliError(`cannot read ${WRANGLER_TOML}: ${err.message}`);
  }
  try {
    return parseToml(text);
  } catch (err) {
    throw new CliError(`wrangler.toml is not valid TOML: ${err.message}`);
  }
}

/** The [[d1_databases]] of the top level (local) or of [env.production] (remote). */
export function d1Bindings(target, config = readWranglerConfig()) {
  const list = target.remote ? config.env?.[REMOTE_ENV]?.d1_databases : config.d1_databases;
  return (list ?? []).filter((b) => b && typeof b.binding === "string" && typeof b.database_name === "string");
}

export function findBinding(target, binding, config) {
  return d1Bindings(target, config).find((b) => b.binding === binding) ?? null;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The directory database's binding; for remote, also checks its id was filled in. */
export function directoryBinding(target, config) {
  const b = findBinding(target, "DIRECTORY", config);
  const where = target.remote ? `[[env.${REMOTE_ENV}.d1_databases]]` : "[[d1_databases]]";
  if (!b) throw new CliError(`wrangler.toml has no ${where} block with binding = "DIRECTORY".`);
  if (target.remote && !UUID_RE.test(String(b.database_id ?? ""))) {
    throw new CliError(
      `the production DIRECTORY database_id in wrangler.toml is "${b.database_id}", not a database id.\n` +
        `Create it with \`npx wrangler d1 create ${b.database_name}\` and put the id it prints into wrangler.toml.`,
    );
  }
  return b;
}

/** Every clinic database binding (CLINIC_*), in file order. */
export function clinicBindings(target, config) {
  return d1Bindings(target, config).filter((b) => b.binding.startsWith("CLINIC_"));
}

// --- clinics -----------------------------------------------------------------------------------

/** Slugs are DNS labels: they are the clinic's subdomain (see classifyHost in src/platform/tenancy.ts). */
export function validateSlug(slug, option = "--slug") {
  if (!/^[a-z0-9-]+$/.test(slug)) {
    throw usageError(`${option} "${slug}" may contain only lowercase letters, digits and hyphens${option === "--slug" ? " (it becomes the clinic's subdomain)" : ""}.`);
  }
  if (slug.length < 2 || slug.length > 63) throw usageError(`${option} "${slug}" must be 2 to 63 characters long.`);
  if (slug.startsWith("-") || slug.endsWith("-")) throw usageError(`${option} "${slug}" cannot start or end with a hyphen.`);
  return slug;
}

export function validateTimezone(tz) {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch {
    throw usageError(`--timezone "${tz}" is not a time zone this machine knows; use an IANA name like America/Chicago.`);
  }
  return tz;
}

export const clinicBindingName = (slug) => `CLINIC_${slug.toUpperCase().replace(/-/g, "_")}`;
export const clinicDatabaseName = (slug) => `clinic-${slug}`;

// --- running wrangler --------------------------------------------------------------------------

/**
 * Runs wrangler with stdin closed (so it never waits on a prompt: it takes its non-interactive
 * defaults) and its output captured. Resolves to { code, stdout, stderr }.
 */
export function runWrangler(args, { timeoutMs = 10 * 60_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [WRANGLER_BIN, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: process.env.WRANGLER_SEND_METRICS ?? "false",
        NO_COLOR: "1",
        FORCE_COLOR: "0",
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new CliError(`could not run wrangler (${WRANGLER_BIN}): ${err.message}. Did you run \`npm install\`?`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code: code ?? (signal ? 128 : 1),
        stdout: stripVTControlCharacters(stdout),
        stderr: stripVTControlCharacters(stderr),
        signal,
      });
    });
  });
}

/** The useful part of a failed wrangler run: its JSON error, its [ERROR] lines, or its last lines. */
export function wranglerError(result) {
  const json = tryParseJson(result.stdout);
  if (json && !Array.isArray(json) && json.error) return String(json.error.text ?? json.error.message ?? JSON.stringify(json.error));
  const all = `${result.stderr}\n${result.stdout}`;
  const lines = all.split("\n").filter((l) => l.trim() !== "" && !/⛅️ wrangler|^─+$|Logs were written to/.test(l.trim()));
  const at = lines.findIndex((l) => l.includes("[ERROR]"));
  const picked = at >= 0 ? lines.slice(at, at + 10) : lines.slice(-15);
  const text = picked.join("\n").trim();
  if (result.signal) return `wrangler was stopped by ${result.signal}${text ? `:\n${text}` : ""}`;
  return text || `wrangler exited with code ${result.code}`;
}

/** Runs wrangler and throws a CliError (with `what` as context) when it fails. */
export async function wranglerOrThrow(args, what) {
  const result = await runWrangler(args);
  if (result.code !== 0) throw new CliError(`${what} failed:\n${indent(wranglerError(result))}`);
  return result;
}

function tryParseJson(text) {
  const start = text.search(/[[{]/);
  if (start < 0) return undefined;
  try {
    return JSON.parse(text.slice(start));
  } catch {
    return undefined;
  }
}

export const indent = (text, pad = "  ") => text.split("\n").map((l) => pad + l).join("\n");

/**
 * `wrangler d1 execute --json` with a --command or a --file. Returns one array of result rows per
 * SQL statement (wrangler prints an array of { results, success, meta }).
 */
export async function d1Execute(databaseName, target, { command, file }) {
  const args = ["d1", "execute", databaseName, ...locationArgs(target), "--json", "--yes"];
  if (command !== undefined) args.push("--command", command);
  else args.push("--file", file);
  const result = await runWrangler(args);
  const what = `SQL on ${databaseName}`;
  if (result.code !== 0) throw new CliError(`${what} failed:\n${indent(wranglerError(result))}`);
  const json = tryParseJson(result.stdout);
  if (!Array.isArray(json)) throw new CliError(`${what}: could not read wrangler's JSON output:\n${indent(result.stdout.slice(0, 2000))}`);
  for (const r of json) if (r && r.success === false) throw new CliError(`${what} failed: ${JSON.stringify(r.error ?? r)}`);
  return json.map((r) => r?.results ?? []);
}

/** Runs SQL text through a temporary file (for long scripts: seeds, inserts). */
export async function d1ExecuteSql(databaseName, target, sql) {
  const dir = mkdtempSync(join(tmpdir(), "clinic-sql-"));
  const file = join(dir, `${databaseName}.sql`);
  try {
    writeFileSync(file, sql);
    return await d1Execute(databaseName, target, { file });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A SQL literal. wrangler d1 execute cannot bind parameters, so values are quoted here. */
export function sqlValue(v) {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(v);
  }
  if (typeof v === "boolean") return v ? "1" : "0";
  return `'${String(v).replace(/'/g, "''")}'`;
}

/** `wrangler d1 migrations apply`, non-interactive. Returns the names of the migrations it applied. */
export async function applyMigrations(binding, target) {
  const result = await runWrangler(["d1", "migrations", "apply", binding.database_name, ...locationArgs(target)]);
  if (result.code !== 0) {
    throw new CliError(`migrating ${binding.database_name} (${binding.binding}) failed:\n${indent(wranglerError(result))}`);
  }
  if (/No migrations to apply/i.test(result.stdout)) return [];
  // The first table wrangler prints lists the pending migrations; it precedes "About to apply".
  const before = result.stdout.split(/About to apply/)[0];
  const names = [...new Set([...before.matchAll(/[│|]\s*([^\s│|]+\.sql)\s*[│|]/g)].map((m) => m[1]))];
  return names.length > 0 ? names : ["(unknown)"];
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return out;
}

// --- passwords (the format of src/platform/crypto.ts) -----------------------------------------

export const PBKDF2_ITERATIONS = 100_000;

/** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`, as hashPassword in src/platform/crypto.ts. */
export async function hashPassword(password, iterations = PBKDF2_ITERATIONS) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return `pbkdf2-sha256$${iterations}$${Buffer.from(salt).toString("base64")}$${Buffer.from(bits).toString("base64")}`;
}
