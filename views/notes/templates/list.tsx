/** The list of note templates: mine, the clinic's shared ones, the starter library, archived. */
import type { BuilderLists, TemplateRow } from "../../../src/notes/templates";
import { Alert } from "../../components/form";
import { formatInstant } from "../../components/format";
import { DataTable } from "../../components/table";
import { OpButton, templatePath, TEMPLATES } from "./parts";

export function TemplateListPage(p: { lists: BuilderLists; canShare: boolean; csrfToken: string; timezone: string; notice?: string }) {
  const { lists } = p;
  return (
    <>
      <div class="page-head">
        <h1>Note templates</h1>
        <div class="actions">
          <a class="button" href={`${TEMPLATES}/new`}>
            New template
          </a>
          <a class="button secondary" href={`${TEMPLATES}/import`}>
            Import JSON
          </a>
        </div>
      </div>
      {p.notice && <Alert kind="ok">{p.notice}</Alert>}
      <h2>My templates</h2>
      <TemplateTable rows={lists.mine} empty="You have no private templates. Create one, or copy a shared or starter template." timezone={p.timezone} />
      <h2>Shared with the clinic</h2>
      <TemplateTable rows={lists.shared} empty="No shared templates yet." timezone={p.timezone} />
      <h2>Starter library</h2>
      {lists.starters.length === 0 ? (
        <p class="muted">Every starter template is in the clinic already.</p>
      ) : (
        <ul class="plain tb-starters">
          {lists.starters.map((s) => (
            <li class="card">
              <h3>{s.name}</h3>
              <p>{s.description}</p>
              <div class="actions">
                <a class="button secondary" href={`${TEMPLATES}/starter/${s.key}/preview`}>
                  Preview<span class="skip"> {s.name}</span>
                </a>
                {p.canShare && <OpButton action={`${TEMPLATES}/starter/${s.key}/install`} csrfToken={p.csrfToken} label="Add to clinic" detail={s.name} swap={false} />}
                <OpButton action={`${TEMPLATES}/starter/${s.key}/copy`} csrfToken={p.csrfToken} label="Copy for myself" detail={s.name} swap={false} />
              </div>
            </li>
          ))}
        </ul>
      )}
      {lists.archived.length > 0 && (
        <>
          <h2>Archived</h2>
          <TemplateTable rows={lists.archived} empty="" timezone={p.timezone} />
        </>
      )}
    </>
  );
}

function TemplateTable({ rows, empty, timezone }: { rows: TemplateRow[]; empty: string; timezone: string }) {
  return (
    <DataTable
      rows={rows}
      rowKey={(r) => r.id}
      empty={empty}
      columns={[
        {
          header: "Name",
          cell: (r) => (
            <>
              <a href={templatePath(r.id)}>{r.name}</a>
              {r.starterKey && <span class="hint"> (starter)</span>}
            </>
          ),
        },
        { header: "Description", cell: (r) => r.description ?? "—" },
        { header: "Last changed", class: "nowrap", cell: (r) => formatInstant(r.updatedAt, timezone).slice(0, 16) },
      ]}
    />
  );
}
