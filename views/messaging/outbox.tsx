/** The staff outbox: every message of the clinic with its delivery status, and retry for failed ones. */
import { OUTBOX_STATUSES } from "../../src/messaging/tables";
import type { FieldErrors } from "../../src/platform/errors";
import { Alert, PostButton } from "../components/form";
import { formatInstant } from "../components/format";

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
    const digits = recipient.replace(/\D/g, "");
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
      <div class="table-wrap">
        <table class="dense outbox">
          <caption class="skip">Messages, times shown in the clinic's timezone</caption>
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Channel</th>
              <th scope="col">Recipient</th>
              <th scope="col">Template</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last error</th>
              <th scope="col">Sent</th>
              <th scope="col">Delivered</th>
              <th scope="col">
                <span class="skip">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.rows.map((r) => (
              <tr>
                <td class="nowrap">{when(r.createdAt, p.timezone)}</td>
                <td>{r.channel}</td>
                <td class="nowrap">{maskRecipient(r.channel, r.recipient)}</td>
                <td>{r.template}</td>
                <td>
                  <span class={`st st-${r.status}`}>{r.status}</span>
                </td>
                <td>{r.attempts}</td>
                <td class="outbox-error">{r.lastError ?? "—"}</td>
                <td class="nowrap">{when(r.sentAt, p.timezone)}</td>
                <td class="nowrap">{when(r.deliveredAt, p.timezone)}</td>
                <td>
                  {r.status === "failed" && (
                    <PostButton action={`/messages/${encodeURIComponent(r.id)}/retry`} csrfToken={p.csrfToken} label="Retry" />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {p.rows.length === 0 && <p class="muted">No messages{p.status ? ` with status ${p.status}` : ""}.</p>}
    </>
  );
}
