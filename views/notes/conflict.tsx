/**
 * The conflict view: this tab sent a draft on an old version because another tab or device saved
 * first. Nothing was overwritten. It says who saved and when, shows field by field what is saved
 * and what this tab has, and offers "Keep my version" (an explicit overwrite, posted with the
 * current version) or "Use the saved version" (reload).
 */
import type { Note } from "../../src/notes/repo";
import type { NoteContent, NoteValue, TemplateDefinition, TemplateField } from "../../src/notes/model";
import { EMBEDDED_TYPES } from "../../src/notes/model";
import { canonicalJson } from "../../src/notes/signing";
import { CsrfField } from "../components/form";
import { formatInstant } from "../components/format";
import { FieldView, formName } from "./fields";

/** The inverse of readNoteForm: a note's values as the editor form's fields. */
export function contentToForm(def: TemplateDefinition, content: NoteContent): [string, string][] {
  const out: [string, string][] = [];
  for (const f of def.sections.flatMap((s) => s.fields)) {
    const v = content[f.key];
    const name = formName(f.key);
    if (v === undefined || EMBEDDED_TYPES.includes(f.type)) continue;
    if (f.type === "checkbox") {
      if (v === true) out.push([name, "on"]);
    } else if (f.type === "multi_choice") {
      const ticked = Array.isArray(v) ? v : [];
      (f.options ?? []).forEach((o, i) => ticked.includes(o) && out.push([`${name}.${i}`, "on"]));
    } else if (f.type === "ros") {
      const ros = v && typeof v === "object" && !Array.isArray(v) ? v : {};
      (f.options ?? []).forEach((system, i) => {
        const entry = ros[system];
        if (entry?.status) out.push([`${name}.${i}.status`, entry.status]);
        if (entry?.comment) out.push([`${name}.${i}.comment`, entry.comment]);
      });
    } else if (typeof v === "string") {
      out.push([name, v]);
    }
  }
  return out;
}

const same = (a: NoteValue | undefined, b: NoteValue | undefined) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

export interface ConflictProps {
  csrfToken: string;
  timezone: string;
  /** The note as saved now. */
  current: Note;
  def: TemplateDefinition;
  saved: NoteContent;
  mine: NoteContent;
}

export function ConflictView(p: ConflictProps) {
  const n = p.current;
  const fields: TemplateField[] = p.def.sections.flatMap((s) => s.fields).filter((f) => !EMBEDDED_TYPES.includes(f.type));
  const differing = fields.filter((f) => !same(p.saved[f.key], p.mine[f.key]));
  // Only the author edits a draft, so the other save is theirs too: another tab or device.
  const who = n.updatedBy === n.authorStaffId ? `${n.authorName} (in another tab or on another device)` : "someone else";
  return (
    <section class="card conflict" id="note-conflict" role="alert" aria-labelledby="conflict-title">
      <h2 id="conflict-title">This note was saved elsewhere</h2>
      <p>
        Saved by <strong>{who}</strong> at <strong>{formatInstant(n.updatedAt, p.timezone)}</strong>, after this tab last saved. Nothing was
        overwritten.
      </p>
      {differing.length === 0 ? (
        <p>Both versions have the same values.</p>
      ) : (
        <div class="table-wrap">
          <table class="conflict-table">
            <caption>
              {differing.length === 1 ? "One field differs" : `${differing.length} fields differ`}
              {fields.length > differing.length ? `; the other ${fields.length - differing.length} are the same.` : "."}
            </caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Saved version</th>
                <th scope="col">This tab</th>
              </tr>
            </thead>
            <tbody>
              {differing.map((f) => (
                <tr>
                  <th scope="row">{f.label}</th>
                  <td class="saved">
                    <FieldView field={{ ...f, label: "Saved" }} value={p.saved[f.key]} />
                  </td>
                  <td class="mine">
                    <FieldView field={{ ...f, label: "This tab" }} value={p.mine[f.key]} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="actions">
        <form method="post" action={`/notes/${n.id}`} data-keep-mine>
          <CsrfField token={p.csrfToken} />
          <input type="hidden" name="version" value={String(n.version)} data-conflict-version />
          <input type="hidden" name="overwrite" value="1" />
          <input type="hidden" name="editor" value="1" />
          {contentToForm(p.def, p.mine).map(([name, value]) => (
            <input type="hidden" name={name} value={value} />
          ))}
          <button type="submit">Keep my version</button>
        </form>
        <a class="button secondary" href={`/notes/${n.id}`} data-use-saved>
          Use the saved version
        </a>
      </div>
      <p class="hint">“Keep my version” replaces the saved values with this tab's. “Use the saved version” discards this tab's changes.</p>
    </section>
  );
}
