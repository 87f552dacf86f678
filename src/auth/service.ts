/**
 * Signing in and out, account lockout, clinic handoffs and password resets. Identities live in
 * the directory; every event is audited in the clinic where it happened.
 */
import { and, eq, gt, gte, isNull, lt, lte, or, sql } from "drizzle-orm";
import { audit, type AuditScope } from "../audit/service";
import { auditFailure, commitFailureAudit, recordFailure } from "../audit/failures";
import { burnPasswordCheck, checkPassword, hashPassword, randomToken, safeEqualStrings, sha256Hex, verifyPassword } from "../platform/crypto";
import { hit, peek, reset, tooManyRequests, waitText } from "../platform/rate-limit";
import type { Clinic, DirectoryDb, Env } from "../platform/env";
import { AppError } from "../platform/errors";
import { clinicOrigin, directoryDb } from "../platform/tenancy";
import { signToken, verifyToken } from "../platform/tokens";
import { clinics, memberships, orgMemberships, sessions, usedTokens, users } from "../schema/directory";
import { createSession, revokeAllSessions, revokeSession, sessionRef, type NewSession } from "./session";
import { queueMessage } from "../messaging/outbox";
import { accountIpKey, ipKey, SIGN_IN_FAILURES_ACCOUNT, SIGN_IN_FAILURES_ACCOUNT_IP, SIGN_IN_FAILURES_IP } from "./throttle";

/** How long a sustained attack (SIGN_IN_FAILURES_ACCOUNT) locks an account. */
export const LOCK_MINUTES = 15;
/** Long enough to press the button on the switch page; the token is single use. */
export const HANDOFF_TTL_SECONDS = 120;
export const RESET_TTL_SECONDS = 30 * 60;

export interface AuthScope extends AuditScope {
  env: Env;
  clinic: Clinic;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

async function findUserByEmail(d: DirectoryDb, email: string) {
  const [row] = await d
    .select({ id: users.id, email: users.email, name: users.name, passwordHash: users.passwordHash, lockedUntil: users.lockedUntil })
    .from(users)
    .where(eq(users.email, normalizeEmail(email)));
  return row ?? null;
}

/**
 * The account of an email with whether it works at this clinic, in one query: sign-in makes the
 * same round trips whether the email is unknown, of another clinic, or of this one.
 */
async function findSignInAccount(d: DirectoryDb, email: string, clinic: Pick<Clinic, "id" | "organizationId">) {
  const [row] = await d
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      passwordHash: users.passwordHash,
      lockedUntil: users.lockedUntil,
      worksHere: sql<number>`(EXISTS (SELECT 1 FROM ${memberships} WHERE ${memberships.userId} = ${users.id} AND ${memberships.clinicId} = ${clinic.id})
        OR EXISTS (SELECT 1 FROM ${orgMemberships} WHERE ${orgMemberships.userId} = ${users.id}
          AND ${orgMemberships.organizationId} = ${clinic.organizationId ?? ""} AND ${orgMemberships.role} = 'chain_admin'))`,
    })
    .from(users)
    .where(eq(users.email, email));
  return row && row.worksHere ? row : null;
}

/** Whether the user works at this clinic, directly or as administrator of its chain. */
export async function hasAccess(env: Env, userId: string, clinic: Pick<Clinic, "id" | "organizationId">): Promise<boolean> {
  const d = directoryDb(env);
  const [row] = await d
    .select({ ok: sql<number>`1` })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.clinicId, clinic.id)))
    .union(
      d
        .select({ ok: sql<number>`1` })
        .from(orgMemberships)
        .where(
          and(
            eq(orgMemberships.userId, userId),
            eq(orgMemberships.organizationId, clinic.organizationId ?? ""),
            eq(orgMemberships.role, "chain_admin"),
          ),
        ),
    )
    .limit(1);
  return !!row;
}

/** Not locked, or the lock has run out by `now`. */
const unlockedAt = (now: number) => or(isNull(users.lockedUntil), lte(users.lockedUntil, now));

const INVALID = "The email or password is incorrect.";

