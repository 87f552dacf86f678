/**
 * Signing, co-signing and verifying notes. What is signed is a canonical JSON text (keys sorted,
 * no whitespace) of the note, its definition, its values and the chart data it embeds, with the
 * author and the signing time; its SHA-256 (hex) is stored beside it. From then on a database
 * trigger (migration 0006) refuses any change to it, and the hash lets anyone check it later.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { auditStatementIfChanged, scheduleSeal } from "../audit/service";
import { notes } from "../charting/tables";
import { sha256Hex } from "../platform/crypto";
import { AppError } from "../platform/errors";
import { can, requirePermission, type StaffScope } from "../platform/scope";
import { formName, readNoteForm } from "../../views/notes/fields";
import { missingRequired } from "./required";
import type { NoteContent, TemplateDefinition } from "./model";
import { blockQueries, readBlocks, type BlockResults, type NoteBlocks } from "./blocks";
import {
  auditRefusal,
  contentOf,
  definitionOf,
  loadNote,
  LOCKED_MESSAGE,
  NoteConflict,
  NoteFormError,
  requireAuthor,
  requireDraft,
} from "./access";
import { supervisors, type Addendum, type Note } from "./repo";

/** JSON with object keys sorted at every level and no whitespace: one text for one meaning. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** What a signature covers. `format` names this layout, so a later one can be told apart. */
export interface SignedNote {
  format: "note/1";
  noteId: string;
  patientId: string;
  encounterId: string;
  title: string;
  definition: TemplateDefinition;
  values: NoteContent;
  blocks: NoteBlocks;
  author: { id: string; name: string };
  signedAt: string;
}

export function signedContentOf(s: Omit<SignedNote, "format">): string {
  return canonicalJson({ format: "note/1", ...s } satisfies SignedNote);
}

/** Reads back a note's signed content (null for a draft). */
export function parseSigned(note: Pick<Note, "signedContent">): SignedNote | null {
  if (!note.signedContent) return null;
  return JSON.parse(note.signedContent) as SignedNote;
}

/** The co-signature's hash: over the note's content hash, the co-signer and the time. */
export function cosignHashOf(contentHash: string, cosigner: { id: string; name: string }, at: number): Promise<string> {
  return sha256Hex(canonicalJson({ contentHash, cosigner, cosignedAt: new Date(at).toISOString() }));
}

/** An addendum's hash: over the note's content hash, the text, the author and the time. */
export function addendumHashOf(noteHash: string, body: string, author: { id: string; name: string }, at: number): Promise<string> {
  return sha256Hex(canonicalJson({ noteHash, body, author, createdAt: new Date(at).toISOString() }));
}

export interface Verification {
  content: boolean;
  /** Null when there is no co-signature to check. */
  cosign: boolean | null;
  /** Addendum id -> whether its hash matches. */
  addenda: Record<string, boolean>;
  ok: boolean;
}

/** Recomputes every hash of a signed note from what is stored, and says which ones match. */
export async function verifyNote(note: Note, addenda: Addendum[]): Promise<Verification> {
  const content = !!note.signedContent && !!note.contentHash && (await sha256Hex(note.signedContent)) === note.contentHash;
  const cosign =
    note.cosignedAt === null
      ? null
      : !!note.contentHash &&
        (await cosignHashOf(note.contentHash, { id: note.cosignerStaffId ?? "", name: note.cosignerName ?? "" }, note.cosignedAt)) === note.cosignHash;
  const results: Record<string, boolean> = {};
  for (const a of addenda) {
    results[a.id] = (await addendumHashOf(note.contentHash ?? "", a.body, { id: a.authorStaffId, name: a.authorName }, a.createdAt)) === a.contentHash;
  }
  return { content, cosign, addenda: results, ok: content && cosign !== false && Object.values(results).every(Boolean) };
}

/** Supervisors an associate can name, for the sign form. */
export function cosignerChoices(scope: StaffScope, directory: D1Database): Promise<{ id: string; name: string }[]> {
  return supervisors(directory, scope.clinic.id, scope.staff.id);
}

export interface SignInput {
  version: number;
  /** The editor form (signing saves what it carries first); null signs the saved values. */
  form: Record<string, string> | null;
  cosignerId: string | null;
}

/**
 * Signs a draft as its author. Required fields must be filled; a signer without
 * `notes:sign_unsupervised` names a supervisor and the note waits for their co-signature.
 * The update is guarded by the version and the draft status, so a stale tab cannot sign.
 */
