/** The chart summary: what a clinician reviews before a visit, each section linking to its full list. */
import type { ChartSummary } from "../../src/charting/summary";
import { flagVitals } from "../../src/charting/vitals";
import { CsrfField } from "../components/form";
import { Empty, label, Section, shortInstant } from "./parts";
import { bpFlags, Flag, VITAL_COLUMNS, vitalText } from "./vitals-table";

export interface SummaryProps {
  s: ChartSummary;
  timezone: string;
  csrfToken: string;
  /** Whether the viewer may record (vitals, lists) and start a visit (write notes). */
  canWrite: boolean;
  canStartVisit: boolean;
}

const more = (href: string, text = "All") => (
  <a href={href} class="more">
    {text}
  </a>
);

function Actions(p: SummaryProps) {
  const pid = p.s.header.patientId;
  return (
    <div class="actions chart-actions">
      {p.canStartVisit && (
        <form method="post" action="/encounters" class="inline">
          <CsrfField token={p.csrfToken} />
          <input type="hidden" name="patient_id" value={pid} />
          <button type="submit">Start ad hoc visit</button>
        </form>
      )}
      {p.canWrite && (
        <a class="button secondary" href={`/patients/${pid}/chart/vitals/new`}>
          Record vitals
        </a>
      )}
      <a class="button secondary" href={`/patients/${pid}/progress`}>
        Administer questionnaire
      </a>
    </div>
  );
}

export function ChartSummaryView(p: SummaryProps) {
  const { s, timezone: tz } = p;
  const h = s.header;
  const base = `/patients/${h.patientId}/chart`;
  const when = (ms: number) => shortInstant(ms, tz);
  const flags = s.vitals ? flagVitals(s.vitals) : {};
  return (
    <>
      <Actions {...p} />
      <div class="cards">
        <Section id="sum-problems" title="Active problems" action={more(`${base}/problems`)}>
          {s.problems.length ? (
            <ul class="plain">
              {s.problems.map((x) => (
                <li>
                  {x.code && <span class="code">{x.code}</span>} {x.description}
                </li>
              ))}
            </ul>
          ) : (
            <Empty>No active problems.</Empty>
          )}
        </Section>
        <Section id="sum-allergies" title="Allergies" action={more(`${base}/allergies`)}>
          {h.allergies.length ? (
            <ul class="plain">
              {h.allergies.map((a) => (
                <li>
                  <strong>{a.substance}</strong>
                  {a.reaction && ` — ${a.reaction}`} <span class={`sev sev-${a.severity}`}>({a.severity})</span>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>{h.allergiesRecorded ? "No active allergies." : "Allergies not recorded yet."}</Empty>
          )}
        </Section>
        <Section id="sum-meds" title="Active medications" action={more(`${base}/medications`)}>
          {s.medications.length ? (
            <ul class="plain">
              {s.medications.map((m) => (
                <li>
                  <strong>{m.name}</strong> {[m.dose, m.route, m.frequency].filter(Boolean).join(" · ")}
                </li>
              ))}
            </ul>
          ) : (
            <Empty>No active medications.</Empty>
          )}
        </Section>
        <Section id="sum-vitals" title="Latest vitals" action={more(`${base}/vitals`)}>
          {s.vitals ? (
            <>
              <p class="hint">{when(s.vitals.takenAt)}</p>
              <dl class="facts">
                {VITAL_COLUMNS.filter((c) => vitalText(c.key, s.vitals!) !== "—").map((c) => (
                  <>
                    <dt>{c.label}</dt>
                    <dd>
                      {vitalText(c.key, s.vitals!)}
                      <Flag flags={c.key === "systolic" ? bpFlags(flags) : flags} k={c.key} />
                    </dd>
                  </>
                ))}
              </dl>
            </>
          ) : (
            <Empty>No vitals recorded.</Empty>
          )}
        </Section>
        <Section id="sum-visits" title="Appointments">
          <h3>Upcoming</h3>
          <AppointmentList rows={s.upcoming} when={when} empty="No upcoming appointments." />
          <h3>Past</h3>
          <AppointmentList rows={s.past} when={when} empty="No past appointments." />
        </Section>
        <Section id="sum-encounters" title="Encounters and notes" action={more(`${base}/timeline?kind=notes`)}>
          {s.encounters.length ? (
            <ul class="plain">
              {s.encounters.map((e) => (
                <li>
                  <a href={e.noteId ? `/notes/${e.noteId}` : `/encounters/${e.id}`}>{e.noteTitle ?? e.reason ?? (e.kind === "ad_hoc" ? "Ad hoc visit" : "Visit")}</a>{" "}
                  <span class="hint">
                    {when(e.startedAt)} · {e.providerName} · {e.noteStatus ? `note ${label(e.noteStatus).toLowerCase()}` : "no note yet"}
                    {e.status === "open" && " · open"}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>No encounters yet.</Empty>
          )}
        </Section>
        <Section id="sum-results" title="Recent results" action={more(`${base}/timeline?kind=results`)}>
          {s.results.length ? (
            <ul class="plain">
              {s.results.map((r) => (
                <li>
                  {r.name}: <strong>{r.valueNum ?? r.valueText ?? "—"}</strong> {r.unit}
                  {r.flag && r.flag !== "N" && <span class="flag flag-high"> {r.flag === "H" ? "High" : r.flag === "L" ? "Low" : "Abnormal"}</span>}{" "}
                  <span class="hint">{when(r.observedAt)}</span>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>No results.</Empty>
          )}
        </Section>
        <Section id="sum-docs" title="Recent documents" action={more(`/patients/${h.patientId}/documents`)}>
          {s.documents.length ? (
            <ul class="plain">
              {s.documents.map((d) => (
                <li>
                  <a href={`/patients/${h.patientId}/documents/${d.id}`}>{d.title ?? d.filename}</a>{" "}
                  <span class="hint">
                    {label(d.category)} · {when(d.uploadedAt)}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>No documents.</Empty>
          )}
        </Section>
      </div>
    </>
  );
}

function AppointmentList(p: { rows: ChartSummary["upcoming"]; when: (ms: number) => string; empty: string }) {
  if (!p.rows.length) return <Empty>{p.empty}</Empty>;
  return (
    <ul class="plain">
      {p.rows.map((a) => (
        <li>
          <a href={`/calendar/appointments/${a.id}`}>{p.when(a.startsAt)}</a> {a.typeName} with {a.providerName}{" "}
          <span class="hint">({label(a.status)})</span>
        </li>
      ))}
    </ul>
  );
}
