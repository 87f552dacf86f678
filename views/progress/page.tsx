/**
 * The progress page of a chart: safety flags of the latest questionnaires, goals with the latest
 * value of what they track, recent questionnaire results, a trend per measure with data, and
 * recent lab values.
 */
import { ChartFrame } from "../charting/frame";
import { Alert } from "../components/form";
import { DataTable, type PostAction, RowActions } from "../components/table";
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

/** A row's one-button form that marks it entered in error (confirmed first when JavaScript runs). */
function errorAction(action: string, what: string): PostAction {
  return {
    post: action,
    label: "Entered in error",
    look: "link",
    attrs: { "hx-post": action, "hx-confirm": `Mark this ${what} as entered in error? It stays in the record, struck through.` },
  };
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
  return (
    <DataTable
      rows={p.goals}
      rowKey={({ goal }) => goal.id}
      empty="No goals yet."
      rowClass={({ goal }) => (goal.status === "active" ? undefined : "done")}
      columns={[
        {
          header: "Goal",
          cell: ({ goal: g, progress: gp }) => (
            <>
              {g.description}
              {gp.measureName && <div class="hint">Tracks {gp.measureName}</div>}
            </>
          ),
        },
        {
          header: "Target",
          cell: ({ goal: g, progress: gp }) => (
            <>
              {g.targetValue !== null ? `${g.targetDirection === "above" ? "≥" : "≤"} ${g.targetValue}${gp.unit ? ` ${gp.unit}` : ""}` : "–"}
              {g.targetDate && <div class="hint">by {shortDate(g.targetDate)}</div>}
            </>
          ),
        },
        {
          header: "Latest",
          cell: ({ progress: gp }) =>
            gp.latest ? (
              <>
                {formatNumber(gp.latest.value, 2)}
                {gp.unit ? ` ${gp.unit}` : ""} <span class="hint">on {shortDate(gp.latest.date)}</span>
                {gp.reached !== null && <div class={gp.reached ? "reached" : "not-reached"}>{gp.reached ? "Target reached" : "Not reached yet"}</div>}
              </>
            ) : gp.measureName ? (
              <span class="muted">No value yet</span>
            ) : (
              "–"
            ),
        },
        { header: "Status", cell: ({ goal: g }) => STATUS[g.status] ?? g.status },
        p.canWrite && {
          header: <span class="hint">Edit</span>,
          cell: ({ goal: g }) => (
            <a href={`${p.base}/goals/${g.id}/edit`} aria-label={`Edit goal: ${g.description}`}>
              Edit
            </a>
          ),
        },
      ]}
    />
  );
}

function RecentResults(p: ProgressPageProps & { base: string }) {
  const recent = p.data.responses.slice(0, 10);
  return (
    <DataTable
      rows={recent}
      rowKey={(r) => r.id}
      empty="No questionnaires recorded yet."
      rowClass={(r) => (r.status === "entered_in_error" ? "in-error" : undefined)}
      columns={[
        { header: "Date", class: "nowrap", cell: (r) => shortDate(p.dateOf(r.takenAt)) },
        { header: "Questionnaire", cell: (r) => r.instrumentName },
        { header: "Score", cell: (r) => r.score },
        { header: "Severity", cell: (r) => r.severity },
        {
          header: "Flags",
          cell: (r) => {
            const flags = flagsOf(r);
            return flags.length ? <strong class="flag">{flags.join("; ")}</strong> : "";
          },
        },
        p.canWrite && {
          header: <span class="hint">Correct</span>,
          cell: (r) =>
            r.status === "entered_in_error" ? (
              <span class="hint">Entered in error</span>
            ) : (
              <RowActions csrfToken={p.csrfToken} actions={[errorAction(`${p.base}/measures/${r.id}/error`, "result")]} />
            ),
        },
      ]}
    />
  );
}

function RecentLabs(p: ProgressPageProps & { base: string; labs: LabResult[] }) {
  return (
    <DataTable
      class="dense"
      rows={p.labs}
      rowKey={(l) => l.id}
      rowClass={(l) => (l.status === "entered_in_error" ? "in-error" : l.flag === "H" || l.flag === "L" ? "al" : undefined)}
      columns={[
        { header: "Date", class: "nowrap", cell: (l) => shortDate(p.dateOf(l.observedAt)) },
        { header: "Test", cell: (l) => l.name },
        {
          header: "Value",
          cell: (l) => (
            <>
              {l.valueNum !== null ? formatNumber(l.valueNum, 2) : (l.valueText ?? "")} {l.unit ?? ""}
            </>
          ),
        },
        { header: "Reference", cell: (l) => rangeText(l.refLow, l.refHigh) },
        { header: "Flag", cell: (l) => l.flag ?? "" },
        p.canWrite && {
          header: <span class="hint">Correct</span>,
          cell: (l) =>
            l.status === "entered_in_error" ? (
              <span class="hint">Entered in error</span>
            ) : l.source === "manual" ? (
              <RowActions csrfToken={p.csrfToken} actions={[errorAction(`${p.base}/labs/${l.id}/error`, "lab value")]} />
            ) : (
              ""
            ),
        },
      ]}
    />
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
