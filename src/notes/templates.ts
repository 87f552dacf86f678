/**
 * Note templates of one clinic: who may use, see and change which template, the starter library's
 * installation, and every write (create, edit under a version check, copy, share, archive, import).
 * A template is private to its owner until shared with the clinic. Templates hold no patient data,
 * so their audit rows carry no patient id.
 */
import { and, asc, eq, isNotNull, or } from "drizzle-orm";
import { audit, auditStatementIfChanged, auditStatement, scheduleSeal, type AuditEntry } from "../audit/service";
import { noteTemplates, questionnaires } from "../charting/tables";
import { AppError, notFound } from "../platform/errors";
import { can, type StaffScope } from "../platform/scope";
import { BUILT_IN_INSTRUMENTS, parseDefinition, validateDefinition, type TemplateDefinition } from "./model";
import { STARTER_TEMPLATES, starterTemplate, type StarterTemplate } from "./starter-library";

export type TemplateRow = typeof noteTemplates.$inferSelect;

/** A template as the note editor offers it. */
export interface UsableTemplate {
  id: string;
  name: string;
  description: string | null;
  shared: boolean;
  mine: boolean;
  starter: boolean;
}

export const NAME_MAX = 120;
export const DESCRIPTION_MAX = 500;

const STARTER_PREFIX = "starter:";
const ENTITY = "note_template";

/** Anyone who writes notes or manages templates may list and use them. */
function requireTemplateUse(scope: StaffScope): void {
  if (!(["notes:write", "templates:write", "templates:share"] as const).some((p) => can(scope.staff, p))) {
    throw new AppError("forbidden", "Your role does not use note templates. Ask a clinic administrator if you need access.");
  }
}

/** The builder is for those who write their own templates or manage the clinic's. */
export function requireBuilder(scope: StaffScope): void {
  if (!can(scope.staff, "templates:write") && !can(scope.staff, "templates:share")) {
    throw new AppError("forbidden", "Your role cannot manage note templates. Ask a clinic administrator if you need access.");
  }
}

/** Whether the viewer can see the template at all: shared with the clinic, or their own. */
export function isVisible(scope: StaffScope, row: TemplateRow): boolean {
  return row.shared === 1 || row.ownerStaffId === scope.staff.id;
}

/** Shared templates are the clinic's (templates:share); private ones their owner's. */
export function canEditTemplate(scope: StaffScope, row: TemplateRow): boolean {
  if (row.shared === 1) return can(scope.staff, "templates:share");
  return row.ownerStaffId === scope.staff.id && (can(scope.staff, "templates:write") || can(scope.staff, "templates:share"));
}

const visibleWhere = (scope: StaffScope) => or(eq(noteTemplates.shared, 1), eq(noteTemplates.ownerStaffId, scope.staff.id));
const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name, "en", { sensitivity: "base" });

/**
 * Templates the viewer may start a note from: the clinic's shared ones, their own, and the
 * starter library's not yet installed here (id `starter:<key>`). Archived ones are left out.
 */
export async function listUsableTemplates(scope: StaffScope): Promise<UsableTemplate[]> {
  requireTemplateUse(scope);
  const db = scope.db;
  const [rows, installed] = await db.batch([
    db
      .select({ id: noteTemplates.id, name: noteTemplates.name, description: noteTemplates.description, shared: noteTemplates.shared, owner: noteTemplates.ownerStaffId })
      .from(noteTemplates)
      .where(and(eq(noteTemplates.archived, 0), visibleWhere(scope))),
    db.select({ key: noteTemplates.starterKey }).from(noteTemplates).where(isNotNull(noteTemplates.starterKey)),
  ]);
  const taken = new Set(installed.map((r) => r.key));
  const list: UsableTemplate[] = rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    shared: r.shared === 1,
    mine: r.owner === scope.staff.id,
    starter: false,
  }));
  for (const s of STARTER_TEMPLATES) {
    if (!taken.has(s.key)) list.push({ id: `${STARTER_PREFIX}${s.key}`, name: s.name, description: s.description, shared: true, mine: false, starter: true });
  }
  return list.sort(byName);
}

