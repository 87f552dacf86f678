/**
 * Administering a questionnaire: one radio group per item (whole rows are touch targets), the
 * unscored difficulty question when the instrument has one, and the date taken. Works without
 * JavaScript; errors name the item and sit next to it.
 */
import type { ChartHeaderData } from "../../src/charting/header";
import type { Instrument } from "../../src/progress/instruments";
import { ChartFrame } from "../charting/frame";
import { Alert, CsrfField, Field } from "../components/form";

export interface MeasureFormProps {
  header: ChartHeaderData;
  today: string;
  instrument: Instrument;
  action: string;
  cancelHref: string;
  csrfToken: string;
  values: Record<string, string>;
  errors?: Record<string, string>;
}

function RadioGroup(p: { name: string; legend: string; options: { value: string; label: string; points?: number }[]; value?: string; error?: string; required?: boolean }) {
  const errId = `${p.name}-error`;
  return (
    <fieldset class="q" id={p.name}>
      <legend>{p.legend}</legend>
      {p.error && (
        <div class="error" id={errId}>
          {p.error}
        </div>
      )}
      <div class="q-opts">
        {p.options.map((o) => (
          <label class="q-opt">
            <input
              type="radio"
              name={p.name}
              value={o.value}
              checked={p.value === o.value}
              required={p.required}
              aria-invalid={p.error ? "true" : undefined}
              aria-describedby={p.error ? errId : undefined}
            />
            <span>{o.label}</span>
            {o.points !== undefined && <span class="pts">{o.points}</span>}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function MeasureForm(p: MeasureFormProps) {
  const i = p.instrument;
  const e = p.errors ?? {};
  const itemErrors = i.items.map((_, k) => `q${k + 1}`).filter((k) => e[k]);
  const options = i.options.map((o) => ({ value: String(o.points), label: o.label, points: o.points }));
  return (
    <ChartFrame h={p.header} today={p.today} active="progress">
      <h2>{i.name}</h2>
      {Object.keys(e).length > 0 && (
        <Alert kind="error">
          <p>Nothing was saved yet. {itemErrors.length === 1 ? "One answer needs attention:" : itemErrors.length > 1 ? `${itemErrors.length} answers need attention:` : ""}</p>
          {itemErrors.length > 0 && (
            <ul>
              {itemErrors.map((k) => (
                <li>
                  <a href={`#${k}`}>{e[k]}</a>
                </li>
              ))}
            </ul>
          )}
        </Alert>
      )}
      <form method="post" action={p.action} class="measure">
        <CsrfField token={p.csrfToken} />
        {i.stem && <p class="stem">{i.stem}</p>}
        {i.items.map((text, k) => (
          <RadioGroup name={`q${k + 1}`} legend={`${k + 1}. ${text}`} options={options} value={p.values[`q${k + 1}`]} error={e[`q${k + 1}`]} required />
        ))}
        {i.difficulty && (
          <RadioGroup
            name="difficulty"
            legend={`${i.difficulty.question} (not scored)`}
            options={i.difficulty.options.map((label, k) => ({ value: String(k), label }))}
            value={p.values.difficulty}
            error={e.difficulty}
          />
        )}
        <div class="grid">
          <Field name="taken_on" type="date" label="Date taken" value={p.values.taken_on ?? p.today} error={e.taken_on} required />
        </div>
        <div class="actions">
          <button type="submit">Save {i.name}</button>
          <a href={p.cancelHref}>Cancel</a>
        </div>
      </form>
    </ChartFrame>
  );
}