export async function signNote(scope: StaffScope, directory: D1Database, id: string, input: SignInput): Promise<{ status: Note["status"] }> {
  requirePermission(scope, "notes:sign");
  const note = await loadNote(scope, id, "update", "note.sign");
  await requireAuthor(scope, note, "update", "note.sign", "sign");
  await requireDraft(scope, note, "update", "note.sign");
  const def = definitionOf(note);
  let values = contentOf(note);
  if (input.form) {
    const read = readNoteForm(def, input.form);
    if (Object.keys(read.errors).length > 0) {
      await auditRefusal(scope, note, "update", "note.sign", `invalid: ${Object.keys(read.errors).join(", ")}`);
      throw new NoteFormError("The note was not signed: correct the fields marked below.", read.errors, read.content);
    }
    values = read.content;
  }
  const missing = missingRequired(def, values);
  if (missing.length > 0) {
    await auditRefusal(scope, note, "update", "note.sign", "required fields missing");
    const empty = def.sections.flatMap((s) => s.fields).filter((f) => f.required && missing.includes(f.label));
    const fields = Object.fromEntries(empty.map((f) => [formName(f.key), `${f.label} is required before signing.`]));
    throw new NoteFormError(`The note was not signed. Fill in the required fields first: ${missing.join(", ")}.`, fields, values);
  }

  const unsupervised = can(scope.staff, "notes:sign_unsupervised");
  let cosigner: { id: string; name: string } | null = null;
  if (!unsupervised) {
    const choices = await cosignerChoices(scope, directory);
    cosigner = choices.find((c) => c.id === input.cosignerId) ?? null;
    if (!cosigner) {
      await auditRefusal(scope, note, "update", "note.sign", "no supervisor named");
      throw new NoteFormError("The note was not signed: choose the supervisor who will co-sign it.", { cosigner: "Choose the supervisor who will co-sign this note." }, values);
    }
  }

  const blocks = readBlocks(def, (await scope.db.batch(blockQueries(scope.db, note.patientId, note.encounterId))) as unknown as BlockResults);
  const signedAt = Date.now();
  const author = { id: scope.staff.id, name: scope.staff.name };
  const signedContent = signedContentOf({
    noteId: note.id,
    patientId: note.patientId,
    encounterId: note.encounterId,
    title: note.title,
    definition: def,
    values,
    blocks,
    author,
    signedAt: new Date(signedAt).toISOString(),
  });
  const hash = await sha256Hex(signedContent);
  const status = unsupervised ? "signed" : "awaiting_cosign";
  const [update] = await scope.db.batch([
    scope.db
      .update(notes)
      .set({
        content: JSON.stringify(values),
        status,
        version: sql`${notes.version} + 1`,
        signedAt,
        signedBy: author.id,
        signedByName: author.name,
        signedContent,
        contentHash: hash,
        cosignerStaffId: cosigner?.id ?? null,
        cosignerName: cosigner?.name ?? null,
        updatedAt: signedAt,
        updatedBy: author.id,
      })
      .where(and(eq(notes.id, note.id), eq(notes.version, input.version), eq(notes.status, "draft"), eq(notes.authorStaffId, author.id))),
    auditStatementIfChanged(scope, {
      action: "update",
      event: "note.sign",
      entityType: "note",
      entityId: note.id,
      patientId: note.patientId,
      detail: cosigner ? `signed, awaiting co-signature by ${cosigner.id}` : "signed",
    }),
  ]);
  if (update.meta.changes !== 1) {
    const current = await loadNote(scope, id, "update", "note.sign");
    if (current.status !== "draft") {
      await auditRefusal(scope, note, "update", "note.sign", "note is signed");
      throw new AppError("locked", LOCKED_MESSAGE);
    }
    await auditRefusal(scope, note, "update", "note.sign", "version conflict");
    throw new NoteConflict(current, values);
  }
  scheduleSeal(scope);
  return { status };
}

/** The named supervisor co-signs an associate's signed note; it is then fully signed. */
export async function cosignNote(scope: StaffScope, id: string): Promise<void> {
  requirePermission(scope, "notes:cosign");
  const note = await loadNote(scope, id, "update", "note.cosign");
  if (note.status !== "awaiting_cosign" || !note.contentHash) {
    await auditRefusal(scope, note, "update", "note.cosign", `status ${note.status}`);
    throw new AppError("conflict", note.status === "signed" ? "This note is already fully signed." : "This note has not been signed by its author yet.");
  }
  if (note.cosignerStaffId !== scope.staff.id) {
    await auditRefusal(scope, note, "update", "note.cosign", "not the named supervisor");
    throw new AppError("forbidden", `Only the supervisor named when the note was signed, ${note.cosignerName ?? "another clinician"}, can co-sign it.`);
  }
  const at = Date.now();
  // The name is the one recorded when the associate chose the supervisor, so the hash can be checked later.
  const hash = await cosignHashOf(note.contentHash, { id: scope.staff.id, name: note.cosignerName ?? scope.staff.name }, at);
  const [update] = await scope.db.batch([
    scope.db
      .update(notes)
      .set({ status: "signed", cosignedAt: at, cosignHash: hash, updatedAt: at, updatedBy: scope.staff.id })
      .where(
        and(eq(notes.id, note.id), eq(notes.status, "awaiting_cosign"), eq(notes.cosignerStaffId, scope.staff.id), isNull(notes.cosignedAt)),
      ),
    auditStatementIfChanged(scope, { action: "update", event: "note.cosign", entityType: "note", entityId: note.id, patientId: note.patientId }),
  ]);
  if (update.meta.changes !== 1) {
    await auditRefusal(scope, note, "update", "note.cosign", "already co-signed");
    throw new AppError("conflict", "This note was co-signed meanwhile.");
  }
  scheduleSeal(scope);
}
