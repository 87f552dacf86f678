/**
 * A streaming reader of multipart/form-data bodies (RFC 7578, RFC 2046 §5.1.1): parts come one at
 * a time and a part's bytes are handed on as they arrive, so a file is never held whole in memory.
 * A body that errors or ends before its closing delimiter is reported as truncated.
 */

const enc = new TextEncoder();
const CRLF = enc.encode("\r\n");
const HEADER_END = enc.encode("\r\n\r\n");
const MAX_HEADER_BYTES = 8 * 1024;
const MAX_PREAMBLE_BYTES = 1024;

export class MultipartError extends Error {
  constructor(
    readonly kind: "truncated" | "malformed",
    message: string,
  ) {
    super(message);
    this.name = "MultipartError";
  }
}

/** What a part's headers say about it. `filename` is null for a plain field. */
export interface PartInfo {
  name: string;
  filename: string | null;
  contentType: string | null;
}

/** The boundary of a multipart/form-data Content-Type, or null when it is not one. */
export function boundaryOf(contentType: string): string | null {
  if (!/^multipart\/form-data\s*;/i.test(contentType)) return null;
  const m = contentType.match(/;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0]!;
  for (let i = hay.indexOf(first, from); i !== -1 && i <= hay.length - needle.length; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

// Browsers escape `"`, CR and LF in names and file names as %22, %0D, %0A (HTML, "multipart/form-data encoding algorithm").
const unescapeName = (v: string) => v.replace(/%22/g, '"').replace(/%0D/gi, "\r").replace(/%0A/gi, "\n");

function parseHeaders(text: string): PartInfo {
  let disposition = "";
  let contentType: string | null = null;
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-disposition") disposition = value;
    else if (name === "content-type") contentType = value;
  }
  if (!/^form-data\b/i.test(disposition)) throw new MultipartError("malformed", "A form part has no form-data disposition.");
  const params = new Map<string, string>();
  // No backslash escapes: browsers send a Windows path's backslashes as they are.
  for (const m of disposition.matchAll(/;\s*([^\s=;]+)\s*=\s*(?:"([^"]*)"|([^;]*))/g)) {
    params.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2] : m[3]!.trim());
  }
  const name = params.get("name");
  if (name === undefined) throw new MultipartError("malformed", "A form part has no name.");
  let filename = params.has("filename") ? unescapeName(params.get("filename")!) : null;
  const extended = params.get("filename*")?.match(/^utf-8'[^']*'(.*)$/i);
  if (extended) {
    try {
      filename = decodeURIComponent(extended[1]!);
    } catch {
      // Keep the plain filename parameter when the extended one is not valid percent-encoding.
    }
  }
  return { name: unescapeName(name), filename, contentType };
}

/**
 * Reads one multipart body. Call `nextPart()` to reach each part, then `readChunk()` until it
 * answers null (or `readText()`) to read that part; `finish()` checks the rest of the body.
 */
export class MultipartReader {
  // The body is read as if it began with CRLF, so the first delimiter looks like every other one.
  private buf: Uint8Array = CRLF;
  private ended = false;
  private state: "start" | "body" | "between" | "end" = "start";
  private readonly delimiter: Uint8Array;

  constructor(
    private readonly source: ReadableStreamDefaultReader<Uint8Array>,
    boundary: string,
  ) {
    this.delimiter = enc.encode(`\r\n--${boundary}`);
  }

  /** Reads one more chunk of the body into the buffer; false when the body has ended. */
  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    let r: ReadableStreamReadResult<Uint8Array>;
    try {
      r = await this.source.read();
    } catch {
      // The client went away or the connection broke: the body is incomplete.
      this.ended = true;
      throw new MultipartError("truncated", "The upload was interrupted.");
    }
    if (r.done) {
      this.ended = true;
      return false;
    }
    if (r.value.length > 0) this.buf = this.buf.length ? concat(this.buf, r.value) : r.value;
    return true;
  }

  private async more(): Promise<void> {
    if (!(await this.fill())) throw new MultipartError("truncated", "The upload ended before the form was complete.");
  }

  /** Moves to the next part and returns its headers; null after the closing delimiter. */
  async nextPart(): Promise<PartInfo | null> {
    if (this.state === "body") while ((await this.readChunk()) !== null);
    if (this.state === "end") return null;
    if (this.state === "start") {
      for (;;) {
        const i = indexOf(this.buf, this.delimiter);
        if (i !== -1) {
          this.buf = this.buf.subarray(i + this.delimiter.length);
          break;
        }
        if (this.buf.length > MAX_PREAMBLE_BYTES) throw new MultipartError("malformed", "The form does not start with its boundary.");
        await this.more();
      }
    }
    while (this.buf.length < 2) await this.more();
    if (this.buf[0] === 0x2d && this.buf[1] === 0x2d) {
      this.state = "end";
      return null;
    }
    for (;;) {
      const i = indexOf(this.buf, HEADER_END);
      if (i !== -1) {
        // Transport padding (spaces, tabs) may follow the boundary before its CRLF.
        const head = new TextDecoder().decode(this.buf.subarray(0, i)).replace(/^[ \t]*\r\n/, "");
        this.buf = this.buf.subarray(i + 4);
        this.state = "body";
        return parseHeaders(head);
      }
      if (this.buf.length > MAX_HEADER_BYTES) throw new MultipartError("malformed", "A form part's headers are too long.");
      await this.more();
    }
  }

  /** The next bytes of the current part, or null at its end. The array is not reused by the reader. */
  async readChunk(): Promise<Uint8Array | null> {
    if (this.state !== "body") return null;
    for (;;) {
      const i = indexOf(this.buf, this.delimiter);
      if (i === 0) {
        this.buf = this.buf.subarray(this.delimiter.length);
        this.state = "between";
        return null;
      }
      if (i > 0) {
        const chunk = this.buf.subarray(0, i);
        this.buf = this.buf.subarray(i);
        return chunk;
      }
      // Without a delimiter in sight, all but its length minus one bytes surely belong to the part.
      const safe = this.buf.length - (this.delimiter.length - 1);
      if (safe > 0) {
        const chunk = this.buf.subarray(0, safe);
        this.buf = this.buf.subarray(safe);
        return chunk;
      }
      await this.more();
    }
  }

  /** The current part as UTF-8 text; a part longer than `max` bytes is malformed input. */
  async readText(max: number): Promise<string> {
    const decoder = new TextDecoder();
    let text = "";
    let size = 0;
    for (let chunk = await this.readChunk(); chunk !== null; chunk = await this.readChunk()) {
      size += chunk.length;
      if (size > max) throw new MultipartError("malformed", "A form field is too long.");
      text += decoder.decode(chunk, { stream: true });
    }
    return text + decoder.decode();
  }

  /**
   * Reads what follows up to the closing delimiter (skipping at most `maxBytes` of further parts),
   * so that a body cut off after its last part still counts as incomplete.
   */
  async finish(maxBytes: number): Promise<void> {
    let skipped = 0;
    for (;;) {
      if (this.state === "body") {
        for (let chunk = await this.readChunk(); chunk !== null; chunk = await this.readChunk()) {
          skipped += chunk.length;
          if (skipped > maxBytes) throw new MultipartError("malformed", "The form has more after the file than it should.");
        }
      }
      if ((await this.nextPart()) === null) return;
    }
  }
}
