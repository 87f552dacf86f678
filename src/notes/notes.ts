/**
 * Notes of an encounter: starting one from a template, opening it (to edit, read or print),
 * saving its draft under a version check (autosave and the plain "Save draft"), and appending
 * addenda once it is signed. Signing itself is in ./signing.ts. Every step is audited.
 */
import { and, eq, sql } from "drizzle-orm";
import { audit, auditStatement, auditStatementIfChanged, scheduleSeal } from "../audit/service";
import { readHeader, type ChartHeaderData } from "../charting/header";
import { noteAddenda, notes } from "../charting/tables";
import { AppError, notFound } from "../platform/errors";
import { requirePermission, type StaffScope } from "../platform/scope";
import { readNoteForm } from "../../views/notes/fields";
import type { NoteContent, TemplateDefinition } from "./model";
import { resolveTemplateForNote } from "./templates";
import { readBlocks, type BlockResults, type NoteBlocks } from "./blocks";
import { auditRefusal, contentOf, definitionOf, loadNote, LOCKED_MESSAGE, NoteConflict, NoteFormError, requireAuthor, requireDraft } from "./access";
import { findEncounter, findNote, noteContext, type Addendum, type Encounter, type Note } from "./repo";
import { addendumHashOf, canonicalJson, parseSigned, type SignedNote } from "./signing";

/** Starts a note in an encounter from a template; the note keeps its own copy of the definition. */
export async function createNote(scope: StaffScope, encounterId: string, templateId: string): Promise<string> {
  requirePermission(scope, "notes:write");
  const encounter = await findEncounter(scope.db, encounterId);
  if (!encounter) {
    await audit(scope, { action: "create", event: "note.create", entityType: "encounter", entityId: encounterId.slice(0, 64), outcome: "failure", detail: "encounter not found" });
    throw notFound("This encounter");
  }
  const template = await resolveTemplateForNote(scope, templateId);
  const id = crypto.randomUUID();
  const now = Date.now();
  await scope.db.batch([
    scope.db.insert(notes).values({
      id,
      encounterId: encounter.id,
      patientId: encounter.patientId,
      templateId: template.id,
      title: template.name,
      definition: JSON.stringify(template.definition),
      content: "{}",
      authorStaffId: scope.staff.id,
      authorName: scope.staff.name,
      createdAt: now,
      createdBy: scope.staff.id,
      updatedAt: now,
      updatedBy: scope.staff.id,
    }),
    auditStatement(scope, {
      action: "create",
      event: "note.create",
      entityType: "note",
      entityId: id,
      patientId: encounter.patientId,
      detail: `template ${template.id}`,
    }),
  ]);
  scheduleSeal(scope);
  return id;
}

/** A note as a page shows it: a draft with the chart as it is now, a signed note as it was signed. */
export interface NotePage {
  note: Note;
  header: ChartHeaderData;
  encounter: Encounter;
  def: TemplateDefinition;
  values: NoteContent;
  blocks: NoteBlocks;
  addenda: Addendum[];
  signed: SignedNote | null;
}

/** Opens a note to view, edit or print it; audited as a read (or a print). */
export async function openNote(scope: StaffScope, id: string, purpose: "view" | "print" = "view"): Promise<NotePage> {
  requirePermission(scope, "chart:read");
  const event = purpose === "print" ? "note.print" : "note.view";
  const action = purpose === "print" ? "print" : "read";
  const note = await loadNote(scope, id, action, event);
  const ctx = await noteContext(scope.db, note, auditStatement(scope, { action, event, entityType: "note", entityId: note.id, patientId: note.patientId }));
  scheduleSeal(scope);
  if (!ctx.encounter) throw new AppError("internal", "The encounter of this note is missing.");
  const header = readHeader(scope.staff, note.patientId, ctx.header as unknown as Parameters<typeof readHeader>[2]);
  const signed = parseSigned(note);
  if (signed) {
    return { note, header, encounter: ctx.encounter, def: signed.definition, values: signed.values, blocks: signed.blocks, addenda: ctx.addenda, signed };
  }
  const def = definitionOf(note);
  return {
    note,
    header,
    encounter: ctx.encounter,
    def,
    values: contentOf(note),
    blocks: readBlocks(def, ctx.blocks as unknown as BlockResults),
    addenda: ctx.addenda,
    signed: null,
  };
}

