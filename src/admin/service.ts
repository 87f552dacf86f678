/**
 * Staff of a clinic: who works here, in which role, and the privilege changes an owner or
 * administrator makes (each audited).
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { audit } from "../audit/service";
import { hashPassword, randomToken } from "../platform/crypto";
import type { Env } from "../platform/env";
import { AppError, notFound } from "../platform/errors";
import { requirePermission, type StaffScope } from "../platform/scope";
import { directoryDb } from "../platform/tenancy";
import { memberships, passkeys, totpFactors, users } from "../schema/directory";
import { normalizeEmail, requestPasswordReset } from "../auth/service";
import { SIGN_IN_FAILURES_ACCOUNT } from "../auth/throttle";
import { reset } from "../platform/rate-limit";

export const CLINIC_ROLES = ["owner", "admin", "provider", "associate", "nurse", "front_desk", "biller"] as const;
export type ClinicRole = (typeof CLINIC_ROLES)[number];

export interface StaffMember {
  id: string;
  email: string;
  name: string;
  role: string;
  locked_until: number | null;
  /** Whether they have a second factor (a confirmed authenticator app or a passkey). */
  second_factor: boolean;
}

export interface AdminScope extends StaffScope {
  env: Env;
}

/** The people who work at this clinic, with their role here (a membership joined to its user). */
function staffQuery(scope: AdminScope) {
  return directoryDb(scope.env)
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      locked_until: users.lockedUntil,
      second_factor: sql<boolean>`(exists (select 1 from ${totpFactors} where ${totpFactors.userId} = ${users.id} and ${totpFactors.confirmedAt} is not null) or exists (select 1 from ${passkeys} where ${passkeys.userId} = ${users.id}))`.mapWith(Boolean),
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId));
}

export async function listStaff(scope: AdminScope): Promise<StaffMember[]> {
  requirePermission(scope, "staff:read");
  return staffQuery(scope).where(eq(memberships.clinicId, scope.clinic.id)).orderBy(asc(users.name));
}

async function member(scope: AdminScope, userId: string): Promise<StaffMember> {
  const row = await staffQuery(scope).where(and(eq(memberships.clinicId, scope.clinic.id), eq(users.id, userId))).get();
  if (!row) throw notFound("This staff member");
  return row;
}

function assertRoleChangeAllowed(scope: AdminScope, from: string | null, to: ClinicRole): void {
  if ((to === "owner" || from === "owner") && !scope.staff.permissions.has("staff:assign_owner")) {
    throw new AppError("forbidden", "Only an owner can grant or take away the owner role.");
  }
}

export async function changeRole(scope: AdminScope, userId: string, role: ClinicRole): Promise<void> {
  requirePermission(scope, "staff:manage");
  const target = await member(scope, userId);
  if (target.id === scope.staff.id) throw new AppError("forbidden", "You cannot change your own role; ask another administrator.");
  assertRoleChangeAllowed(scope, target.role, role);
  if (target.role === role) return;
  await directoryDb(scope.env)
    .update(memberships)
    .set({ role })
    .where(and(eq(memberships.userId, userId), eq(memberships.clinicId, scope.clinic.id)))
    .run();
  await audit(scope, {
    action: "update",
    event: "staff.role_change",
    entityType: "membership",
    entityId: userId,
    detail: `${target.email}: ${target.role} → ${role}`,
  });
}

export async function unlockAccount(scope: AdminScope, userId: string): Promise<void> {
  requirePermission(scope, "staff:manage");
  const target = await member(scope, userId);
  await directoryDb(scope.env).update(users).set({ failedAttempts: 0, lockedUntil: null }).where(eq(users.id, userId)).run();
  // The failures that locked it are forgotten too, or the next wrong password would lock it again.
  await reset(scope.env, SIGN_IN_FAILURES_ACCOUNT, target.email);
  await audit(scope, { action: "update", event: "auth.unlock", entityType: "user", entityId: userId, detail: `${target.email} unlocked by an administrator` });
}

/**
 * Gives a person a role at this clinic. A new person gets an account without a usable password
 * and a link (through the outbox) to choose one.
 */
export async function addStaff(scope: AdminScope, email: string, name: string, role: ClinicRole, origin: string): Promise<void> {
  requirePermission(scope, "staff:manage");
  assertRoleChangeAllowed(scope, null, role);
  const address = normalizeEmail(email);
  const d = directoryDb(scope.env);
  let user = await d.select({ id: users.id }).from(users).where(eq(users.email, address)).get();
  const isNew = !user;
  if (!user) {
    user = { id: crypto.randomUUID() };
    await d.insert(users).values({ id: user.id, email: address, name, passwordHash: await hashPassword(randomToken(32)) }).run();
  }
  const added = await d
    .insert(memberships)
    .values({ userId: user.id, clinicId: scope.clinic.id, role, createdAt: Date.now() })
    .onConflictDoNothing()
    .run();
  if (added.meta.changes === 0) throw new AppError("conflict", `${address} already works at this clinic; change their role instead.`);
  await audit(scope, {
    action: "create",
    event: "staff.add",
    entityType: "membership",
    entityId: user.id,
    detail: `${address} added as ${role}${isNew ? " (new account)" : ""}`,
  });
  if (isNew) await requestPasswordReset({ ...scope, env: scope.env }, address, origin);
}
