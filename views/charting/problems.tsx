/**
 * The problem list and its forms. The ICD-10-CM picker is a search box (htmx swaps the matches in
 * as you type; without JavaScript its button loads the page with them) and the matches as radio
 * buttons inside the problem form, so a code is always picked from the clinic's code list.
 */
import type { Icd10Code } from "../../src/charting/icd10";
import type { Problem } from "../../src/charting/problems";
import { PROBLEM_FORM_STATUSES } from "../../src/charting/input";
import type { FieldErrors } from "../../src/platform/errors";
import { Field, SelectField } from "../components/form";
import { formatDate } from "../components/format";
import { DataTable, RowActions } from "../components/table";
import { Empty, label, options, RecordForm, type RecordFormProps, recordActionsColumn, Section } from "./parts";

export const CODES_ID = "code-results";
export const PROBLEM_FIELDS = ["code", "description", "status", "onset_date", "resolved_date", "note"] as const;

export interface CodePick {
  q: string;
  codes: Icd10Code[];
  more: boolean;
  /** The code already chosen (kept checked across searches and failed submissions). */
  selected: { code: string; description: string | null } | null;
}

/** The matches as radio buttons (name `code`), plus "no code". */
export function CodeResults(p: CodePick & { error?: string }) {
  const shown = p.selected && !p.codes.some((c) => c.code === p.selected!.code) ? [p.selected, ...p.codes] : p.codes;
  const checked = p.selected?.code ?? "";
  return (
    <fieldset id={CODES_ID} class="code-results" aria-live="polite" aria-describedby={p.error ? "f-code-error" : undefined}>
      <legend>ICD-10-CM code</legend>
      {p.q && p.codes.length === 0 && <p class="muted">No code matches “{p.q}”.</p>}
      {shown.map((c) => (
        <label class="radio">
          <input type="radio" name="code" value={c.code} checked={c.code === checked} /> <span class="code">{c.code}</span> {c.description ?? "(not in the code list)"}
        </label>
      ))}
      {p.more && <p class="hint">More codes match: add words to narrow the search.</p>}
      <label class="radio">
        <input type="radio" name="code" value="" checked={checked === ""} /> No code: describe the problem in words
      </label>
      {p.error && (
        <div class="error" id="f-code-error">
          {p.error}
        </div>
      )}
    </fieldset>
  );
}

/** The search box. Its own GET form, so it works without JavaScript and never carries the CSRF token. */
export function CodeSearch(p: { action: string; codesUrl: string; q: string }) {
  return (
    <form method="get" action={p.action} class="search" role="search">
      <div class="field">
        <label for="code-q">Find an ICD-10-CM code</label>
        <input
          id="code-q"
          name="q"
          type="search"
          value={p.q}
          autocomplete="off"
          placeholder="Code (E11.9, m5450) or words (low back pain)"
          hx-get={p.codesUrl}
          hx-trigger="input changed delay:300ms, search"
          hx-target={`#${CODES_ID}`}
          hx-swap="outerHTML"
        />
      </div>
      <button type="submit">Search codes</button>
    </form>
  );
}

export function ProblemForm(p: RecordFormProps & { version?: number; pick: CodePick }) {
  const v = p.values;
  const e = p.errors ?? {};
  return (
    <RecordForm {...p}>
      <CodeResults {...p.pick} error={e.code} />
      <div class="grid">
        <Field name="description" label="Description" value={v.description} error={e.description} maxLength={300} hint="Leave empty to use the code's description" />
        <SelectField name="status" label="Status" value={v.status || "active"} error={e.status} options={options(PROBLEM_FORM_STATUSES)} />
        <Field name="onset_date" label="Onset date" type="date" value={v.onset_date} error={e.onset_date} />
        <Field name="resolved_date" label="Resolved date" type="date" value={v.resolved_date} error={e.resolved_date} hint="Today when resolved without a date" />
      </div>
    </RecordForm>
  );
}

