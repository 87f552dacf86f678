/**
 * Documents and images of a patient, stored in R2 (mounted at /patients/:id/documents): the list,
 * the streamed upload, downloads and inline previews through the Worker only, and soft deletion.
 */
import { Hono, type Context } from "hono";
import { getCookie } from "hono/cookie";
import { DeletePage } from "../../views/attachments/delete";
import { DocumentsPage } from "../../views/attachments/list";
import { UploadPage } from "../../views/attachments/upload";
import type { AppEnv } from "../platform/env";
import { CSRF_COOKIE } from "../platform/csrf";
import { page, seeOther } from "../platform/render";
import { can, clinicToday, staffScope } from "../platform/scope";
import * as z from "zod/mini";
import { formInput, queryInput, type FormValues } from "../platform/validation";
import { showsInline } from "./file-types";
import { contentDisposition } from "./filenames";
import { staffNames, type Attachment } from "./repo";
import { deleteSchema, type UploadFormValues } from "./input";
import { deleteDocument, documentForDelete, listDocuments, maxUploadBytes, megabytes, openDocument, uploadForm, type UploadFormData } from "./service";
import { receiveUpload } from "./upload";

export const attachmentRoutes = new Hono<AppEnv>();

function uploadPage(c: Context<AppEnv>, form: UploadFormData, values: UploadFormValues, errors?: Record<string, string>, status: 200 | 413 | 415 | 422 = 200) {
  return page(
    c,
    `Upload · ${form.header.name}`,
    <UploadPage
      h={form.header}
      today={clinicToday(c)}
      timezone={c.var.clinic.timezone}
      csrfToken={c.var.csrfToken}
      categories={form.categories}
      encounter={form.encounter}
      values={values}
      errors={errors}
      maxLabel={megabytes(maxUploadBytes(c.env))}
    />,
    status,
  );
}

const listQuery = z.object({ deleted: z.optional(z.string()), uploaded: z.optional(z.string()), deleted_ok: z.optional(z.string()) });

attachmentRoutes.get("/", queryInput(listQuery), async (c) => {
  const scope = staffScope(c);
  const query = c.req.valid("query");
  const showDeleted = query.deleted === "1";
  const list = await listDocuments(scope, c.req.param("id")!, showDeleted);
  const names = list.deleted ? await staffNames(c.var.dir, list.deleted.map((d) => d.deletedBy ?? "")) : new Map<string, string>();
  const notice = query.uploaded ? "Document uploaded." : query.deleted_ok ? "Document deleted." : undefined;
  return page(
    c,
    `Documents · ${list.header.name}`,
    <DocumentsPage
      h={list.header}
      today={clinicToday(c)}
      timezone={c.var.clinic.timezone}
      rows={list.rows}
      limited={list.limited}
      deleted={list.deleted}
      deletedCount={list.deletedCount}
      deleterNames={names}
      canUpload={can(scope.staff, "attachments:upload")}
      canDelete={can(scope.staff, "attachments:delete")}
      notice={notice}
    />,
  );
});

/** The visit a document is for (`?encounter=`), when uploading from it. */
const newQuery = z.object({ encounter: z.pipe(z.optional(z.string()), z.transform((v) => (v ?? "").slice(0, 64) || null)) });

attachmentRoutes.get("/new", queryInput(newQuery), async (c) => {
  const scope = staffScope(c);
  const encounterId = c.req.valid("query").encounter;
  const form = await uploadForm(scope, c.req.param("id")!, encounterId);
  return uploadPage(c, form, {});
});

// The body of this route is not read by the body limit or the CSRF middleware (see
// `streamed` in src/mounts.ts): receiveUpload checks the CSRF token, the form's first
// part, before it reads anything else, and streams the file to R2 under its own size cap.
attachmentRoutes.post("/", async (c) => {
  const scope = staffScope(c);
  const patientId = c.req.param("id")!;
  const length = c.req.header("content-length");
  const result = await receiveUpload(scope, {
    bucket: c.env.ATTACHMENTS,
    patientId,
    contentType: c.req.header("content-type") ?? "",
    contentLength: length && /^\d+$/.test(length) ? Number(length) : null,
    body: c.req.raw.body,
    csrf: { cookie: getCookie(c, CSRF_COOKIE), header: c.req.header("x-csrf-token") },
    maxBytes: maxUploadBytes(c.env),
  });
  if (!result.ok) return uploadPage(c, result.form, result.values, result.errors, result.status);
  return seeOther(c, `/patients/${patientId}/documents?uploaded=${result.id}`);
});

// Types a browser could run (HTML, SVG) are never stored; nosniff and the sandbox keep it so.
const DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'";
// Chromium's image and PDF viewers style their wrapper page inline; the sandbox (no scripts, an
// opaque origin) does not stop Chromium 156's PDF viewer, which runs in its own extension frame.
const INLINE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'";

function fileResponse(doc: Attachment, object: R2ObjectBody, disposition: "attachment" | "inline"): Response {
  return new Response(object.body, {
    headers: {
      "Content-Type": doc.contentType,
      "Content-Disposition": contentDisposition(disposition, doc.filename),
      "Content-Length": String(object.size),
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": disposition === "inline" ? INLINE_CSP : DOWNLOAD_CSP,
    },
  });
}

attachmentRoutes.get("/:docId", async (c) => {
  const { doc, object } = await openDocument(staffScope(c), c.env.ATTACHMENTS, c.req.param("id")!, c.req.param("docId"), "download");
  return fileResponse(doc, object, "attachment");
});

attachmentRoutes.get("/:docId/view", async (c) => {
  const { doc, object } = await openDocument(staffScope(c), c.env.ATTACHMENTS, c.req.param("id")!, c.req.param("docId"), "view");
  // Only images and PDF are shown in the browser; anything else is saved, never rendered.
  return fileResponse(doc, object, showsInline(doc.contentType) ? "inline" : "attachment");
});

attachmentRoutes.get("/:docId/delete", async (c) => {
  const scope = staffScope(c);
  const { header, doc } = await documentForDelete(scope, c.req.param("id")!, c.req.param("docId"));
  return page(
    c,
    "Delete a document",
    <DeletePage h={header} today={clinicToday(c)} timezone={c.var.clinic.timezone} csrfToken={c.var.csrfToken} doc={doc} />,
  );
});

/** The reason for a deletion; one left out of the form reads as blank. */
const deleteForm = z.object({ reason: z.prefault(deleteSchema.shape.reason, "") });
const lastText = (v: FormValues[string] | undefined): string | undefined => (Array.isArray(v) ? v.at(-1) : v);

const deleteInput = formInput(deleteForm, async (c, errors, raw) => {
  // Another clinic's document (or none) stays a 404, and a role without the permission a 403.
  const { header, doc } = await documentForDelete(staffScope(c), c.req.param("id")!, c.req.param("docId")!);
  return page(
    c,
    "Delete a document",
    <DeletePage
      h={header}
      today={clinicToday(c)}
      timezone={c.var.clinic.timezone}
      csrfToken={c.var.csrfToken}
      doc={doc}
      reason={lastText(raw.reason)}
      error={errors.reason}
    />,
    422,
  );
});

attachmentRoutes.post("/:docId/delete", deleteInput, async (c) => {
  const scope = staffScope(c);
  const patientId = c.req.param("id")!;
  const docId = c.req.param("docId");
  await deleteDocument(scope, patientId, docId, c.req.valid("form").reason);
  return seeOther(c, `/patients/${patientId}/documents?deleted_ok=1`);
});
