// Starts a real `wrangler dev` on a free port with its own local state (migrated and seeded with the
// demo data), for browser tests. Everything it starts is stopped by process group.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const root = new URL("../../", import.meta.url).pathname;

export const DEMO_PASSWORD = "demo-clinic-2026";
/** The provider token the browser tests sign simulated SMS replies with. */
export const SMS_AUTH_TOKEN = randomBytes(16).toString("hex");

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function run(args) {
  const res = spawnSync(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (res.status !== 0) throw new Error(`${args.join(" ")} failed:\n${res.stdout}\n${res.stderr}`);
}

/** Migrates and seeds a fresh state directory, then serves the Worker on a free port. */
export async function startServer() {
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), "clinic-e2e-"));
  run(["scripts/build-assets.mjs"]);
  run(["scripts/migrate.mjs", "--persist-to", state]);
  run(["scripts/seed.mjs", "--persist-to", state]);
  const wrangler = join(root, "node_modules/wrangler/bin/wrangler.js");
  const child = spawn(
    process.execPath,
    [
      wrangler, "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state,
      "--var", `BASE_DOMAIN:localhost:${port}`, "--var", `SESSION_SECRET:${randomBytes(32).toString("base64url")}`, "--var", `AUDIT_KEYS:test-1:${randomBytes(32).toString("base64url")}`,
      "--var", `SMS_AUTH_TOKEN:${SMS_AUTH_TOKEN}`, "--test-scheduled",
      "--show-interactive-dev-session=false",
    ],
    { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${log}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      stopGroup(child);
      throw new Error(`wrangler dev did not answer within 90 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    port,
    origin: (slug) => `http://${slug}.localhost:${port}`,
    log: () => log,
    async stop() {
      // Wait for wrangler to exit (it flushes its state files on the way out) before removing them.
      const exited = child.exitCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", r));
      stopGroup(child);
      await exited;
      rmSync(state, { recursive: true, force: true });
    },
  };
}

function stopGroup(child) {
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {}
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
