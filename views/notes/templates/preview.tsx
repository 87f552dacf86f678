/** A template as a note form, every input disabled: what a clinician will see when charting. */
import type { TemplateDefinition, TemplateField } from "../../../src/notes/model";
import type { Instrument } from "../../../src/notes/templates";
import { FieldInput } from "../fields";
import { SOURCE_NAMES } from "./parts";

function placeholder(f: TemplateField, instruments: Instrument[]): string {
  if (f.type === "vitals") return "The vital signs recorded in the encounter are shown here.";
  if (f.type === "questionnaire") {
    const name = instruments.find((i) => i.code === f.instrument)?.name ?? f.instrument;
    return `The ${name} questionnaire is given and scored here.`;
  }
  const source = f.source ? SOURCE_NAMES[f.source].toLowerCase() : "chart data";
  return `The patient's ${source} are inserted here, as they are when the note is signed.`;
}

export function TemplatePreview(p: { name: string; description: string | null; definition: TemplateDefinition; instruments: Instrument[]; back: string; backLabel: string }) {
  return (
    <>
      <p class="crumb">
        <a href={p.back}>← {p.backLabel}</a>
      </p>
      <h1>Preview: {p.name}</h1>
      {p.description && <p>{p.description}</p>}
      <p class="muted">This is the note form a clinician fills in from this template. Nothing here can be typed into.</p>
      {p.definition.sections.length === 0 && <p class="muted">This template has no sections yet.</p>}
      {p.definition.sections.map((s) => (
        <section class="card tb-preview" aria-labelledby={`pv-${s.key}`}>
          <h2 id={`pv-${s.key}`}>{s.title}</h2>
          {s.fields.length === 0 && <p class="muted">No fields.</p>}
          {s.fields.map((f) => (
            <FieldInput field={f} value={undefined} disabled embedded={<p class="muted tb-embedded">{placeholder(f, p.instruments)}</p>} />
          ))}
        </section>
      ))}
    </>
  );
}
