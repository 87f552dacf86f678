/** The chart timeline: filter links, the items newest first, and an "Older" link (htmx appends the next page in place). */
import { TIMELINE_KINDS, type TimelineItem, type TimelineKind } from "../../src/charting/timeline";
import { label, shortInstant } from "./parts";
import { vitalText } from "./vitals-table";
import type { VitalsValues } from "../../src/charting/vitals";

export const MORE_ID = "timeline-more";

const KIND_LABEL: Record<TimelineItem["kind"], string> = {
  note: "Note",
  encounter: "Visit",
  result: "Result",
  prescription: "Prescription",
  document: "Document",
  questionnaire: "Questionnaire",
  vitals: "Vitals",
};

type Data = Record<string, string | number | null>;

function parse(data: string): Data {
  try {
    return JSON.parse(data) as Data;
  } catch {
    return {};
  }
}

function ItemBody({ item, pid }: { item: TimelineItem; pid: string }) {
  const d = parse(item.data);
  switch (item.kind) {
    case "note":
      return (
        <>
          <a href={`/notes/${item.id}`}>{item.title}</a> <span class="hint">{label(String(d.status ?? "draft"))} · {d.author}</span>
        </>
      );
    case "encounter":
      return (
        <>
          <a href={`/encounters/${item.id}`}>{item.title}</a> <span class="hint">{d.author} · {d.open ? "open, no note yet" : "no note"}</span>
        </>
      );
    case "result":
      return (
        <>
          {item.title}: <strong>{d.value ?? d.text ?? "—"}</strong> {d.unit}
          {d.flag && d.flag !== "N" && <span class="flag flag-high"> {d.flag === "H" ? "High" : d.flag === "L" ? "Low" : "Abnormal"}</span>}
        </>
      );
    case "prescription":
      return (
        <>
          <a href={`/patients/${pid}/chart/medications`}>{item.title}</a> <span class="hint">{[d.dose, d.route, d.frequency, d.prescriber, d.status && label(String(d.status))].filter(Boolean).join(" · ")}</span>
        </>
      );
    case "document":
      return (
        <>
          <a href={`/patients/${pid}/documents/${item.id}`}>{item.title}</a> <span class="hint">{label(String(d.category ?? ""))} · {d.by}</span>
        </>
      );
    case "questionnaire":
      return (
        <>
          <a href={`/patients/${pid}/progress`}>{item.title}</a>: score <strong>{d.score}</strong> <span class="hint">{d.severity}</span>
          {String(d.flags ?? "").replace(/[[\]"\s,]/g, "") !== "" && <span class="flag flag-critical"> Needs attention</span>}
        </>
      );
    case "vitals": {
      const v = d as unknown as VitalsValues;
      const parts = (["systolic", "pulse", "temperatureC", "spo2", "weightKg", "bmi"] as const).map((k) => [k, vitalText(k, v)] as const).filter(([, t]) => t !== "—");
      return (
        <>
          <a href={`/patients/${pid}/chart/vitals`}>Vital signs</a> <span class="hint">{parts.map(([k, t]) => `${k === "bmi" ? "BMI " : ""}${t}`).join(" · ")}</span>
        </>
      );
    }
  }
}

/** A page of items and the link to the next one; htmx swaps this in place of the previous link. */
export function TimelineItems(p: { items: TimelineItem[]; pid: string; timezone: string; more: boolean; kind: TimelineKind | null }) {
  const last = p.items[p.items.length - 1];
  const next = last ? `/patients/${p.pid}/chart/timeline?${new URLSearchParams({ ...(p.kind ? { kind: p.kind } : {}), before: `${last.at}_${last.id}` })}` : "";
  return (
    <>
      <ol class="timeline">
        {p.items.map((item) => (
          <li class={`tl-${item.kind}`}>
            <span class="tl-when">{shortInstant(item.at, p.timezone)}</span> <span class="tl-kind">{KIND_LABEL[item.kind]}</span> <ItemBody item={item} pid={p.pid} />
          </li>
        ))}
      </ol>
      {p.more && last && (
        <div id={MORE_ID}>
          <a href={next} hx-get={next} hx-target={`#${MORE_ID}`} hx-swap="outerHTML">
            Older
          </a>
        </div>
      )}
    </>
  );
}

export function TimelinePage(p: { items: TimelineItem[]; pid: string; timezone: string; more: boolean; kind: TimelineKind | null; older: boolean }) {
  const href = (k: TimelineKind | null) => `/patients/${p.pid}/chart/timeline${k ? `?kind=${k}` : ""}`;
  return (
    <>
      <nav class="filters" aria-label="Show">
        <a href={href(null)} aria-current={p.kind === null ? "page" : undefined}>
          Everything
        </a>
        {TIMELINE_KINDS.map((k) => (
          <a href={href(k)} aria-current={p.kind === k ? "page" : undefined}>
            {label(k)}
          </a>
        ))}
      </nav>
      {p.older && (
        <p class="hint">
          Older items. <a href={href(p.kind)}>Back to the newest</a>
        </p>
      )}
      {p.items.length ? <TimelineItems {...p} /> : <p class="muted">Nothing {p.older ? "older " : ""}in the chart{p.kind ? ` under ${p.kind}` : ""} yet.</p>}
    </>
  );
}
