/**
 * The staff task inbox of a clinic: tasks that workflows (and later modules) create, each perhaps
 * about a patient, assigned to a member of this clinic or to the shared inbox, with a due date.
 * Reading the inbox records a read per patient shown; assigning and completing are audited.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { auditMany, auditStatementIfChanged, scheduleSeal } from "../audit/service";
import { tasks } from "../workflows/tables";
import { patients } from "../patients/tables";
import { directoryDb } from "../platform/tenancy";
import { memberships, users } from "../schema/directory";
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
  return directoryDb(env)
    .select({ id: users.id, name: users.name, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.clinicId, clinicId))
    .orderBy(asc(users.name), asc(users.id));
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
  const [open, members] = await Promise.all([
    scope.db
      .select({
        id: tasks.id,
        title: tasks.title,
        detail: tasks.detail,
        patientId: tasks.patientId,
        patientName: sql<string | null>`CASE WHEN ${patients.id} IS NULL THEN NULL ELSE ${patients.familyName} || ', ' || ${patients.givenName} END`,
        appointmentId: tasks.appointmentId,
        assigneeId: tasks.assigneeId,
        dueAt: tasks.dueAt,
        createdAt: tasks.createdAt,
      })
      .from(tasks)
      .leftJoin(patients, eq(patients.id, tasks.patientId))
      .where(eq(tasks.status, "open"))
      .orderBy(
        sql`CASE WHEN ${tasks.assigneeId} = ${scope.staff.id} THEN 0 WHEN ${tasks.assigneeId} IS NULL THEN 1 ELSE 2 END`,
        sql`${tasks.dueAt} IS NULL`,
        asc(tasks.dueAt),
        asc(tasks.createdAt),
        asc(tasks.id),
      )
      .limit(INBOX_LIMIT),
    clinicMembers(scope.env, scope.clinic.id),
  ]);
  // One read row per patient shown, so "who has seen this patient" has an answer.
  const shown = [...new Set(open.flatMap((t) => (t.patientId ? [t.patientId] : [])))];
  await auditMany(
    scope,
    shown.map((pid) => ({ action: "read", event: "task.list", entityType: "patient", entityId: pid, patientId: pid, detail: "task inbox" })),
  );
  return { tasks: open, members };
}

async function findTask(scope: TaskScope, id: string): Promise<{ patientId: string | null; status: string }> {
  const row = await scope.db.select({ patientId: tasks.patientId, status: tasks.status }).from(tasks).where(eq(tasks.id, id)).get();
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
  const [changed] = await scope.db.batch([
    scope.db.update(tasks).set({ assigneeId }).where(and(eq(tasks.id, id), eq(tasks.status, "open"))),
    auditStatementIfChanged(scope, { action: "update", event: "task.assign", entityType: "task", entityId: id, patientId: task.patientId, detail: `assigned to ${name}` }),
  ]);
  if (changed.meta.changes !== 1) throw new AppError("conflict", "This task is already done.");
  scheduleSeal(scope);
}

/** Marks a task done; a task already done (a second click) stays as it is. */
export async function completeTask(scope: TaskScope, id: string, now: number): Promise<void> {
  requirePermission(scope, "schedule:write");
  const task = await findTask(scope, id);
  if (task.status !== "open") return;
  await scope.db.batch([
    scope.db.update(tasks).set({ status: "done", completedAt: now }).where(and(eq(tasks.id, id), eq(tasks.status, "open"))),
    auditStatementIfChanged(scope, { action: "update", event: "task.complete", entityType: "task", entityId: id, patientId: task.patientId }),
  ]);
  scheduleSeal(scope);
}
