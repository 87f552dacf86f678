/** The staff outbox: every message of the clinic with its delivery status, and retry for failed ones. */
import { phoneDigits } from "../../src/platform/phone";
import { OUTBOX_STATUSES } from "../../src/messaging/tables";
import type { FieldErrors } from "../../src/platform/errors";
import { Alert } from "../components/form";
import { formatInstant } from "../components/format";
import { DataTable, RowActions } from "../components/table";

export interface OutboxRow {
  id: string;
  channel: string;
  recipient: string;
  template: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
  deliveredAt: number | null;
  patientId: string | null;
}

/** Enough of a recipient to recognise it, not to copy it: `m•••@example.org`, `•••3344`. */
export function maskRecipient(channel: string, recipient: string): string {
  if (channel === "email") {
    const at = recipient.lastIndexOf("@");
    if (at > 0) return `${recipient[0]}•••${recipient.slice(at)}`;
  }
  if (channel === "sms") {
    const digits = phoneDigits(recipient);
    if (digits.length >= 4) return `•••${digits.slice(-4)}`;
  }
  return recipient.length > 4 ? `${recipient.slice(0, 4)}•••` : "•••";
}

function when(ms: number | null, timezone: string): string {
  return ms == null ? "—" : formatInstant(ms, timezone);
}

export function OutboxPage(p: {
  csrfToken: string;
  rows: OutboxRow[];
  status: string;
  counts: Record<string, number>;
  timezone: string;
  retried: boolean;
  errors?: FieldErrors;
}) {
  const total = Object.values(p.counts).reduce((a, b) => a + b, 0);
  return (
    <>
      <h1>Messages</h1>
      <p class="hint">Email, SMS and portal messages of this clinic, newest first (up to 100), with their delivery status.</p>
      {p.retried && <Alert kind="ok">The message is queued again and will be sent shortly.</Alert>}
      {p.errors && <Alert kind="error">{Object.values(p.errors).join(" ")}</Alert>}
      <form method="get" action="/messages" class="filters" aria-label="Filter messages">
        <div class="field">
          <label for="f-status">Status</label>
          <select id="f-status" name="status">
            <option value="" selected={p.status === ""}>
              All ({total})
            </option>
            {OUTBOX_STATUSES.map((s) => (
              <option value={s} selected={p.status === s}>
                {s} ({p.counts[s] ?? 0})
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Show</button>
      </form>
      <DataTable
        class="dense outbox"
        caption="Messages, times shown in the clinic's timezone"
        captionHidden
        rows={p.rows}
        rowKey={(r) => r.id}
        empty={`No messages${p.status ? ` with status ${p.status}` : ""}.`}
        headWhenEmpty
        columns={[
          { header: "Created", class: "nowrap", cell: (r) => when(r.createdAt, p.timezone) },
          { header: "Channel", cell: (r) => r.channel },
          { header: "Recipient", class: "nowrap", cell: (r) => maskRecipient(r.channel, r.recipient) },
          { header: "Template", cell: (r) => r.template },
          { header: "Status", cell: (r) => <span class={`st st-${r.status}`}>{r.status}</span> },
          { header: "Attempts", numeric: true, cell: (r) => r.attempts },
          { header: "Last error", class: "outbox-error", cell: (r) => r.lastError ?? "—" },
          { header: "Sent", class: "nowrap", cell: (r) => when(r.sentAt, p.timezone) },
          { header: "Delivered", class: "nowrap", cell: (r) => when(r.deliveredAt, p.timezone) },
          {
            header: <span class="skip">Actions</span>,
            cell: (r) => <RowActions csrfToken={p.csrfToken} actions={[r.status === "failed" && { post: `/messages/${encodeURIComponent(r.id)}/retry`, label: "Retry" }]} />,
          },
        ]}
      />
    </>
  );
}
