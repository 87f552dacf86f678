/** Bindings and per-request context shared by the whole Worker. */
import type { DrizzleD1Database } from "drizzle-orm/d1";
import type * as clinicSchema from "../schema/clinic";
import type * as directorySchema from "../schema/directory";
import type { ClinicCalendar } from "../calendar/calendar";
import type { RateLimiter } from "./rate-limiter";
import type { Permission } from "./permissions";

export interface Env {
  /** The directory (control plane) database: clinics, staff, sessions. No patient data. */
  DIRECTORY: D1Database;
  /** Clinic databases are bound as CLINIC_<SLUG>; the directory names each clinic's binding. */
  [binding: `CLINIC_${string}`]: D1Database;
  CALENDAR: DurableObjectNamespace<ClinicCalendar>;
  /** Rate-limit counters, one object per rule and hashed key (see ./rate-limit.ts). */
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  ATTACHMENTS: R2Bucket;
  /** Largest document upload in bytes (a wrangler var); 25 MiB when unset. */
  ATTACHMENT_MAX_BYTES?: string;
  /** Delivery jobs: one per outbox row to send (see src/messaging/delivery.ts). */
  MESSAGES: Queue<MessageJob>;
  /** Host suffix under which clinics live, e.g. `example.com` or `localhost:8787`. */
  BASE_DOMAIN: string;
  ENVIRONMENT: string;
  /**
   * Secret that signs every token (sessions, handoffs, reset links). At least 32 characters. With
   * SESSION_SECRETS set it only verifies tokens that name no key id (see src/platform/tokens.ts).
   */
  SESSION_SECRET?: string;
  /** Key ring for rotation, newest first: `kid2:secret2,kid1:secret1` (src/platform/tokens.ts). */
  SESSION_SECRETS?: string;
  /**
   * Keys of the audit chain's HMAC: `kid:secret,kid2:secret2`, the first seals new rows, all verify
   * the rows they sealed. Each secret at least 32 characters. Never stored in a clinic database.
   */
  AUDIT_KEYS: string;
  /**
   * Cloudflare Turnstile, asked of booking clients past the soft abuse limits (src/booking/challenge.ts).
   * The secret is a wrangler secret, the site key a var, per deployment. Without a secret the check
   * is skipped in development and fails closed in production; "simulated" is the tests' stand-in.
   */
  TURNSTILE_SECRET?: string;
  TURNSTILE_SITE_KEY?: string;
}

/** A queue message: which clinic's outbox row to deliver. */
export interface MessageJob {
  clinic: string;
  outboxId: string;
}

export type ClinicDb = DrizzleD1Database<typeof clinicSchema>;
export type DirectoryDb = DrizzleD1Database<typeof directorySchema>;

export interface Clinic {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  /** ISO 3166 alpha-2 code, the default country of phone numbers typed without one. */
  country: string;
  status: "active" | "suspended";
  dbBinding: string;
  organizationId: string | null;
  idleTimeoutMinutes: number;
  sessionMaxHours: number;
  /** Charts are open to the patient's care team only; others use emergency access (src/emergency/care-team.ts). */
  careTeamOnly: boolean;
}

/** The signed-in staff member, as seen by the clinic of this request. */
export interface Staff {
  id: string;
  email: string;
  name: string;
  sessionId: string;
  /** The clinic role, or the organization role when the user works here as chain admin. */
  role: string;
  permissions: ReadonlySet<Permission>;
  /** Other clinics this user may switch to without a second password. */
  otherClinics: { slug: string; name: string }[];
  /**
   * What this session must do before anything else: prove the second factor after the password,
   * or enrol one the clinic's policy requires. Null (or absent) for a complete session.
   */
  pending?: "second_factor" | "enrol" | null;
  /** When this session last proved a second factor (epoch ms). */
  secondFactorAt?: number | null;
  /** Whether the user has a confirmed TOTP factor or a passkey. */
  hasSecondFactor?: boolean;
}

export interface RequestMeta {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  /** The emergency access grant this request is served under (src/emergency/gate.tsx), if any. */
  emergencyGrantId?: string;
}

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    csrfToken: string;
    dir: DirectoryDb;
    clinic: Clinic;
    db: ClinicDb;
    staff: Staff | null;
    /** A one-line notice for the next page, e.g. why the session ended. */
    notice: string | undefined;
    /** Set by the care-team gate when a chart opens under an emergency grant. */
    emergencyGrantId: string | undefined;
    /** Another origin this page may load scripts and frames from (the booking pages' human check). */
    cspWidgetOrigin: string | undefined;
  };
};
