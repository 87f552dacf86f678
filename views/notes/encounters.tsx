/**
 * /encounters: recent encounters for clinicians and billers (date, patient, clinician, note status,
 * diagnosis codes of signed notes; billers see no note text), and the notes waiting for the
 * signed-in supervisor's co-signature.
 */
import type { EncounterListRow } from "../../src/notes/repo";
import type { Note } from "../../src/notes/repo";
import { formatInstant } from "../components/format";
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
      {p.rows.length === 0 ? (
        <p class="muted">No encounters yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Patient</th>
                <th scope="col">Clinician</th>
                <th scope="col">Notes</th>
                <th scope="col">Diagnosis codes</th>
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r) => (
                <tr>
                  <td class="nowrap">{p.billing ? formatInstant(r.startedAt, p.timezone) : <a href={`/encounters/${r.id}`}>{formatInstant(r.startedAt, p.timezone)}</a>}</td>
                  <td>{r.patientName}</td>
                  <td>{r.providerName}</td>
                  <td>
                    {r.notes.length === 0 ? (
                      <span class="muted">No note</span>
                    ) : (
                      r.notes.map((n) => (
                        <div>
                          {!p.billing && <a href={`/notes/${n.id}`}>{n.title}</a>} <NoteStatus status={n.status as Note["status"]} />
                        </div>
                      ))
                    )}
                  </td>
                  <td>{r.codes.length ? r.codes.map((c) => <code class="dx">{c}</code>) : <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
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
      {p.rows.length === 0 ? (
        <p class="muted">Nothing is waiting for your co-signature.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Signed</th>
                <th scope="col">Patient</th>
                <th scope="col">Note</th>
                <th scope="col">Author</th>
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r) => (
                <tr>
                  <td class="nowrap">{r.signedAt ? formatInstant(r.signedAt, p.timezone) : "—"}</td>
                  <td>
                    {r.patientName}, {r.patientGiven}
                  </td>
                  <td>
                    <a href={`/notes/${r.id}`}>{r.title}</a>
                  </td>
                  <td>{r.authorName}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