/** Names of the fields whose values differ (for the audit detail: names only, never values). */
function changedKeys(before: NoteContent, after: NoteContent): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => canonicalJson(before[k]) !== canonicalJson(after[k])).sort();
}

export type SaveMode = "autosave" | "save" | "overwrite";

/**
 * Saves a draft's values when the note is still at `version`. Otherwise nothing is written: a
 * signed note is locked (423) and a newer save is a conflict (409, with the saved note).
 * "overwrite" is the author's explicit choice, after a conflict, to keep this tab's values: it
 * carries the version they were shown.
 */
export async function saveNote(
  scope: StaffScope,
  id: string,
  version: number,
  form: Record<string, string>,
  mode: SaveMode,
): Promise<{ version: number; savedAt: number }> {
  requirePermission(scope, "notes:write");
  const event = mode === "autosave" ? "note.autosave" : "note.save";
  const note = await loadNote(scope, id, "update", event);
  await requireAuthor(scope, note, "update", event, "edit");
  await requireDraft(scope, note, "update", event);
  const def = definitionOf(note);
  const read = readNoteForm(def, form);
  const json = JSON.stringify(read.content);
  if (Object.keys(read.errors).length > 0) {
    await auditRefusal(scope, note, "update", event, `invalid: ${Object.keys(read.errors).join(", ")}`);
    throw new NoteFormError("The note was not saved: correct the fields marked below.", read.errors, read.content);
  }
  const changed = changedKeys(contentOf(note), read.content);
  const now = Date.now();
  const [update] = await scope.db.batch([
    scope.db
      .update(notes)
      .set({ content: json, version: sql`${notes.version} + 1`, updatedAt: now, updatedBy: scope.staff.id })
      .where(and(eq(notes.id, note.id), eq(notes.version, version), eq(notes.status, "draft"), eq(notes.authorStaffId, scope.staff.id))),
    auditStatementIfChanged(scope, {
      action: "update",
      event,
      entityType: "note",
      entityId: note.id,
      patientId: note.patientId,
      detail: `${mode === "overwrite" ? "kept this tab's version over a newer save; " : ""}${changed.length ? `changed: ${changed.join(", ")}` : "no changes"}`,
    }),
  ]);
  if (update.meta.changes !== 1) {
    const current = await findNote(scope.db, id);
    if (!current || current.status !== "draft") {
      await auditRefusal(scope, note, "update", event, "note is signed");
      throw new AppError("locked", LOCKED_MESSAGE);
    }
    if (current.content === json) {
      // What was sent is exactly what is saved: a save that already landed, sent again by a flaky
      // line, or the same text from another tab. Nothing differs, so nothing is in conflict.
      await audit(scope, {
        action: "update",
        event,
        entityType: "note",
        entityId: note.id,
        patientId: note.patientId,
        detail: `already saved (sent version ${version}, saved ${current.version}); no changes`,
      });
      return { version: current.version, savedAt: current.updatedAt };
    }
    await auditRefusal(scope, note, "update", event, `version conflict: sent ${version}, saved ${current.version}`);
    throw new NoteConflict(current, read.content);
  }
  scheduleSeal(scope);
  return { version: version + 1, savedAt: now };
}

/**
 * Appends a correction below a signed note (or one awaiting its co-signature). Its hash chains it
 * to the note's content hash; the table is append-only.
 */
export async function addAddendum(scope: StaffScope, id: string, body: string): Promise<string> {
  requirePermission(scope, "notes:write");
  const note = await loadNote(scope, id, "create", "note.addendum");
  if (note.status === "draft" || !note.contentHash) {
    await auditRefusal(scope, note, "create", "note.addendum", "note is a draft");
    throw new AppError("conflict", "This note is still a draft: edit it directly. Addenda are for signed notes.");
  }
  const at = Date.now();
  const author = { id: scope.staff.id, name: scope.staff.name };
  const addendumId = crypto.randomUUID();
  const hash = await addendumHashOf(note.contentHash, body, author, at);
  await scope.db.batch([
    scope.db.insert(noteAddenda).values({
      id: addendumId,
      noteId: note.id,
      patientId: note.patientId,
      body,
      authorStaffId: author.id,
      authorName: author.name,
      createdAt: at,
      contentHash: hash,
    }),
    auditStatement(scope, { action: "create", event: "note.addendum", entityType: "note", entityId: note.id, patientId: note.patientId, detail: `addendum ${addendumId}` }),
  ]);
  scheduleSeal(scope);
  return addendumId;
}
