/**
 * The second factor of staff: TOTP (RFC 6238) with single-use recovery codes, the clinic's policy
 * of which roles must use one, proving it after the password or again before a sensitive action,
 * and an administrator removing a user's factors when a device is lost. Factors belong to the
 * user (directory); every event is audited in the clinic where it happened.
 * See: https://www.rfc-editor.org/rfc/rfc6238 (TOTP), https://www.rfc-editor.org/rfc/rfc4226 (HOTP).
 */
import { and, count, eq, isNotNull, isNull, lt, ne, or, sql } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { audit } from "../audit/service";
import { sha256Hex } from "../platform/crypto";
import { hit, reset, tooManyRequests, waitText, type RateRule } from "../platform/rate-limit";
import type { Clinic, Env, Staff } from "../platform/env";
import { AppError, notFound } from "../platform/errors";
import type { StaffScope } from "../platform/scope";
import { directoryDb } from "../platform/tenancy";
import { clinics, memberships, orgMemberships, passkeys, recoveryCodes, sessions, totpFactors, users } from "../schema/directory";

/** A code is accepted one time step either side of now (clock drift of the phone). */
export const TOTP_WINDOW = 1;
export const TOTP_PERIOD_SECONDS = 30;
/** Wrong codes in a row that end a session. */
export const MAX_SECOND_FACTOR_FAILURES = 5;
/**
 * Codes tried per user, across sessions and clinics: a session ends after five wrong codes, but a
 * new sign-in (the password being known) or parallel requests must not buy more guesses. Counted
 * before the code is checked; a right code forgets the count.
 */
export const SECOND_FACTOR_ATTEMPTS: RateRule = {
  name: "second-factor.attempts.user",
  limit: 10,
  windowSeconds: 3600,
  backoff: { baseSeconds: 60, maxSeconds: 3600 },
};
export const RECOVERY_CODE_COUNT = 10;
/** Roles a clinic's policy can require a second factor of, and the default. */
export const POLICY_ROLES = ["owner", "admin", "provider", "associate", "nurse", "front_desk", "biller"] as const;
export const DEFAULT_REQUIRED_ROLES = ["owner", "admin", "provider"] as const;

export type PendingState = "second_factor" | "enrol" | null;

/** A scope that can also reach the directory. */
export interface FactorScope extends StaffScope {
  env: Env;
}

/** The roles of a policy string ("owner,admin,provider"), known roles only. */
export function parsePolicy(value: string): string[] {
  return value
    .split(",")
    .map((r) => r.trim())
    .filter((r) => (POLICY_ROLES as readonly string[]).includes(r));
}

/**
 * What a new session of this user at this clinic must do first: prove the factor it has, enrol one
 * the policy requires of its role here, or nothing. One directory round trip.
 */
export async function pendingStateFor(env: Env, clinic: Pick<Clinic, "id">, userId: string): Promise<PendingState> {
  const d = directoryDb(env);
  const [policy, roles, totp, keys] = await d.batch([
    d.select({ roles: clinics.secondFactorRoles }).from(clinics).where(eq(clinics.id, clinic.id)),
    d.select({ role: memberships.role }).from(memberships).where(and(eq(memberships.userId, userId), eq(memberships.clinicId, clinic.id))),
    d.select({ n: count() }).from(totpFactors).where(and(eq(totpFactors.userId, userId), isNotNull(totpFactors.confirmedAt))),
    d.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId)),
  ]);
  if ((totp[0]?.n ?? 0) > 0 || (keys[0]?.n ?? 0) > 0) return "second_factor";
  const required = parsePolicy(policy[0]?.roles ?? DEFAULT_REQUIRED_ROLES.join(","));
  return roles.some((r) => required.includes(r.role)) ? "enrol" : null;
}

// --- TOTP -----------------------------------------------------------------------------------

