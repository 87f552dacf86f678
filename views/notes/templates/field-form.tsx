/**
 * The builder's form of one field (to add or edit). Every input is present, grouped by the types
 * it applies to; where the browser supports `:has()`, the stylesheet shows only the groups of the
 * chosen type, so this needs no JavaScript.
 */
import type { FieldErrors } from "../../../src/platform/errors";
import { CHART_SOURCES, FIELD_TYPES } from "../../../src/notes/model";
import type { Instrument } from "../../../src/notes/templates";
import { CsrfField } from "../../components/form";
import { FormProblems, Input, SOURCE_NAMES, swapBuilder, TYPE_NAMES } from "./parts";

export function FieldForm(p: {
  action: string;
  csrfToken: string;
  version: number;
  /** Unique on the page: `add-<section key>` or `edit-<field key>`. */
  prefix: string;
  values: Record<string, string>;
  errors?: FieldErrors;
  instruments: Instrument[];
  submitLabel: string;
}) {
  const v = p.values;
  const e = p.errors ?? {};
  const id = (name: string) => `${p.prefix}-${name}`;
  const selectAttrs = (name: string) => ({ id: id(name), name, "aria-invalid": e[name] ? ("true" as const) : undefined, "aria-describedby": e[name] ? `${id(name)}-error` : undefined });
  return (
    <form method="post" action={p.action} class="tb-field-form" novalidate {...swapBuilder(p.action)}>
      <CsrfField token={p.csrfToken} />
      <input type="hidden" name="version" value={String(p.version)} />
      <FormProblems errors={p.errors} />
      <div class="grid">
        <Input prefix={p.prefix} name="type" label="Kind of field" error={e.type} required>
          <select {...selectAttrs("type")}>
            {FIELD_TYPES.map((t) => (
              <option value={t} selected={t === (v.type || "text")}>
                {TYPE_NAMES[t]}
              </option>
            ))}
          </select>
        </Input>
        <Input prefix={p.prefix} name="label" label="Label" value={v.label} error={e.label} required maxLength={200} />
        <Input prefix={p.prefix} name="key" label="Key" value={v.key} error={e.key} hint="Left empty, it is made from the label." maxLength={40} />
      </div>
      <Input prefix={p.prefix} name="help" label="Help text" value={v.help} error={e.help} hint="Shown under the label while writing a note." maxLength={500} />
      <div class="field check tb-req">
        <input type="checkbox" id={id("required")} name="required" value="1" checked={v.required === "1"} />
        <label for={id("required")}>Required before the note can be signed</label>
      </div>
      <fieldset class="tb-only tb-number">
        <legend>Number fields</legend>
        <div class="grid">
          <Input prefix={p.prefix} name="unit" label="Unit" value={v.unit} error={e.unit} hint="For example mmHg, cm, min, /10." maxLength={20} />
          <Input prefix={p.prefix} name="min" label="Minimum" type="number" value={v.min} error={e.min} />
          <Input prefix={p.prefix} name="max" label="Maximum" type="number" value={v.max} error={e.max} />
        </div>
      </fieldset>
      <fieldset class="tb-only tb-options">
        <legend>Choices and review of systems</legend>
        <Input prefix={p.prefix} name="options" label="Options (one per line)" error={e.options} hint="For a review of systems, the body systems.">
          <textarea id={id("options")} name="options" rows={5} aria-invalid={e.options ? "true" : undefined} aria-describedby={e.options ? `${id("options")}-error` : undefined}>
            {v.options ?? ""}
          </textarea>
        </Input>
      </fieldset>
      <fieldset class="tb-only tb-questionnaire">
        <legend>Scored questionnaire</legend>
        <Input prefix={p.prefix} name="instrument" label="Questionnaire" error={e.instrument}>
          <select {...selectAttrs("instrument")}>
            <option value="">Choose…</option>
            {p.instruments.map((q) => (
              <option value={q.code} selected={q.code === v.instrument}>
                {q.name}
              </option>
            ))}
          </select>
        </Input>
      </fieldset>
      <fieldset class="tb-only tb-chart">
        <legend>Insert from chart</legend>
        <Input prefix={p.prefix} name="source" label="What to insert" error={e.source}>
          <select {...selectAttrs("source")}>
            <option value="">Choose…</option>
            {CHART_SOURCES.map((s) => (
              <option value={s} selected={s === v.source}>
                {SOURCE_NAMES[s]}
              </option>
            ))}
          </select>
        </Input>
      </fieldset>
      <button type="submit">{p.submitLabel}</button>
    </form>
  );
}
