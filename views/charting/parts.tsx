/** Small pieces the chart's pages share: sections, the error summary, text areas and one-button forms. */
import type { ComponentChildren } from "preact";
import type { FieldErrors } from "../../src/platform/errors";
import { Alert, CsrfField } from "../components/form";
import { formatInstant } from "../components/format";

export function Section(p: { id: string; title: string; action?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section class="card chart-section" aria-labelledby={p.id}>
      <div class="section-head">
        <h2 id={p.id}>{p.title}</h2>
        {p.action}
      </div>
      {p.children}
    </section>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="muted">{children}</p>;
}

/** "2 fields need attention: nothing was saved", above a form that failed validation or conflicted. */
export function FormProblems(p: { errors?: FieldErrors; conflict?: string | null }) {
  const fieldCount = Object.keys(p.errors ?? {}).filter((k) => k !== "_form").length;
  return (
    <>
      {p.conflict && <Alert kind="error">{p.conflict}</Alert>}
      {p.errors?._form && <Alert kind="error">{p.errors._form} Nothing was saved.</Alert>}
      {fieldCount > 0 && (
        <Alert kind="error">{fieldCount === 1 ? "One field needs attention" : `${fieldCount} fields need attention`}: nothing was saved.</Alert>
      )}
    </>
  );
}

export function TextAreaField(p: { name: string; label: string; value?: string | null; error?: string; rows?: number; maxLength?: number; hint?: string }) {
  const id = `f-${p.name}`;
  const described = [p.hint ? `${id}-hint` : "", p.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      {p.hint && (
        <div class="hint" id={`${id}-hint`}>
          {p.hint}
        </div>
      )}
      <textarea id={id} name={p.name} rows={p.rows ?? 3} maxLength={p.maxLength} aria-invalid={p.error ? "true" : undefined} aria-describedby={described || undefined}>
        {p.value ?? ""}
      </textarea>
      {p.error && (
        <div class="error" id={`${id}-error`}>
          {p.error}
        </div>
      )}
    </div>
  );
}

/** A form that is one button (resolve, stop, entered in error), with hidden fields. */
export function ButtonForm(p: { action: string; csrf: string; label: string; fields?: Record<string, string | number>; secondary?: boolean }) {
  return (
    <form method="post" action={p.action} class="inline">
      <CsrfField token={p.csrf} />
      {Object.entries(p.fields ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={String(v)} />
      ))}
      <button type="submit" class={p.secondary === false ? undefined : "secondary"}>
        {p.label}
      </button>
    </form>
  );
}

/** `active` → "Active", `entered_in_error` → "Entered in error". */
export function label(value: string): string {
  const s = value.replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const options = (values: readonly string[], blank?: string) => [
  ...(blank !== undefined ? [{ value: "", label: blank }] : []),
  ...values.map((v) => ({ value: v, label: label(v) })),
];

/** An instant in the clinic's timezone to the minute: `2026-11-27 09:14 EST`. */
export function shortInstant(ms: number, timeZone: string): string {
  const s = formatInstant(ms, timeZone);
  return s.slice(0, 16) + s.slice(19);
}
