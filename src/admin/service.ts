/**
 * Staff of a clinic: who works here, in which role, and the privilege changes an owner or
 * administrator makes (each audited).
 */
import { audit } from "../audit/service";
import { hashPassword, randomToken } from "../platform/crypto";
import type { Env } from "../platform/env";
import { AppError, notFound } from "../platform/errors";
import { requirePermission, type StaffScope } from "../platform/scope";
import { normalizeEmail, requestPasswordReset } from "../auth/service";

export const CLINIC_ROLES = ["owner", "admin", "provider", "associate", "nurse", "front_desk", "biller"] as const;
export type ClinicRole = (typeof CLINIC_ROLES)[number];

export interface StaffMember {
  id: string;
  email: string;
  name: string;
  role: string;
  locked_until: number | null;
}

export interface AdminScope extends StaffScope {
  env: Env;
}

export async function listStaff(scope: AdminScope): Promise<StaffMember[]> {
  requirePermission(scope, "staff:read");
  const res = await scope.env.DIRECTORY.prepare(
    `SELECT u.id, u.email, u.name, m.role, u.locked_until FROM memberships m JOIN users u ON u.id = m.user_id
     WHERE m.clinic_id = ? ORDER BY u.name`,
  )
    .bind(scope.clinic.id)
    .all<StaffMember>();
  return res.results;
}

async function member(scope: AdminScope, userId: string): Promise<StaffMember> {
  const row = await scope.env.DIRECTORY.prepare(
    `SELECT u.id, u.email, u.name, m.role, u.locked_until FROM memberships m JOIN users u ON u.id = m.user_id
     WHERE m.clinic_id = ? AND u.id = ?`,
  )
    .bind(scope.clinic.id, userId)
    .first<StaffMember>();
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
  await scope.env.DIRECTORY.prepare("UPDATE memberships SET role = ? WHERE user_id = ? AND clinic_id = ?")
    .bind(role, userId, scope.clinic.id)
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
  await scope.env.DIRECTORY.prepare("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?").bind(userId).run();
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
  const d = scope.env.DIRECTORY;
  let user = await d.prepare("SELECT id FROM users WHERE email = ?").bind(address).first<{ id: string }>();
  const isNew = !user;
  if (!user) {
    user = { id: crypto.randomUUID() };
    await d
      .prepare("INSERT INTO users (id, email, name, password_hash) VALUES (?, ?, ?, ?)")
      .bind(user.id, address, name, await hashPassword(randomToken(32)))
      .run();
  }
  const added = await d
    .prepare("INSERT INTO memberships (user_id, clinic_id, role, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
    .bind(user.id, scope.clinic.id, role, Date.now())
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
