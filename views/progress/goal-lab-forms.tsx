/** The goal form (create and edit, with a version check) and the hand-entered lab value form. */
import type { ChartHeaderData } from "../../src/charting/header";
import { LAB_TESTS } from "../../src/progress/labs";
import type { MeasureChoice } from "../../src/progress/measures";
import type { Goal } from "../../src/progress/repo";
import type { GoalFormValues, LabFormValues } from "../../src/progress/input";
import { ChartFrame } from "../charting/frame";
import { Alert, CsrfField, describedBy, Field, FieldFrame, SelectField, TextAreaField } from "../components/form";

/** The count of fields to fix, and a version conflict, above a form. */
export function Errors({ errors, conflict }: { errors: Record<string, string>; conflict?: string }) {
  const n = Object.keys(errors).length;
  return (
    <>
      {n > 0 && <Alert kind="error">{n === 1 ? "One field needs attention" : `${n} fields need attention`}: nothing was saved yet.</Alert>}
      {conflict && <Alert kind="error">{conflict}</Alert>}
    </>
  );
}

/** A select with option groups (the shared SelectField has none). */
function GroupedSelect(p: { name: string; label: string; value?: string; error?: string; groups: { label: string; options: { value: string; label: string }[] }[]; blank: string; hint?: string }) {
  const id = `f-${p.name}`;
  return (
    <FieldFrame id={id} label={p.label} hint={p.hint} error={p.error}>
      <select id={id} name={p.name} aria-invalid={p.error ? "true" : undefined} aria-describedby={describedBy(id, p.hint, p.error)}>
        <option value="">{p.blank}</option>
        {p.groups
          .filter((g) => g.options.length)
          .map((g) => (
            <optgroup label={g.label}>
              {g.options.map((o) => (
                <option value={o.value} selected={o.value === (p.value ?? "")}>
                  {o.label}
                </option>
              ))}
            </optgroup>
          ))}
      </select>
    </FieldFrame>
  );
}

export function goalToForm(g: Goal): GoalFormValues {
  return {
    description: g.description,
    measure: g.measure ?? "",
    target_value: g.targetValue === null ? "" : String(g.targetValue),
    target_direction: g.targetDirection ?? "",
    target_date: g.targetDate ?? "",
    status: g.status,
    note: g.note ?? "",
  };
}

export interface GoalFormProps {
  header: ChartHeaderData;
  today: string;
  csrfToken: string;
  action: string;
  cancelHref: string;
  measures: MeasureChoice[];
  values: GoalFormValues;
  version?: number;
  errors?: Record<string, string>;
  conflict?: string;
}

export function GoalForm(p: GoalFormProps) {
  const v = p.values;
  const e = p.errors ?? {};
  const group = (kind: MeasureChoice["kind"]) => p.measures.filter((m) => m.kind === kind).map((m) => ({ value: m.code, label: `${m.name} (${m.unit})` }));
  return (
    <ChartFrame h={p.header} today={p.today} active="progress">
      <h2>{p.version === undefined ? "New goal" : "Edit goal"}</h2>
      <Errors errors={e} conflict={p.conflict} />
      <form method="post" action={p.action} novalidate>
        <CsrfField token={p.csrfToken} />
        {p.version !== undefined && <input type="hidden" name="version" value={String(p.version)} />}
        <Field name="description" label="Goal" value={v.description} error={e.description} required maxLength={300} hint="In words the patient would use, e.g. “Sleep through the night most nights”." />
        <fieldset>
          <legend>Target (optional)</legend>
          <GroupedSelect
            name="measure"
            label="Measure to track"
            value={v.measure}
            error={e.measure}
            blank="None: a goal in words only"
            groups={[
              { label: "Questionnaires", options: group("instrument") },
              { label: "Vitals", options: group("vital") },
              { label: "Lab tests", options: group("lab") },
            ]}
          />
          <div class="grid">
            <SelectField
              name="target_direction"
              label="Reached when the value is"
              value={v.target_direction}
              error={e.target_direction}
              options={[
                { value: "", label: "Choose…" },
                { value: "below", label: "At or below the target" },
                { value: "above", label: "At or above the target" },
              ]}
            />
            <Field name="target_value" label="Target value" value={v.target_value} error={e.target_value} />
            <Field name="target_date" type="date" label="Target date" value={v.target_date} error={e.target_date} />
          </div>
        </fieldset>
        <SelectField
          name="status"
          label="Status"
          value={v.status ?? "active"}
          error={e.status}
          options={[
            { value: "active", label: "Active" },
            { value: "met", label: "Met" },
            { value: "not_met", label: "Not met" },
            { value: "cancelled", label: "Cancelled" },
          ]}
        />
        <TextAreaField name="note" label="Note" value={v.note} error={e.note} />
        <div class="actions">
          <button type="submit">Save goal</button>
          <a href={p.cancelHref}>Cancel</a>
        </div>
      </form>
    </ChartFrame>
  );
}

export interface LabFormProps {
  header: ChartHeaderData;
  today: string;
  csrfToken: string;
  action: string;
  cancelHref: string;
  values: LabFormValues;
  errors?: Record<string, string>;
}

export function LabForm(p: LabFormProps) {
  const v = p.values;
  const e = p.errors ?? {};
  return (
    <ChartFrame h={p.header} today={p.today} active="progress">
      <h2>Add a lab value</h2>
      <Errors errors={e} />
      <form method="post" action={p.action} novalidate>
        <CsrfField token={p.csrfToken} />
        <SelectField
          name="code"
          label="Test"
          value={v.code}
          error={e.code}
          required
          options={[{ value: "", label: "Choose…" }, ...LAB_TESTS.map((t) => ({ value: t.code, label: `${t.name} (${t.unit}) · LOINC ${t.code}` }))]}
        />
        <div class="grid">
          <Field name="value" label="Value" value={v.value} error={e.value} required hint="In the unit shown with the test." />
          <Field name="observed_on" type="date" label="Date of the result" value={v.observed_on ?? p.today} error={e.observed_on} required />
        </div>
        <div class="actions">
          <button type="submit">Save lab value</button>
          <a href={p.cancelHref}>Cancel</a>
        </div>
      </form>
    </ChartFrame>
  );
}

