/**
 * A patient's documents: who may see which category, the list, the download, the soft delete and
 * the upload form's data. Each function checks the permission, reads or writes through the
 * clinic-scoped database and leaves an audit row. The streamed upload itself is in ./upload.ts.
 */
import { and, eq, exists, inArray, isNull, type SQL } from "drizzle-orm";
import { audit, auditStatementIfChanged, auditStatementWhere, auditMany, scheduleSeal, type AuditEntry } from "../audit/service";
import { headerOr404 } from "../charting/access";
import { headerQueries, readHeader, type ChartHeaderData } from "../charting/header";
import { ATTACHMENT_CATEGORIES, attachments, encounters } from "../charting/tables";
import { patients } from "../patients/tables";
import type { Env, Staff } from "../platform/env";
import { AppError, notFound } from "../platform/errors";
import { can, requirePermission, type StaffScope } from "../platform/scope";
import { deletedCountQuery, documentsQuery, encounterQuery, findDocument, LIST_LIMIT, type Attachment, type EncounterRef } from "./repo";
import type { AttachmentCategory } from "./input";

/** 25 MiB unless the ATTACHMENT_MAX_BYTES variable says otherwise. */
export function maxUploadBytes(env: Pick<Env, "ATTACHMENT_MAX_BYTES">): number {
  const n = Number(env.ATTACHMENT_MAX_BYTES);
  return Number.isSafeInteger(n) && n > 0 ? n : 25 * 1024 * 1024;
}

