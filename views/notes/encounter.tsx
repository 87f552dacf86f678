/**
 * One encounter inside the chart frame: its facts, its notes with "Start a note", and what was
 * recorded in it (vital signs, questionnaire scores, documents), with links to record more.
 */
import type { EncounterView } from "../../src/notes/encounters";
import type { UsableTemplate } from "../../src/notes/templates";
import { BUILT_IN_INSTRUMENTS } from "../../src/notes/model";
import { toMeasureSnapshot, toVitalsSnapshot } from "../../src/notes/blocks";
import type { FieldErrors } from "../../src/platform/errors";
import { ChartFrame } from "../charting/frame";
import { Alert, CsrfField } from "../components/form";
import { formatDate, formatInstant } from "../components/format";
import { MeasuresBlock, VitalsBlock } from "./blocks";
import { NoteStatus } from "./note";

export interface EncounterPageProps {
  csrfToken: string;
  today: string;
  timezone: string;
  v: EncounterView;
  /** Null when the viewer cannot write notes. */
  templates: UsableTemplate[] | null;
  errors?: FieldErrors;
  message?: string;
}

export function EncounterPage(p: EncounterPageProps) {
  const { encounter: e, h } = p.v;
  const pid = e.patientId;
  const back = encodeURIComponent(`/encounters/${e.id}`);
  const err = p.errors ?? {};
  return (
    <ChartFrame h={h} today={p.today} active="timeline">
      <h2>Encounter of {formatDate(formatInstant(e.startedAt, p.timezone).slice(0, 10))}</h2>
      {p.message && <Alert kind="error">{p.message}</Alert>}
      <dl class="facts card">
        <dt>Started</dt>
        <dd>{formatInstant(e.startedAt, p.timezone)}</dd>
        <dt>Clinician</dt>
        <dd>{e.providerName}</dd>
        <dt>Visit</dt>
        <dd>
          {p.v.appointment ? (
            <>
              {p.v.appointment.typeName}, booked for {formatInstant(p.v.appointment.startsAt, p.timezone)}{" "}
              <a href={`/calendar/appointments/${e.appointmentId}`}>Appointment</a>
            </>
          ) : (
            "Ad hoc (no appointment)"
          )}
        </dd>
        {e.reason && (
          <>
            <dt>Reason</dt>
            <dd>{e.reason}</dd>
          </>
        )}
      </dl>

      <section class="card" aria-labelledby="enc-notes">
        <h2 id="enc-notes">Notes</h2>
        {p.v.notes.length === 0 ? (
          <p class="muted">No notes yet.</p>
        ) : (
          <ul class="plain block-list">
            {p.v.notes.map((n) => (
              <li>
                <a href={`/notes/${n.id}`}>{n.title}</a> <NoteStatus status={n.status} />
                <span class="hint">
                  {" "}
                  · {n.authorName}
                  {n.signedAt ? `, signed ${formatInstant(n.signedAt, p.timezone)}` : `, started ${formatInstant(n.createdAt, p.timezone)}`}
                </span>
              </li>
            ))}
          </ul>
        )}
        {p.templates && (
          <form method="post" action={`/encounters/${e.id}/notes`} class="search start-note">
            <CsrfField token={p.csrfToken} />
            <div class="field">
              <label for="f-template_id">Template</label>
              <select
                id="f-template_id"
                name="template_id"
                aria-invalid={err.template_id ? "true" : undefined}
                aria-describedby={err.template_id ? "f-template_id-error" : undefined}
              >
                {p.templates.map((t) => (
                  <option value={t.id}>
                    {t.name}
                    {t.starter ? " (starter library)" : t.mine && !t.shared ? " (mine)" : ""}
                  </option>
                ))}
              </select>
              {err.template_id && (
                <div class="error" id="f-template_id-error">
                  {err.template_id}
                </div>
              )}
            </div>
            <button type="submit" disabled={p.templates.length === 0}>
              Start a note
            </button>
          </form>
        )}
      </section>

      <section class="card" aria-labelledby="enc-vitals">
        <h2 id="enc-vitals">Vital signs</h2>
        <VitalsBlock rows={p.v.vitals.map(toVitalsSnapshot)} timezone={p.timezone} />
        <p>
          <a href={`/patients/${pid}/chart/vitals/new?encounter=${e.id}&return=${back}`}>Record vitals</a>
        </p>
      </section>

      <section class="card" aria-labelledby="enc-measures">
        <h2 id="enc-measures">Questionnaires</h2>
        <MeasuresBlock rows={p.v.measures.map(toMeasureSnapshot)} timezone={p.timezone} empty="None administered in this encounter." />
        <p class="actions">
          {BUILT_IN_INSTRUMENTS.map((i) => (
            <a href={`/patients/${pid}/progress/measures/new?instrument=${i.code}&encounter=${e.id}&return=${back}`}>Administer {i.name}</a>
          ))}
        </p>
      </section>

      <section class="card" aria-labelledby="enc-docs">
        <h2 id="enc-docs">Documents</h2>
        {p.v.documents.length === 0 ? (
          <p class="muted">No documents attached to this encounter.</p>
        ) : (
          <ul class="plain block-list">
            {p.v.documents.map((d) => (
              <li>
                <a href={`/patients/${pid}/documents/${d.id}/view`}>{d.title || d.filename}</a>
                <span class="hint">
                  {" "}
                  · {d.category}, {d.uploadedByName}, {formatInstant(d.uploadedAt, p.timezone)}
                </span>
              </li>
            ))}
          </ul>
        )}
        <p>
          <a href={`/patients/${pid}/documents/new?encounter=${e.id}`}>Attach a document</a>
        </p>
      </section>
    </ChartFrame>
  );
}
