/**
 * Pieces shared by the scheduling setup pages: paths, the saved notice, the error summary, and
 * the inputs the shared form components do not cover (time, colour, checkboxes).
 */
import type { ComponentChildren, InputHTMLAttributes } from "preact";
import type { FieldErrors } from "../../../src/platform/errors";
import { Alert } from "../../components/form";

/** Where the setup lives; every link and form action starts here. */
export const SETUP = "/settings/scheduling";

export const WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

export function weekdayName(n: number): string {
  return WEEKDAY_NAMES[n - 1] ?? `Day ${n}`;
}

/** `09:00–17:00`, or `22:00–06:00 (next day)` when the interval runs past midnight. */
export function timeRange(start: string, end: string): string {
  return `${start}–${end}${end <= start ? " (next day)" : ""}`;
}

export function BackLink({ href = SETUP, label = "Scheduling setup" }: { href?: string; label?: string }) {
  return (
    <p class="crumb">
      <a href={href}>← {label}</a>
    </p>
  );
}

export function SavedNotice({ saved }: { saved?: boolean }) {
  return saved ? <Alert kind="ok">Saved.</Alert> : null;
}

/** "2 fields need attention: nothing was saved yet." above a form that failed. */
export function ErrorSummary({ errors }: { errors?: FieldErrors }) {
  const count = Object.keys(errors ?? {}).length;
  if (!count) return null;
  return (
    <Alert kind="error">{count === 1 ? "One field needs attention" : `${count} fields need attention`}: nothing was saved yet.</Alert>
  );
}

function ErrorText({ id, error }: { id: string; error?: string }) {
  return error ? (
    <div class="error" id={`${id}-error`}>
      {error}
    </div>
  ) : null;
}

/** A labelled time (HH:MM) or colour input, with its error beside it, like the shared Field. */
export function TypedField(p: { name: string; label: string; type: "time" | "color"; value?: string | null; error?: string; required?: boolean; hint?: string }) {
  const id = `f-${p.name}`;
  const described = [p.hint ? `${id}-hint` : "", p.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  const attrs = {
    id,
    name: p.name,
    type: p.type,
    value: p.value ?? "",
    required: p.required,
    "aria-invalid": p.error ? "true" : undefined,
    "aria-describedby": described || undefined,
  } as InputHTMLAttributes<HTMLInputElement>;
  return (
    <div class={`field field-${p.type}`}>
      <label for={id}>
        {p.label}
        {p.required && <span class="hint"> (required)</span>}
      </label>
      {p.hint && (
        <div class="hint" id={`${id}-hint`}>
          {p.hint}
        </div>
      )}
      <input {...attrs} />
      <ErrorText id={id} error={p.error} />
    </div>
  );
}

/** One labelled checkbox (sends "1" when ticked). */
export function CheckField(p: { name: string; label: string; checked: boolean; error?: string; hint?: string }) {
  const id = `f-${p.name}`;
  return (
    <div class="field check">
      <input
        type="checkbox"
        id={id}
        name={p.name}
        value="1"
        checked={p.checked}
        aria-invalid={p.error ? "true" : undefined}
        aria-describedby={p.error ? `${id}-error` : p.hint ? `${id}-hint` : undefined}
      />
      <label for={id}>{p.label}</label>
      {p.hint && (
        <div class="hint" id={`${id}-hint`}>
          {p.hint}
        </div>
      )}
      <ErrorText id={id} error={p.error} />
    </div>
  );
}

/** A group of checkboxes sharing one name (several values), under a legend. */
export function CheckGroup(p: {
  name: string;
  legend: string;
  options: { value: string; label: string }[];
  selected: string[];
  error?: string;
  empty: ComponentChildren;
}) {
  const id = `f-${p.name}`;
  return (
    <fieldset class="checks" aria-describedby={p.error ? `${id}-error` : undefined}>
      <legend>{p.legend}</legend>
      {p.options.length === 0 && <p class="hint">{p.empty}</p>}
      {p.options.map((o, i) => (
        <div class="check">
          <input type="checkbox" id={`${id}-${i}`} name={p.name} value={o.value} checked={p.selected.includes(o.value)} />
          <label for={`${id}-${i}`}>{o.label}</label>
        </div>
      ))}
      <ErrorText id={id} error={p.error} />
    </fieldset>
  );
}

export function StatusTag({ active }: { active: boolean }) {
  return active ? <span class="tag">Active</span> : <span class="tag off">Inactive</span>;
}

/** A colour sample drawn with SVG presentation attributes (inline styles are refused by the CSP). */
export function Swatch({ color }: { color: string }) {
  return (
    <svg class="swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">
      <rect width="12" height="12" rx="2" fill={color} />
    </svg>
  );
}
