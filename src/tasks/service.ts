/**
 * The staff task inbox of a clinic: tasks that workflows (and later modules) create, each perhaps
 * about a patient, assigned to a member of this clinic or to the shared inbox, with a due date.
 * Reading the inbox records a read per patient shown; assigning and completing are audited.
 */
import { auditIfChanged, auditMany, scheduleSeal } from "../audit/service";
import type { Env } from "../platform/env";
import { AppError, notFound } from "../platform/errors";
import { requirePermission, type StaffScope } from "../platform/scope";

export interface TaskScope extends StaffScope {
  env: Env;
}

export interface Member {
  id: string;
  name: string;
  role: string;
}

/** The staff of this clinic (directory memberships), by name. */
export async function clinicMembers(env: Env, clinicId: string): Promise<Member[]> {
  const res = await env.DIRECTORY.prepare(
    `SELECT u.id, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.clinic_id = ? ORDER BY u.name, u.id`,
  )
    .bind(clinicId)
    .all<Member>();
  return res.results;
}

export interface TaskRow {
  id: string;
  title: string;
  detail: string | null;
  patientId: string | null;
  patientName: string | null;
  appointmentId: string | null;
  assigneeId: string | null;
  dueAt: number | null;
  createdAt: number;
}

/** How many open tasks the inbox shows at once. */
export const INBOX_LIMIT = 200;

/**
 * Open tasks: the viewer's own first, then the shared inbox, then everyone else's; within each,
 * by due date (none last), oldest first.
 */
export async function openTasks(scope: TaskScope): Promise<{ tasks: TaskRow[]; members: Member[] }> {
  requirePermission(scope, "schedule:read");
  const [rows, members] = await Promise.all([
    scope.d1
      .prepare(
        `SELECT t.id, t.title, t.detail, t.patient_id AS patientId,
           CASE WHEN p.id IS NULL THEN NULL ELSE p.family_name || ', ' || p.given_name END AS patientName,
           t.appointment_id AS appointmentId, t.assignee_id AS assigneeId, t.due_at AS dueAt, t.created_at AS createdAt
         FROM tasks t LEFT JOIN patients p ON p.id = t.patient_id
         WHERE t.status = 'open'
         ORDER BY CASE WHEN t.assignee_id = ? THEN 0 WHEN t.assignee_id IS NULL THEN 1 ELSE 2 END,
           t.due_at IS NULL, t.due_at, t.created_at, t.id
         LIMIT ?`,
      )
      .bind(scope.staff.id, INBOX_LIMIT)
      .all<TaskRow>(),
    clinicMembers(scope.env, scope.clinic.id),
  ]);
  const tasks = rows.results;
  // One read row per patient shown, so "who has seen this patient" has an answer.
  const shown = [...new Set(tasks.flatMap((t) => (t.patientId ? [t.patientId] : [])))];
  await auditMany(
    scope,
    shown.map((pid) => ({ action: "read", event: "task.list", entityType: "patient", entityId: pid, patientId: pid, detail: "task inbox" })),
  );
  return { tasks, members };
}

async function findTask(scope: TaskScope, id: string): Promise<{ patientId: string | null; status: string }> {
  const row = await scope.d1.prepare("SELECT patient_id AS patientId, status FROM tasks WHERE id = ?").bind(id).first<{ patientId: string | null; status: string }>();
  if (!row) throw notFound("This task");
  return row;
}

/** Assigns an open task to a member of this clinic, or (null) back to the shared inbox. */
export async function assignTask(scope: TaskScope, id: string, assigneeId: string | null): Promise<void> {
  requirePermission(scope, "schedule:write");
  const task = await findTask(scope, id);
  if (task.status !== "open") throw new AppError("conflict", "This task is already done.");
  let name = "the shared inbox";
  if (assigneeId) {
    const member = (await clinicMembers(scope.env, scope.clinic.id)).find((m) => m.id === assigneeId);
    if (!member) throw new AppError("validation", "Choose someone who works at this clinic.", { assignee: "Choose someone who works at this clinic." });
    name = member.name;
  }
  const [changed] = await scope.d1.batch([
    scope.d1.prepare("UPDATE tasks SET assignee_id = ? WHERE id = ? AND status = 'open'").bind(assigneeId, id),
    auditIfChanged(scope, { action: "update", event: "task.assign", entityType: "task", entityId: id, patientId: task.patientId, detail: `assigned to ${name}` }),
  ]);
  if (changed?.meta.changes !== 1) throw new AppError("conflict", "This task is already done.");
  scheduleSeal(scope);
}

/** Marks a task done; a task already done (a second click) stays as it is. */
export async function completeTask(scope: TaskScope, id: string, now: number): Promise<void> {
  requirePermission(scope, "schedule:write");
  const task = await findTask(scope, id);
  if (task.status !== "open") return;
  await scope.d1.batch([
    scope.d1.prepare("UPDATE tasks SET status = 'done', completed_at = ? WHERE id = ? AND status = 'open'").bind(now, id),
    auditIfChanged(scope, { action: "update", event: "task.complete", entityType: "task", entityId: id, patientId: task.patientId }),
  ]);
  scheduleSeal(scope);
}
