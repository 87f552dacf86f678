/**
 * The fields of a note, shared by the template preview, the note editor and the signed note:
 * `FieldInput` (the form control of one template field), `FieldView` (its read-only rendering)
 * and `readNoteForm` (the submitted form back into note content). Form names:
 *   text, number, date, single_choice, checkbox   f.<key>
 *   multi_choice                                   f.<key>.<i> = "on" for each ticked option i
 *   ros                                            f.<key>.<i>.status, f.<key>.<i>.comment per system i
 * vitals, questionnaire and chart_insert have no input: the caller embeds the chart's data.
 */
import { isIsoDate } from "../../src/platform/time";
import type { ComponentChildren } from "preact";
import {
  DEFINITION_LIMITS,
  EMBEDDED_TYPES,
  LIMITS,
  ROS_STATUSES,
  type NoteContent,
  type NoteValue,
  type TemplateDefinition,
  type TemplateField,
} from "../../src/notes/model";
import { formatDate } from "../components/format";

/** A select replaces the radio group of a single choice beyond this many options. */
const RADIO_LIMIT = 6;

const ROS_LABELS: Record<string, string> = { normal: "Normal", abnormal: "Abnormal", not_examined: "Not examined" };

/** The form name of a field's value (and the key of its error). */
export const formName = (key: string) => `f.${key}`;
const idOf = (key: string) => `nf-${key}`;

type RosValue = Record<string, { status: string; comment?: string }>;

const asText = (v: NoteValue | undefined): string => (typeof v === "string" ? v : "");
const asList = (v: NoteValue | undefined): string[] => (Array.isArray(v) ? v : []);
const asRos = (v: NoteValue | undefined): RosValue => (v && typeof v === "object" && !Array.isArray(v) ? v : {});

function Help({ field }: { field: TemplateField }) {
  return field.help ? (
    <div class="hint" id={`${idOf(field.key)}-hint`}>
      {field.help}
    </div>
  ) : null;
}

function ErrorText({ field, error }: { field: TemplateField; error?: string }) {
  return error ? (
    <div class="error" id={`${idOf(field.key)}-error`}>
      {error}
    </div>
  ) : null;
}

function Required({ field }: { field: TemplateField }) {
  return field.required ? <span class="hint"> (required)</span> : null;
}