function totpOf(secret: string, label = "", issuer = ""): TOTP {
  return new TOTP({ issuer, label, secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: TOTP_PERIOD_SECONDS });
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function otpauthUri(secret: string, clinicName: string, email: string): string {
  return totpOf(secret, email, clinicName).toString();
}

/** The time step a code belongs to, if it is valid within the window around `now`. */
export function totpStep(secret: string, code: string, now = Date.now()): number | null {
  const delta = totpOf(secret).validate({ token: code, timestamp: now, window: TOTP_WINDOW });
  if (delta === null) return null;
  return Math.floor(now / 1000 / TOTP_PERIOD_SECONDS) + delta;
}

/** The factors a user has: whether TOTP is confirmed, how many passkeys and unused recovery codes. */
export async function factorSummary(env: Env, userId: string) {
  const d = directoryDb(env);
  const [totp, keys, codes] = await d.batch([
    d.select({ secret: totpFactors.secret, confirmedAt: totpFactors.confirmedAt }).from(totpFactors).where(eq(totpFactors.userId, userId)),
    d
      .select({ id: passkeys.id, name: passkeys.name, createdAt: passkeys.createdAt, lastUsedAt: passkeys.lastUsedAt })
      .from(passkeys)
      .where(eq(passkeys.userId, userId))
      .orderBy(passkeys.createdAt),
    d.select({ n: count() }).from(recoveryCodes).where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt))),
  ]);
  const t = totp[0];
  return {
    totpConfirmed: !!t?.confirmedAt,
    /** The secret of an enrolment still waiting for its first code. */
    pendingSecret: t && !t.confirmedAt ? t.secret : null,
    passkeys: keys,
    recoveryCodesLeft: codes[0]?.n ?? 0,
  };
}

/**
 * The secret of the user's TOTP enrolment in progress for this session; null when a factor is
 * already confirmed (it must be disabled first). Another session's waiting secret is replaced: a
 * secret someone saw earlier (with the password, before its owner enrolled) is never the one the
 * owner scans and confirms.
 */
export async function startTotpEnrolment(env: Env, userId: string, sessionId: string, now = Date.now()): Promise<string | null> {
  const d = directoryDb(env);
  const secret = new Secret({ size: 20 }).base32;
  await d
    .insert(totpFactors)
    .values({ userId, secret, createdAt: now, enrollingSession: sessionId })
    .onConflictDoUpdate({
      target: totpFactors.userId,
      set: { secret, createdAt: now, enrollingSession: sessionId },
      setWhere: and(isNull(totpFactors.confirmedAt), or(isNull(totpFactors.enrollingSession), ne(totpFactors.enrollingSession, sessionId))),
    })
    .run();
  const row = await d.select({ secret: totpFactors.secret, confirmedAt: totpFactors.confirmedAt }).from(totpFactors).where(eq(totpFactors.userId, userId)).get();
  return row && !row.confirmedAt ? row.secret : null;
}

const WRONG_CODE = "That code is not right. Enter the 6-digit code your app shows now.";

/**
 * Confirms a TOTP enrolment with its first code: the factor becomes active, the session counts as
 * having proved it now, and ten recovery codes are made (returned to be shown once).
 */
export async function confirmTotp(scope: FactorScope, code: string, now = Date.now()): Promise<string[]> {
  const d = directoryDb(scope.env);
  const userId = scope.staff.id;
  const row = await d
    .select({ secret: totpFactors.secret, confirmedAt: totpFactors.confirmedAt, enrollingSession: totpFactors.enrollingSession })
    .from(totpFactors)
    .where(eq(totpFactors.userId, userId))
    .get();
  if (!row || row.confirmedAt || row.enrollingSession !== scope.staff.sessionId) {
    throw new AppError("conflict", "There is no authenticator app enrolment waiting for a code here. Reload the page.");
  }
  const step = totpStep(row.secret, code, now);
  if (step === null) {
    await audit(scope, { action: "update", event: "auth.second_factor_enrol", entityType: "user", entityId: userId, outcome: "failure", detail: "wrong first code" });
    throw new AppError("validation", WRONG_CODE, { code: WRONG_CODE });
  }
  const confirmed = await d
    .update(totpFactors)
    .set({ confirmedAt: now, lastUsedStep: step })
    .where(and(eq(totpFactors.userId, userId), isNull(totpFactors.confirmedAt), eq(totpFactors.secret, row.secret), eq(totpFactors.enrollingSession, scope.staff.sessionId)))
    .run();
  if (confirmed.meta.changes !== 1) throw new AppError("conflict", "This enrolment was completed or replaced meanwhile. Reload the page.");
  const codes = await replaceRecoveryCodes(scope.env, userId, now);
  await markProved(scope.env, scope.staff.sessionId, now);
  await audit(scope, { action: "update", event: "auth.second_factor_enrol", entityType: "user", entityId: userId, detail: "authenticator app (TOTP) enrolled; 10 recovery codes issued" });
  return codes;
}

