/**
 * /encounters: recent encounters for clinicians and billers (date, patient, clinician, note status,
 * diagnosis codes of signed notes; billers see no note text), and the notes waiting for the
 * signed-in supervisor's co-signature.
 */
import type { EncounterListRow } from "../../src/notes/repo";
import type { Note } from "../../src/notes/repo";
import { formatInstant } from "../components/format";
import { DataTable } from "../components/table";
import { NoteStatus } from "./note";

export function EncounterList(p: { rows: EncounterListRow[]; billing: boolean; timezone: string; cosignLink: boolean }) {
  return (
    <>
      <div class="page-head">
        <h1>Encounters</h1>
        {p.cosignLink && (
          <a class="button secondary" href="/encounters?cosign=1">
            Notes awaiting my co-signature
          </a>
        )}
      </div>
      {p.billing && <p class="hint">Diagnosis codes come from signed notes only. Note text is not shown to billing.</p>}
      <DataTable
        rows={p.rows}
        rowKey={(r) => r.id}
        empty="No encounters yet."
        columns={[
          { header: "Date", class: "nowrap", cell: (r) => (p.billing ? formatInstant(r.startedAt, p.timezone) : <a href={`/encounters/${r.id}`}>{formatInstant(r.startedAt, p.timezone)}</a>) },
          { header: "Patient", cell: (r) => r.patientName },
          { header: "Clinician", cell: (r) => r.providerName },
          {
            header: "Notes",
            cell: (r) =>
              r.notes.length === 0 ? (
                <span class="muted">No note</span>
              ) : (
                r.notes.map((n) => (
                  <div>
                    {!p.billing && <a href={`/notes/${n.id}`}>{n.title}</a>} <NoteStatus status={n.status as Note["status"]} />
                  </div>
                ))
              ),
          },
          { header: "Diagnosis codes", cell: (r) => (r.codes.length ? r.codes.map((c) => <code class="dx">{c}</code>) : <span class="muted">—</span>) },
        ]}
      />
    </>
  );
}

export function CosignList(p: {
  rows: { id: string; title: string; authorName: string; signedAt: number | null; patientName: string; patientGiven: string }[];
  timezone: string;
}) {
  return (
    <>
      <p class="crumb">
        <a href="/encounters">← Encounters</a>
      </p>
      <h1>Notes awaiting my co-signature</h1>
      <DataTable
        rows={p.rows}
        rowKey={(r) => r.id}
        empty="Nothing is waiting for your co-signature."
        columns={[
          { header: "Signed", class: "nowrap", cell: (r) => (r.signedAt ? formatInstant(r.signedAt, p.timezone) : "—") },
          {
            header: "Patient",
            cell: (r) => (
              <>
                {r.patientName}, {r.patientGiven}
              </>
            ),
          },
          { header: "Note", cell: (r) => <a href={`/notes/${r.id}`}>{r.title}</a> },
          { header: "Author", cell: (r) => r.authorName },
        ]}
      />
    </>
  );
}
