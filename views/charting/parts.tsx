/** Small pieces the chart's pages share: sections, the error summary, the lists' actions column and form, and one-button forms. */
import type { ComponentChildren } from "preact";
import type { FieldErrors } from "../../src/platform/errors";
import { Alert, CsrfField, TextAreaField } from "../components/form";
import { formatInstant } from "../components/format";
import { type Column, RowActions } from "../components/table";

export function Section(p: { id: string; title: string; action?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section class="card chart-section" aria-labelledby={p.id}>
      <div class="section-head">
        <h2 id={p.id}>{p.title}</h2>
        {p.action}
      </div>
      {p.children}
    </section>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="muted">{children}</p>;
}

/** "2 fields need attention: nothing was saved", above a form that failed validation or conflicted. */
export function FormProblems(p: { errors?: FieldErrors; conflict?: string | null }) {
  const fieldCount = Object.keys(p.errors ?? {}).filter((k) => k !== "_form").length;
  return (
    <>
      {p.conflict && <Alert kind="error">{p.conflict}</Alert>}
      {p.errors?._form && <Alert kind="error">{p.errors._form} Nothing was saved.</Alert>}
      {fieldCount > 0 && (
        <Alert kind="error">{fieldCount === 1 ? "One field needs attention" : `${fieldCount} fields need attention`}: nothing was saved.</Alert>
      )}
    </>
  );
}

/** A chart record as its list's actions see it: its id, its status and, where the table has one, its version. */
export interface ChartRecord {
  id: string;
  status: string;
}

/**
 * A chart list's last column (allergies, medications, immunizations, problems), for those who may
 * write: nothing once a record is entered in error, otherwise Edit, the record's own actions
 * (`extra`) and Entered in error, which carries the version where the table has one. `false`
 * (left out of the table) for those who may not.
 */
export function recordActionsColumn<T extends ChartRecord>(p: {
  base: string;
  csrf: string;
  canWrite: boolean;
  version?: (row: T) => number;
  extra?: (row: T) => ComponentChildren;
}): Column<T> | false {
  if (!p.canWrite) return false;
  return {
    header: "Actions",
    class: "row-actions",
    cell: (r) => {
      if (r.status === "entered_in_error") return null;
      const href = `${p.base}/${r.id}`;
      const version = p.version?.(r);
      return (
        <>
          <RowActions actions={[{ href: `${href}/edit`, label: "Edit" }]} />
          {p.extra?.(r)}
          <RowActions csrfToken={p.csrf} actions={[{ post: `${href}/error`, label: "Entered in error", fields: version === undefined ? undefined : { version } }]} />
        </>
      );
    },
  };
}

/** What a chart list's page gets from the shared record routes (src/charting/record-routes.tsx). */
export interface ListViewProps<Row> {
  pid: string;
  rows: Row[];
  csrf: string;
  canWrite: boolean;
  timezone: string;
  /** The add form's values and errors (after a failed submission, or its defaults). */
  values: Record<string, string>;
  errors?: FieldErrors;
  saved: boolean;
}

/** What a chart record's edit page gets from the shared record routes. */
export interface EditViewProps {
  pid: string;
  id: string;
  csrf: string;
  version: number | null;
  values: Record<string, string>;
  errors?: FieldErrors;
  conflict?: string | null;
}

export interface RecordFormProps {
  action: string;
  csrf: string;
  values: Record<string, string>;
  errors?: FieldErrors;
  conflict?: string | null;
  /** The version an edit was opened on; none for a new record or a table without versions. */
  version?: number | null;
  submitLabel: string;
  cancelHref: string;
}

/** A list's add and edit form around the record's own fields: the version, what needs fixing, then the fields, a note and the buttons. */
export function RecordForm(p: RecordFormProps & { children: ComponentChildren }) {
  const e = p.errors ?? {};
  return (
    <form method="post" action={p.action} novalidate>
      <CsrfField token={p.csrf} />
      {p.version != null && <input type="hidden" name="version" value={String(p.version)} />}
      <FormProblems errors={e} conflict={p.conflict} />
      {p.children}
      <TextAreaField name="note" label="Note" value={p.values.note} error={e.note} rows={2} maxLength={1000} />
      <div class="actions">
        <button type="submit">{p.submitLabel}</button>
        <a href={p.cancelHref}>Cancel</a>
      </div>
    </form>
  );
}

/** `active` → "Active", `entered_in_error` → "Entered in error". */
export function label(value: string): string {
  const s = value.replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const options = (values: readonly string[], blank?: string) => [
  ...(blank !== undefined ? [{ value: "", label: blank }] : []),
  ...values.map((v) => ({ value: v, label: label(v) })),
];

/** An instant in the clinic's timezone to the minute: `2026-11-27 09:14 EST`. */
export function shortInstant(ms: number, timeZone: string): string {
  const s = formatInstant(ms, timeZone);
  return s.slice(0, 16) + s.slice(19);
}
