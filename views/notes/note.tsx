/**
 * The note page: the author's editor while it is a draft (one form, autosaved by
 * views/scripts/autosave.js, and a plain "Save draft" without JavaScript), and the read-only note
 * otherwise, with its signatures, a hash check, addenda and the co-sign button.
 */
import { ASSET_PATHS } from "../../src/generated/assets";
import type { ChartHeaderData } from "../../src/charting/header";
import type { Addendum, Note } from "../../src/notes/repo";
import type { NoteBlocks } from "../../src/notes/blocks";
import type { NoteContent, TemplateDefinition } from "../../src/notes/model";
import type { Verification } from "../../src/notes/signing";
import type { FieldErrors } from "../../src/platform/errors";
import { ADDENDUM_MAX } from "../../src/notes/note-input";
import { ChartFrame } from "../charting/frame";
import { Alert, CsrfField } from "../components/form";
import { formatInstant } from "../components/format";
import { FieldInput, FieldView, formName } from "./fields";
import { Embedded, type BlockLinks } from "./blocks";

export const STATUS_LABELS: Record<Note["status"], string> = {
  draft: "Draft",
  awaiting_cosign: "Signed, awaiting co-signature",
  signed: "Signed",
};

export function NoteStatus({ status }: { status: Note["status"] }) {
  return <span class={`tag note-st note-st-${status}`}>{STATUS_LABELS[status]}</span>;
}

/** The note's sections, read-only: values with FieldView, chart data as embedded blocks. */
export function NoteBody(p: { def: TemplateDefinition; values: NoteContent; blocks: NoteBlocks; timezone: string }) {
  return (
    <>
      {p.def.sections.map((s) => (
        <section class="note-section">
          <h3>{s.title}</h3>
          {s.fields.map((f) => (
            <FieldView field={f} value={p.values[f.key]} embedded={<Embedded field={f} blocks={p.blocks} timezone={p.timezone} />} />
          ))}
        </section>
      ))}
    </>
  );
}

/** "Signed by … at …, SHA-256 …", and the co-signature when there is one. */
export function Signatures({ note, timezone }: { note: Note; timezone: string }) {
  if (!note.signedAt) return null;
  return (
    <div class="signatures">
      <p class="sig">
        Signed by <strong>{note.signedByName}</strong> at {formatInstant(note.signedAt, timezone)}
        <br />
        <span class="hint">SHA-256</span> <code class="hash">{note.contentHash}</code>
      </p>
      {note.status === "awaiting_cosign" && (
        <p class="sig pending">
          Awaiting co-signature by <strong>{note.cosignerName}</strong>
        </p>
      )}
      {note.cosignedAt && (
        <p class="sig">
          Co-signed by <strong>{note.cosignerName}</strong> at {formatInstant(note.cosignedAt, timezone)}
          <br />
          <span class="hint">SHA-256</span> <code class="hash">{note.cosignHash}</code>
        </p>
      )}
    </div>
  );
}

/** Addenda below the note, oldest first, each with its author, time and hash. */
export function AddendaList({ addenda, timezone }: { addenda: Addendum[]; timezone: string }) {
  if (addenda.length === 0) return null;
  return (
    <section class="addenda" aria-labelledby="addenda-title">
      <h3 id="addenda-title">Addenda</h3>
      {addenda.map((a) => (
        <article class="addendum" id={`addendum-${a.id}`}>
          <div class="fv-text">{a.body}</div>
          <p class="sig">
            Addendum by <strong>{a.authorName}</strong> at {formatInstant(a.createdAt, timezone)}
            <br />
            <span class="hint">SHA-256</span> <code class="hash">{a.contentHash}</code>
          </p>
        </article>
      ))}
    </section>
  );
}

export interface NotePageProps {
  csrfToken: string;
  h: ChartHeaderData;
  today: string;
  timezone: string;
  note: Note;
  def: TemplateDefinition;
  values: NoteContent;
  blocks: NoteBlocks;
  addenda: Addendum[];
  /** The author editing a draft. */
  editable: boolean;
  canSign: boolean;
  /** The signer needs a supervisor's co-signature: offer the supervisors. */
  cosigners: { id: string; name: string }[] | null;
  cosigner?: string | null;
  canCosign: boolean;
  canAddendum: boolean;
  errors?: FieldErrors;
  message?: string;
  notice?: string;
  addendum?: string;
  verification?: Verification;
}

function NoteHead({ p }: { p: NotePageProps }) {
  const n = p.note;
  return (
    <>
      <p class="crumb">
        <a href={`/encounters/${n.encounterId}`}>← Encounter</a>
      </p>
      <div class="page-head">
        <h2>
          {n.title} <NoteStatus status={n.status} />
        </h2>
        <a class="button secondary" href={`/notes/${n.id}/print`}>
          Print
        </a>
      </div>
      <p class="hint">
        By {n.authorName}, started {formatInstant(n.createdAt, p.timezone)}
      </p>
      {p.notice && <Alert kind="ok">{p.notice}</Alert>}
      {p.message && <Alert kind="error">{p.message}</Alert>}
    </>
  );
}

