/**
 * Staff sessions: a `__Host-` cookie carrying a jose-signed token whose audience is one clinic,
 * backed by a row in the directory so that sign-out revokes it, an idle timeout (per clinic) and an
 * absolute lifetime apply. A session of one clinic is worthless at another.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { and, asc, eq, inArray, isNotNull, isNull, ne, or, sql } from "drizzle-orm";
import { randomToken } from "../platform/crypto";
import type { AppEnv, Clinic, Env, Staff } from "../platform/env";
import { isPermission } from "../platform/permissions";
import { directoryDb } from "../platform/tenancy";
import { signToken, verifyToken } from "../platform/tokens";
import { clinics, memberships, orgMemberships, passkeys, rolePermissions, sessions, totpFactors, users } from "../schema/directory";
import { pendingStateFor } from "./second-factor";

export const SESSION_COOKIE = "__Host-session";
/** last_seen_at is refreshed at most this often, to keep writes off most requests. */
const TOUCH_INTERVAL_MS = 30_000;

export type SessionState = { staff: Staff } | { staff: null; reason: "none" | "invalid" | "idle" | "expired" | "revoked" };

/**
 * Resolves the staff member of a session token at this clinic, in one directory round trip:
 * the session with its user, the permissions of the user's roles here, and their other clinics.
 */
export async function resolveSession(env: Env, clinic: Clinic, token: string, now = Date.now()): Promise<SessionState> {
  const claims = await verifyToken(env, token, "session", clinic.slug);
  if (!claims || typeof claims.sid !== "string") return { staff: null, reason: "invalid" };
  const sid = claims.sid;
  const d = directoryDb(env);
  const [found, grants, otherClinics] = await d.batch([
    d
      .select({
        id: sessions.id,
        clinicId: sessions.clinicId,
        userId: sessions.userId,
        lastSeenAt: sessions.lastSeenAt,
        expiresAt: sessions.expiresAt,
        revokedAt: sessions.revokedAt,
        email: users.email,
        name: users.name,
        pending: sessions.pending,
        secondFactorAt: sessions.secondFactorAt,
        hasSecondFactor: sql<number>`(exists (select 1 from ${totpFactors} where ${totpFactors.userId} = ${sessions.userId} and ${isNotNull(totpFactors.confirmedAt)}) or exists (select 1 from ${passkeys} where ${passkeys.userId} = ${sessions.userId}))`,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.id, sid), eq(sessions.userId, claims.sub))),
    d
      .select({ role: rolePermissions.role, permission: rolePermissions.permission })
      .from(rolePermissions)
      .where(
        inArray(
          rolePermissions.role,
          d
            .select({ role: memberships.role })
            .from(memberships)
            .where(and(eq(memberships.userId, claims.sub), eq(memberships.clinicId, clinic.id)))
            .union(
              d
                .select({ role: orgMemberships.role })
                .from(orgMemberships)
                .where(and(eq(orgMemberships.userId, claims.sub), eq(orgMemberships.organizationId, clinic.organizationId ?? ""))),
            ),
        ),
      ),
    d
      .select({ slug: clinics.slug, name: clinics.name })
      .from(clinics)
      .where(
        and(
          eq(clinics.status, "active"),
          ne(clinics.id, clinic.id),
          or(
            inArray(clinics.id, d.select({ id: memberships.clinicId }).from(memberships).where(eq(memberships.userId, claims.sub))),
            inArray(
              clinics.organizationId,
              d
                .select({ id: orgMemberships.organizationId })
                .from(orgMemberships)
                .where(and(eq(orgMemberships.userId, claims.sub), eq(orgMemberships.role, "chain_admin"))),
            ),
          ),
        ),
      )
      .orderBy(asc(clinics.name)),
  ]);
  const row = found[0];
  if (!row || row.clinicId !== clinic.id) return { staff: null, reason: "invalid" };
  if (row.revokedAt !== null) return { staff: null, reason: "revoked" };
  if (now >= row.expiresAt) return { staff: null, reason: "expired" };
  if (now - row.lastSeenAt >= clinic.idleTimeoutMinutes * 60_000) {
    await revokeSession(env, row.id, now);
    return { staff: null, reason: "idle" };
  }
  if (grants.length === 0) return { staff: null, reason: "revoked" };
  if (now - row.lastSeenAt >= TOUCH_INTERVAL_MS) {
    await d.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, row.id)).run();
  }
  const roles = [...new Set(grants.map((g) => g.role))];
  return {
    staff: {
      id: row.userId,
      email: row.email,
      name: row.name,
      sessionId: row.id,
      role: roles.find((r) => r !== "chain_admin") ?? roles[0] ?? "",
      // A grant this code does not know (a newer seed) checks nothing here, so it is left out.
      permissions: new Set(grants.map((g) => g.permission).filter(isPermission)),
      otherClinics,
      pending: row.pending,
      secondFactorAt: row.secondFactorAt,
      hasSecondFactor: !!row.hasSecondFactor,
    },
  };
}

/** Loads the signed-in staff member (or null) into the context. */
export function loadStaff(): MiddlewareHandler<AppEnv> {
  return async function staffSession(c, next) {
    c.set("staff", null);
    const token = getCookie(c, SESSION_COOKIE);
    if (token) {
      const state = await resolveSession(c.env, c.get("clinic"), token);
      if (state.staff) c.set("staff", state.staff);
      else {
        clearSessionCookie(c);
        if (state.reason === "idle") c.set("notice", "You were signed out after a period of inactivity.");
      }
    }
    return next();
  };
}

export interface NewSession {
  id: string;
  token: string;
  expiresAt: number;
  /** What the new session must do first (a second factor, or enrolment), if anything. */
  pending?: "second_factor" | "enrol" | null;
}

/**
 * Creates the session row and its signed token. A user with a second factor, or one whose role
 * here must have one, gets a pending session that reaches only the second-factor pages (see
 * src/auth/second-factor.ts) until the factor is proved or enrolled.
 */
export async function createSession(
  env: Env,
  clinic: Clinic,
  userId: string,
  meta: { ip: string | null; userAgent: string | null },
  now = Date.now(),
): Promise<NewSession> {
  const id = randomToken(24);
  const ttl = clinic.sessionMaxHours * 3600;
  const expiresAt = now + ttl * 1000;
  const pending = await pendingStateFor(env, clinic, userId);
  await directoryDb(env)
    .insert(sessions)
    .values({ id, userId, clinicId: clinic.id, createdAt: now, lastSeenAt: now, expiresAt, ip: meta.ip, userAgent: meta.userAgent?.slice(0, 512) ?? null, pending })
    .run();
  const token = await signToken(env, {
    use: "session",
    subject: userId,
    clinicSlug: clinic.slug,
    ttl,
    claims: { sid: id },
    now,
  });
  return { id, token, expiresAt, pending };
}

/** How audit rows name a session: enough to tell sessions apart, never the whole id. */
export function sessionRef(sessionId: string): string {
  return sessionId.slice(0, 8);
}

export async function revokeSession(env: Env, sessionId: string, now = Date.now()): Promise<void> {
  await directoryDb(env).update(sessions).set({ revokedAt: now }).where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt))).run();
}

export async function revokeAllSessions(env: Env, userId: string, now = Date.now()): Promise<void> {
  await directoryDb(env).update(sessions).set({ revokedAt: now }).where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt))).run();
}

export function setSessionCookie(c: Context<AppEnv>, s: NewSession): void {
  // A browser-session cookie: the server-side row enforces idle and absolute expiry.
  setCookie(c, SESSION_COOKIE, s.token, { path: "/", secure: true, httpOnly: true, sameSite: "Lax" });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
}
