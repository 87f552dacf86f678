/**
 * The privacy officer's list of emergency accesses (/audit/emergency): who opened which chart,
 * why, when and until when; a review with a note for each; and the clinic's chart access policy.
 */
import type { EmergencyAccessRow } from "../../src/emergency/repo";
import type { FieldErrors } from "../../src/platform/errors";
import { Alert, CsrfField } from "../components/form";
import { formatInstant } from "../components/format";
import { DataTable } from "../components/table";

function ReviewForm(p: { row: EmergencyAccessRow; csrfToken: string; error?: string; value?: string }) {
  const id = `note-${p.row.id}`;
  return (
    <form method="post" action={`/audit/emergency/${p.row.id}/review`} class="inline">
      <CsrfField token={p.csrfToken} />
      <label for={id} class="skip">
        Review note for the access by {p.row.staffName}
      </label>
      <input
        id={id}
        name="note"
        type="text"
        maxLength={500}
        placeholder="Review note (optional)"
        value={p.value ?? ""}
        aria-invalid={p.error ? "true" : undefined}
        aria-describedby={p.error ? `${id}-error` : undefined}
      />
      <button type="submit" class="secondary">
        Mark reviewed
      </button>
      {p.error && (
        <div class="error" id={`${id}-error`}>
          {p.error}
        </div>
      )}
    </form>
  );
}

export function EmergencyReview(p: {
  rows: EmergencyAccessRow[];
  timezone: string;
  now: number;
  csrfToken: string;
  careTeamOnly: boolean;
  canManagePolicy: boolean;
  notice?: string;
  /** A refused review: which grant, its message and what was typed. */
  refused?: { id: string; errors: FieldErrors; note: string };
}) {
  const waiting = p.rows.filter((r) => r.reviewedAt === null).length;
  return (
    <>
      <h1>Emergency access</h1>
      <p>
        <a href="/audit">Audit log</a> · {waiting} awaiting review
      </p>
      {p.notice && <Alert kind="ok">{p.notice}</Alert>}
      <p>
        Charts are {p.careTeamOnly ? <strong>open to the care team only</strong> : <strong>open to every clinical role</strong>}. Staff outside a
        patient's care team open the chart by giving a reason; each such access is listed here for review.
      </p>
      {p.canManagePolicy && (
        <form method="post" action="/audit/emergency/policy">
          <CsrfField token={p.csrfToken} />
          <label>
            <input type="checkbox" name="care_team_only" checked={p.careTeamOnly} /> Charts are open to the care team only
          </label>{" "}
          <button type="submit" class="secondary">
            Save
          </button>
        </form>
      )}
      <DataTable
        caption="Emergency accesses, those awaiting review first"
        rows={p.rows}
        rowKey={(r) => r.id}
        empty="Nobody has used emergency access."
        columns={[
          { header: "When", class: "nowrap", cell: (r) => formatInstant(r.grantedAt, p.timezone) },
          {
            header: "Who",
            cell: (r) => (
              <>
                {r.staffName}
                <div class="hint">{r.staffRole}</div>
              </>
            ),
          },
          {
            header: "Patient",
            cell: (r) => (
              <>
                {r.patientName ?? "—"}
                <div class="hint">
                  <code>{r.patientId.slice(0, 8)}</code>
                </div>
              </>
            ),
          },
          { header: "Reason", cell: (r) => r.reason },
          { header: "Until", class: "nowrap", cell: (r) => (r.expiresAt > p.now ? `${formatInstant(r.expiresAt, p.timezone)} (active)` : formatInstant(r.expiresAt, p.timezone)) },
          {
            header: "Review",
            cell: (r) =>
              r.reviewedAt !== null ? (
                <>
                  Reviewed by {r.reviewedByName} on {formatInstant(r.reviewedAt, p.timezone)}
                  {r.reviewNote && <div class="hint">{r.reviewNote}</div>}
                </>
              ) : (
                <ReviewForm
                  row={r}
                  csrfToken={p.csrfToken}
                  error={p.refused?.id === r.id ? p.refused.errors.note : undefined}
                  value={p.refused?.id === r.id ? p.refused.note : undefined}
                />
              ),
          },
        ]}
      />
    </>
  );
}