/**
 * Checks a password and opens a session. Failures are throttled by the rate limiter
 * (./throttle.ts): per account and IP with a doubling wait, per IP across accounts, and a lock of
 * the account for LOCK_MINUTES only after a sustained attack from anywhere (its holder is told
 * by email). An unknown email, an account of another clinic and a wrong password do the same
 * work: the same limiter calls, two directory/clinic round trips and one PBKDF2 derivation.
 */
export async function signIn(scope: AuthScope, email: string, password: string, now = Date.now()): Promise<NewSession> {
  const env = scope.env;
  const d = directoryDb(env);
  const address = normalizeEmail(email);
  const ip = scope.meta.ip;

  // The attempt is counted for this account and IP before the password is checked (and forgotten
  // if it is right), so parallel guesses cannot outrun the wait; a throttled IP is refused here.
  const [pair, network] = await Promise.all([
    hit(env, SIGN_IN_FAILURES_ACCOUNT_IP, accountIpKey(ip, address), now),
    peek(env, SIGN_IN_FAILURES_IP, ipKey(ip), now),
  ]);
  if (!pair.allowed || !network.allowed) {
    const wait = Math.max(pair.retryAfterSeconds, network.retryAfterSeconds);
    await recordFailure(
      scope,
      {
        action: "execute",
        event: "auth.sign_in_throttled",
        entityType: "user",
        outcome: "denied",
        detail: !pair.allowed ? "too many failures for this account from this address" : "too many failures from this address",
        user: { id: null, email: address.slice(0, 254) },
      },
      { aggregate: true, what: "throttled sign-ins" },
    );
    tooManyRequests(
      { retryAfterSeconds: wait },
      !pair.allowed
        ? `Too many failed sign-ins for this account from your network. Wait ${waitText(wait)} and try again, or reset your password.`
        : `Too many failed sign-ins from your network. Wait ${waitText(wait)} and try again.`,
    );
  }

  // Someone who does not work here is treated exactly like an unknown account: same work, same
  // answer, no effect on their account, and nothing about them in this clinic's audit log.
  const user = await findSignInAccount(d, address, scope.clinic);
  const who = user ? { id: user.id, email: user.email } : null;

  if (user && who && user.lockedUntil !== null && user.lockedUntil > now) {
    await checkPassword(password, null);
    await audit(scope, { action: "execute", event: "auth.sign_in", entityType: "user", entityId: user.id, outcome: "denied", detail: "account locked", user: who });
    throw lockedError(user.lockedUntil);
  }

  if (user && who && (await checkPassword(password, user.passwordHash))) {
    await reset(env, SIGN_IN_FAILURES_ACCOUNT_IP, accountIpKey(ip, address));
    if (user.lockedUntil !== null) {
      // A lock that ran out: lifted once (the conditional update makes concurrent sign-ins agree).
      const lifted = await d
        .update(users)
        .set({ failedAttempts: 0, lockedUntil: null })
        .where(and(eq(users.id, user.id), eq(users.lockedUntil, user.lockedUntil)))
        .run();
      if (lifted.meta.changes > 0) {
        await audit(scope, { action: "update", event: "auth.unlock", entityType: "user", entityId: user.id, detail: "lock expired", user: who });
      }
    }
    const session = await createSession(env, scope.clinic, user.id, scope.meta, now);
    await audit(scope, { action: "execute", event: "auth.sign_in", entityType: "session", entityId: sessionRef(session.id), user: who });
    return session;
  }
  if (!user) await checkPassword(password, null);

  // A failure: counted by the other rules (for unknown emails too, so the answers cannot tell them apart).
  const [, account, audited] = await Promise.all([
    hit(env, SIGN_IN_FAILURES_IP, ipKey(ip), now),
    hit(env, SIGN_IN_FAILURES_ACCOUNT, address, now),
    auditFailure(
      scope,
      user && who
        ? { action: "execute", event: "auth.sign_in", entityType: "user", entityId: user.id, outcome: "failure", detail: "wrong password", user: who }
        : { action: "execute", event: "auth.sign_in", entityType: "user", outcome: "failure", detail: "unknown account", user: { id: null, email: address.slice(0, 254) } },
      { aggregate: !user, what: "failed sign-ins of unknown accounts" },
    ),
  ]);
  await commitFailureAudit(scope, audited);

  if (user && who && account.retryAfterSeconds > 0) await lockAfterSustainedAttack(scope, user, account.count, now);
  if (pair.retryAfterSeconds > 0) {
    tooManyRequests(
      pair,
      `${INVALID} After ${SIGN_IN_FAILURES_ACCOUNT_IP.limit} failed sign-ins, wait ${waitText(pair.retryAfterSeconds)} before trying this account again from your network, or reset your password.`,
    );
  }
  throw new AppError("unauthenticated", INVALID);
}