/**
 * The template a new note starts from, if the viewer may use it. `starter:<key>` installs the
 * starter template into the clinic first (once, however many notes start from it at the same time).
 */
export async function resolveTemplateForNote(scope: StaffScope, id: string): Promise<{ id: string; name: string; definition: TemplateDefinition }> {
  requireTemplateUse(scope);
  let row: TemplateRow | undefined;
  if (id.startsWith(STARTER_PREFIX)) {
    const starter = starterTemplate(id.slice(STARTER_PREFIX.length));
    row = starter ? await installStarterRow(scope, starter) : undefined;
  } else {
    row = await findTemplate(scope, id);
  }
  if (!row || row.archived === 1 || !isVisible(scope, row)) {
    await audit(scope, { action: "read", event: "template.use", entityType: ENTITY, entityId: id.slice(0, 64), outcome: "failure", detail: "not found" });
    throw notFound("This template");
  }
  return { id: row.id, name: row.name, definition: parseDefinition(row.definition) };
}

export async function findTemplate(scope: StaffScope, id: string): Promise<TemplateRow | undefined> {
  return scope.db.query.noteTemplates.findFirst({ where: eq(noteTemplates.id, id) });
}

/**
 * Installs a starter template as a shared template of the clinic and returns the clinic's row.
 * The unique index on `starter_key` makes concurrent installs collapse into one row; only the
 * install that wrote the row is audited.
 */
async function installStarterRow(scope: StaffScope, starter: StarterTemplate): Promise<TemplateRow> {
  const now = Date.now();
  const id = crypto.randomUUID();
  const insert = scope.db
    .insert(noteTemplates)
    .values({
      id,
      name: starter.name,
      description: starter.description,
      definition: JSON.stringify(starter.definition),
      ownerStaffId: null,
      shared: 1,
      starterKey: starter.key,
      createdAt: now,
      createdBy: scope.staff.id,
      updatedAt: now,
      updatedBy: scope.staff.id,
    })
    .onConflictDoNothing({ target: noteTemplates.starterKey });
  const select = scope.db.select().from(noteTemplates).where(eq(noteTemplates.starterKey, starter.key));
  const [, , found] = await scope.db.batch([
    insert,
    auditStatementIfChanged(scope, { action: "create", event: "template.install", entityType: ENTITY, entityId: id, detail: `starter ${starter.key}` }),
    select,
  ]);
  scheduleSeal(scope);
  const row = found[0];
  if (!row) throw new AppError("internal", "The starter template could not be installed.");
  return row;
}

/** A starter template added from the builder ("Add to clinic"); adding it twice is harmless. */
export async function installStarter(scope: StaffScope, key: string): Promise<TemplateRow> {
  requireBuilder(scope);
  if (!can(scope.staff, "templates:share")) {
    throw new AppError("forbidden", "Only those who manage the clinic's shared templates can add a starter template to the clinic. You can copy it for yourself instead.");
  }
  const starter = starterTemplate(key);
  if (!starter) throw notFound("This starter template");
  return installStarterRow(scope, starter);
}

export interface BuilderLists {
  mine: TemplateRow[];
  shared: TemplateRow[];
  archived: TemplateRow[];
  /** Starter templates not yet in this clinic. */
  starters: StarterTemplate[];
}

/** Everything the builder's list page shows, in one round trip. */
export async function listForBuilder(scope: StaffScope): Promise<BuilderLists> {
  requireBuilder(scope);
  const db = scope.db;
  const [rows, installed] = await db.batch([
    db.select().from(noteTemplates).where(visibleWhere(scope)).orderBy(asc(noteTemplates.name)),
    db.select({ key: noteTemplates.starterKey }).from(noteTemplates).where(isNotNull(noteTemplates.starterKey)),
  ]);
  const taken = new Set(installed.map((r) => r.key));
  const live = rows.filter((r) => r.archived === 0).sort(byName);
  return {
    mine: live.filter((r) => r.shared === 0),
    shared: live.filter((r) => r.shared === 1),
    archived: rows.filter((r) => r.archived === 1).sort(byName),
    starters: STARTER_TEMPLATES.filter((s) => !taken.has(s.key)),
  };
}