/** The author's draft editor. */
function Editor({ p }: { p: NotePageProps }) {
  const n = p.note;
  const e = p.errors ?? {};
  const links: BlockLinks = { patientId: n.patientId, encounterId: n.encounterId, returnTo: `/notes/${n.id}`, saveTo: `/notes/${n.id}` };
  return (
    <>
      <div id="note-conflict"></div>
      <form method="post" action={`/notes/${n.id}`} class="note-editor" data-autosave={`/notes/${n.id}/autosave`} data-note-id={n.id} novalidate>
        <CsrfField token={p.csrfToken} />
        <input type="hidden" name="version" value={String(n.version)} data-note-version />
        <input type="hidden" name="editor" value="1" />
        {/* Enter in a field submits with the form's first submit button: make that "Save draft", not a block's "Record vitals". */}
        <button type="submit" hidden tabindex={-1} aria-hidden="true">
          Save draft
        </button>
        <p id="autosave-status" class="save-status" role="status" aria-live="polite">
          Last saved {formatInstant(n.updatedAt, p.timezone)}
        </p>
        {e._form && <Alert kind="error">{e._form}</Alert>}
        {p.def.sections.map((s) => (
          <section class="note-section">
            <h3>{s.title}</h3>
            {s.fields.map((f) => (
              <FieldInput
                field={f}
                value={p.values[f.key]}
                error={e[formName(f.key)]}
                embedded={<Embedded field={f} blocks={p.blocks} timezone={p.timezone} links={links} />}
              />
            ))}
          </section>
        ))}
        {p.canSign && p.cosigners && (
          <div class="field">
            <label for="f-cosigner">
              Supervisor who will co-sign <span class="hint">(required to sign)</span>
            </label>
            {p.cosigners.length === 0 ? (
              <p class="error">No one in this clinic can co-sign notes yet. Ask a clinic administrator.</p>
            ) : (
              <select id="f-cosigner" name="cosigner" aria-invalid={e.cosigner ? "true" : undefined} aria-describedby={e.cosigner ? "f-cosigner-error" : undefined}>
                <option value="">Choose…</option>
                {p.cosigners.map((c) => (
                  <option value={c.id} selected={c.id === p.cosigner}>
                    {c.name}
                  </option>
                ))}
              </select>
            )}
            {e.cosigner && (
              <div class="error" id="f-cosigner-error">
                {e.cosigner}
              </div>
            )}
          </div>
        )}
        <div class="actions note-actions">
          <button type="submit" class="secondary">
            Save draft
          </button>
          {p.canSign && (
            <button type="submit" formaction={`/notes/${n.id}/sign`}>
              Sign note
            </button>
          )}
          <span class="hint">Signing locks the note; corrections are then added as addenda.</span>
        </div>
      </form>
      <script src={ASSET_PATHS.autosave} defer></script>
    </>
  );
}

function Verified({ v }: { v: Verification }) {
  return v.ok ? (
    <Alert kind="ok">Verified: the stored content, co-signature and addenda match their SHA-256 hashes.</Alert>
  ) : (
    <Alert kind="error">
      Verification failed: {!v.content && "the signed content does not match its hash. "}
      {v.cosign === false && "The co-signature does not match its hash. "}
      {Object.values(v.addenda).some((x) => !x) && "An addendum does not match its hash."}
    </Alert>
  );
}

/** A signed note, or someone else's draft, read-only. */
function ReadOnly({ p }: { p: NotePageProps }) {
  const n = p.note;
  return (
    <article class="note-read">
      {n.status === "draft" && <Alert kind="warn">A draft by {n.authorName}, not signed yet. Only the author can edit it.</Alert>}
      <NoteBody def={p.def} values={p.values} blocks={p.blocks} timezone={p.timezone} />
      <Signatures note={n} timezone={p.timezone} />
      {n.signedAt && (
        <form method="get" action={`/notes/${n.id}`} class="actions">
          <input type="hidden" name="verify" value="1" />
          <button type="submit" class="secondary">
            Verify
          </button>
          <span class="hint">Recomputes the SHA-256 of what was signed and compares it with the stored hash.</span>
        </form>
      )}
      {p.verification && <Verified v={p.verification} />}
      {p.canCosign && (
        <form method="post" action={`/notes/${n.id}/cosign`} class="actions">
          <CsrfField token={p.csrfToken} />
          <button type="submit">Co-sign note</button>
        </form>
      )}
      <AddendaList addenda={p.addenda} timezone={p.timezone} />
      {p.canAddendum && n.status !== "draft" && (
        <form method="post" action={`/notes/${n.id}/addenda`} class="card addendum-form" novalidate>
          <CsrfField token={p.csrfToken} />
          <div class="field">
            <label for="f-body">Add an addendum</label>
            <div class="hint" id="f-body-hint">
              Signed with your name and the time, and appended below the note. It cannot be changed afterwards.
            </div>
            <textarea
              id="f-body"
              name="body"
              rows={4}
              maxLength={ADDENDUM_MAX}
              aria-invalid={p.errors?.body ? "true" : undefined}
              aria-describedby={p.errors?.body ? "f-body-hint f-body-error" : "f-body-hint"}
            >
              {p.addendum ?? ""}
            </textarea>
            {p.errors?.body && (
              <div class="error" id="f-body-error">
                {p.errors.body}
              </div>
            )}
          </div>
          <button type="submit">Sign and add addendum</button>
        </form>
      )}
    </article>
  );
}

export function NotePage(p: NotePageProps) {
  return (
    <ChartFrame h={p.h} today={p.today} active="timeline">
      <NoteHead p={p} />
      {p.editable ? <Editor p={p} /> : <ReadOnly p={p} />}
    </ChartFrame>
  );
}