/**
 * Locks an account that failed SIGN_IN_FAILURES_ACCOUNT.limit sign-ins within the rule's window
 * (from any number of addresses), audits it and emails its holder; throws the 423.
 */
async function lockAfterSustainedAttack(scope: AuthScope, user: { id: string; email: string; name: string }, failures: number, now: number): Promise<void> {
  const until = now + LOCK_MINUTES * 60_000;
  const locked = await directoryDb(scope.env)
    .update(users)
    .set({ lockedUntil: until })
    .where(and(eq(users.id, user.id), unlockedAt(now)))
    .returning({ lockedUntil: users.lockedUntil })
    .get();
  if (!locked) return;
  const who = { id: user.id, email: user.email };
  const hours = SIGN_IN_FAILURES_ACCOUNT.windowSeconds / 3600;
  await audit(scope, {
    action: "update",
    event: "auth.lock",
    entityType: "user",
    entityId: user.id,
    detail: `${failures} failed sign-ins within ${hours} hour${hours === 1 ? "" : "s"}; locked for ${LOCK_MINUTES} minutes`,
    user: who,
  });
  await queueMessage(scope.db, {
    channel: "email",
    recipient: user.email,
    template: "staff.account_locked",
    subject: `Your account at ${scope.clinic.name} was locked`,
    body:
      `Hello ${user.name},\n\nThere were ${failures} failed attempts to sign in to your account at ${scope.clinic.name} ` +
      `within ${hours} hour${hours === 1 ? "" : "s"}, so it is locked for ${LOCK_MINUTES} minutes. ` +
      `If these were not you, someone may be guessing your password: reset it from the sign-in page, ` +
      `and tell your clinic administrator, who can also unlock the account from the staff page.`,
    idempotencyKey: `account-locked:${user.id}:${until}`,
  });
  throw lockedError(until);
}

function lockedError(until: number): AppError {
  const at = new Date(until).toISOString().slice(11, 16);
  return new AppError(
    "locked",
    `This account is locked after repeated failed sign-ins. Try again after ${at} UTC, reset your password, or ask your clinic administrator to unlock it.`,
  );
}

/** Revokes a session on the server; `detail` says why when it was not the user's own sign-out. */
export async function signOut(scope: AuthScope, sessionId: string, detail?: string): Promise<void> {
  await revokeSession(scope.env, sessionId);
  await audit(scope, { action: "execute", event: "auth.sign_out", entityType: "session", entityId: sessionRef(sessionId), detail });
}

export interface Handoff {
  token: string;
  /** Travels beside the token in the form the origin clinic's page posts; the token holds its hash. */
  nonce: string;
  clinic: { slug: string; name: string };
}

/**
 * Issues a short-lived, single-use token that opens a session at another clinic of the user. The
 * token names the session that asked for it and holds the hash of a random nonce; both the token
 * and the nonce are needed, posted from this clinic's page (see completeHandoff), so a copied token
 * cannot sign someone else's browser in.
 */
export async function startHandoff(scope: AuthScope, targetSlug: string, sessionId: string): Promise<Handoff> {
  const staff = scope.staff;
  if (!staff) throw new AppError("unauthenticated", "Please sign in.");
  const target = await directoryDb(scope.env)
    .select({ id: clinics.id, slug: clinics.slug, name: clinics.name, organizationId: clinics.organizationId })
    .from(clinics)
    .where(and(eq(clinics.slug, targetSlug), eq(clinics.status, "active")))
    .get();
  if (!target || !(await hasAccess(scope.env, staff.id, target))) {
    throw new AppError("not_found", "That clinic could not be found among yours.");
  }
  const jti = crypto.randomUUID();
  const nonce = randomToken();
  const token = await signToken(scope.env, {
    use: "handoff",
    subject: staff.id,
    clinicSlug: target.slug,
    ttl: HANDOFF_TTL_SECONDS,
    jti,
    claims: { from: scope.clinic.slug, sid: sessionId, nh: await sha256Hex(nonce) },
  });
  await audit(scope, { action: "execute", event: "auth.handoff_out", entityType: "clinic", entityId: target.slug, detail: `jti ${jti}` });
  return { token, nonce, clinic: { slug: target.slug, name: target.name } };
}

