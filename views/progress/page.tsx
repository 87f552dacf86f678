/**
 * The progress page of a chart: safety flags of the latest questionnaires, goals with the latest
 * value of what they track, recent questionnaire results, a trend per measure with data, and
 * recent lab values.
 */
import { ChartFrame } from "../charting/frame";
import { Alert, CsrfField } from "../components/form";
import type { Instrument } from "../../src/progress/instruments";
import { rangeText } from "../../src/progress/labs";
import type { Goal, LabResult, MeasureResponse } from "../../src/progress/repo";
import type { ProgressData } from "../../src/progress/service";
import { formatNumber, type GoalProgress, shortDate, type Trend } from "../../src/progress/trends";
import { TrendFigure } from "./trend-chart";

export interface ProgressPageProps {
  data: ProgressData;
  trends: Trend[];
  goals: { goal: Goal; progress: GoalProgress }[];
  /** Local date of an instant, in the clinic's timezone. */
  dateOf: (ms: number) => string;
  today: string;
  canWrite: boolean;
  canManageQuestionnaires: boolean;
  csrfToken: string;
  saved?: string;
}

const STATUS: Record<string, string> = { active: "Active", met: "Met", not_met: "Not met", cancelled: "Cancelled" };
const SAVED: Record<string, string> = {
  measure: "Questionnaire recorded.",
  goal: "Goal saved.",
  lab: "Lab value recorded.",
  error: "Marked as entered in error.",
};

