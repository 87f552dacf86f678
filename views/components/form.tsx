/** Form building blocks: labelled fields with their error next to them, and the CSRF field. */
import type { ComponentChildren, InputHTMLAttributes } from "preact";

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

function FieldLabel(p: { id: string; label: string; required?: boolean }) {
  return (
    <label for={p.id}>
      {p.label}
      {p.required && <span class="hint"> (required)</span>}
    </label>
  );
}

export interface FieldProps {
  name: string;
  label: string;
  value?: string | null;
  error?: string;
  type?: "text" | "email" | "password" | "tel" | "date" | "search" | "number";
  required?: boolean;
  hint?: string;
  autocomplete?: string;
  inputmode?: "text" | "tel" | "email" | "numeric" | "search";
  maxLength?: number;
}

/** The ids of a field's hint and error, for its control's aria-describedby; undefined when it has neither. */
export function describedBy(id: string, hint?: string, error?: string): string | undefined {
  return [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
}

/** A field around any control: its label, the hint above it and the error below, with the ids `describedBy` names. */
export function FieldFrame(p: { id: string; label: string; required?: boolean; hint?: string; error?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <FieldLabel id={p.id} label={p.label} required={p.required} />
      {p.hint && (
        <div class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </div>
      )}
      {p.children}
      {p.error && (
        <div class="error" id={`${p.id}-error`}>
          {p.error}
        </div>
      )}
    </div>
  );
}

/** A labelled input; its error is announced and tied to the input by aria-describedby. */
export function Field(p: FieldProps) {
  const id = `f-${p.name}`;
  // Preact types <input> as a union keyed by `type`; the attributes are the same for every type used here.
  const inputAttrs = {
    id,
    name: p.name,
    type: p.type ?? "text",
    value: p.value ?? "",
    required: p.required,
    autocomplete: p.autocomplete,
    inputmode: p.inputmode,
    maxLength: p.maxLength,
    "aria-invalid": p.error ? "true" : undefined,
    "aria-describedby": describedBy(id, p.hint, p.error),
  } as InputHTMLAttributes<HTMLInputElement>;
  return (
    <FieldFrame id={id} label={p.label} required={p.required} hint={p.hint} error={p.error}>
      <input {...inputAttrs} />
    </FieldFrame>
  );
}

export interface TextAreaProps {
  name: string;
  label: string;
  value?: string | null;
  error?: string;
  required?: boolean;
  hint?: string;
  /** 3 unless given. */
  rows?: number;
  maxLength?: number;
}

/** A labelled textarea; like Field, its hint and error are tied to it by aria-describedby. */
export function TextAreaField(p: TextAreaProps) {
  const id = `f-${p.name}`;
  return (
    <FieldFrame id={id} label={p.label} required={p.required} hint={p.hint} error={p.error}>
      <textarea
        id={id}
        name={p.name}
        rows={p.rows ?? 3}
        maxLength={p.maxLength}
        required={p.required}
        aria-invalid={p.error ? "true" : undefined}
        aria-describedby={describedBy(id, p.hint, p.error)}
      >
        {p.value ?? ""}
      </textarea>
    </FieldFrame>
  );
}

export interface SelectProps {
  name: string;
  label: string;
  value?: string | null;
  error?: string;
  required?: boolean;
  options: { value: string; label: string }[];
}

export function SelectField(p: SelectProps) {
  const id = `f-${p.name}`;
  return (
    <FieldFrame id={id} label={p.label} required={p.required} error={p.error}>
      <select id={id} name={p.name} required={p.required} aria-invalid={p.error ? "true" : undefined} aria-describedby={describedBy(id, undefined, p.error)}>
        {p.options.map((o) => (
          <option value={o.value} selected={o.value === (p.value ?? "")}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

export function Alert({ kind, children }: { kind: "error" | "warn" | "ok"; children: ComponentChildren }) {
  return (
    <div class={`alert ${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/** How a one-button form's button looks. */
export type PostButtonLook = "secondary" | "danger" | "link" | "link-danger" | "plain";

const BUTTON_CLASS: Record<PostButtonLook, string | undefined> = {
  secondary: "secondary",
  danger: "secondary danger",
  link: "link",
  "link-danger": "link danger",
  plain: undefined,
};

/**
 * A form that is one button (activate, stop, archive, entered in error), with hidden fields: it
 * posts without JavaScript. `detail` is read by screen readers after the label (which row it acts
 * on); `attrs` adds attributes to the form (htmx swaps, a confirmation).
 */
export function PostButton(p: {
  action: string;
  csrfToken: string;
  label: string;
  detail?: string;
  fields?: Record<string, string | number>;
  /** `secondary` (default), `danger`, `link` (looks like a link), `link-danger` (a link in the danger colour), or `plain` (the primary look). */
  look?: PostButtonLook;
  attrs?: Record<string, string | undefined>;
}) {
  const look = p.look ?? "secondary";
  return (
    <form method="post" action={p.action} class="inline" {...p.attrs}>
      <CsrfField token={p.csrfToken} />
      {Object.entries(p.fields ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={String(v)} />
      ))}
      <button type="submit" class={BUTTON_CLASS[look]}>
        {p.label}
        {p.detail && <span class="skip"> {p.detail}</span>}
      </button>
    </form>
  );
}
