/** Building upload bodies by hand: files with real signatures, and multipart/form-data around them. */
import type { Browser } from "../helpers";
import { fetchWorker, registerPatient } from "../helpers";

const enc = new TextEncoder();

/** `n` bytes starting with the given signature, the rest a varied pattern (so misplaced bytes show). */
function signed(signature: number[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >> 10)) & 0xff;
  out.set(signature.slice(0, n), 0);
  return out;
}

export const pdfBytes = (n: number) => signed([...enc.encode("%PDF-1.7\n")], n);
export const pngBytes = (n: number) => signed([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], n);
/** A Windows executable's header ("MZ"). */
export const exeBytes = (n: number) => signed([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00], n);

export type FormPart = { name: string; value: string } | { name: string; filename: string; type?: string; bytes: Uint8Array };

/** A multipart/form-data body, the parts in the order given. */
export function formBody(parts: FormPart[]): { body: Uint8Array; boundary: string; type: string } {
  const boundary = `----testboundary${crypto.randomUUID().replace(/-/g, "")}`;
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    const head =
      "value" in p
        ? `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n`
        : `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type ?? "application/octet-stream"}\r\n\r\n`;
    chunks.push(enc.encode(head), "value" in p ? enc.encode(p.value) : p.bytes, enc.encode("\r\n"));
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) body.set(c, at), (at += c.length);
  return { body, boundary, type: `multipart/form-data; boundary=${boundary}` };
}

export interface UploadOptions {
  file?: { filename: string; type?: string; bytes: Uint8Array } | null;
  fields?: Record<string, string>;
  /** The `_csrf` part: the browser's token unless given (null leaves the part out). */
  csrf?: string | null;
  headers?: Record<string, string>;
  /** Replace the body by a stream made from the built bytes (to cut it, say). */
  stream?: (bytes: Uint8Array) => ReadableStream<Uint8Array>;
}

/** Posts the upload form as a browser does: `_csrf` first, then the fields, the file last. */
export async function upload(b: Browser, patientId: string, o: UploadOptions = {}): Promise<Response> {
  const token = o.csrf === undefined ? b.cookies.get("__Host-csrf")! : o.csrf;
  const parts: FormPart[] = [];
  if (token !== null) parts.push({ name: "_csrf", value: token });
  for (const [name, value] of Object.entries({ title: "", category: "clinical", ...o.fields })) parts.push({ name, value });
  if (o.file !== null) parts.push({ name: "file", ...(o.file ?? { filename: "scan.pdf", type: "application/pdf", bytes: pdfBytes(2000) }) });
  const { body, type } = formBody(parts);
  return fetchWorker(`${b.origin}/patients/${patientId}/documents`, {
    method: "POST",
    body: o.stream ? o.stream(body) : (body as Uint8Array<ArrayBuffer>),
    headers: { "content-type": type, origin: b.origin, cookie: b.cookieHeader(), ...o.headers },
  });
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((x) => x.toString(16).padStart(2, "0")).join("");
}

export interface StreamedFile {
  /** The file's first bytes; the rest is a pattern up to `size`. */
  signature: Uint8Array;
  size: number;
  /** Fail the body (as a dropped connection does) after this many bytes of the file. */
  failAfter?: number;
  /** End the body cleanly but early, after this many bytes of the file. */
  endAfter?: number;
}

/**
 * Posts the upload form with a body made as it is read, never whole in memory and with no
 * Content-Length: the way a large file arrives.
 */
export async function streamedUpload(b: Browser, patientId: string, f: StreamedFile, fields: Record<string, string> = { category: "imaging" }): Promise<Response> {
  const boundary = `----streamed${crypto.randomUUID().replace(/-/g, "")}`;
  let head = `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${b.cookies.get("__Host-csrf")}\r\n`;
  for (const [k, v] of Object.entries(fields)) head += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  head += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const tail = enc.encode(`\r\n--${boundary}--\r\n`);
  const chunk = 256 * 1024;
  const stop = Math.min(f.size, f.failAfter ?? Infinity, f.endAfter ?? Infinity);
  let sent = -1;
  const body = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (sent === -1) {
        ctrl.enqueue(enc.encode(head));
        sent = 0;
        return;
      }
      if (sent >= stop) {
        if (f.failAfter !== undefined && sent >= f.failAfter) return ctrl.error(new Error("connection lost"));
        if (f.endAfter !== undefined && sent >= f.endAfter) return ctrl.close();
        ctrl.enqueue(tail);
        return ctrl.close();
      }
      const n = Math.min(chunk, stop - sent);
      const bytes = new Uint8Array(n).fill(sent & 0xff);
      if (sent === 0) bytes.set(f.signature.subarray(0, n));
      ctrl.enqueue(bytes);
      sent += n;
    },
  });
  return fetchWorker(`${b.origin}/patients/${patientId}/documents`, {
    method: "POST",
    body,
    headers: { "content-type": `multipart/form-data; boundary=${boundary}`, origin: b.origin, cookie: b.cookieHeader() },
  });
}

/** Registers a patient of a name of its own (so no duplicate warning stops it) and returns the id. */
export function newPatient(b: Browser, given = `Pat${crypto.randomUUID().slice(0, 8)}`): Promise<string> {
  return registerPatient(b, { given_name: given, confirm_duplicate: "yes" });
}
