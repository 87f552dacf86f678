// npm start [-- --persist-to <dir>]      (PORT=8799 npm start for another port)
//
// Everything a fresh clone needs after `npm install`: a .dev.vars with a random SESSION_SECRET and
// AUDIT_KEYS (gitignored, created once), the fingerprinted assets, local migrations and demo data, then
// `wrangler dev` in the foreground.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { migrateAll } from "./migrate.mjs";
import { seedAll } from "./seed.mjs";
import { CLINICS, DEMO_PASSWORD, USERS } from "./seed-data.mjs";
import { CliError, ROOT, WRANGLER_BIN, parseCli, runMain, targetFrom, usageError } from "./lib.mjs";

const DEFAULT_PORT = 8787;
const DEV_VARS = join(ROOT, ".dev.vars");

function readPort() {
  const raw = process.env.PORT;
  if (raw === undefined || raw === "") return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw usageError(`PORT="${raw}" is not a port number (1-65535).`);
  return port;
}

/**
 * Creates .dev.vars with the local secrets, or adds those an existing file lacks: a random
 * SESSION_SECRET, a random AUDIT_KEYS key (`local-1:<secret>`) that seals the audit chain, and a random SMS_AUTH_TOKEN so simulated SMS replies (`npm run sms:reply`) can be
 * signed the way the provider signs them.
 */
function ensureDevVars() {
  const wanted = {
    SESSION_SECRET: randomBytes(48).toString("base64url"), // 64 characters
    SMS_AUTH_TOKEN: randomBytes(24).toString("hex"),
    AUDIT_KEYS: `local-1:${randomBytes(48).toString("base64url")}`, // kid:secret, the key of the audit chain
  };
  if (!existsSync(DEV_VARS)) writeFileSync(DEV_VARS, "# Local secrets for wrangler dev. Gitignored: never commit this file.\n", { mode: 0o600 });
  for (const [name, value] of Object.entries(wanted)) {
    const text = readFileSync(DEV_VARS, "utf8");
    if (new RegExp(`^\\s*${name}\\s*=\\s*\\S`, "m").test(text)) continue;
    appendFileSync(DEV_VARS, (text === "" || text.endsWith("\n") ? "" : "\n") + `${name}=${value}\n`);
    console.log(`Added a random ${name} to .dev.vars.`);
  }
}

function run(file) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, file)], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new CliError(`${file} failed (exit ${code}).`))));
  });
}

function rolesOf(user) {
  const byRole = new Map();
  for (const [clinic, role] of user.clinics) byRole.set(role, [...(byRole.get(role) ?? []), clinic]);
  const parts = [...byRole].map(([role, clinics]) => `${role} at ${clinics.join(", ")}`);
  for (const [org, role] of user.orgs) {
    const clinics = CLINICS.filter((c) => c.org === org).map((c) => c.slug);
    parts.push(`${role} of ${org} (${clinics.join(", ")})`);
  }
  return parts.join("; ");
}

function printWelcome(port) {
  const base = `localhost:${port}`;
  const width = Math.max(...USERS.map((u) => u.email.length));
  const nameWidth = Math.max(...USERS.map((u) => u.name.length));
  console.log(
    [
      "",
      "Open:",
      ...CLINICS.map((c) => `  http://${c.slug}.${base}`.padEnd(46) + c.name),
      `  http://${base}`.padEnd(46) + "the platform's public site",
      `  http://riverside-north.${base}/book/dr-patel`.padEnd(46) + "a patient's booking link (no account)",
      "",
      `Demo accounts (password for all: ${DEMO_PASSWORD}):`,
      ...USERS.map((u) => `  ${u.email.padEnd(width)}  ${u.name.padEnd(nameWidth)}  ${rolesOf(u)}`),
      "",
      `Starting wrangler dev on http://127.0.0.1:${port} (Ctrl-C to stop)...`,
      "",
    ].join("\n"),
  );
}

/** wrangler dev in the foreground with the terminal; signals to this process are passed on. */
function devServer(port, target) {
  // --test-scheduled: the cron scan can be run by hand, GET /cdn-cgi/handler/scheduled.
  const args = [WRANGLER_BIN, "dev", "--ip", "127.0.0.1", "--port", String(port), "--test-scheduled"];
  if (target.persistTo) args.push("--persist-to", target.persistTo);
  // Links between clinics are built from BASE_DOMAIN (localhost:8787 in wrangler.toml).
  if (port !== DEFAULT_PORT) args.push("--var", `BASE_DOMAIN:localhost:${port}`);
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: "inherit" });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(sig, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    });
  }
  return new Promise((resolve, reject) => {
    child.on("error", (err) => reject(new CliError(`could not start wrangler dev: ${err.message}`)));
    child.on("exit", (code, signal) => resolve(code ?? 128 + (constants.signals[signal] ?? 1)));
  });
}

runMain(async () => {
  const values = parseCli({
    usage: "npm start [-- --persist-to <dir>]   (PORT=<port> npm start to change the port)",
    options: { "persist-to": { valueName: "dir", description: "local state directory (default .wrangler/state)" } },
  });
  const target = targetFrom(values);
  const port = readPort();
  ensureDevVars();
  await run("scripts/build-assets.mjs");
  await migrateAll(target);
  await seedAll(target);
  printWelcome(port);
  return devServer(port, target);
});
