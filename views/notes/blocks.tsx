/**
 * The chart data embedded in a note (and on the encounter page): vital signs, questionnaire
 * scores, and the problem, medication and allergy lists. The same components show the live data
 * of a draft and the snapshot frozen in a signed note.
 */
import type { ComponentChildren } from "preact";
import type { MeasureSnapshot, NoteBlocks, VitalsSnapshot } from "../../src/notes/blocks";
import type { TemplateField } from "../../src/notes/model";
import { formatDate, formatInstant } from "../components/format";
import { VitalsTable } from "../charting/vitals-table";

/** The encounter's vital signs (live, or as signed), in the chart's vitals table. */
export function VitalsBlock({ rows, timezone }: { rows: VitalsSnapshot[]; timezone: string }) {
  if (rows.length === 0) return <p class="muted">No vital signs recorded in this encounter.</p>;
  return <VitalsTable rows={rows.map((v, i) => ({ ...v, id: String(i), note: null, takenAt: Date.parse(v.takenAt) }))} timezone={timezone} />;
}

/** Scores of questionnaires given in the encounter. */
export function MeasuresBlock({ rows, timezone, empty }: { rows: MeasureSnapshot[]; timezone: string; empty: string }) {
  if (rows.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul class="plain block-list">
      {rows.map((m) => (
        <li>
          <strong>{m.instrumentName}</strong>: {m.score} points, {m.severity}
          {m.flags.length > 0 && <span class="vflag"> {m.flags.join("; ")}</span>}
          <span class="hint"> · {formatInstant(m.takenAt, timezone)}</span>
        </li>
      ))}
    </ul>
  );
}

function ListBlock({ items, empty }: { items: ComponentChildren[]; empty: string }) {
  if (items.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul class="plain block-list">
      {items.map((i) => (
        <li>{i}</li>
      ))}
    </ul>
  );
}

/** Where the editor sends the clinician to record what a block shows; absent once signed. */
export interface BlockLinks {
  patientId: string;
  encounterId: string;
  /** Where to come back to after recording. */
  returnTo: string;
  /** The editor form's save address: leaving through a block saves the draft there first. */
  saveTo: string;
}

/**
 * A submit button of the editor form that saves the draft, then goes to `to` (the server follows
 * `next` after a successful save), so nothing typed is lost, with or without JavaScript.
 */
function SaveAndGo({ links, to, class: cls, children }: { links: BlockLinks; to: string; class: string; children: ComponentChildren }) {
  return (
    <button type="submit" class={cls} formaction={`${links.saveTo}?next=${encodeURIComponent(to)}`}>
      {children}
    </button>
  );
}

/** The embedded content of a vitals, questionnaire or chart-insert field. */
export function Embedded({ field, blocks, timezone, links }: { field: TemplateField; blocks: NoteBlocks; timezone: string; links?: BlockLinks }) {
  const back = links ? `&return=${encodeURIComponent(links.returnTo)}` : "";
  if (field.type === "vitals") {
    return (
      <>
        <VitalsBlock rows={blocks.vitals ?? []} timezone={timezone} />
        {links && (
          <p>
            <SaveAndGo class="secondary" links={links} to={`/patients/${links.patientId}/chart/vitals/new?encounter=${links.encounterId}${back}`}>
              Record vitals
            </SaveAndGo>
          </p>
        )}
      </>
    );
  }
  if (field.type === "questionnaire") {
    const code = field.instrument ?? "";
    return (
      <>
        <MeasuresBlock rows={(blocks.questionnaires ?? []).filter((m) => m.instrument === code)} timezone={timezone} empty="Not administered in this encounter." />
        {links && (
          <p>
            <SaveAndGo
              class="secondary"
              links={links}
              to={`/patients/${links.patientId}/progress/measures/new?instrument=${encodeURIComponent(code)}&encounter=${links.encounterId}${back}`}
            >
              Administer
            </SaveAndGo>
          </p>
        )}
      </>
    );
  }
  const source = field.source;
  const list =
    source === "problems" ? (
      <ListBlock
        items={(blocks.problems ?? []).map((p) => (
          <>
            {p.code && <code>{p.code}</code>} {p.description}
            {p.onsetDate && <span class="hint"> · since {formatDate(p.onsetDate)}</span>}
          </>
        ))}
        empty="No active problems."
      />
    ) : source === "medications" ? (
      <ListBlock
        items={(blocks.medications ?? []).map((m) => (
          <>
            <strong>{m.name}</strong>
            {[m.dose, m.route, m.frequency].filter(Boolean).length > 0 && ` ${[m.dose, m.route, m.frequency].filter(Boolean).join(" ")}`}
            {m.prescriber && <span class="hint"> · {m.prescriber}</span>}
          </>
        ))}
        empty="No active medications."
      />
    ) : (
      <ListBlock
        items={(blocks.allergies ?? []).map((a) => (
          <>
            <strong>{a.substance}</strong> ({a.category}){a.reaction ? `: ${a.reaction}` : ""}
            {a.severity !== "unknown" && <span class="hint"> · {a.severity}</span>}
          </>
        ))}
        empty="No active allergies recorded."
      />
    );
  return (
    <>
      {list}
      {links && (
        <p class="hint">
          As the chart is now; a snapshot is taken when you sign.{" "}
          <SaveAndGo class="link" links={links} to={`/patients/${links.patientId}/chart/${source ?? "problems"}`}>
            Open the {source ?? "problem"} list
          </SaveAndGo>
        </p>
      )}
    </>
  );
}