function ProblemRows(p: { rows: Problem[]; base: string; csrf: string; canWrite: boolean }) {
  return (
    <DataTable
      class="dense"
      rows={p.rows}
      rowKey={(r) => r.id}
      rowClass={(r) => (r.status === "entered_in_error" ? "in-error" : undefined)}
      columns={[
        { header: "Code", class: "code", cell: (r) => r.code ?? "—" },
        {
          header: "Problem",
          cell: (r) => (
            <>
              {r.description}
              {r.note && <div class="hint">{r.note}</div>}
            </>
          ),
        },
        { header: "Status", cell: (r) => label(r.status) },
        { header: "Onset", class: "nowrap", cell: (r) => (r.onsetDate ? formatDate(r.onsetDate) : "—") },
        { header: "Resolved", class: "nowrap", cell: (r) => (r.resolvedDate ? formatDate(r.resolvedDate) : "—") },
        recordActionsColumn<Problem>({
          base: p.base,
          csrf: p.csrf,
          canWrite: p.canWrite,
          version: (r) => r.version,
          extra: (r) =>
            r.status !== "resolved" && <RowActions csrfToken={p.csrf} actions={[{ post: `${p.base}/${r.id}/resolve`, label: "Resolve", fields: { version: r.version } }]} />,
        }),
      ]}
    />
  );
}

export function ProblemsPage(p: {
  pid: string;
  rows: Problem[];
  csrf: string;
  canWrite: boolean;
  form?: { values: Record<string, string>; errors?: FieldErrors; pick: CodePick };
  saved?: boolean;
}) {
  const base = `/patients/${p.pid}/chart/problems`;
  const current = p.rows.filter((r) => r.status !== "entered_in_error");
  const inError = p.rows.filter((r) => r.status === "entered_in_error");
  return (
    <>
      {p.saved && (
        <p class="alert ok" role="status">
          Saved.
        </p>
      )}
      <Section id="problems" title="Problem list">
        {current.length ? <ProblemRows rows={current} base={base} csrf={p.csrf} canWrite={p.canWrite} /> : <Empty>No problems recorded.</Empty>}
        {inError.length > 0 && (
          <details>
            <summary>Entered in error ({inError.length})</summary>
            <ProblemRows rows={inError} base={base} csrf={p.csrf} canWrite={false} />
          </details>
        )}
      </Section>
      {p.canWrite && (
        <Section id="add-problem" title="Add a problem">
          <CodeSearch action={`${base}/new`} codesUrl={`${base}/codes`} q={p.form?.pick.q ?? ""} />
          <ProblemForm
            action={base}
            csrf={p.csrf}
            values={p.form?.values ?? {}}
            errors={p.form?.errors}
            pick={p.form?.pick ?? { q: "", codes: [], more: false, selected: null }}
            submitLabel="Add problem"
            cancelHref={base}
          />
        </Section>
      )}
    </>
  );
}

/** The add page on its own (the search button's target without JavaScript). */
export function NewProblemPage(p: { pid: string; csrf: string; values: Record<string, string>; errors?: FieldErrors; pick: CodePick }) {
  const base = `/patients/${p.pid}/chart/problems`;
  return (
    <Section id="add-problem" title="Add a problem">
      <CodeSearch action={`${base}/new`} codesUrl={`${base}/codes`} q={p.pick.q} />
      <ProblemForm action={base} csrf={p.csrf} values={p.values} errors={p.errors} pick={p.pick} submitLabel="Add problem" cancelHref={base} />
    </Section>
  );
}

export function EditProblemPage(p: {
  pid: string;
  id: string;
  csrf: string;
  version: number;
  values: Record<string, string>;
  errors?: FieldErrors;
  conflict?: string | null;
  pick: CodePick;
}) {
  const base = `/patients/${p.pid}/chart/problems`;
  return (
    <Section id="edit-problem" title="Edit problem">
      <CodeSearch action={`${base}/${p.id}/edit`} codesUrl={`${base}/codes`} q={p.pick.q} />
      <ProblemForm
        action={`${base}/${p.id}`}
        csrf={p.csrf}
        version={p.version}
        values={p.values}
        errors={p.errors}
        conflict={p.conflict}
        pick={p.pick}
        submitLabel="Save problem"
        cancelHref={base}
      />
    </Section>
  );
}

export function problemToForm(r: Problem): Record<string, string> {
  return {
    code: r.code ?? "",
    description: r.description,
    status: r.status === "entered_in_error" ? "inactive" : r.status,
    onset_date: r.onsetDate ?? "",
    resolved_date: r.resolvedDate ?? "",
    note: r.note ?? "",
  };
}