// --- Recovery codes ---------------------------------------------------------------------------

const CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** Lower case letters and digits only, as the hash is computed. */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9]/g, "");
}

function newRecoveryCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  const chars = [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** Replaces the user's recovery codes with ten new ones; the plain codes are returned once. */
async function replaceRecoveryCodes(env: Env, userId: string, now: number): Promise<string[]> {
  const d = directoryDb(env);
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const rows = await Promise.all(codes.map(async (c) => ({ codeHash: await sha256Hex(normalizeRecoveryCode(c)), userId, createdAt: now })));
  await d.batch([d.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)), d.insert(recoveryCodes).values(rows)]);
  return codes;
}

// --- Proving the factor -----------------------------------------------------------------------

export type ProvedBy = "totp" | "recovery code" | "passkey";

/**
 * Checks a code and spends it: a TOTP code of a step after the last accepted one, or an unused
 * recovery code. Null when neither holds.
 */
export async function spendCode(env: Env, userId: string, raw: string, now = Date.now()): Promise<ProvedBy | null> {
  const d = directoryDb(env);
  const code = raw.replace(/\s+/g, "");
  if (/^\d{6}$/.test(code)) {
    const row = await d.select({ secret: totpFactors.secret }).from(totpFactors).where(and(eq(totpFactors.userId, userId), isNotNull(totpFactors.confirmedAt))).get();
    const step = row ? totpStep(row.secret, code, now) : null;
    if (step === null) return null;
    // A code is used once: the step must be newer than the last accepted one (also between racing requests).
    const used = await d
      .update(totpFactors)
      .set({ lastUsedStep: step })
      .where(and(eq(totpFactors.userId, userId), or(isNull(totpFactors.lastUsedStep), lt(totpFactors.lastUsedStep, step))))
      .run();
    return used.meta.changes === 1 ? "totp" : null;
  }
  const normalized = normalizeRecoveryCode(code);
  if (normalized.length !== 10) return null;
  const spent = await d
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(and(eq(recoveryCodes.codeHash, await sha256Hex(normalized)), eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
    .returning({ codeHash: recoveryCodes.codeHash })
    .get();
  return spent ? "recovery code" : null;
}

/** The session proved a second factor now: it is complete, and counts as recently verified. */
async function markProved(env: Env, sessionId: string, now: number): Promise<void> {
  await directoryDb(env).update(sessions).set({ secondFactorAt: now, pending: null, secondFactorFailures: 0 }).where(eq(sessions.id, sessionId)).run();
}

/** The session proved its factor another way (a passkey): complete it and audit it. */
export async function acceptProof(scope: FactorScope, by: ProvedBy, now = Date.now()): Promise<void> {
  await markProved(scope.env, scope.staff.sessionId, now);
  await audit(scope, { action: "execute", event: "auth.second_factor", entityType: "user", entityId: scope.staff.id, detail: by });
}

export const SESSION_ENDED = "Too many wrong codes: this sign-in has ended. Sign in again.";

/**
 * Proves the second factor of the signed-in session with a code (TOTP or recovery code). A wrong
 * code is audited and refused with a field message; the fifth wrong code in a row ends the session.
 */
export async function proveSecondFactor(scope: FactorScope, code: string, now = Date.now()): Promise<ProvedBy> {
  const attempt = await hit(scope.env, SECOND_FACTOR_ATTEMPTS, scope.staff.id, now);
  if (!attempt.allowed) {
    await audit(scope, { action: "execute", event: "auth.second_factor", entityType: "user", entityId: scope.staff.id, outcome: "denied", detail: "too many codes tried" });
    tooManyRequests(attempt, `Too many codes were tried for this account. Wait ${waitText(attempt.retryAfterSeconds)} and try again.`);
  }
  const by = await spendCode(scope.env, scope.staff.id, code, now);
  if (by) {
    await reset(scope.env, SECOND_FACTOR_ATTEMPTS, scope.staff.id);
    await acceptProof(scope, by, now);
    if (by === "recovery code") {
      const left = (await factorSummary(scope.env, scope.staff.id)).recoveryCodesLeft;
      await audit(scope, { action: "update", event: "auth.recovery_code_used", entityType: "user", entityId: scope.staff.id, detail: `${left} recovery codes left` });
    }
    return by;
  }
  await recordFailure(scope, "wrong code", now);
  throw new AppError("validation", WRONG_CODE, { code: "That code is not right or was already used. Enter the code your app shows now, or an unused recovery code." });
}

/** Counts a failed proof on this session; ends the session at the limit. */
export async function recordFailure(scope: FactorScope, detail: string, now = Date.now()): Promise<void> {
  const d = directoryDb(scope.env);
  const row = await d
    .update(sessions)
    .set({ secondFactorFailures: sql`${sessions.secondFactorFailures} + 1` })
    .where(eq(sessions.id, scope.staff.sessionId))
    .returning({ failures: sessions.secondFactorFailures })
    .get();
  await audit(scope, { action: "execute", event: "auth.second_factor", entityType: "user", entityId: scope.staff.id, outcome: "failure", detail });
  if ((row?.failures ?? 0) >= MAX_SECOND_FACTOR_FAILURES) {
    await d.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.id, scope.staff.sessionId), isNull(sessions.revokedAt))).run();
    await audit(scope, {
      action: "execute",
      event: "auth.sign_out",
      entityType: "session",
      entityId: scope.staff.sessionId.slice(0, 8),
      outcome: "denied",
      detail: `${MAX_SECOND_FACTOR_FAILURES} wrong second-factor codes`,
    });
    throw new AppError("unauthenticated", SESSION_ENDED);
  }
}