/** 26214400 → "25 MB", for limits shown to people. */
export const megabytes = (n: number) => `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;

/**
 * Categories the staff member may read: all of them with `attachments:read` (clinical roles),
 * administrative ones only with `attachments:read_admin` (front desk, billers).
 */
export function readableCategories(staff: Staff): AttachmentCategory[] | null {
  if (can(staff, "attachments:read")) return null;
  if (can(staff, "attachments:read_admin")) return ["administrative"];
  throw new AppError("forbidden", "Your role cannot open this patient's documents.");
}

/** Categories the staff member may file: someone who cannot read clinical documents cannot file one either. */
export function uploadCategories(staff: Staff): AttachmentCategory[] {
  return can(staff, "attachments:read") ? [...ATTACHMENT_CATEGORIES] : ["administrative"];
}

const mayRead = (staff: Staff, category: string) => {
  const cats = readableCategories(staff);
  return cats === null || (cats as string[]).includes(category);
};

function auditRow(patientId: string, doc: Pick<Attachment, "id">, e: Omit<AuditEntry, "entityType" | "entityId" | "patientId">): AuditEntry {
  return { ...e, entityType: "attachment", entityId: doc.id, patientId };
}

/**
 * That the document can be shown to this staff member: this patient's, not deleted, of a category
 * their role reads. A read's audit row in the same batch is written only when this holds.
 */
function openable(scope: StaffScope, patientId: string, docId: string): SQL {
  const cats = can(scope.staff, "attachments:read") ? null : can(scope.staff, "attachments:read_admin") ? ["administrative" as const] : [];
  const doc = and(
    eq(attachments.id, docId),
    eq(attachments.patientId, patientId),
    isNull(attachments.deletedAt),
    cats === null ? undefined : inArray(attachments.category, cats),
  );
  return exists(scope.db.select({ id: attachments.id }).from(attachments).where(doc));
}

async function auditNotFound(scope: StaffScope, event: string, action: AuditEntry["action"], what: string, detail = "not found"): Promise<never> {
  await audit(scope, { action, event, entityType: "attachment", entityId: what.slice(0, 64), outcome: "failure", detail });
  throw notFound("This document");
}

export interface DocumentList {
  header: ChartHeaderData;
  rows: Attachment[];
  /** Deleted documents, when asked for by someone who may delete (null otherwise). */
  deleted: Attachment[] | null;
  /** How many deleted documents there are (0 for those who may not delete). */
  deletedCount: number;
  limited: boolean;
}

/** The patient's documents the viewer may read, newest first: one round trip, one audit row per document shown. */
export async function listDocuments(scope: StaffScope, patientId: string, showDeleted: boolean): Promise<DocumentList> {
  const categories = readableCategories(scope.staff);
  const canDelete = can(scope.staff, "attachments:delete");
  const [p, a, al] = headerQueries(scope.db, patientId);
  const [pr, ar, alr, rows, counted, deleted] = await scope.db.batch([
    p,
    a,
    al,
    documentsQuery(scope.db, patientId, categories, false, LIST_LIMIT + 1),
    deletedCountQuery(scope.db, patientId, categories),
    documentsQuery(scope.db, patientId, categories, true, canDelete && showDeleted ? LIST_LIMIT : 0),
  ]);
  const header = await headerOr404(scope, patientId, "attachment.list", [pr, ar, alr]);
  const shown = rows.slice(0, LIST_LIMIT);
  const deletedShown = canDelete && showDeleted ? deleted : null;
  const all = [...shown, ...(deletedShown ?? [])];
  await auditMany(
    scope,
    all.length === 0
      ? [{ action: "read", event: "attachment.list", entityType: "patient", entityId: patientId, patientId, detail: "no documents" }]
      : all.map((d) => auditRow(patientId, d, { action: "read", event: "attachment.list", detail: d.deletedAt ? "deleted" : null })),
  );
  return { header, rows: shown, deleted: deletedShown, deletedCount: canDelete ? (counted[0]?.n ?? 0) : 0, limited: rows.length > LIST_LIMIT };
}

export interface UploadFormData {
  header: ChartHeaderData;
  encounter: EncounterRef | null;
  categories: AttachmentCategory[];
}

/**
 * What the upload form shows: the chart header, the visit it is for (which must be this
 * patient's), and the categories the staff member may file. `auditRead` is false when the upload
 * itself is being recorded.
 */
export async function uploadForm(scope: StaffScope, patientId: string, encounterId: string | null, auditRead = true): Promise<UploadFormData> {
  requirePermission(scope, "attachments:upload");
  const [p, a, al] = headerQueries(scope.db, patientId);
  const event = "attachment.upload_form";
  // The read row only if the patient exists and so does the visit named (of this patient).
  const visitFound = encounterId
    ? exists(scope.db.select({ id: encounters.id }).from(encounters).where(and(eq(encounters.id, encounterId), eq(encounters.patientId, patientId))))
    : undefined;
  const readRow = auditStatementWhere(
    scope,
    { action: "read", event, entityType: "patient", entityId: patientId, patientId },
    and(exists(scope.db.select({ id: patients.id }).from(patients).where(eq(patients.id, patientId))), visitFound)!,
  );
  const reads = [p, a, al, encounterQuery(scope.db, patientId, encounterId)] as const;
  const [pr, ar, alr, enc] = auditRead ? await scope.db.batch([...reads, readRow]) : await scope.db.batch(reads);
  const header = await headerOr404(scope, patientId, event, [pr, ar, alr]);
  if (encounterId && enc.length === 0) {
    await audit(scope, { action: "read", event, entityType: "encounter", entityId: encounterId.slice(0, 64), patientId, outcome: "failure", detail: "not found" });
    throw notFound("This visit");
  }
  if (auditRead) scheduleSeal(scope);
  // The visit's time and provider are on the calendar the front desk already sees; its reason is clinical.
  const visit = enc[0] ? { ...enc[0], reason: can(scope.staff, "chart:read") ? enc[0].reason : null } : null;
  return { header, encounter: visit, categories: uploadCategories(scope.staff) };
}

/**
 * A document to send back, after authorization: another patient's or another clinic's is not
 * found; so is a category the viewer may not read (its existence is clinical information too);
 * a deleted one is gone.
 */
export async function openDocument(
  scope: StaffScope,
  bucket: R2Bucket,
  patientId: string,
  docId: string,
  purpose: "download" | "view",
): Promise<{ doc: Attachment; object: R2ObjectBody }> {
  const event = `attachment.${purpose}`;
  readableCategories(scope.staff);
  const [found] = await scope.db.batch([
    scope.db
      .select()
      .from(attachments)
      .where(and(eq(attachments.id, docId), eq(attachments.patientId, patientId)))
      .limit(1),
    auditStatementWhere(scope, auditRow(patientId, { id: docId }, { action: "read", event }), openable(scope, patientId, docId)),
  ]);
  const doc = found[0];
  if (!doc) return auditNotFound(scope, event, "read", docId);
  if (!mayRead(scope.staff, doc.category)) {
    await audit(scope, auditRow(patientId, doc, { action: "read", event, outcome: "denied", detail: "category not readable by role" }));
    throw notFound("This document");
  }
  if (doc.deletedAt) {
    await audit(scope, auditRow(patientId, doc, { action: "read", event, outcome: "failure", detail: "deleted" }));
    throw new AppError("gone", "This document was deleted. It is kept for retention but can no longer be opened here.");
  }
  scheduleSeal(scope);
  const object = await bucket.get(doc.r2Key);
  if (!object) {
    await audit(scope, auditRow(patientId, doc, { action: "read", event, outcome: "failure", detail: "object missing from storage" }));
    throw new AppError("internal", `The stored file of document ${doc.id} is missing.`);
  }
  return { doc, object };
}

/** A document about to be deleted, for the confirmation form (which shows it). */
export async function documentForDelete(scope: StaffScope, patientId: string, docId: string): Promise<{ header: ChartHeaderData; doc: Attachment }> {
  requirePermission(scope, "attachments:delete");
  const [p, a, al] = headerQueries(scope.db, patientId);
  const event = "attachment.delete_form";
  const [pr, ar, alr, rows] = await scope.db.batch([
    p,
    a,
    al,
    scope.db
      .select()
      .from(attachments)
      .where(and(eq(attachments.id, docId), eq(attachments.patientId, patientId)))
      .limit(1),
    auditStatementWhere(
      scope,
      auditRow(patientId, { id: docId }, { action: "read", event }),
      and(exists(scope.db.select({ id: patients.id }).from(patients).where(eq(patients.id, patientId))), openable(scope, patientId, docId))!,
    ),
  ]);
  const doc = rows[0];
  if (!doc || pr.length === 0 || !mayRead(scope.staff, doc.category)) return auditNotFound(scope, event, "read", docId);
  if (doc.deletedAt) {
    await audit(scope, auditRow(patientId, doc, { action: "read", event, outcome: "failure", detail: "already deleted" }));
    throw new AppError("gone", "This document was already deleted.");
  }
  scheduleSeal(scope);
  return { header: readHeader(scope.staff, patientId, [pr, ar, alr]), doc };
}

/**
 * Soft-deletes a document with the reason given: the row and the stored file are kept for
 * retention (the database refuses a hard delete), and the document leaves the list.
 */
export async function deleteDocument(scope: StaffScope, patientId: string, docId: string, reason: string): Promise<void> {
  requirePermission(scope, "attachments:delete");
  const doc = await findDocument(scope.db, patientId, docId);
  if (!doc || !mayRead(scope.staff, doc.category)) return auditNotFound(scope, "attachment.delete", "delete", docId);
  const update = scope.db
    .update(attachments)
    .set({ deletedAt: Date.now(), deletedBy: scope.staff.id, deleteReason: reason })
    .where(and(eq(attachments.id, docId), eq(attachments.patientId, patientId), isNull(attachments.deletedAt)));
  // One transaction: the update, and its audit row only if the document was not deleted meanwhile.
  const [result] = await scope.db.batch([
    update,
    auditStatementIfChanged(scope, auditRow(patientId, doc, { action: "delete", event: "attachment.delete", detail: "soft delete, reason given" })),
  ]);
  if (!result || result.meta.changes !== 1) {
    await audit(scope, auditRow(patientId, doc, { action: "delete", event: "attachment.delete", outcome: "failure", detail: "already deleted" }));
    throw new AppError("gone", "This document was already deleted.");
  }
  scheduleSeal(scope);
}
