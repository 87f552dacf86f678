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

/** A labelled input; its error is announced and tied to the input by aria-describedby. */
export function Field(p: FieldProps) {
  const id = `f-${p.name}`;
  const described = [p.hint ? `${id}-hint` : "", p.error ? `${id}-error` : ""].filter(Boolean).join(" ");
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
    "aria-describedby": described || undefined,
  } as InputHTMLAttributes<HTMLInputElement>;
  return (
    <div class="field">
      <FieldLabel id={id} label={p.label} required={p.required} />
      {p.hint && (
        <div class="hint" id={`${id}-hint`}>
          {p.hint}
        </div>
      )}
      <input {...inputAttrs} />
      {p.error && (
        <div class="error" id={`${id}-error`}>
          {p.error}
        </div>
      )}
    </div>
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
    <div class="field">
      <FieldLabel id={id} label={p.label} required={p.required} />
      <select
        id={id}
        name={p.name}
        required={p.required}
        aria-invalid={p.error ? "true" : undefined}
        aria-describedby={p.error ? `${id}-error` : undefined}
      >
        {p.options.map((o) => (
          <option value={o.value} selected={o.value === (p.value ?? "")}>
            {o.label}
          </option>
        ))}
      </select>
      {p.error && (
        <div class="error" id={`${id}-error`}>
          {p.error}
        </div>
      )}
    </div>
  );
}

export function Alert({ kind, children }: { kind: "error" | "warn" | "ok"; children: ComponentChildren }) {
  return (
    <div class={`alert ${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}