// --- Managing one's own factors ---------------------------------------------------------------

/** Turns the authenticator app off (and its recovery codes), after a current code. */
export async function disableTotp(scope: FactorScope, code: string, now = Date.now()): Promise<void> {
  const by = await spendCode(scope.env, scope.staff.id, code, now);
  if (!by) {
    await audit(scope, { action: "delete", event: "auth.second_factor_remove", entityType: "user", entityId: scope.staff.id, outcome: "failure", detail: "wrong code" });
    throw new AppError("validation", WRONG_CODE, { code: WRONG_CODE });
  }
  const d = directoryDb(scope.env);
  await d.batch([d.delete(totpFactors).where(eq(totpFactors.userId, scope.staff.id)), d.delete(recoveryCodes).where(eq(recoveryCodes.userId, scope.staff.id))]);
  // Without a factor, a role that must have one is sent to enrol again from the next page on.
  const pending = await pendingStateFor(scope.env, scope.clinic, scope.staff.id);
  await d.update(sessions).set({ pending: pending === "enrol" ? "enrol" : null }).where(eq(sessions.id, scope.staff.sessionId)).run();
  await audit(scope, { action: "delete", event: "auth.second_factor_remove", entityType: "user", entityId: scope.staff.id, detail: "authenticator app turned off by its user" });
}

/** New recovery codes (the old ones stop working), after a current code. */
export async function regenerateRecoveryCodes(scope: FactorScope, code: string, now = Date.now()): Promise<string[]> {
  const by = await spendCode(scope.env, scope.staff.id, code, now);
  if (!by) {
    await audit(scope, { action: "update", event: "auth.recovery_codes_regenerate", entityType: "user", entityId: scope.staff.id, outcome: "failure", detail: "wrong code" });
    throw new AppError("validation", WRONG_CODE, { code: WRONG_CODE });
  }
  const codes = await replaceRecoveryCodes(scope.env, scope.staff.id, now);
  await audit(scope, { action: "update", event: "auth.recovery_codes_regenerate", entityType: "user", entityId: scope.staff.id, detail: "10 new recovery codes issued" });
  return codes;
}