/** The questionnaires a questionnaire field may use: the built-in ones and the clinic's own. */
export type Instrument = { code: string; name: string };

export interface OpenedTemplate {
  row: TemplateRow;
  definition: TemplateDefinition;
  canEdit: boolean;
  canShare: boolean;
  instruments: Instrument[];
}

/**
 * A template for the builder, with the clinic's questionnaires. Another clinic's template, or
 * someone else's private one, is a 404; "edit" on a template the viewer may only read is a 403.
 */
export async function openTemplate(scope: StaffScope, id: string, purpose: "view" | "edit"): Promise<OpenedTemplate> {
  requireBuilder(scope);
  const db = scope.db;
  const [rows, qs] = await db.batch([
    db.select().from(noteTemplates).where(eq(noteTemplates.id, id)).limit(1),
    db.select({ code: questionnaires.code, name: questionnaires.name }).from(questionnaires).where(eq(questionnaires.archived, 0)).orderBy(asc(questionnaires.name)),
  ]);
  const row = rows[0];
  if (!row || !isVisible(scope, row)) {
    await audit(scope, { action: "read", event: `template.${purpose}`, entityType: ENTITY, entityId: id.slice(0, 64), outcome: "failure", detail: "not found" });
    throw notFound("This template");
  }
  const canEdit = canEditTemplate(scope, row);
  if (purpose === "edit" && !canEdit) {
    throw new AppError("forbidden", row.shared === 1 ? "Only those who manage the clinic's shared templates can change this one. Copy it to make your own version." : "Only its owner can change this template.");
  }
  return {
    row,
    definition: parseDefinition(row.definition),
    canEdit,
    canShare: can(scope.staff, "templates:share"),
    instruments: [...BUILT_IN_INSTRUMENTS, ...qs],
  };
}

export const CONFLICT_MESSAGE =
  "Someone else changed this template after you opened it. Your change was not saved: the latest version is shown below, make your change again.";

/** What an update may change. */
export interface TemplatePatch {
  name?: string;
  description?: string | null;
  definition?: TemplateDefinition;
  shared?: number;
  ownerStaffId?: string | null;
  archived?: number;
}

/**
 * Saves a change when the template is still at `version`; otherwise it is a conflict (409) and
 * nothing is overwritten. The audit row is written in the same batch, only if the update took.
 */
export async function updateTemplate(
  scope: StaffScope,
  row: TemplateRow,
  version: number,
  patch: TemplatePatch,
  entry: Pick<AuditEntry, "event" | "detail">,
): Promise<void> {
  const { definition, ...rest } = patch;
  if (definition) {
    const check = validateDefinition(definition);
    if (!check.ok) throw new AppError("validation", Object.values(check.errors).join(" "), check.errors);
  }
  const update = scope.db
    .update(noteTemplates)
    .set({ ...rest, ...(definition ? { definition: JSON.stringify(definition) } : {}), version: version + 1, updatedAt: Date.now(), updatedBy: scope.staff.id })
    .where(and(eq(noteTemplates.id, row.id), eq(noteTemplates.version, version)));
  const [result] = await scope.db.batch([
    update,
    auditStatementIfChanged(scope, { action: "update", entityType: ENTITY, entityId: row.id, ...entry }),
  ]);
  if (!result || result.meta.changes !== 1) {
    await audit(scope, { action: "update", event: entry.event, entityType: ENTITY, entityId: row.id, outcome: "failure", detail: "version conflict" });
    throw new AppError("conflict", CONFLICT_MESSAGE);
  }
  scheduleSeal(scope);
}