/** Marks a token id as spent; false if it was spent before. */
async function spendToken(env: Env, jti: string, kind: string, expiresAt: number, now = Date.now()): Promise<boolean> {
  const res = await directoryDb(env)
    .insert(usedTokens)
    .values({ jti, kind, usedAt: now, expiresAt })
    .onConflictDoNothing({ target: usedTokens.jti })
    .run();
  return res.meta.changes > 0;
}

/**
 * Redeems a handoff at the clinic it was issued for and opens a session there. The form must come
 * from the page of the clinic that issued it (`origin`), carry the nonce whose hash the token
 * holds, and the session that asked for it must still be live.
 */
export async function completeHandoff(scope: AuthScope, h: { token: string; nonce: string; origin: string; protocol: string }): Promise<NewSession> {
  const claims = await verifyToken(scope.env, h.token, "handoff", scope.clinic.slug);
  const refuse = async (detail: string) => {
    // Refused links are not yet anyone's: repeats from one address are summed up.
    await recordFailure(scope, { action: "execute", event: "auth.handoff_in", entityType: "session", outcome: "failure", detail }, { aggregate: true, what: "refused clinic-switch links" });
    return new AppError("unauthenticated", "This clinic switch is invalid or has expired. Switch again from your clinic's menu, or sign in here.");
  };
  if (!claims || !claims.jti || !claims.exp || typeof claims.from !== "string" || typeof claims.sid !== "string" || typeof claims.nh !== "string") {
    throw await refuse("invalid handoff token");
  }
  if (h.origin !== clinicOrigin(claims.from, scope.env.BASE_DOMAIN, h.protocol)) throw await refuse("handoff not posted from its clinic");
  if (!safeEqualStrings(await sha256Hex(h.nonce), claims.nh)) throw await refuse("handoff nonce does not match");
  if (!(await spendToken(scope.env, claims.jti, "handoff", claims.exp * 1000))) throw await refuse("handoff token replayed");
  if (!(await isLiveSession(scope.env, claims.sid, claims.sub))) throw await refuse("the session that started the handoff has ended");
  if (!(await hasAccess(scope.env, claims.sub, scope.clinic))) throw await refuse("no access to this clinic");
  const user = await userIdentity(scope.env, claims.sub);
  if (!user) throw await refuse("unknown user");
  const session = await createSession(scope.env, scope.clinic, user.id, scope.meta);
  await audit(scope, {
    action: "execute",
    event: "auth.sign_in",
    entityType: "session",
    entityId: sessionRef(session.id),
    detail: `handoff from ${String(claims.from ?? "")}`,
    user,
  });
  return session;
}

/** Whether a session of this user exists and was not revoked or expired. */
async function isLiveSession(env: Env, sessionId: string, userId: string, now = Date.now()): Promise<boolean> {
  const row = await directoryDb(env)
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .get();
  return !!row;
}

/** The id and email of a user (who an audit row names), or undefined. */
function userIdentity(env: Env, userId: string) {
  return directoryDb(env).select({ id: users.id, email: users.email }).from(users).where(eq(users.id, userId)).get();
}

/** A fingerprint of the current password hash: a reset link dies once the password changes. */
async function passwordFingerprint(hash: string): Promise<string> {
  return (await sha256Hex(hash)).slice(0, 16);
}

/**
 * Sends a password reset link through the outbox when the account exists and works here.
 * The caller shows the same answer either way, so the form does not reveal who has an account.
 */
