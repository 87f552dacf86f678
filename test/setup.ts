// Runs before each test file: every file gets fresh databases, migrated with the same files that
// wrangler applies, and the fixture chain of clinics and staff from ./fixtures.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { seedFixtures } from "./fixtures";

await applyD1Migrations(env.DIRECTORY, env.DIRECTORY_MIGRATIONS);
for (const binding of ["CLINIC_RIVERSIDE_NORTH", "CLINIC_RIVERSIDE_SOUTH", "CLINIC_HILLCREST"] as const) {
  await applyD1Migrations(env[binding]!, env.CLINIC_MIGRATIONS);
}
await seedFixtures();