/** Creates a template private to its author (create, copy and import all end here). */
export async function createTemplate(
  scope: StaffScope,
  input: { name: string; description: string | null; definition: TemplateDefinition },
  entry: Pick<AuditEntry, "event" | "detail"> = { event: "template.create" },
): Promise<TemplateRow> {
  requireBuilder(scope);
  const check = validateDefinition(input.definition);
  if (!check.ok) throw new AppError("validation", Object.values(check.errors).join(" "), check.errors);
  const id = crypto.randomUUID();
  const now = Date.now();
  const [inserted] = await scope.db.batch([
    scope.db
      .insert(noteTemplates)
      .values({
        id,
        name: input.name,
        description: input.description,
        definition: JSON.stringify(check.def),
        ownerStaffId: scope.staff.id,
        shared: 0,
        createdAt: now,
        createdBy: scope.staff.id,
        updatedAt: now,
        updatedBy: scope.staff.id,
      })
      .returning(),
    auditStatement(scope, { action: "create", entityType: ENTITY, entityId: id, ...entry }),
  ]);
  scheduleSeal(scope);
  const row = inserted[0];
  if (!row) throw new AppError("internal", "The template could not be saved.");
  return row;
}

/** "Copy of …", private to whoever copies it, from a template they can see or a starter template. */
export async function copyTemplate(scope: StaffScope, source: { id: string } | { starterKey: string }): Promise<TemplateRow> {
  requireBuilder(scope);
  let from: { name: string; description: string | null; definition: TemplateDefinition; ref: string };
  if ("starterKey" in source) {
    const s = starterTemplate(source.starterKey);
    if (!s) throw notFound("This starter template");
    from = { name: s.name, description: s.description, definition: s.definition, ref: `starter ${s.key}` };
  } else {
    const t = await openTemplate(scope, source.id, "view");
    from = { name: t.row.name, description: t.row.description, definition: t.definition, ref: `from ${t.row.id}` };
  }
  return createTemplate(scope, { name: `Copy of ${from.name}`.slice(0, NAME_MAX), description: from.description, definition: from.definition }, { event: "template.copy", detail: from.ref });
}

/**
 * Shares a template with the clinic, or makes a shared one private again (to its owner, or to
 * whoever unshares a starter template, which has no owner). Needs templates:share.
 */
export async function setShared(scope: StaffScope, id: string, version: number, shared: boolean): Promise<void> {
  const t = await openTemplate(scope, id, "view");
  if (!can(scope.staff, "templates:share")) {
    throw new AppError("forbidden", "Only those who manage the clinic's shared templates can share or unshare a template.");
  }
  const patch: TemplatePatch = { shared: shared ? 1 : 0 };
  if (!shared && !t.row.ownerStaffId) patch.ownerStaffId = scope.staff.id;
  await updateTemplate(scope, t.row, version, patch, { event: "template.share", detail: shared ? "shared with the clinic" : "made private" });
}

/** Archives a template (no longer offered for new notes; notes already written keep their copy), or restores it. */
export async function setArchived(scope: StaffScope, id: string, version: number, archived: boolean): Promise<void> {
  const t = await openTemplate(scope, id, "edit");
  await updateTemplate(scope, t.row, version, { archived: archived ? 1 : 0 }, { event: "template.archive", detail: archived ? "archived" : "restored" });
}

/** The portable form of a template: what "Export JSON" downloads and "Import JSON" reads. */
export interface TemplateExport {
  format: "note-template";
  formatVersion: 1;
  name: string;
  description: string | null;
  definition: TemplateDefinition;
}

export async function exportTemplate(scope: StaffScope, id: string): Promise<TemplateExport> {
  const t = await openTemplate(scope, id, "view");
  await audit(scope, { action: "export", event: "template.export", entityType: ENTITY, entityId: t.row.id });
  return { format: "note-template", formatVersion: 1, name: t.row.name, description: t.row.description, definition: t.definition };
}

/** Codes of the questionnaires a definition uses that this clinic does not have. */
export function unknownInstruments(def: TemplateDefinition, instruments: Instrument[]): string[] {
  const known = new Set(instruments.map((i) => i.code));
  const used = def.sections.flatMap((s) => s.fields).filter((f) => f.type === "questionnaire" && f.instrument);
  return [...new Set(used.map((f) => f.instrument!).filter((c) => !known.has(c)))];
}

/** The clinic's questionnaires, for checking an imported definition. */
export async function clinicInstruments(scope: StaffScope): Promise<Instrument[]> {
  const qs = await scope.db
    .select({ code: questionnaires.code, name: questionnaires.name })
    .from(questionnaires)
    .where(eq(questionnaires.archived, 0));
  return [...BUILT_IN_INSTRUMENTS, ...qs];
}
