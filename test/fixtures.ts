/**
 * The test world: the chain "Riverside" with clinics north and south, the solo clinic hillcrest,
 * and one staff member per role. Everyone's password is PASSWORD.
 */
import { env } from "cloudflare:workers";
import { hashPassword } from "../src/platform/crypto";
import type { Clinic } from "../src/platform/env";
import { forgetClinic } from "../src/platform/tenancy";

export const PASSWORD = "correct horse battery staple";

export const CLINICS = {
  north: { id: "c-north", slug: "riverside-north", name: "Riverside North", binding: "CLINIC_RIVERSIDE_NORTH", org: "o-riverside" },
  south: { id: "c-south", slug: "riverside-south", name: "Riverside South", binding: "CLINIC_RIVERSIDE_SOUTH", org: "o-riverside" },
  hillcrest: { id: "c-hill", slug: "hillcrest", name: "Hillcrest Family Practice", binding: "CLINIC_HILLCREST", org: null },
} as const;

/** Riverside North as the tenancy middleware sees it, for work that runs without a request (systemScope). */
export const NORTH_CLINIC: Clinic = {
  id: CLINICS.north.id,
  slug: CLINICS.north.slug,
  name: CLINICS.north.name,
  timezone: "America/New_York",
  country: "US",
  status: "active",
  dbBinding: CLINICS.north.binding,
  organizationId: CLINICS.north.org,
  idleTimeoutMinutes: 15,
  sessionMaxHours: 12,
  careTeamOnly: false,
};

export const USERS = {
  owner: { id: "u-owner", email: "owner@riverside.test", name: "Olivia Owner", clinics: [["north", "owner"]] },
  admin: { id: "u-admin", email: "admin@riverside.test", name: "Adam Admin", clinics: [["north", "admin"]] },
  provider: { id: "u-prov", email: "provider@riverside.test", name: "Dr. Priya Provider", clinics: [["north", "provider"], ["south", "provider"]] },
  frontDesk: { id: "u-desk", email: "desk@riverside.test", name: "Frank Desk", clinics: [["north", "front_desk"]] },
  biller: { id: "u-bill", email: "biller@riverside.test", name: "Bea Biller", clinics: [["north", "biller"]] },
  nurse: { id: "u-nurse", email: "nurse@riverside.test", name: "Nia Nurse", clinics: [["north", "nurse"]] },
  associate: { id: "u-assoc", email: "associate@riverside.test", name: "Sam Student", clinics: [["north", "associate"]] },
  hillOwner: { id: "u-hill", email: "owner@hillcrest.test", name: "Hank Hill", clinics: [["hillcrest", "owner"]] },
  chainAdmin: { id: "u-chain", email: "chain@riverside.test", name: "Cora Chain", clinics: [] },
  /** Only for lockout tests, so locking them out disturbs no other test. */
  lockTarget: { id: "u-lock", email: "lock@riverside.test", name: "Lee Lock", clinics: [["north", "provider"]] },
} as const satisfies Record<string, { id: string; email: string; name: string; clinics: readonly (readonly [keyof typeof CLINICS, string])[] }>;

export async function seedFixtures(): Promise<void> {
  const d = env.DIRECTORY;
  const hash = await hashPassword(PASSWORD);
  const stmts = [d.prepare("INSERT INTO organizations (id, slug, name) VALUES ('o-riverside', 'riverside', 'Riverside Health')")];
  for (const c of Object.values(CLINICS)) {
    stmts.push(
      d
        // The fixture clinics require no second factor, so every suite signs in with a password;
        // test/auth/second-factor*.test.ts set the policy they exercise.
        .prepare("INSERT INTO clinics (id, slug, name, timezone, db_binding, organization_id, second_factor_roles) VALUES (?, ?, ?, 'America/New_York', ?, ?, '')")
        .bind(c.id, c.slug, c.name, c.binding, c.org),
    );
  }
  for (const u of Object.values(USERS)) {
    stmts.push(d.prepare("INSERT INTO users (id, email, name, password_hash) VALUES (?, ?, ?, ?)").bind(u.id, u.email, u.name, hash));
    for (const [clinic, role] of u.clinics) {
      stmts.push(d.prepare("INSERT INTO memberships (user_id, clinic_id, role) VALUES (?, ?, ?)").bind(u.id, CLINICS[clinic].id, role));
    }
  }
  stmts.push(d.prepare("INSERT INTO org_memberships (user_id, organization_id, role) VALUES ('u-chain', 'o-riverside', 'chain_admin')"));
  await d.batch(stmts);
  forgetClinic();
}
