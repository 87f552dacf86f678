/**
 * The rule that a note is complete enough to sign: every required field the author fills has a
 * value. Drafts may be incomplete; only signing asks this.
 */
import { EMBEDDED_TYPES, type NoteContent, type NoteValue, type TemplateDefinition } from "./model";

const isFilledText = (v: NoteValue | undefined) => typeof v === "string" && v.trim() !== "";
const listOf = (v: NoteValue | undefined): string[] => (Array.isArray(v) ? v : []);
const rosOf = (v: NoteValue | undefined): Record<string, { status: string }> => (v && typeof v === "object" && !Array.isArray(v) ? v : {});

/**
 * Labels of required fields left empty, to refuse signing. A required checkbox must be ticked; a
 * required review of systems needs at least one system with a status. Fields filled from the
 * chart (vitals, questionnaire, chart_insert) are never required.
 */
export function missingRequired(def: TemplateDefinition, content: NoteContent): string[] {
  const missing: string[] = [];
  for (const f of def.sections.flatMap((s) => s.fields)) {
    if (!f.required || EMBEDDED_TYPES.includes(f.type)) continue;
    const v = content[f.key];
    const empty =
      f.type === "checkbox"
        ? v !== true
        : f.type === "multi_choice"
          ? listOf(v).length === 0
          : f.type === "ros"
            ? !Object.values(rosOf(v)).some((e) => e.status)
            : !isFilledText(v);
    if (empty) missing.push(f.label);
  }
  return missing;
}
