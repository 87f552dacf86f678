/**
 * The directory database: the control plane shared by every clinic. It holds organizations,
 * clinics, staff identities, memberships, roles and sessions, and never any patient data.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const organizations = sqliteTable("organizations", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull().default(sql`(unixepoch('subsec') * 1000)`),
});

export const clinics = sqliteTable(
  "clinics",
  {
    id: text("id").primaryKey(),
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    timezone: text("timezone").notNull().default("America/New_York"),
    /** ISO 3166 alpha-2 code; phone numbers typed without a country code are read as this country's. */
    country: text("country").notNull().default("US"),
    status: text("status", { enum: ["active", "suspended"] }).notNull().default("active"),
    /** Name of the Worker binding that holds this clinic's D1 database. */
    dbBinding: text("db_binding").notNull(),
    organizationId: text("organization_id").references(() => organizations.id),
    idleTimeoutMinutes: integer("idle_timeout_minutes").notNull().default(15),
    sessionMaxHours: integer("session_max_hours").notNull().default(12),
    /** Charts are open to the care team only; others use emergency access (src/emergency/care-team.ts). */
    careTeamOnly: integer("care_team_only", { mode: "boolean" }).notNull().default(false),
    /** Comma-separated clinic roles that must use a second factor (src/auth/second-factor.ts). */
    secondFactorRoles: text("second_factor_roles").notNull().default("owner,admin,provider"),
    createdAt: integer("created_at").notNull().default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [index("clinics_org_idx").on(t.organizationId)],
);

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  /** Always stored lower-cased. */
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  /** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>` */
  passwordHash: text("password_hash").notNull(),
  failedAttempts: integer("failed_attempts").notNull().default(0),
  /** Epoch ms until which sign-in is refused; null when not locked. */
  lockedUntil: integer("locked_until"),
  passwordChangedAt: integer("password_changed_at").notNull().default(sql`(unixepoch('subsec') * 1000)`),
  createdAt: integer("created_at").notNull().default(sql`(unixepoch('subsec') * 1000)`),
});

export const roles = sqliteTable("roles", {
  name: text("name").primaryKey(),
  label: text("label").notNull(),
  scope: text("scope", { enum: ["clinic", "organization"] }).notNull(),
  rank: integer("rank").notNull().default(0),
});

export const rolePermissions = sqliteTable(
  "role_permissions",
  {
    role: text("role").notNull().references(() => roles.name),
    permission: text("permission").notNull(),
  },
  (t) => [primaryKey({ columns: [t.role, t.permission] })],
);

export const memberships = sqliteTable(
  "memberships",
  {
    userId: text("user_id").notNull().references(() => users.id),
    clinicId: text("clinic_id").notNull().references(() => clinics.id),
    role: text("role").notNull().references(() => roles.name),
    createdAt: integer("created_at").notNull().default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [primaryKey({ columns: [t.userId, t.clinicId] }), index("memberships_clinic_idx").on(t.clinicId)],
);

export const orgMemberships = sqliteTable(
  "org_memberships",
  {
    userId: text("user_id").notNull().references(() => users.id),
    organizationId: text("organization_id").notNull().references(() => organizations.id),
    role: text("role").notNull().references(() => roles.name),
  },
  (t) => [primaryKey({ columns: [t.userId, t.organizationId] })],
);

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id),
    clinicId: text("clinic_id").notNull().references(() => clinics.id),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    /** When this session last proved a second factor (epoch ms); null if it never did. */
    secondFactorAt: integer("second_factor_at"),
    /** Null for a complete session; otherwise what it must do before anything else. */
    pending: text("pending", { enum: ["second_factor", "enrol"] }),
    /** Wrong second-factor codes in a row on this session. */
    secondFactorFailures: integer("second_factor_failures").notNull().default(0),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/** A user's TOTP factor (RFC 6238); unconfirmed until the first code is entered. */
export const totpFactors = sqliteTable("totp_factors", {
  userId: text("user_id").primaryKey().references(() => users.id),
  /** Base32 secret. */
  secret: text("secret").notNull(),
  createdAt: integer("created_at").notNull(),
  confirmedAt: integer("confirmed_at"),
  /** The time step of the last accepted code: a code is never accepted twice. */
  lastUsedStep: integer("last_used_step"),
  /** The session shown the secret while enrolment waits: only it may confirm it. */
  enrollingSession: text("enrolling_session"),
});

/** Single-use recovery codes, stored as SHA-256 hex. */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id),
    createdAt: integer("created_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("recovery_codes_user_idx").on(t.userId)],
);

/** WebAuthn credentials (passkeys) of a user. */
export const passkeys = sqliteTable(
  "passkeys",
  {
    /** Credential id, base64url. */
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id),
    /** COSE public key, base64url. */
    publicKey: text("public_key").notNull(),
    counter: integer("counter").notNull().default(0),
    /** Comma-separated transports the authenticator reported. */
    transports: text("transports").notNull().default(""),
    name: text("name").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [index("passkeys_user_idx").on(t.userId)],
);

/** Single-use tokens (handoffs, password resets) are recorded here when spent. */
export const usedTokens = sqliteTable(
  "used_tokens",
  {
    jti: text("jti").primaryKey(),
    kind: text("kind").notNull(),
    usedAt: integer("used_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
);

/**
 * Checkpoints of each clinic's audit chain, outside the clinic's database (append-only by trigger):
 * see src/audit/anchors.ts.
 */
export const auditAnchors = sqliteTable(
  "audit_anchors",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    clinicSlug: text("clinic_slug").notNull(),
    lastId: integer("last_id").notNull(),
    lastHash: text("last_hash").notNull(),
    rowCount: integer("row_count").notNull(),
    keyId: text("key_id"),
    /** ISO 8601 UTC. */
    anchoredAt: text("anchored_at").notNull(),
  },
  (t) => [uniqueIndex("audit_anchors_clinic_last_idx").on(t.clinicSlug, t.lastId)],
);
