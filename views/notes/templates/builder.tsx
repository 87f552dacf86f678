/**
 * The template builder: name and description, sections and their fields, each change a small form
 * POST. The page and its htmx fragment are the same element (`#template-builder`).
 */
import type { FieldErrors } from "../../../src/platform/errors";
import type { TemplateField, TemplateSection } from "../../../src/notes/model";
import { fieldToForm } from "../../../src/notes/template-input";
import type { OpenedTemplate } from "../../../src/notes/templates";
import { Alert, CsrfField } from "../../components/form";
import { FieldForm } from "./field-form";
import { BUILDER_ID, FormProblems, Input, OpButton, swapBuilder, templatePath, TEMPLATES, TYPE_NAMES } from "./parts";

/** What the last request left to show: a failed form (by target), a conflict, a saved notice. */
export interface BuilderState {
  saved?: boolean;
  conflict?: string;
  /** Which form failed: `meta`, `add-section`, `section-<key>`, `add-<section key>`, `edit-<field key>`. */
  target?: string;
  values?: Record<string, string>;
  errors?: FieldErrors;
}

export function TemplateStatus({ shared, archived }: { shared: boolean; archived: boolean }) {
  return (
    <>
      {shared ? <span class="tag">Shared with the clinic</span> : <span class="tag off">Private</span>}
      {archived && <span class="tag off">Archived</span>}
    </>
  );
}

export function TemplateBuilder({ t, state, csrfToken }: { t: OpenedTemplate; state: BuilderState; csrfToken: string }) {
  const path = templatePath(t.row.id);
  const version = t.row.version;
  const shared = t.row.shared === 1;
  const archived = t.row.archived === 1;
  const formOf = (target: string) => (state.target === target ? { values: state.values ?? {}, errors: state.errors } : null);
  const meta = formOf("meta");
  const addSection = formOf("add-section");
  return (
    <div id={BUILDER_ID} class="tb">
      <p class="crumb">
        <a href={TEMPLATES}>← Note templates</a>
      </p>
      <div class="page-head">
        <h1>{t.row.name}</h1>
        <p>
          <TemplateStatus shared={shared} archived={archived} />
        </p>
      </div>
      {state.saved && <Alert kind="ok">Saved.</Alert>}
      {state.conflict && <Alert kind="error">{state.conflict}</Alert>}
      {archived && <Alert kind="warn">This template is archived: it is not offered for new notes. Notes already written from it are unchanged.</Alert>}
      <div class="actions tb-actions">
        <a class="button secondary" href={`${path}/preview`}>
          Preview
        </a>
        <a class="button secondary" href={`${path}/export`} download>
          Export JSON
        </a>
        <OpButton action={`${path}/copy`} csrfToken={csrfToken} label="Copy" detail={t.row.name} swap={false} />
        {t.canShare && (
          <OpButton action={`${path}/share`} csrfToken={csrfToken} version={version} label={shared ? "Make private" : "Share with the clinic"} fields={{ shared: shared ? "0" : "1" }} />
        )}
        {t.canEdit && <OpButton action={`${path}/archive`} csrfToken={csrfToken} version={version} label={archived ? "Restore" : "Archive"} fields={{ archived: archived ? "0" : "1" }} />}
      </div>
      {!t.canEdit && (
        <p class="muted">{shared ? "This is a shared template of the clinic: copy it to make your own version." : "Only its owner can change this template."}</p>
      )}
      {t.canEdit && (
        <details class="card" open={!!meta}>
          <summary>Name and description</summary>
          <form method="post" action={`${path}/meta`} novalidate {...swapBuilder(`${path}/meta`)}>
            <CsrfField token={csrfToken} />
            <input type="hidden" name="version" value={String(version)} />
            <FormProblems errors={meta?.errors} />
            <Input prefix="meta" name="name" label="Name" value={meta ? meta.values.name : t.row.name} error={meta?.errors?.name} required maxLength={120} />
            <Input prefix="meta" name="description" label="Description" value={meta ? meta.values.description : (t.row.description ?? "")} error={meta?.errors?.description} maxLength={500} />
            <button type="submit">Save name and description</button>
          </form>
        </details>
      )}
      {t.row.description && <p>{t.row.description}</p>}
      {t.definition.sections.length === 0 && <p class="muted">No sections yet. Add one below.</p>}
      {t.definition.sections.map((s, i) => (
        <SectionCard t={t} section={s} first={i === 0} last={i === t.definition.sections.length - 1} state={state} csrfToken={csrfToken} />
      ))}
      {t.canEdit && (
        <details class="card" open={!!addSection}>
          <summary>Add a section</summary>
          <form method="post" action={`${path}/sections`} novalidate {...swapBuilder(`${path}/sections`)}>
            <CsrfField token={csrfToken} />
            <input type="hidden" name="version" value={String(version)} />
            <FormProblems errors={addSection?.errors} />
            <Input prefix="add-section" name="title" label="Section title" value={addSection?.values.title} error={addSection?.errors?.title} hint="Subjective, Objective, Assessment, Plan, or your own heading." required maxLength={200} />
            <button type="submit">Add section</button>
          </form>
        </details>
      )}
    </div>
  );
}

