/** The staff task inbox: open tasks, mine and the shared inbox first, with assignment and done. */
import type { Member, TaskRow } from "../../src/tasks/service";
import { Alert, CsrfField } from "../components/form";
import { formatInstant } from "../components/format";
import { DataTable, RowActions } from "../components/table";

/** `2026-11-27 09:14` in the clinic's timezone (the seconds and zone of formatInstant left out). */
function dueLabel(at: number, timezone: string): string {
  return formatInstant(at, timezone).slice(0, 16);
}

export function TaskInbox(p: { csrfToken: string; tasks: TaskRow[]; members: Member[]; me: string; canWrite: boolean; now: number; timezone: string; notice?: string; error?: string }) {
  const overdue = (t: TaskRow) => t.dueAt !== null && t.dueAt < p.now;
  const nameOf = (id: string) => p.members.find((m) => m.id === id)?.name ?? "a former staff member";
  return (
    <>
      <h1>Tasks</h1>
      {p.notice && <Alert kind="ok">{p.notice}</Alert>}
      {p.error && <Alert kind="error">{p.error}</Alert>}
      <DataTable
        class="tasks"
        rows={p.tasks}
        rowKey={(t) => t.id}
        empty="No open tasks."
        rowClass={(t) => (overdue(t) ? "overdue" : undefined)}
        columns={[
          {
            header: "Task",
            cell: (t) => (
              <>
                {t.title}
                {t.detail && <div class="hint">{t.detail}</div>}
              </>
            ),
          },
          { header: "Patient", cell: (t) => (t.patientId ? <a href={`/patients/${t.patientId}`}>{t.patientName ?? "Patient"}</a> : <span class="muted">—</span>) },
          {
            header: "Due",
            class: "nowrap",
            cell: (t) =>
              t.dueAt === null ? (
                <span class="muted">—</span>
              ) : (
                <>
                  {dueLabel(t.dueAt, p.timezone)}
                  {overdue(t) && <span class="overdue-flag"> Overdue</span>}
                </>
              ),
          },
          {
            header: "Assigned to",
            cell: (t) =>
              p.canWrite ? (
                <form method="post" action={`/tasks/${t.id}/assign`} class="assign">
                  <CsrfField token={p.csrfToken} />
                  <label class="skip" for={`assign-${t.id}`}>
                    Assign “{t.title}” to
                  </label>
                  <select id={`assign-${t.id}`} name="assignee">
                    <option value="" selected={t.assigneeId === null}>
                      Shared inbox
                    </option>
                    {p.members.map((m) => (
                      <option value={m.id} selected={t.assigneeId === m.id}>
                        {m.id === p.me ? `${m.name} (me)` : m.name}
                      </option>
                    ))}
                    {t.assigneeId && !p.members.some((m) => m.id === t.assigneeId) && (
                      <option value={t.assigneeId} selected>
                        A former staff member
                      </option>
                    )}
                  </select>
                  <button type="submit" class="secondary">
                    Assign
                  </button>
                </form>
              ) : t.assigneeId ? (
                t.assigneeId === p.me ? "Me" : nameOf(t.assigneeId)
              ) : (
                "Shared inbox"
              ),
          },
          p.canWrite && {
            header: "Done",
            cell: (t) => <RowActions csrfToken={p.csrfToken} actions={[{ post: `/tasks/${t.id}/done`, label: "Done", look: "plain" }]} />,
          },
        ]}
      />
    </>
  );
}
