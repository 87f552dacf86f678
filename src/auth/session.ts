/**
 * Staff sessions: a `__Host-` cookie carrying a jose-signed token whose audience is one clinic,
 * backed by a row in the directory so that sign-out revokes it, an idle timeout (per clinic) and an
 * absolute lifetime apply. A session of one clinic is worthless at another.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { randomToken } from "../platform/crypto";
import type { AppEnv, Clinic, Env, Staff } from "../platform/env";
import { isPermission } from "../platform/permissions";
import { signToken, verifyToken } from "../platform/tokens";

export const SESSION_COOKIE = "__Host-session";
/** last_seen_at is refreshed at most this often, to keep writes off most requests. */
const TOUCH_INTERVAL_MS = 30_000;

export interface SessionRow {
  id: string;
  user_id: string;
  clinic_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
  email: string;
  name: string;
}

export type SessionState = { staff: Staff } | { staff: null; reason: "none" | "invalid" | "idle" | "expired" | "revoked" };

/**
 * Resolves the staff member of a session token at this clinic, in one directory round trip:
 * the session with its user, the permissions of the user's roles here, and their other clinics.
 */
export async function resolveSession(env: Env, clinic: Clinic, token: string, now = Date.now()): Promise<SessionState> {
  const claims = await verifyToken(env.SESSION_SECRET, token, "session", clinic.slug);
  if (!claims || typeof claims.sid !== "string") return { staff: null, reason: "invalid" };
  const sid = claims.sid;
  const d = env.DIRECTORY;
  const [sessionRes, permRes, clinicsRes] = await d.batch([
    d
      .prepare(
        `SELECT s.id, s.user_id, s.clinic_id, s.created_at, s.last_seen_at, s.expires_at, s.revoked_at, u.email, u.name
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? AND s.user_id = ?`,
      )
      .bind(sid, claims.sub),
    d
      .prepare(
        `SELECT r.role, r.permission FROM role_permissions r WHERE r.role IN (
           SELECT role FROM memberships WHERE user_id = ?1 AND clinic_id = ?2
           UNION SELECT role FROM org_memberships WHERE user_id = ?1 AND organization_id = ?3)`,
      )
      .bind(claims.sub, clinic.id, clinic.organizationId ?? ""),
    d
      .prepare(
        `SELECT c.slug, c.name FROM clinics c WHERE c.status = 'active' AND c.id != ?2 AND (
           c.id IN (SELECT clinic_id FROM memberships WHERE user_id = ?1)
           OR c.organization_id IN (SELECT organization_id FROM org_memberships WHERE user_id = ?1 AND role = 'chain_admin'))
         ORDER BY c.name`,
      )
      .bind(claims.sub, clinic.id),
  ]);
  const row = sessionRes?.results[0] as SessionRow | undefined;
  if (!row || row.clinic_id !== clinic.id) return { staff: null, reason: "invalid" };
  if (row.revoked_at !== null) return { staff: null, reason: "revoked" };
  if (now >= row.expires_at) return { staff: null, reason: "expired" };
  if (now - row.last_seen_at >= clinic.idleTimeoutMinutes * 60_000) {
    await revokeSession(env, row.id, now);
    return { staff: null, reason: "idle" };
  }
  const grants = (permRes?.results ?? []) as { role: string; permission: string }[];
  if (grants.length === 0) return { staff: null, reason: "revoked" };
  if (now - row.last_seen_at >= TOUCH_INTERVAL_MS) {
    await d.prepare("UPDATE sessions SET last_seen_at = ? WHERE id = ?").bind(now, row.id).run();
  }
  const roles = [...new Set(grants.map((g) => g.role))];
  return {
    staff: {
      id: row.user_id,
      email: row.email,
      name: row.name,
      sessionId: row.id,
      role: roles.find((r) => r !== "chain_admin") ?? roles[0] ?? "",
      // A grant this code does not know (a newer seed) checks nothing here, so it is left out.
      permissions: new Set(grants.map((g) => g.permission).filter(isPermission)),
      otherClinics: (clinicsRes?.results ?? []) as { slug: string; name: string }[],
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
}

/** Creates the session row and its signed token. */
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
  await env.DIRECTORY.prepare(
    `INSERT INTO sessions (id, user_id, clinic_id, created_at, last_seen_at, expires_at, ip, user_agent)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(id, userId, clinic.id, now, now, expiresAt, meta.ip, meta.userAgent?.slice(0, 512) ?? null)
    .run();
  const token = await signToken(env.SESSION_SECRET, {
    use: "session",
    subject: userId,
    clinicSlug: clinic.slug,
    ttl,
    claims: { sid: id },
    now,
  });
  return { id, token, expiresAt };
}

/** How audit rows name a session: enough to tell sessions apart, never the whole id. */
export function sessionRef(sessionId: string): string {
  return sessionId.slice(0, 8);
}

export async function revokeSession(env: Env, sessionId: string, now = Date.now()): Promise<void> {
  await env.DIRECTORY.prepare("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
    .bind(now, sessionId)
    .run();
}

export async function revokeAllSessions(env: Env, userId: string, now = Date.now()): Promise<void> {
  await env.DIRECTORY.prepare("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")
    .bind(now, userId)
    .run();
}

export function setSessionCookie(c: Context<AppEnv>, s: NewSession): void {
  // A browser-session cookie: the server-side row enforces idle and absolute expiry.
  setCookie(c, SESSION_COOKIE, s.token, { path: "/", secure: true, httpOnly: true, sameSite: "Lax" });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
}
