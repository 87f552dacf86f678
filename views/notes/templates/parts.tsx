/** Pieces shared by the template builder's pages: paths, type names, small forms and inputs. */
import type { ComponentChildren, InputHTMLAttributes } from "preact";
import type { FieldErrors } from "../../../src/platform/errors";
import type { FieldType } from "../../../src/notes/model";
import { describedBy, FieldFrame, PostButton } from "../../components/form";

/** Where the builder lives. */
export const TEMPLATES = "/settings/templates";
export const BUILDER_ID = "template-builder";

export const templatePath = (id: string) => `${TEMPLATES}/${id}`;

/** What each field type is called in the builder. */
export const TYPE_NAMES: Record<FieldType, string> = {
  text: "Free text",
  number: "Number with unit",
  single_choice: "Single choice",
  multi_choice: "Multiple choice",
  checkbox: "Checkbox (yes / no)",
  date: "Date",
  vitals: "Vital signs block",
  ros: "Review of systems checklist",
  questionnaire: "Scored questionnaire",
  chart_insert: "Insert from chart",
};

export const SOURCE_NAMES = { problems: "Active problems", medications: "Active medications", allergies: "Allergies" } as const;

/** htmx attributes that post a builder form and swap the builder in place. */
export function swapBuilder(action: string) {
  return { "hx-post": action, "hx-target": `#${BUILDER_ID}`, "hx-swap": "outerHTML" };
}

/**
 * A one-button form (move, remove, share, archive). Carries the template version so a click on a
 * stale page is refused; posts normally without JavaScript and swaps the builder with it.
 */
export function OpButton(p: {
  action: string;
  csrfToken: string;
  version?: number;
  label: string;
  /** Read by screen readers after the label: which section or field the button acts on. */
  detail?: string;
  fields?: Record<string, string>;
  danger?: boolean;
  swap?: boolean;
  confirm?: string;
}) {
  return (
    <PostButton
      action={p.action}
      csrfToken={p.csrfToken}
      label={p.label}
      detail={p.detail}
      fields={p.version === undefined ? p.fields : { version: p.version, ...p.fields }}
      look={p.danger ? "danger" : "secondary"}
      attrs={{ ...(p.swap === false ? {} : swapBuilder(p.action)), "hx-confirm": p.confirm }}
    />
  );
}

/** A labelled input whose id is unique on a page holding many small forms (`prefix`). */
export function Input(p: {
  prefix: string;
  name: string;
  label: string;
  value?: string;
  error?: string;
  hint?: string;
  required?: boolean;
  type?: "text" | "number";
  maxLength?: number;
  children?: ComponentChildren;
}) {
  const id = `${p.prefix}-${p.name}`;
  // Preact types <input> as a union keyed by `type`; these attributes are the same for both types used.
  const attrs = {
    id,
    name: p.name,
    type: p.type ?? "text",
    step: p.type === "number" ? "any" : undefined,
    value: p.value ?? "",
    maxLength: p.maxLength,
    "aria-invalid": p.error ? "true" : undefined,
    "aria-describedby": describedBy(id, p.hint, p.error),
  } as InputHTMLAttributes<HTMLInputElement>;
  return (
    <FieldFrame id={id} label={p.label} required={p.required} hint={p.hint} error={p.error}>
      {p.children ?? <input {...attrs} />}
    </FieldFrame>
  );
}

/** The problems of a failed form that belong to no single input. */
export function FormProblems({ errors }: { errors?: FieldErrors }) {
  const e = errors ?? {};
  const count = Object.keys(e).length;
  if (!count) return null;
  return (
    <div class="alert error" role="alert">
      {count === 1 ? "One field needs attention" : `${count} fields need attention`}: nothing was saved.
      {e._form && <p>{e._form}</p>}
    </div>
  );
}
