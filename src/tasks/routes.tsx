/** /tasks: the staff task inbox (schedule:read to see it, schedule:write to assign and complete). */
import { Hono, type Context } from "hono";
import * as z from "zod/mini";
import { TaskInbox } from "../../views/tasks/inbox";
import type { AppEnv } from "../platform/env";
import { AppError } from "../platform/errors";
import { page, seeOther } from "../platform/render";
import { can, requirePermission, staffScope } from "../platform/scope";
import { formInput, queryInput } from "../platform/validation";
import { assignTask, completeTask, openTasks, type TaskScope } from "./service";

export const taskRoutes = new Hono<AppEnv>();

function scopeOf(c: Context<AppEnv>): TaskScope {
  return { ...staffScope(c), env: c.env };
}

const NOTICES: Record<string, string> = { assigned: "Task assigned.", done: "Task marked done." };

async function inbox(c: Context<AppEnv>, status: 200 | 409 | 422 = 200, error?: string, done?: string) {
  const scope = scopeOf(c);
  const { tasks, members } = await openTasks(scope);
  return page(
    c,
    "Tasks",
    <TaskInbox
      csrfToken={c.var.csrfToken}
      tasks={tasks}
      members={members}
      me={scope.staff.id}
      canWrite={can(scope.staff, "schedule:write")}
      now={Date.now()}
      timezone={c.var.clinic.timezone}
      notice={error ? undefined : NOTICES[done ?? ""]}
      error={error}
    />,
    status,
  );
}

taskRoutes.get("/", queryInput(z.object({ done: z.optional(z.string()) })), (c) => inbox(c, 200, undefined, c.req.valid("query").done));

const assignSchema = z.object({
  // Left out of the form, it means the shared inbox, as a blank choice does.
  assignee: z.pipe(
    z.prefault(z.string().check(z.trim(), z.maxLength(64, { error: "Choose someone who works at this clinic." })), ""),
    z.transform((v: string) => (v === "" ? null : v)),
  ),
});

/** The permission comes before the form's own errors: someone who may not assign learns nothing more. */
function mayWrite(c: Context<AppEnv>) {
  requirePermission(scopeOf(c), "schedule:write");
}

const assignForm = formInput(assignSchema, (c, errors) => {
  mayWrite(c);
  return inbox(c, 422, errors.assignee);
});

taskRoutes.post("/:id/assign", assignForm, async (c) => {
  const scope = scopeOf(c);
  requirePermission(scope, "schedule:write");
  try {
    await assignTask(scope, c.req.param("id"), c.req.valid("form").assignee);
  } catch (err) {
    if (err instanceof AppError && (err.code === "validation" || err.code === "conflict")) return inbox(c, err.code === "validation" ? 422 : 409, err.message);
    throw err;
  }
  return seeOther(c, "/tasks?done=assigned");
});

taskRoutes.post("/:id/done", formInput(z.object({})), async (c) => {
  const scope = scopeOf(c);
  requirePermission(scope, "schedule:write");
  await completeTask(scope, c.req.param("id"), Date.now());
  return seeOther(c, "/tasks?done=done");
});