function SectionCard(p: { t: OpenedTemplate; section: TemplateSection; first: boolean; last: boolean; state: BuilderState; csrfToken: string }) {
  const { t, section: s, state, csrfToken } = p;
  const path = templatePath(t.row.id);
  const sPath = `${path}/sections/${s.key}`;
  const version = t.row.version;
  const rename = state.target === `section-${s.key}` ? state : null;
  const add = state.target === `add-${s.key}` ? state : null;
  return (
    <section class="card tb-section" aria-labelledby={`sec-${s.key}`}>
      <div class="tb-head">
        <h2 id={`sec-${s.key}`}>{s.title}</h2>
        {t.canEdit && (
          <div class="actions">
            {!p.first && <OpButton action={`${sPath}/move`} csrfToken={csrfToken} version={version} label="Up" detail={`section ${s.title}`} fields={{ direction: "up" }} />}
            {!p.last && <OpButton action={`${sPath}/move`} csrfToken={csrfToken} version={version} label="Down" detail={`section ${s.title}`} fields={{ direction: "down" }} />}
            <OpButton
              action={`${sPath}/remove`}
              csrfToken={csrfToken}
              version={version}
              label="Remove"
              detail={`section ${s.title}`}
              danger
              confirm={s.fields.length ? `Remove the section “${s.title}” and its ${s.fields.length} fields?` : undefined}
            />
          </div>
        )}
      </div>
      {s.fields.length === 0 ? (
        <p class="muted">No fields yet.</p>
      ) : (
        <ol class="tb-fields">
          {s.fields.map((f, i) => (
            <FieldRow t={t} field={f} first={p.first && i === 0} last={p.last && i === s.fields.length - 1} state={state} csrfToken={csrfToken} />
          ))}
        </ol>
      )}
      {t.canEdit && (
        <>
          <details open={!!add}>
            <summary>Add a field to {s.title}</summary>
            <FieldForm
              action={`${sPath}/fields`}
              csrfToken={csrfToken}
              version={version}
              prefix={`add-${s.key}`}
              values={add?.values ?? {}}
              errors={add?.errors}
              instruments={t.instruments}
              submitLabel="Add field"
            />
          </details>
          <details open={!!rename}>
            <summary>Rename section</summary>
            <form method="post" action={sPath} novalidate {...swapBuilder(sPath)}>
              <CsrfField token={csrfToken} />
              <input type="hidden" name="version" value={String(version)} />
              <FormProblems errors={rename?.errors} />
              <Input prefix={`section-${s.key}`} name="title" label="Section title" value={rename ? rename.values?.title : s.title} error={rename?.errors?.title} required maxLength={200} />
              <button type="submit">Rename</button>
            </form>
          </details>
        </>
      )}
    </section>
  );
}

function FieldRow(p: { t: OpenedTemplate; field: TemplateField; first: boolean; last: boolean; state: BuilderState; csrfToken: string }) {
  const { t, field: f, state, csrfToken } = p;
  const fPath = `${templatePath(t.row.id)}/fields/${f.key}`;
  const version = t.row.version;
  const edit = state.target === `edit-${f.key}` ? state : null;
  const what = `field ${f.label}`;
  return (
    <li class="tb-field">
      <div class="tb-head">
        <span>
          <strong>{f.label}</strong> <span class="tag off">{TYPE_NAMES[f.type]}</span> <code class="hint">{f.key}</code>
          {f.required && <span class="hint"> required</span>}
          {f.unit && <span class="hint"> · {f.unit}</span>}
          {f.options && <span class="hint"> · {f.options.length} {f.type === "ros" ? "systems" : "options"}</span>}
        </span>
        {t.canEdit && (
          <div class="actions">
            {!p.first && <OpButton action={`${fPath}/move`} csrfToken={csrfToken} version={version} label="Up" detail={what} fields={{ direction: "up" }} />}
            {!p.last && <OpButton action={`${fPath}/move`} csrfToken={csrfToken} version={version} label="Down" detail={what} fields={{ direction: "down" }} />}
            <OpButton action={`${fPath}/remove`} csrfToken={csrfToken} version={version} label="Remove" detail={what} danger />
          </div>
        )}
      </div>
      {t.canEdit && (
        <details open={!!edit}>
          <summary>
            Edit<span class="skip"> {what}</span>
          </summary>
          <FieldForm
            action={fPath}
            csrfToken={csrfToken}
            version={version}
            prefix={`edit-${f.key}`}
            values={edit?.values ?? fieldToForm(f)}
            errors={edit?.errors}
            instruments={t.instruments}
            submitLabel="Save field"
          />
        </details>
      )}
    </li>
  );
}
