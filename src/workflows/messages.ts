/**
 * The text of a workflow message: the rule's own subject and body with {{first_name}}, {{clinic}}
 * and {{link}} filled in. Filling is one pass over the rule's text, so a value (a patient's name,
 * say) is never read as a placeholder itself; control characters in values become spaces, so a
 * name cannot add a line to an email subject.
 */
import { dropEmpty, EMPTY } from "../messaging/template-render";

export const PLACEHOLDERS = ["first_name", "clinic", "link"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const PLACEHOLDER_RE = /\{\{\s*([A-Za-z_]+)\s*\}\}/g;

/** Placeholders a text uses that are not known (so the rule form can refuse them). */
export function unknownPlaceholders(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER_RE)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!)) out.push(m[0]);
  }
  return out;
}

function clean(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/g, " ").trim().slice(0, 500);
}

/** Fills the placeholders of a text; unknown or empty ones are left out, with the space or comma that served them. */
export function fillPlaceholders(text: string, values: Record<Placeholder, string>): string {
  return dropEmpty(
    text.replace(PLACEHOLDER_RE, (_m, name: string) => {
      const value = (PLACEHOLDERS as readonly string[]).includes(name) ? clean(values[name as Placeholder]) : "";
      return value === "" ? EMPTY : value;
    }),
  );
}


/**
 * The default {{link}}: the online booking page for the same provider and visit type when the
 * message is about an appointment whose type is bookable online, else the clinic's booking page.
 */
export function bookingLink(origin: string, a: { providerSlug: string; typeSlug: string; bookable: number } | null): string {
  if (a && a.bookable) return `${origin}/book/${encodeURIComponent(a.providerSlug)}/${encodeURIComponent(a.typeSlug)}`;
  return `${origin}/book`;
}
