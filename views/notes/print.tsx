/**
 * The printable note: a page of its own, without navigation, with the clinic, the patient, the
 * encounter, the note, its signatures and addenda. Unsigned notes carry "Draft — not signed".
 * The browser's "Save as PDF" gives the PDF.
 */
import { ASSET_PATHS } from "../../src/generated/assets";
import type { NotePage } from "../../src/notes/notes";
import { formatDate, formatInstant } from "../components/format";
import { AddendaList, NoteBody, Signatures, STATUS_LABELS } from "./note";

export function PrintDocument(p: { clinicName: string; timezone: string; page: NotePage; printedAt: number }) {
  const { note, header: h, encounter: e } = p.page;
  const draft = !note.signedAt;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${note.title} · ${h.name} · ${p.clinicName}`}</title>
        <link rel="stylesheet" href={ASSET_PATHS.css} />
      </head>
      <body class="print-page">
        <main class={draft ? "print-note is-draft" : "print-note"}>
          <p class="no-print">
            <a href={`/notes/${note.id}`}>← Back to the note</a> · Print this page, or choose “Save as PDF” in the print dialog.
          </p>
          {draft && (
            <p class="watermark" aria-label="Draft, not signed">
              Draft — not signed
            </p>
          )}
          <header class="print-head">
            <p class="print-clinic">{p.clinicName}</p>
            <h1>{note.title}</h1>
            <dl class="facts">
              <dt>Patient</dt>
              <dd>
                {h.name}, born {formatDate(h.dateOfBirth)}
              </dd>
              <dt>Encounter</dt>
              <dd>{formatInstant(e.startedAt, p.timezone)}</dd>
              <dt>Provider</dt>
              <dd>{e.providerName}</dd>
              <dt>Author</dt>
              <dd>{note.authorName}</dd>
              <dt>Status</dt>
              <dd>{STATUS_LABELS[note.status]}</dd>
            </dl>
          </header>
          <NoteBody def={p.page.def} values={p.page.values} blocks={p.page.blocks} timezone={p.timezone} />
          <Signatures note={note} timezone={p.timezone} />
          <AddendaList addenda={p.page.addenda} timezone={p.timezone} />
          <p class="hint print-foot">Printed {formatInstant(p.printedAt, p.timezone)}</p>
        </main>
      </body>
    </html>
  );
}
