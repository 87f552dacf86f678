/**
 * The streamed upload of a document: the request body is read part by part (CSRF token first, then
 * the form fields, then the file), the file's type is decided from its first bytes, and its bytes
 * go to R2 as they arrive while their SHA-256 is computed. The metadata row (with its audit row)
 * is written only once the object is complete; an upload that is refused, too large or cut off
 * leaves neither row nor object.
 */
import { audit, auditStatement, scheduleSeal } from "../audit/service";
import { attachments } from "../charting/tables";
import { safeEqualStrings } from "../platform/crypto";
import { CSRF_FIELD } from "../platform/csrf";
import { AppError, type FieldErrors } from "../platform/errors";
import { requirePermission, type StaffScope } from "../platform/scope";
import { validate } from "../platform/validation";
import { ALLOWED_TYPES, detectType, SNIFF_BYTES } from "./file-types";
import { sanitizeFilename } from "./filenames";
import { boundaryOf, MultipartError, MultipartReader, type PartInfo } from "./multipart";
import { UPLOAD_FIELDS, uploadFieldsSchema, type UploadFormValues } from "./input";
import { megabytes, uploadForm, type UploadFormData } from "./service";
import { ObjectWriter } from "./storage";

/** Room for the form fields and part headers around the file. */
const FORM_ALLOWANCE = 64 * 1024;
const MAX_FIELDS = 10;
const MAX_FIELD_BYTES = 1024;

export interface UploadRequest {
  bucket: R2Bucket;
  patientId: string;
  contentType: string;
  /** The declared Content-Length, if any. */
  contentLength: number | null;
  body: ReadableStream<Uint8Array> | null;
  /** The CSRF cookie, and the X-CSRF-Token header when the client sent one. */
  csrf: { cookie: string | undefined; header: string | undefined };
  maxBytes: number;
}

export type UploadResult =
  | { ok: true; id: string }
  | { ok: false; status: 413 | 415 | 422; form: UploadFormData; values: UploadFormValues; errors: FieldErrors };

/** A refusal the form shows next to its fields. */
class Refused extends Error {
  constructor(
    readonly status: 413 | 415 | 422,
    readonly errors: FieldErrors,
    readonly auditDetail: string | null,
  ) {
    super(Object.values(errors)[0]);
  }
}

const tooLarge = (max: number) => `The file is larger than the ${megabytes(max)} limit. Nothing was saved.`;

function tokenMatches(cookie: string | undefined, sent: string | null | undefined): boolean {
  return !!cookie && !!sent && safeEqualStrings(cookie, sent);
}

