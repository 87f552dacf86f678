/** The frame of every chart page: the patient header (allergy banner, alerts) and the chart's tabs. */
import type { ComponentChildren } from "preact";
import type { ChartHeaderData } from "../../src/charting/header";
import { ageOn, formatDate } from "../components/format";

export type ChartTab = "summary" | "timeline" | "problems" | "allergies" | "medications" | "immunizations" | "vitals" | "history" | "alerts" | "progress" | "documents" | "encounter";

const TABS: { key: ChartTab; label: string; path: string; clinical: boolean }[] = [
  { key: "summary", label: "Summary", path: "chart", clinical: true },
  { key: "timeline", label: "Timeline", path: "chart/timeline", clinical: true },
  { key: "problems", label: "Problems", path: "chart/problems", clinical: true },
  { key: "allergies", label: "Allergies", path: "chart/allergies", clinical: true },
  { key: "medications", label: "Medications", path: "chart/medications", clinical: true },
  { key: "immunizations", label: "Immunizations", path: "chart/immunizations", clinical: true },
  { key: "vitals", label: "Vitals", path: "chart/vitals", clinical: true },
  { key: "history", label: "History", path: "chart/history", clinical: true },
  { key: "alerts", label: "Alerts", path: "chart/alerts", clinical: true },
  { key: "progress", label: "Progress", path: "progress", clinical: true },
  { key: "documents", label: "Documents", path: "documents", clinical: false },
];

const SEX: Record<string, string> = { female: "F", male: "M", intersex: "X", unknown: "U" };

export function ChartHeader({ h, today }: { h: ChartHeaderData; today: string }) {
  return (
    <header class="chart-head">
      <h1>
        <a href={`/patients/${h.patientId}`}>{h.name}</a>
        {h.preferredName && <span class="hint"> “{h.preferredName}”</span>}
      </h1>
      <p class="chart-facts">
        {ageOn(h.dateOfBirth, today)} y · {SEX[h.sexAtBirth] ?? h.sexAtBirth} · born {formatDate(h.dateOfBirth)}
      </p>
      {h.clinical && (
        <p class={h.allergies.length ? "allergy-banner" : "allergy-banner none"} role="note" aria-label="Allergies">
          <strong>Allergies:</strong>{" "}
          {h.allergies.length
            ? h.allergies.map((a, i) => (
                <>
                  {i > 0 && "; "}
                  <span class={`sev-${a.severity}`}>
                    {a.substance}
                    {a.reaction ? ` (${a.reaction}${a.severity !== "unknown" ? `, ${a.severity}` : ""})` : a.severity !== "unknown" ? ` (${a.severity})` : ""}
                  </span>
                </>
              ))
            : h.allergiesRecorded
              ? "No active allergies"
              : "Not recorded"}
        </p>
      )}
      {h.alerts.length > 0 && (
        <ul class="chart-alerts" aria-label="Alerts">
          {h.alerts.map((a) => (
            <li class={`alert-${a.severity}`}>{a.text}</li>
          ))}
        </ul>
      )}
    </header>
  );
}

/** Header, tabs (those the viewer may open) and the page's content. */
export function ChartFrame(p: { h: ChartHeaderData; today: string; active: ChartTab; children: ComponentChildren }) {
  const tabs = TABS.filter((t) => p.h.clinical || !t.clinical);
  return (
    <>
      <ChartHeader h={p.h} today={p.today} />
      <nav class="chart-tabs" aria-label="Chart">
        <ul>
          {tabs.map((t) => (
            <li>
              <a href={`/patients/${p.h.patientId}/${t.path}`} aria-current={t.key === p.active ? "page" : undefined}>
                {t.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="chart-body">{p.children}</div>
    </>
  );
}
