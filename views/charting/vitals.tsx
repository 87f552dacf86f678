/** The vitals page (every set, flagged) and the form that records a set, with a unit beside each measure. */
import type { VitalsSet } from "../../src/charting/vitals-service";
import type { FieldErrors } from "../../src/platform/errors";
import { CsrfField, describedBy, FieldFrame, PostButton, TextAreaField } from "../components/form";
import { Empty, FormProblems, Section, shortInstant } from "./parts";
import { VitalsTable } from "./vitals-table";

export function VitalsPage(p: { pid: string; rows: VitalsSet[]; timezone: string; csrf: string; canWrite: boolean; saved: boolean }) {
  const base = `/patients/${p.pid}/chart/vitals`;
  const current = p.rows.filter((r) => r.status !== "entered_in_error");
  const inError = p.rows.filter((r) => r.status === "entered_in_error");
  return (
    <>
      {p.saved && <p class="alert ok" role="status">Saved.</p>}
      <Section
        id="vitals"
        title="Vital signs"
        action={
          p.canWrite && (
            <a class="button" href={`${base}/new`}>
              Record vitals
            </a>
          )
        }
      >
        {current.length ? (
          <VitalsTable
            rows={current}
            timezone={p.timezone}
            actions={p.canWrite ? (r) => <PostButton action={`${base}/${r.id}/error`} csrfToken={p.csrf} label="Entered in error" /> : undefined}
          />
        ) : (
          <Empty>No vitals recorded.</Empty>
        )}
        <p class="hint">Trends of blood pressure, weight and BMI are on the Progress tab.</p>
        {inError.length > 0 && (
          <details>
            <summary>Entered in error ({inError.length})</summary>
            <VitalsTable rows={inError} timezone={p.timezone} />
          </details>
        )}
      </Section>
    </>
  );
}

/** A number input with its unit: a fixed one, or a select of the units accepted. */
function Measure(p: { name: string; label: string; value?: string; error?: string; unit: string | { name: string; value: string; options: [string, string][] }; hint?: string; decimals?: boolean }) {
  const id = `f-${p.name}`;
  const unit = p.unit;
  return (
    <FieldFrame id={id} label={p.label} hint={p.hint} error={p.error}>
      <div class="with-unit">
        <input
          id={id}
          name={p.name}
          inputmode={p.decimals ? "decimal" : "numeric"}
          value={p.value ?? ""}
          autocomplete="off"
          aria-invalid={p.error ? "true" : undefined}
          aria-describedby={describedBy(id, p.hint, p.error)}
        />
        {typeof unit === "string" ? (
          <span class="unit">{unit}</span>
        ) : (
          <select name={unit.name} aria-label={`${p.label} unit`}>
            {unit.options.map(([v, l]) => (
              <option value={v} selected={v === unit.value}>
                {l}
              </option>
            ))}
          </select>
        )}
      </div>
    </FieldFrame>
  );
}

export function VitalsFormPage(p: {
  pid: string;
  csrf: string;
  action: string;
  cancelHref: string;
  values: Record<string, string>;
  errors?: FieldErrors;
  encounter: { startedAt: number; reason: string | null } | null;
  timezone: string;
}) {
  const v = p.values;
  const e = p.errors ?? {};
  return (
    <Section id="record-vitals" title="Record vitals">
      {p.encounter && (
        <p class="hint">
          For the visit of {shortInstant(p.encounter.startedAt, p.timezone)}
          {p.encounter.reason ? ` (${p.encounter.reason})` : ""}.
        </p>
      )}
      <form method="post" action={p.action} novalidate>
        <CsrfField token={p.csrf} />
        <FormProblems errors={e} />
        <fieldset>
          <legend>Measurements</legend>
          <div class="grid">
            <Measure name="systolic" label="Systolic pressure" value={v.systolic} error={e.systolic} unit="mmHg" />
            <Measure name="diastolic" label="Diastolic pressure" value={v.diastolic} error={e.diastolic} unit="mmHg" />
            <Measure name="pulse" label="Pulse" value={v.pulse} error={e.pulse} unit="/min" />
            <Measure
              name="temperature"
              label="Temperature"
              value={v.temperature}
              error={e.temperature}
              decimals
              unit={{ name: "temperature_unit", value: v.temperature_unit || "C", options: [["C", "°C"], ["F", "°F"]] }}
            />
            <Measure name="respiratory_rate" label="Respiratory rate" value={v.respiratory_rate} error={e.respiratory_rate} unit="/min" />
            <Measure name="spo2" label="Oxygen saturation (SpO2)" value={v.spo2} error={e.spo2} unit="%" />
            <Measure
              name="height"
              label="Height"
              value={v.height}
              error={e.height}
              decimals
              unit={{ name: "height_unit", value: v.height_unit || "cm", options: [["cm", "cm"], ["in", "in"]] }}
              hint="Empty: BMI uses the latest height on record"
            />
            <Measure
              name="weight"
              label="Weight"
              value={v.weight}
              error={e.weight}
              decimals
              unit={{ name: "weight_unit", value: v.weight_unit || "kg", options: [["kg", "kg"], ["lb", "lb"]] }}
            />
            <Measure name="pain_score" label="Pain score" value={v.pain_score} error={e.pain_score} unit="/10" hint="0 (none) to 10 (worst)" />
          </div>
        </fieldset>
        <fieldset>
          <legend>When</legend>
          <p class="hint">Leave empty for now.</p>
          <div class="grid">
            <div class="field">
              <label for="f-taken_date">Date taken</label>
              <input id="f-taken_date" name="taken_date" type="date" value={v.taken_date ?? ""} aria-invalid={e.taken_date ? "true" : undefined} />
              {e.taken_date && <div class="error">{e.taken_date}</div>}
            </div>
            <div class="field">
              <label for="f-taken_time">Time taken</label>
              <input id="f-taken_time" name="taken_time" type="time" value={v.taken_time ?? ""} aria-invalid={e.taken_time ? "true" : undefined} />
              {e.taken_time && <div class="error">{e.taken_time}</div>}
            </div>
          </div>
        </fieldset>
        <TextAreaField name="note" label="Note" value={v.note} error={e.note} rows={2} maxLength={500} hint="e.g. Left arm, seated, after 5 minutes' rest" />
        <div class="actions">
          <button type="submit">Save vitals</button>
          <a href={p.cancelHref}>Cancel</a>
        </div>
      </form>
    </Section>
  );
}