function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function joined(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Receives one upload from the form of `GET /patients/:id/documents/new`. Throws AppError for
 * refusals without a form to show (403, 404, a declared length over the cap, a broken body);
 * returns the form's errors for bad fields (422), a refused type (415) or an oversized file (413).
 */
export async function receiveUpload(scope: StaffScope, req: UploadRequest): Promise<UploadResult> {
  requirePermission(scope, "attachments:upload");
  const boundary = boundaryOf(req.contentType);
  if (!boundary || !req.body) throw new AppError("unsupported_media_type", "Send the document with the upload form.");
  const failure = (detail: string, patientId: string | null, id: string | null) =>
    audit(scope, { action: "create", event: "attachment.upload", entityType: "attachment", entityId: id, patientId, outcome: "failure", detail });
  // Refused before a byte of the body is read.
  if (req.contentLength !== null && req.contentLength > req.maxBytes + FORM_ALLOWANCE) {
    await failure(`declared length over the ${megabytes(req.maxBytes)} limit`, null, null);
    throw new AppError("payload_too_large", tooLarge(req.maxBytes));
  }
  const source = req.body.getReader();
  const state: { writer: ObjectWriter | null; patientId: string | null; id: string | null } = { writer: null, patientId: null, id: null };
  try {
    return await receive(scope, req, new MultipartReader(source, boundary), state, failure);
  } catch (err) {
    if (err instanceof MultipartError) {
      await failure(err.kind === "truncated" ? "interrupted" : "unreadable form", state.patientId, state.id);
      throw new AppError(
        "bad_request",
        err.kind === "truncated"
          ? "The upload was interrupted before the whole file arrived. Nothing was saved; please try again."
          : "The upload could not be read. Reload the page and try again.",
      );
    }
    throw err;
  } finally {
    // Whatever went wrong, the parts already in R2 go (a no-op once the object is complete).
    await state.writer?.abort().catch((e) => console.error("attachment multipart abort failed", String(e)));
    await source.cancel().catch(() => {});
  }
}

async function receive(
  scope: StaffScope,
  req: UploadRequest,
  body: MultipartReader,
  state: { writer: ObjectWriter | null; patientId: string | null; id: string | null },
  failure: (detail: string, patientId: string | null, id: string | null) => Promise<void>,
): Promise<UploadResult> {
  // The CSRF middleware leaves this route's body alone (it would have to buffer the file to read
  // it): the token is the form's first part, checked here before anything else is read.
  if (!tokenMatches(req.csrf.cookie, req.csrf.header)) {
    const first = await body.nextPart();
    const sent = first && first.name === CSRF_FIELD && first.filename === null ? await body.readText(MAX_FIELD_BYTES) : null;
    if (!tokenMatches(req.csrf.cookie, sent)) {
      throw new AppError("csrf", "Your form expired or was not sent from this site. Reload the page and try again.");
    }
  }

  const values: UploadFormValues = {};
  let file: PartInfo | null = null;
  for (let n = 0; ; n++) {
    const part = await body.nextPart();
    if (!part) break;
    // The file is the form's last field: everything the form says about it has arrived by now.
    if (part.filename !== null) {
      file = part;
      break;
    }
    if (n >= MAX_FIELDS) throw new MultipartError("malformed", "Too many form fields.");
    const text = await body.readText(MAX_FIELD_BYTES);
    if ((UPLOAD_FIELDS as readonly string[]).includes(part.name)) values[part.name as keyof UploadFormValues] = text;
  }

  const parsed = validate(uploadFieldsSchema, values);
  const form = await uploadForm(scope, req.patientId, parsed.ok ? parsed.data.encounter_id : null, false);
  state.patientId = req.patientId;
  if (parsed.ok && !form.categories.includes(parsed.data.category)) {
    throw new AppError("forbidden", "Your role can file administrative documents only (IDs, insurance cards, consent forms).");
  }
  const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
  if (!file || !file.filename) errors.file = "Choose a file to upload.";
  if (!parsed.ok || !file || !file.filename) return { ok: false, status: 422, form, values, errors };

  const id = crypto.randomUUID();
  state.id = id;
  const key = `clinics/${scope.clinic.slug}/patients/${req.patientId}/${id}`;
  try {
    const stored = await storeFile(body, req, key, state);
    // Read to the closing delimiter: a body cut off after the file is still an incomplete upload.
    await body.finish(FORM_ALLOWANCE);
    const row: typeof attachments.$inferInsert = {
      id,
      patientId: req.patientId,
      encounterId: form.encounter?.id ?? null,
      r2Key: key,
      filename: sanitizeFilename(file.filename),
      contentType: stored.contentType,
      sizeBytes: stored.size,
      sha256: stored.sha256,
      category: parsed.data.category,
      title: parsed.data.title,
      uploadedAt: Date.now(),
      uploadedBy: scope.staff.id,
      uploadedByName: scope.staff.name,
    };
    // The whole file has arrived: finish it even if the client leaves now (the runtime may cancel
    // the request, not a waitUntil task), so the object never outlives a missing row.
    const commit = commitUpload(scope, req.bucket, stored.writer, row);
    scope.waitUntil(commit.catch(() => {}));
    await commit;
    scheduleSeal(scope);
    return { ok: true, id };
  } catch (err) {
    if (!(err instanceof Refused)) throw err;
    if (err.auditDetail) await failure(err.auditDetail, req.patientId, id);
    return { ok: false, status: err.status, form, values, errors: err.errors };
  }
}

/** Completes the object, then writes its row and audit row in one batch; without a row, the object goes. */
async function commitUpload(scope: StaffScope, bucket: R2Bucket, writer: ObjectWriter, row: typeof attachments.$inferInsert): Promise<void> {
  await writer.finish(row.sha256);
  try {
    await scope.db.batch([
      scope.db.insert(attachments).values(row),
      auditStatement(scope, { action: "create", event: "attachment.upload", entityType: "attachment", entityId: row.id, patientId: row.patientId }),
    ]);
  } catch (err) {
    // An object without a row would be a file nobody can see, audit or delete.
    await bucket.delete(row.r2Key).catch((e) => console.error("attachment cleanup failed", row.r2Key, String(e)));
    throw err;
  }
}

/**
 * Streams the current part (the file) to R2 under `key`, hashing as it goes. Nothing is sent
 * before the type is known from the first SNIFF_BYTES; the size is checked on every chunk.
 */
async function storeFile(
  body: MultipartReader,
  req: UploadRequest,
  key: string,
  state: { writer: ObjectWriter | null },
): Promise<{ writer: ObjectWriter; contentType: string; size: number; sha256: string }> {
  // workerd exposes DigestStream on `crypto`; the type declarations know it as a global class.
  const digest = new (crypto as unknown as { DigestStream: typeof DigestStream }).DigestStream("SHA-256");
  const hasher = digest.getWriter();
  let head: Uint8Array[] = [];
  let headBytes = 0;
  let size = 0;
  let writer: ObjectWriter | null = null;

  const start = async (complete: boolean): Promise<ObjectWriter> => {
    const sample = joined(head);
    head = [];
    const detected = detectType(sample.subarray(0, SNIFF_BYTES), complete);
    if (!detected) throw new Refused(415, { file: `This type of file is not accepted. Upload a ${ALLOWED_TYPES} file.` }, "type not allowed");
    const w = (state.writer = new ObjectWriter(req.bucket, key, detected));
    await hasher.write(sample);
    await w.write(sample);
    return w;
  };

  for (let chunk = await body.readChunk(); chunk !== null; chunk = await body.readChunk()) {
    size += chunk.length;
    if (size > req.maxBytes) throw new Refused(413, { file: tooLarge(req.maxBytes) }, `over the ${megabytes(req.maxBytes)} limit`);
    if (writer) {
      await hasher.write(chunk);
      await writer.write(chunk);
      continue;
    }
    head.push(chunk.slice());
    headBytes += chunk.length;
    if (headBytes >= SNIFF_BYTES) writer = await start(false);
  }
  if (size === 0) throw new Refused(422, { file: "The file is empty. Choose the file again." }, null);
  writer ??= await start(true);
  await hasher.close();
  return { writer, contentType: writer.contentType, size, sha256: hex(await digest.digest) };
}