export async function requestPasswordReset(scope: AuthScope, email: string, origin: string): Promise<void> {
  const user = await findUserByEmail(directoryDb(scope.env), email);
  if (!user || !(await hasAccess(scope.env, user.id, scope.clinic))) {
    await recordFailure(
      scope,
      {
        action: "execute",
        event: "auth.password_reset_request",
        entityType: "user",
        outcome: "failure",
        detail: "unknown account",
        user: { id: null, email: normalizeEmail(email).slice(0, 254) },
      },
      { aggregate: true, what: "password reset requests for unknown accounts" },
    );
    return;
  }
  const jti = crypto.randomUUID();
  const token = await signToken(scope.env, {
    use: "reset",
    subject: user.id,
    clinicSlug: scope.clinic.slug,
    ttl: RESET_TTL_SECONDS,
    jti,
    claims: { pwd: await passwordFingerprint(user.passwordHash) },
  });
  const link = `${origin}/password/reset?token=${encodeURIComponent(token)}`;
  await queueMessage(scope.db, {
    channel: "email",
    recipient: user.email,
    template: "staff.password_reset",
    subject: `Reset your password for ${scope.clinic.name}`,
    body:
      `Hello ${user.name},\n\nSomeone asked to reset the password of your account at ${scope.clinic.name}. ` +
      `Open this link within ${RESET_TTL_SECONDS / 60} minutes to choose a new password:\n\n${link}\n\n` +
      `The link works once. If you did not ask for this, ignore this message; your password stays as it is.`,
    idempotencyKey: `password-reset:${jti}`,
  });
  await audit(scope, {
    action: "execute",
    event: "auth.password_reset_request",
    entityType: "user",
    entityId: user.id,
    user: { id: user.id, email: user.email },
  });
}

export async function checkResetToken(scope: AuthScope, token: string): Promise<{ userId: string; jti: string; exp: number }> {
  const claims = await verifyToken(scope.env, token, "reset", scope.clinic.slug);
  const invalid = new AppError("gone", "This reset link is invalid, already used or expired. Ask for a new one.");
  if (!claims || !claims.jti || !claims.exp) throw invalid;
  const d = directoryDb(scope.env);
  const user = await d.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, claims.sub)).get();
  if (!user || claims.pwd !== (await passwordFingerprint(user.passwordHash))) throw invalid;
  const used = await d.select({ jti: usedTokens.jti }).from(usedTokens).where(eq(usedTokens.jti, claims.jti)).get();
  if (used) throw invalid;
  return { userId: claims.sub, jti: claims.jti, exp: claims.exp * 1000 };
}

/** Sets a new password from a reset link: single use, ends every session, lifts any lock. */
export async function resetPassword(scope: AuthScope, token: string, password: string): Promise<void> {
  const { userId, jti, exp } = await checkResetToken(scope, token);
  if (!(await spendToken(scope.env, jti, "reset", exp))) {
    throw new AppError("gone", "This reset link is invalid, already used or expired. Ask for a new one.");
  }
  const hash = await hashPassword(password);
  const d = directoryDb(scope.env);
  const before = await d.select({ passwordHash: users.passwordHash, lockedUntil: users.lockedUntil }).from(users).where(eq(users.id, userId)).get();
  // Two different valid links redeemed at once: only the first changes the password.
  const changed = await d
    .update(users)
    .set({ passwordHash: hash, passwordChangedAt: Date.now(), failedAttempts: 0, lockedUntil: null })
    .where(and(eq(users.id, userId), eq(users.passwordHash, before?.passwordHash ?? "")))
    .run();
  if (changed.meta.changes !== 1) throw new AppError("gone", "This reset link is invalid, already used or expired. Ask for a new one.");
  if (before?.lockedUntil && before.lockedUntil > Date.now()) {
    await audit(scope, { action: "update", event: "auth.unlock", entityType: "user", entityId: userId, detail: "password reset" });
  }
  await revokeAllSessions(scope.env, userId);
  const user = await userIdentity(scope.env, userId);
  // A new password ends a sustained attack's count against the old one.
  if (user) await reset(scope.env, SIGN_IN_FAILURES_ACCOUNT, user.email);
  await audit(scope, { action: "update", event: "auth.password_reset", entityType: "user", entityId: userId, user: user ?? undefined });
}
