/**
 * The permissions a role can grant, as one TypeScript union. Roles and their grants are rows of
 * the directory (`role_permissions`, seeded by migrations/directory/*.sql); this list must name
 * exactly the permissions of that seed (test/security/permissions.test.ts compares them), so a
 * misspelled permission in a route or a service does not compile.
 */

/** Every permission of the `role_permissions` seed. Add a new one here and in a migration together. */
export const PERMISSIONS = [
  "patients:read",
  "patients:write",
  "audit:read",
  "audit:export",
  "staff:read",
  "staff:manage",
  "staff:assign_owner",
  "schedule:read",
  "schedule:write",
  "scheduling:setup",
  "chart:read",
  "chart:write",
  "problems:write",
  "notes:write",
  "notes:sign",
  "notes:sign_unsupervised",
  "notes:cosign",
  "encounters:read_billing",
  "templates:write",
  "templates:share",
  "questionnaires:manage",
  "attachments:read",
  "attachments:read_admin",
  "attachments:upload",
  "attachments:delete",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const KNOWN: ReadonlySet<string> = new Set(PERMISSIONS);

/** Whether a string read from the directory is a permission this code knows. */
export function isPermission(value: string): value is Permission {
  return KNOWN.has(value);
}
