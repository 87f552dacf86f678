import { randomBytes } from "node:crypto";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// CI asks for a JSON report as well, to print one closing total across all suites.
const reporters: ("default" | ["json", { outputFile: string }])[] = ["default"];
if (process.env.TEST_REPORT) reporters.push(["json", { outputFile: process.env.TEST_REPORT }]);

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          BASE_DOMAIN: "example.test",
          ENVIRONMENT: "test",
          // A fresh secret per run: tests never depend on a committed key.
          SESSION_SECRET: randomBytes(32).toString("base64url"),
          AUDIT_KEYS: `test-1:${randomBytes(32).toString("base64url")}`,
          // Public booking's human check: the simulator (src/booking/challenge.ts), so the flow is tested end to end.
          TURNSTILE_SECRET: "simulated",
          DIRECTORY_MIGRATIONS: await readD1Migrations("./migrations/directory"),
          CLINIC_MIGRATIONS: await readD1Migrations("./migrations/clinic"),
        },
      },
    }),
  ],
  // FC_SEED replays a property test run (test/scheduling/slots.property.test.ts); the Workers
  // runtime has no process.env, so it is inlined at build time.
  define: { "globalThis.FC_SEED": JSON.stringify(process.env.FC_SEED ?? "") },
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    exclude: ["test/e2e/**"],
    setupFiles: ["./test/setup.ts"],
    testTimeout: 30_000,
    reporters,
  },
}));
