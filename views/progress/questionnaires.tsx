/** The clinic's own questionnaires: the list (with archive and restore) and the plain-text definition form. */
import type { QuestionnaireFormValues } from "../../src/progress/input";
import { type QuestionnaireDefinition, scoreRange } from "../../src/progress/instruments";
import type { QuestionnaireRow } from "../../src/progress/repo";
import { Alert, CsrfField, Field, TextAreaField } from "../components/form";
import { DataTable, RowActions } from "../components/table";
import { Errors } from "./goal-lab-forms";

export interface QuestionnaireListProps {
  rows: { row: QuestionnaireRow; def: QuestionnaireDefinition | null }[];
  csrfToken: string;
  saved?: boolean;
}

export function QuestionnaireList(p: QuestionnaireListProps) {
  return (
    <>
      <div class="page-head">
        <h1>Clinic questionnaires</h1>
        <a class="button" href="/settings/questionnaires/new">
          New questionnaire
        </a>
      </div>
      {p.saved && <Alert kind="ok">Saved.</Alert>}
      <p class="hint">PHQ-9 and GAD-7 are built in. Questionnaires written here can be administered from any chart, charted over time and tracked by goals.</p>
      <DataTable
        rows={p.rows}
        rowKey={({ row }) => row.id}
        empty="No clinic questionnaires yet."
        columns={[
          { header: "Name", cell: ({ row }) => <a href={`/settings/questionnaires/${row.id}/edit`}>{row.name}</a> },
          { header: "Code", cell: ({ row }) => <code>{row.code}</code> },
          { header: "Items", numeric: true, cell: ({ def }) => def?.items.length ?? "?" },
          {
            header: "Scores",
            cell: ({ def }) => {
              const range = def ? scoreRange(def) : null;
              return range ? `${range.min}–${range.max}` : "definition unreadable";
            },
          },
          { header: "Status", cell: ({ row }) => (row.archived === 1 ? <span class="tag off">Archived</span> : <span class="tag">In use</span>) },
          {
            header: <span class="hint">Actions</span>,
            cell: ({ row }) => {
              const archived = row.archived === 1;
              return <RowActions csrfToken={p.csrfToken} actions={[{ post: `/settings/questionnaires/${row.id}/${archived ? "restore" : "archive"}`, label: archived ? "Restore" : "Archive", look: "link" }]} />;
            },
          },
        ]}
      />
    </>
  );
}

export interface QuestionnaireFormProps {
  csrfToken: string;
  action: string;
  values: QuestionnaireFormValues;
  /** Set when editing: the code is then fixed (results and goals refer to it). */
  version?: number;
  errors?: Record<string, string>;
  conflict?: string;
}

export function QuestionnaireForm(p: QuestionnaireFormProps) {
  const v = p.values;
  const e = p.errors ?? {};
  const editing = p.version !== undefined;
  return (
    <>
      <p class="crumb">
        <a href="/settings/questionnaires">Clinic questionnaires</a>
      </p>
      <h1>{editing ? `Edit ${v.name ?? "questionnaire"}` : "New questionnaire"}</h1>
      <Errors errors={e} conflict={p.conflict} />
      <form method="post" action={p.action} novalidate class="q-def">
        <CsrfField token={p.csrfToken} />
        {editing && <input type="hidden" name="version" value={String(p.version)} />}
        <div class="grid">
          <Field name="name" label="Name" value={v.name} error={e.name} required maxLength={100} />
          {editing ? (
            <p class="field">
              Code: <code>{v.code}</code>
              <br />
              <span class="hint">Fixed: results and goals refer to it.</span>
            </p>
          ) : (
            <Field name="code" label="Code" value={v.code} error={e.code} required maxLength={30} hint="Short, lowercase, e.g. sleep-5." />
          )}
        </div>
        <Field name="stem" label="Question stem (optional)" value={v.stem} error={e.stem} maxLength={300} hint="Asked before every item, e.g. “Over the last week, how often…”." />
        <TextAreaField name="items" label="Items, one per line" value={v.items} error={e.items} rows={8} />
        <div class="grid">
          <TextAreaField name="options" label="Answer options: points|label" value={v.options} error={e.options} rows={5} hint="The same for every item, e.g. 0|Never, 1|Sometimes, one per line." />
          <TextAreaField
            name="bands"
            label="Severity bands: min-max|label"
            value={v.bands}
            error={e.bands}
            rows={5}
            hint="Cover every possible total exactly once, from items × lowest points to items × highest points, e.g. 0-4|minimal."
          />
        </div>
        <TextAreaField name="flags" label="Flags (optional): item|minimum points|message" value={v.flags} error={e.flags} rows={2} hint="Shown prominently when an item is answered with at least that many points." />
        <div class="actions">
          <button type="submit">Save questionnaire</button>
          <a href="/settings/questionnaires">Cancel</a>
        </div>
      </form>
    </>
  );
}