export function flagsOf(r: Pick<MeasureResponse, "flags">): string[] {
  if (!r.flags) return [];
  try {
    const v = JSON.parse(r.flags) as unknown;
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

/** A small POST form that marks a row entered in error (confirmed first when JavaScript runs). */
function ErrorButton(p: { action: string; csrfToken: string; what: string }) {
  return (
    <form method="post" action={p.action} class="inline" hx-post={p.action} hx-confirm={`Mark this ${p.what} as entered in error? It stays in the record, struck through.`}>
      <CsrfField token={p.csrfToken} />
      <button class="link">Entered in error</button>
    </form>
  );
}

function Actions(p: { base: string; instruments: Instrument[] }) {
  return (
    <div class="progress-actions">
      <span>Administer:</span>
      {p.instruments.map((i) => (
        <a class="button secondary" href={`${p.base}/measures/new?instrument=${encodeURIComponent(i.code)}`}>
          {i.name}
        </a>
      ))}
      <a class="button secondary" href={`${p.base}/goals/new`}>
        Add goal
      </a>
      <a class="button secondary" href={`${p.base}/labs/new`}>
        Add lab value
      </a>
    </div>
  );
}

/** The latest result of each questionnaire, when it raised a flag: shown first, not buried in a table. */
function SafetyFlags(p: { responses: MeasureResponse[]; dateOf: (ms: number) => string }) {
  const seen = new Set<string>();
  const flagged: { r: MeasureResponse; flags: string[] }[] = [];
  for (const r of p.responses) {
    if (r.status !== "final" || seen.has(r.instrument)) continue;
    seen.add(r.instrument);
    const flags = flagsOf(r);
    if (flags.length) flagged.push({ r, flags });
  }
  if (!flagged.length) return null;
  return (
    <Alert kind="error">
      {flagged.map(({ r, flags }) => (
        <p>
          <strong>
            {r.instrumentName} on {shortDate(p.dateOf(r.takenAt))}:
          </strong>{" "}
          {flags.join("; ")}
        </p>
      ))}
    </Alert>
  );
}

function Goals(p: ProgressPageProps & { base: string }) {
  if (!p.goals.length) return <p class="muted">No goals yet.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Goal</th>
            <th scope="col">Target</th>
            <th scope="col">Latest</th>
            <th scope="col">Status</th>
            {p.canWrite && <th scope="col"><span class="hint">Edit</span></th>}
          </tr>
        </thead>
        <tbody>
          {p.goals.map(({ goal: g, progress: gp }) => (
            <tr class={g.status === "active" ? undefined : "done"}>
              <td>
                {g.description}
                {gp.measureName && <div class="hint">Tracks {gp.measureName}</div>}
              </td>
              <td>
                {g.targetValue !== null ? `${g.targetDirection === "above" ? "≥" : "≤"} ${g.targetValue}${gp.unit ? ` ${gp.unit}` : ""}` : "–"}
                {g.targetDate && <div class="hint">by {shortDate(g.targetDate)}</div>}
              </td>
              <td>
                {gp.latest ? (
                  <>
                    {formatNumber(gp.latest.value, 2)}
                    {gp.unit ? ` ${gp.unit}` : ""} <span class="hint">on {shortDate(gp.latest.date)}</span>
                    {gp.reached !== null && <div class={gp.reached ? "reached" : "not-reached"}>{gp.reached ? "Target reached" : "Not reached yet"}</div>}
                  </>
                ) : gp.measureName ? (
                  <span class="muted">No value yet</span>
                ) : (
                  "–"
                )}
              </td>
              <td>{STATUS[g.status] ?? g.status}</td>
              {p.canWrite && (
                <td>
                  <a href={`${p.base}/goals/${g.id}/edit`} aria-label={`Edit goal: ${g.description}`}>
                    Edit
                  </a>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RecentResults(p: ProgressPageProps & { base: string }) {
  const recent = p.data.responses.slice(0, 10);
  if (!recent.length) return <p class="muted">No questionnaires recorded yet.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Questionnaire</th>
            <th scope="col">Score</th>
            <th scope="col">Severity</th>
            <th scope="col">Flags</th>
            {p.canWrite && <th scope="col"><span class="hint">Correct</span></th>}
          </tr>
        </thead>
        <tbody>
          {recent.map((r) => {
            const err = r.status === "entered_in_error";
            const flags = flagsOf(r);
            return (
              <tr class={err ? "in-error" : undefined}>
                <td class="nowrap">{shortDate(p.dateOf(r.takenAt))}</td>
                <td>{r.instrumentName}</td>
                <td>{r.score}</td>
                <td>{r.severity}</td>
                <td>{flags.length ? <strong class="flag">{flags.join("; ")}</strong> : ""}</td>
                {p.canWrite && (
                  <td>{err ? <span class="hint">Entered in error</span> : <ErrorButton action={`${p.base}/measures/${r.id}/error`} csrfToken={p.csrfToken} what="result" />}</td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function RecentLabs(p: ProgressPageProps & { base: string; labs: LabResult[] }) {
  return (
    <div class="table-wrap">
      <table class="dense">
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Test</th>
            <th scope="col">Value</th>
            <th scope="col">Reference</th>
            <th scope="col">Flag</th>
            {p.canWrite && <th scope="col"><span class="hint">Correct</span></th>}
          </tr>
        </thead>
        <tbody>
          {p.labs.map((l) => {
            const err = l.status === "entered_in_error";
            return (
              <tr class={err ? "in-error" : l.flag === "H" || l.flag === "L" ? "al" : undefined}>
                <td class="nowrap">{shortDate(p.dateOf(l.observedAt))}</td>
                <td>{l.name}</td>
                <td>
                  {l.valueNum !== null ? formatNumber(l.valueNum, 2) : (l.valueText ?? "")} {l.unit ?? ""}
                </td>
                <td>{rangeText(l.refLow, l.refHigh)}</td>
                <td>{l.flag ?? ""}</td>
                {p.canWrite && (
                  <td>
                    {err ? (
                      <span class="hint">Entered in error</span>
                    ) : l.source === "manual" ? (
                      <ErrorButton action={`${p.base}/labs/${l.id}/error`} csrfToken={p.csrfToken} what="lab value" />
                    ) : (
                      ""
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function ProgressPage(p: ProgressPageProps) {
  const base = `/patients/${p.data.header.patientId}/progress`;
  const usable = p.data.instruments.filter((i) => !i.archived);
  const labs = p.data.labs.slice(0, 10);
  return (
    <ChartFrame h={p.data.header} today={p.today} active="progress">
      <div class="page-head">
        <h2>Progress</h2>
        {p.canManageQuestionnaires && <a href="/settings/questionnaires">Clinic questionnaires</a>}
      </div>
      {p.saved && SAVED[p.saved] && <Alert kind="ok">{SAVED[p.saved]}</Alert>}
      <SafetyFlags responses={p.data.responses} dateOf={p.dateOf} />
      {p.canWrite && <Actions base={base} instruments={usable} />}
      <h2>Goals</h2>
      <Goals {...p} base={base} />
      <h2>Recent questionnaires</h2>
      <RecentResults {...p} base={base} />
      <h2>Trends</h2>
      {p.trends.length ? p.trends.map((t) => <TrendFigure t={t} />) : <p class="muted">Nothing to chart yet: questionnaires, vitals and lab values appear here.</p>}
      {labs.length > 0 && (
        <>
          <h2>Recent lab values</h2>
          <RecentLabs {...p} base={base} labs={labs} />
        </>
      )}
    </ChartFrame>
  );
}
