/** The audit report: filters, a table sortable by every column, paging and CSV export. */
import type { AuditFilter, AuditRow, SortKey } from "../../src/audit/repo";
import { AUDIT_ACTIONS } from "../../src/audit/tables";
import type { FieldErrors } from "../../src/platform/errors";
import { Alert, Field, SelectField } from "../components/form";
import { formatInstant } from "../components/format";
import { type Column, DataTable } from "../components/table";

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: "occurred_at", label: "Time" },
  { key: "user", label: "User" },
  { key: "action", label: "Action" },
  { key: "event", label: "Event" },
  { key: "entity_type", label: "Entity" },
  { key: "entity_id", label: "Entity id" },
  { key: "patient", label: "Patient" },
  { key: "outcome", label: "Outcome" },
  { key: "ip", label: "IP" },
  { key: "request_id", label: "Request" },
];

/** Each column's cells (its head is the sort link). */
function cells(timezone: string): Record<SortKey, Omit<Column<AuditRow>, "header">> {
  return {
    occurred_at: { class: "nowrap", cell: (r) => formatInstant(r.occurredAt, timezone) },
    user: { cell: (r) => r.userEmail ?? "—" },
    action: { cell: (r) => r.action },
    event: {
      cell: (r) => (
        <>
          {r.event}
          {r.detail && <div class="hint">{r.detail}</div>}
        </>
      ),
    },
    entity_type: { cell: (r) => r.entityType },
    entity_id: {
      cellAttrs: (r) => ({ title: r.entityId ?? undefined }),
      cell: (r) => (r.entityId ? (r.entityId.length > 12 ? `${r.entityId.slice(0, 8)}…` : r.entityId) : "—"),
    },
    patient: { cell: (r) => (r.patientId ? <a href={`/patients/${r.patientId}`}>{r.patientId.slice(0, 8)}</a> : "—") },
    outcome: { cell: (r) => r.outcome },
    ip: { cell: (r) => r.ip ?? "—" },
    request_id: { cell: (r) => <code>{r.requestId?.slice(0, 8) ?? "—"}</code> },
  };
}

function query(f: AuditFilter, over: Partial<Record<string, string | number>>): string {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...f, ...over })) if (v !== "" && v !== undefined) base[k] = String(v);
  return new URLSearchParams(base).toString();
}

export function AuditReport(p: {
  filter: AuditFilter;
  raw: Record<string, string>;
  rows: AuditRow[];
  more: boolean;
  timezone: string;
  canExport: boolean;
  errors?: FieldErrors;
}) {
  const f = p.filter;
  const e = p.errors ?? {};
  const columnCells = cells(p.timezone);
  return (
    <>
      <div class="page-head">
        <h1>Audit log</h1>
        <a class="button secondary" href="/audit/emergency">
          Emergency access review
        </a>
        <a class="button secondary" href="/audit/chain">
          Verify the chain
        </a>
        {p.canExport && !p.errors && (
          <a class="button secondary" href={`/audit/export.csv?${query(f, { page: "" })}`}>
            Export CSV
          </a>
        )}
      </div>
      <form method="get" action="/audit" class="card" aria-label="Filter the audit log">
        {p.errors && <Alert kind="error">Some filters need attention: {Object.values(e).join(" ")}</Alert>}
        <div class="grid">
          <Field name="from" label="From (UTC date)" type="date" value={p.raw.from ?? f.from} error={e.from} />
          <Field name="to" label="To (UTC date)" type="date" value={p.raw.to ?? f.to} error={e.to} />
          <Field name="user" label="User (email or id)" value={p.raw.user ?? f.user} error={e.user} />
          <Field name="patient" label="Patient id" value={p.raw.patient ?? f.patient} error={e.patient} />
          <SelectField
            name="action"
            label="Action"
            value={p.raw.action ?? f.action}
            error={e.action}
            options={[{ value: "", label: "Any" }, ...AUDIT_ACTIONS.map((a) => ({ value: a, label: a }))]}
          />
        </div>
        <input type="hidden" name="sort" value={f.sort} />
        <input type="hidden" name="dir" value={f.dir} />
        <div class="actions">
          <button type="submit">Apply filters</button>
          <a href="/audit">Clear</a>
        </div>
      </form>
      <DataTable
        class="dense"
        caption="Audit events, times shown in the clinic's timezone"
        captionHidden
        rows={p.rows}
        rowKey={(r) => r.id}
        empty="No audit events match these filters."
        headWhenEmpty
        columns={COLUMNS.map((col): Column<AuditRow> => {
          const active = f.sort === col.key;
          const dir = active && f.dir === "asc" ? "desc" : "asc";
          return {
            ...columnCells[col.key],
            header: (
              <a href={`/audit?${query(f, { sort: col.key, dir, page: 1 })}`}>
                {col.label}
                {active ? (f.dir === "asc" ? " ▲" : " ▼") : ""}
              </a>
            ),
            headerAttrs: { "aria-sort": active ? (f.dir === "asc" ? "ascending" : "descending") : undefined },
          };
        })}
      />
      {(f.page > 1 || p.more) && (
        <nav class="pager" aria-label="Pages">
          {f.page > 1 && <a href={`/audit?${query(f, { page: f.page - 1 })}`}>Previous</a>}
          {p.more && <a href={`/audit?${query(f, { page: f.page + 1 })}`}>Next</a>}
        </nav>
      )}
    </>
  );
}
