/**
 * The builder's edits of a template definition, as pure functions: each takes a definition and
 * returns a new one (the stored row is never changed in place), or throws a 404 for a section or
 * field that is not there (it was removed in another tab, say).
 */
import { notFound } from "../platform/errors";
import { fieldKeys, keyFromLabel, type TemplateDefinition, type TemplateField, type TemplateSection } from "./model";

export type Direction = "up" | "down";

const clone = (def: TemplateDefinition): TemplateDefinition => structuredClone(def);

function sectionIndex(def: TemplateDefinition, key: string): number {
  const i = def.sections.findIndex((s) => s.key === key);
  if (i < 0) throw notFound("This section");
  return i;
}

/** Where a field is: its section index and its index in that section. */
export function locateField(def: TemplateDefinition, key: string): { s: number; f: number } {
  for (const [s, section] of def.sections.entries()) {
    const f = section.fields.findIndex((x) => x.key === key);
    if (f >= 0) return { s, f };
  }
  throw notFound("This field");
}

/** Moves an item of a list one place; at either end nothing moves. */
function shift<T>(list: T[], i: number, dir: Direction): void {
  const j = dir === "up" ? i - 1 : i + 1;
  if (j < 0 || j >= list.length) return;
  [list[i], list[j]] = [list[j]!, list[i]!];
}

export function addSection(def: TemplateDefinition, title: string): TemplateDefinition {
  const next = clone(def);
  const section: TemplateSection = { key: keyFromLabel(title, def.sections.map((s) => s.key)), title, fields: [] };
  next.sections.push(section);
  return next;
}

export function renameSection(def: TemplateDefinition, key: string, title: string): TemplateDefinition {
  const next = clone(def);
  next.sections[sectionIndex(next, key)]!.title = title;
  return next;
}

export function moveSection(def: TemplateDefinition, key: string, dir: Direction): TemplateDefinition {
  const next = clone(def);
  shift(next.sections, sectionIndex(next, key), dir);
  return next;
}

export function removeSection(def: TemplateDefinition, key: string): TemplateDefinition {
  const next = clone(def);
  next.sections.splice(sectionIndex(next, key), 1);
  return next;
}

/** A key for a field: the one typed, or one derived from its label that no other field uses. */
export function newFieldKey(def: TemplateDefinition, typed: string | null, label: string, except?: string): string {
  if (typed) return typed;
  if (except) return except;
  return keyFromLabel(label, fieldKeys(def));
}

/** Appends a field to a section; returns the definition and the new field's place. */
export function addField(def: TemplateDefinition, sectionKey: string, field: TemplateField): { def: TemplateDefinition; path: string } {
  const next = clone(def);
  const s = sectionIndex(next, sectionKey);
  next.sections[s]!.fields.push(field);
  return { def: next, path: `sections.${s}.fields.${next.sections[s]!.fields.length - 1}` };
}

export function replaceField(def: TemplateDefinition, key: string, field: TemplateField): { def: TemplateDefinition; path: string } {
  const next = clone(def);
  const at = locateField(next, key);
  next.sections[at.s]!.fields[at.f] = field;
  return { def: next, path: `sections.${at.s}.fields.${at.f}` };
}

/**
 * Moves a field one place within its section; from the top of a section "up" moves it to the end
 * of the section above, and from the bottom "down" to the start of the section below.
 */
export function moveField(def: TemplateDefinition, key: string, dir: Direction): TemplateDefinition {
  const next = clone(def);
  const at = locateField(next, key);
  const fields = next.sections[at.s]!.fields;
  const edge = dir === "up" ? at.f === 0 : at.f === fields.length - 1;
  const neighbour = next.sections[dir === "up" ? at.s - 1 : at.s + 1];
  if (edge && neighbour) {
    const [field] = fields.splice(at.f, 1);
    if (dir === "up") neighbour.fields.push(field!);
    else neighbour.fields.unshift(field!);
  } else {
    shift(fields, at.f, dir);
  }
  return next;
}

export function removeField(def: TemplateDefinition, key: string): TemplateDefinition {
  const next = clone(def);
  const at = locateField(next, key);
  next.sections[at.s]!.fields.splice(at.f, 1);
  return next;
}
