// The Permission union (src/platform/permissions.ts) names exactly the permissions the directory's
// seed grants: a seeded permission missing from the union, or a union entry no migration seeds,
// fails here rather than as a check that can never pass (or never be made).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PERMISSIONS } from "../../src/platform/permissions";

describe("the Permission union", () => {
  it("equals the distinct permissions of the migrated role_permissions seed", async () => {
    const rows = await env.DIRECTORY.prepare("SELECT DISTINCT permission FROM role_permissions ORDER BY permission").all<{ permission: string }>();
    const seeded = rows.results.map((r) => r.permission);
    expect(seeded.length).toBeGreaterThan(0);
    expect([...PERMISSIONS].sort()).toEqual(seeded.sort());
    expect(new Set(PERMISSIONS).size).toBe(PERMISSIONS.length);
  });
});
