/**
 * The checks every note action starts with: the note exists in this clinic (or an audited 404),
 * only its author writes it, and only while it is a draft. Also the errors the note routes render
 * themselves: a version conflict (with the saved note, for the conflict view) and a form with errors.
 */
import { audit, type AuditEntry } from "../audit/service";
import { AppError, notFound, type FieldErrors } from "../platform/errors";
import type { StaffScope } from "../platform/scope";
import { localParts } from "../platform/time";
import { parseDefinition, type NoteContent, type TemplateDefinition } from "./model";
import { findNote, type Note } from "./repo";

export const LOCKED_MESSAGE = "This note is signed. Add an addendum to correct it.";

type Action = AuditEntry["action"];

function entry(note: Pick<Note, "id" | "patientId"> | null, id: string, action: Action, event: string, detail: string): AuditEntry {
  return {
    action,
    event,
    entityType: "note",
    entityId: note?.id ?? id.slice(0, 64),
    patientId: note?.patientId ?? null,
    outcome: "failure",
    detail,
  };
}

/** Records a refused note action. */
export function auditRefusal(scope: StaffScope, note: Pick<Note, "id" | "patientId">, action: Action, event: string, detail: string): Promise<void> {
  return audit(scope, entry(note, note.id, action, event, detail));
}

/** The note, or a 404 after an audit row saying someone looked for it. */
export async function loadNote(scope: StaffScope, id: string, action: Action, event: string): Promise<Note> {
  const note = await findNote(scope.db, id);
  if (!note) {
    await audit(scope, entry(null, id, action, event, "not found"));
    throw notFound("This note");
  }
  return note;
}

/** Only the author writes a draft; anyone else, even with the permission, is refused. */
export async function requireAuthor(scope: StaffScope, note: Note, action: Action, event: string, what: string): Promise<void> {
  if (note.authorStaffId === scope.staff.id) return;
  await auditRefusal(scope, note, action, event, "not the author");
  throw new AppError("forbidden", `Only the author of this note, ${note.authorName}, can ${what} it.`);
}

/** A signed note (or one awaiting its co-signature) never changes again. */
export async function requireDraft(scope: StaffScope, note: Note, action: Action, event: string): Promise<void> {
  if (note.status === "draft") return;
  await auditRefusal(scope, note, action, event, "note is signed");
  throw new AppError("locked", LOCKED_MESSAGE);
}

/** The definition a note was started from (validated when the template was saved, and again here). */
export function definitionOf(note: Pick<Note, "definition">): TemplateDefinition {
  return parseDefinition(note.definition);
}

export function contentOf(note: Pick<Note, "content">): NoteContent {
  try {
    const v = JSON.parse(note.content) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as NoteContent) : {};
  } catch {
    return {};
  }
}

/**
 * Another tab or device saved first. Nothing was written; `current` is the note as saved, and
 * `mine` the values this request carried, so the conflict view can show both.
 */
export class NoteConflict extends AppError {
  constructor(
    readonly current: Note,
    readonly mine: NoteContent,
  ) {
    super("conflict", "This note was saved from another tab or device after you opened it. Nothing was overwritten.");
  }
}

/** Values that cannot be saved or signed as they are; `content` is what was sent, to show again. */
export class NoteFormError extends AppError {
  constructor(
    message: string,
    fields: FieldErrors,
    readonly content: NoteContent,
  ) {
    super("validation", message, fields);
  }
}

/** Hours and minutes in the clinic's timezone, for "Saved at 10:42". */
export function clockOf(ms: number, timeZone: string): string {
  return localParts(ms, timeZone).time;
}