// --- Administration ---------------------------------------------------------------------------

/**
 * Lost device: removes every factor and recovery code of a staff member of this clinic and ends
 * their sessions; they enrol again at their next sign-in. The caller holds `staff:manage` and has
 * proved their own second factor recently (the route's step-up).
 */
export async function resetFactors(scope: FactorScope, userId: string, now = Date.now()): Promise<void> {
  if (!scope.staff.permissions.has("staff:manage")) throw new AppError("forbidden", "You do not have permission to manage staff.");
  const d = directoryDb(scope.env);
  const [found, elsewhere, chainAdmin] = await d.batch([
    d
      .select({ id: users.id, email: users.email, role: memberships.role })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.clinicId, scope.clinic.id), eq(memberships.userId, userId))),
    // The factors are the person's, at every clinic they work at: grants beyond this clinic.
    d
      .select({ n: count() })
      .from(memberships)
      .where(and(eq(memberships.userId, userId), ne(memberships.clinicId, scope.clinic.id)))
      .unionAll(d.select({ n: count() }).from(orgMemberships).where(eq(orgMemberships.userId, userId))),
    d
      .select({ n: count() })
      .from(orgMemberships)
      .where(
        and(
          eq(orgMemberships.userId, scope.staff.id),
          eq(orgMemberships.organizationId, scope.clinic.organizationId ?? ""),
          eq(orgMemberships.role, "chain_admin"),
        ),
      ),
  ]);
  const target = found[0];
  if (!target) throw notFound("This staff member");
  if (target.role === "owner" && !scope.staff.permissions.has("staff:assign_owner")) {
    throw new AppError("forbidden", "Only an owner can reset an owner's second factor.");
  }
  if (elsewhere.some((r) => r.n > 0) && !(chainAdmin[0]?.n ?? 0)) {
    throw new AppError("forbidden", "This person also works at other clinics: their chain administrator resets their second factor.");
  }
  await d.batch([
    d.delete(totpFactors).where(eq(totpFactors.userId, userId)),
    d.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
    d.delete(passkeys).where(eq(passkeys.userId, userId)),
    d.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt))),
  ]);
  await audit(scope, {
    action: "delete",
    event: "auth.second_factor_reset",
    entityType: "user",
    entityId: userId,
    detail: `${target.email}: second factors and recovery codes removed by ${scope.staff.email}; sessions ended`,
  });
}

/** The roles of this clinic that must use a second factor. */
export async function readPolicy(env: Env, clinicId: string): Promise<string[]> {
  const row = await directoryDb(env).select({ roles: clinics.secondFactorRoles }).from(clinics).where(eq(clinics.id, clinicId)).get();
  return parsePolicy(row?.roles ?? "");
}

/** Saves which roles must use a second factor (owners and administrators only), audited. */
export async function savePolicy(scope: FactorScope, roles: readonly string[]): Promise<void> {
  if (!scope.staff.permissions.has("staff:manage")) throw new AppError("forbidden", "You do not have permission to change the sign-in policy.");
  const before = await readPolicy(scope.env, scope.clinic.id);
  const after = POLICY_ROLES.filter((r) => roles.includes(r));
  await directoryDb(scope.env).update(clinics).set({ secondFactorRoles: after.join(",") }).where(eq(clinics.id, scope.clinic.id)).run();
  await audit(scope, {
    action: "update",
    event: "settings.second_factor_policy",
    entityType: "clinic",
    entityId: scope.clinic.slug,
    detail: `roles that must use a second factor: ${before.join(", ") || "none"} → ${after.join(", ") || "none"}`,
  });
}

/** Whether a staff member's second factor was proved within `ms`. */
export function provedWithin(staff: Pick<Staff, "secondFactorAt">, ms: number, now = Date.now()): boolean {
  return typeof staff.secondFactorAt === "number" && now - staff.secondFactorAt <= ms && staff.secondFactorAt <= now + 60_000;
}