function describedBy(field: TemplateField, error?: string): string | undefined {
  const id = idOf(field.key);
  return [field.help ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
}

/** A field with one control: its label (`extra` after the text), the help, the control and the error. */
function FieldBox(p: { field: TemplateField; error?: string; class?: string; extra?: ComponentChildren; children: ComponentChildren }) {
  const f = p.field;
  return (
    <div class={p.class ?? "field nf"}>
      <label for={idOf(f.key)}>
        {f.label}
        {p.extra}
        <Required field={f} />
      </label>
      <Help field={f} />
      {p.children}
      <ErrorText field={f} error={p.error} />
    </div>
  );
}

/** A field with a control per option or row: a fieldset whose legend is the label, described by the help and error. */
function FieldGroup(p: { field: TemplateField; error?: string; class: string; children: ComponentChildren }) {
  const f = p.field;
  return (
    <fieldset class={p.class} aria-describedby={describedBy(f, p.error)} aria-invalid={p.error ? "true" : undefined}>
      <legend>
        {f.label}
        <Required field={f} />
      </legend>
      <Help field={f} />
      {p.children}
      <ErrorText field={f} error={p.error} />
    </fieldset>
  );
}

export interface FieldInputProps {
  field: TemplateField;
  value: NoteValue | undefined;
  error?: string;
  disabled?: boolean;
  /** For vitals, questionnaire and chart_insert: the encounter's data, supplied by the editor. */
  embedded?: ComponentChildren;
}

/** The labelled form control of one template field, its help and its error. */
export function FieldInput(p: FieldInputProps) {
  const { field: f, error, disabled } = p;
  const id = idOf(f.key);
  const name = formName(f.key);
  const invalid = error ? "true" : undefined;
  const described = describedBy(f, error);
  switch (f.type) {
    case "text":
      return (
        <FieldBox field={f} error={error}>
          <textarea id={id} name={name} rows={4} maxLength={LIMITS.textLength} disabled={disabled} aria-invalid={invalid} aria-describedby={described}>
            {asText(p.value)}
          </textarea>
        </FieldBox>
      );
    case "number":
    case "date":
      return (
        <FieldBox field={f} error={error} class={`field nf nf-${f.type}`} extra={f.type === "number" && f.unit && <span class="hint"> ({f.unit})</span>}>
          <div class="nf-input">
            {f.type === "number" ? (
              <input
                id={id}
                name={name}
                type="number"
                step="any"
                min={f.min}
                max={f.max}
                inputmode="decimal"
                value={asText(p.value)}
                disabled={disabled}
                aria-invalid={invalid}
                aria-describedby={described}
              />
            ) : (
              <input id={id} name={name} type="date" value={asText(p.value)} disabled={disabled} aria-invalid={invalid} aria-describedby={described} />
            )}
            {f.type === "number" && f.unit && (
              <span class="nf-unit" aria-hidden="true">
                {f.unit}
              </span>
            )}
          </div>
        </FieldBox>
      );
    case "checkbox":
      return (
        <div class="field check nf">
          <input type="checkbox" id={id} name={name} value="on" checked={p.value === true} disabled={disabled} aria-invalid={invalid} aria-describedby={described} />
          <label for={id}>
            {f.label}
            <Required field={f} />
          </label>
          <Help field={f} />
          <ErrorText field={f} error={error} />
        </div>
      );
    case "single_choice": {
      const options = f.options ?? [];
      const chosen = asText(p.value);
      if (options.length > RADIO_LIMIT) {
        return (
          <FieldBox field={f} error={error}>
            <select id={id} name={name} disabled={disabled} aria-invalid={invalid} aria-describedby={described}>
              <option value="">Choose…</option>
              {options.map((o) => (
                <option value={o} selected={o === chosen}>
                  {o}
                </option>
              ))}
            </select>
          </FieldBox>
        );
      }
      return (
        <FieldGroup field={f} error={error} class="nf nf-choices">
          {options.map((o, i) => (
            <div class="opt">
              <input type="radio" id={`${id}-${i}`} name={name} value={o} checked={o === chosen} disabled={disabled} />
              <label for={`${id}-${i}`}>{o}</label>
            </div>
          ))}
        </FieldGroup>
      );
    }
    case "multi_choice": {
      const ticked = new Set(asList(p.value));
      return (
        <FieldGroup field={f} error={error} class="nf nf-choices">
          {(f.options ?? []).map((o, i) => (
            <div class="opt">
              <input type="checkbox" id={`${id}-${i}`} name={`${name}.${i}`} value="on" checked={ticked.has(o)} disabled={disabled} />
              <label for={`${id}-${i}`}>{o}</label>
            </div>
          ))}
        </FieldGroup>
      );
    }
    case "ros":
      return <RosInput field={f} value={asRos(p.value)} error={error} disabled={disabled} />;
    default:
      return (
        <section class="nf nf-embedded" aria-labelledby={`${id}-label`}>
          <h4 id={`${id}-label`}>{f.label}</h4>
          <Help field={f} />
          {p.embedded}
          <ErrorText field={f} error={error} />
        </section>
      );
  }
}

/** The review of systems: one row per system, a status and a comment. */
function RosInput(p: { field: TemplateField; value: RosValue; error?: string; disabled?: boolean }) {
  const f = p.field;
  const id = idOf(f.key);
  return (
    <FieldGroup field={f} error={p.error} class="nf nf-ros">
      <div class="table-wrap">
        <table class="dense">
          <thead>
            <tr>
              <th scope="col">System</th>
              {ROS_STATUSES.map((s) => (
                <th scope="col">{ROS_LABELS[s]}</th>
              ))}
              <th scope="col">Comment</th>
            </tr>
          </thead>
          <tbody>
            {(f.options ?? []).map((system, i) => {
              const entry = p.value[system];
              const row = `${id}-${i}`;
              return (
                <tr>
                  <th scope="row" id={`${row}-name`}>
                    {system}
                  </th>
                  {ROS_STATUSES.map((s) => (
                    <td>
                      <input
                        type="radio"
                        name={`${formName(f.key)}.${i}.status`}
                        value={s}
                        checked={entry?.status === s}
                        disabled={p.disabled}
                        aria-label={`${system}: ${ROS_LABELS[s]}`}
                      />
                    </td>
                  ))}
                  <td>
                    <input
                      type="text"
                      name={`${formName(f.key)}.${i}.comment`}
                      value={entry?.comment ?? ""}
                      maxLength={DEFINITION_LIMITS.rosCommentLength}
                      disabled={p.disabled}
                      aria-label={`${system}: comment`}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </FieldGroup>
  );
}

const EMPTY = <span class="muted">—</span>;

/** A field of a signed note or of the print view, read-only; empty values show as a dash. */
export function FieldView(p: { field: TemplateField; value: NoteValue | undefined; embedded?: ComponentChildren }) {
  const f = p.field;
  if (EMBEDDED_TYPES.includes(f.type)) {
    return (
      <section class="fv fv-embedded">
        <h4>{f.label}</h4>
        {p.embedded ?? EMPTY}
      </section>
    );
  }
  return (
    <dl class="fv">
      <dt>{f.label}</dt>
      <dd>
        <ViewValue field={f} value={p.value} />
      </dd>
    </dl>
  );
}

function ViewValue({ field: f, value }: { field: TemplateField; value: NoteValue | undefined }) {
  switch (f.type) {
    case "checkbox":
      return <>{value === true ? "Yes" : "No"}</>;
    case "multi_choice": {
      const list = asList(value);
      return list.length ? <>{list.join("; ")}</> : EMPTY;
    }
    case "ros": {
      const ros = asRos(value);
      const systems = (f.options ?? []).filter((s) => ros[s]?.status || ros[s]?.comment);
      if (!systems.length) return EMPTY;
      return (
        <ul class="plain">
          {systems.map((s) => (
            <li>
              <strong>{s}</strong>: {ROS_LABELS[ros[s]!.status] ?? "Not recorded"}
              {ros[s]!.comment ? ` — ${ros[s]!.comment}` : ""}
            </li>
          ))}
        </ul>
      );
    }
    default: {
      const text = asText(value).trim();
      if (!text) return EMPTY;
      if (f.type === "date") return <>{formatDate(text)}</>;
      if (f.type === "number") return <>{f.unit ? `${text} ${f.unit}` : text}</>;
      if (f.type === "text") return <div class="fv-text">{text}</div>;
      return <>{text}</>;
    }
  }
}

/** Number bounds as a clinician reads them: "between 0 and 10 /10", "at least 0 cm". */
function rangeText(f: TemplateField): string {
  const unit = f.unit ? ` ${f.unit}` : "";
  if (f.min !== undefined && f.max !== undefined) return `between ${f.min} and ${f.max}${unit}`;
  if (f.min !== undefined) return `at least ${f.min}${unit}`;
  return `at most ${f.max}${unit}`;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * Builds a note's content from the submitted form (the names in this module's header). Content
 * holds what was typed even where an error is reported, so a form can be shown again as typed;
 * save it only when `errors` is empty. Empty values are left out. Required fields are not
 * enforced here (a draft may be incomplete): see `missingRequired` in src/notes/required.ts.
 */
export function readNoteForm(def: TemplateDefinition, form: Record<string, string>): { content: NoteContent; errors: Record<string, string> } {
  const content: NoteContent = {};
  const errors: Record<string, string> = {};
  for (const f of def.sections.flatMap((s) => s.fields)) {
    const name = formName(f.key);
    const raw = form[name] ?? "";
    switch (f.type) {
      case "text":
        if (raw.length > LIMITS.textLength) errors[name] = `${f.label} must be at most ${LIMITS.textLength.toLocaleString("en-US")} characters.`;
        if (raw.trim()) content[f.key] = raw;
        break;
      case "number": {
        const v = raw.trim();
        if (!v) break;
        content[f.key] = v;
        const n = Number(v);
        if (!NUMBER.test(v) || !Number.isFinite(n)) errors[name] = `${f.label} must be a number${f.unit ? ` in ${f.unit}` : ""}.`;
        else if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) errors[name] = `${f.label} must be ${rangeText(f)}.`;
        break;
      }
      case "date": {
        const v = raw.trim();
        if (!v) break;
        content[f.key] = v;
        if (!isIsoDate(v)) errors[name] = `${f.label} must be a real date, as YYYY-MM-DD.`;
        break;
      }
      case "single_choice":
        if (!raw) break;
        content[f.key] = raw;
        if (!(f.options ?? []).includes(raw)) errors[name] = `${f.label} must be one of its choices.`;
        break;
      case "multi_choice": {
        const ticked = (f.options ?? []).filter((_, i) => form[`${name}.${i}`] === "on");
        if (ticked.length) content[f.key] = ticked;
        break;
      }
      case "checkbox":
        content[f.key] = raw === "on";
        break;
      case "ros": {
        const ros: RosValue = {};
        (f.options ?? []).forEach((system, i) => {
          const status = (form[`${name}.${i}.status`] ?? "").trim();
          const comment = (form[`${name}.${i}.comment`] ?? "").trim();
          if (status && !(ROS_STATUSES as readonly string[]).includes(status)) {
            errors[name] ??= `${f.label}: the status of ${system} must be normal, abnormal or not examined.`;
          }
          if (comment.length > DEFINITION_LIMITS.rosCommentLength) {
            errors[name] ??= `${f.label}: the comment on ${system} must be at most ${DEFINITION_LIMITS.rosCommentLength.toLocaleString("en-US")} characters.`;
          }
          if (status || comment) ros[system] = comment ? { status, comment } : { status };
        });
        if (Object.keys(ros).length) content[f.key] = ros;
        break;
      }
      default:
        // vitals, questionnaire, chart_insert: their data is the chart's, not the form's.
        break;
    }
  }
  if (JSON.stringify(content).length > LIMITS.contentLength) {
    errors._form = `This note is too long to save (at most ${LIMITS.contentLength.toLocaleString("en-US")} characters in all). Shorten the longest fields.`;
  }
  return { content, errors };
}
