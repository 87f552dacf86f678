// The pieces of the streamed upload on their own: the multipart reader, the byte-level type
// check, file names, and the R2 writer's parts.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { detectType, SNIFF_BYTES } from "../../src/attachments/file-types";
import { maxUploadBytes } from "../../src/attachments/service";
import { contentDisposition, sanitizeFilename } from "../../src/attachments/filenames";
import { boundaryOf, MultipartError, MultipartReader } from "../../src/attachments/multipart";
import { ObjectWriter, PART_BYTES } from "../../src/attachments/storage";
import { formBody, pdfBytes, pngBytes, sha256Hex } from "./support";

/** A body delivered in chunks of `size` bytes (the last one shorter), optionally failing at the end. */
function chunked(bytes: Uint8Array, size: number, fail = false): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(ctrl) {
      if (at >= bytes.length) return fail ? ctrl.error(new Error("connection lost")) : ctrl.close();
      ctrl.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function readAll(body: ReadableStream<Uint8Array>, boundary: string) {
  const reader = new MultipartReader(body.getReader(), boundary);
  const parts: { name: string; filename: string | null; bytes: Uint8Array }[] = [];
  for (let part = await reader.nextPart(); part; part = await reader.nextPart()) {
    const chunks: Uint8Array[] = [];
    for (let c = await reader.readChunk(); c; c = await reader.readChunk()) chunks.push(c.slice());
    const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let off = 0;
    for (const c of chunks) bytes.set(c, off), (off += c.length);
    parts.push({ name: part.name, filename: part.filename, bytes });
  }
  return parts;
}

describe("MultipartReader", () => {
  // Bytes that look like the start of a delimiter inside the file must not end it.
  const tricky = new TextEncoder().encode("line\r\n--not-the-boundary\r\n-\r\n--");
  const file = new Uint8Array([...pdfBytes(300), ...tricky]);
  const { body, boundary } = formBody([
    { name: "_csrf", value: "tok" },
    { name: "title", value: "Référence \"A\"" },
    { name: "file", filename: "scan.pdf", type: "application/pdf", bytes: file },
  ]);

  it("reads every part the same whatever the chunk size, even when a delimiter is split across chunks", async () => {
    for (const size of [1, 2, 3, 7, 13, 64, 1000, body.length]) {
      const parts = await readAll(chunked(body, size), boundary);
      expect(parts.map((p) => p.name)).toEqual(["_csrf", "title", "file"]);
      expect(new TextDecoder().decode(parts[1]!.bytes)).toBe('Référence "A"');
      expect(parts[2]!.filename).toBe("scan.pdf");
      expect(parts[2]!.bytes).toEqual(file);
    }
  });

  it("reports a body that ends or fails inside a part as truncated", async () => {
    for (const cut of [10, 200, body.length - 10, body.length - 3]) {
      await expect(readAll(chunked(body.slice(0, cut), 50), boundary)).rejects.toMatchObject({ kind: "truncated" });
    }
    await expect(readAll(chunked(body.slice(0, 250), 50, true), boundary)).rejects.toBeInstanceOf(MultipartError);
  });

  it("finds the boundary in the Content-Type header, quoted or not", () => {
    expect(boundaryOf("multipart/form-data; boundary=abc123")).toBe("abc123");
    expect(boundaryOf('multipart/form-data; charset=utf-8; boundary="a b"')).toBe("a b");
    expect(boundaryOf("application/x-www-form-urlencoded")).toBeNull();
    expect(boundaryOf("multipart/form-data")).toBeNull();
  });
});

describe("detectType (on the bytes, never the name)", () => {
  const enc = new TextEncoder();
  it("recognises each allowed type by its signature", () => {
    expect(detectType(pdfBytes(100), false)).toBe("application/pdf");
    expect(detectType(pngBytes(100), false)).toBe("image/png");
    expect(detectType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), true)).toBe("image/jpeg");
    const heic = new Uint8Array(32);
    heic.set(enc.encode("ftypheic"), 4);
    expect(detectType(heic, true)).toBe("image/heic");
    heic.set(enc.encode("mif1"), 8);
    expect(detectType(heic, true)).toBe("image/heif");
    const dicom = new Uint8Array(200);
    dicom.set(enc.encode("DICM"), 128);
    expect(detectType(dicom, true)).toBe("application/dicom");
    expect(detectType(enc.encode("Blood pressure log\r\n\tMonday 120/80\n"), true)).toBe("text/plain; charset=utf-8");
  });

  it("refuses executables, other ftyp brands, binary and invalid UTF-8 text", () => {
    expect(detectType(new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]), true)).toBeNull(); // MZ (Windows executable)
    const mp4 = new Uint8Array(32);
    mp4.set(enc.encode("ftypisom"), 4);
    expect(detectType(mp4, true)).toBeNull();
    expect(detectType(enc.encode("<svg onload=alert(1)>\u0000"), true)).toBeNull();
    expect(detectType(enc.encode("escape \u001b[31m"), true)).toBeNull();
    expect(detectType(new Uint8Array([0x68, 0x69, 0xc3, 0x28]), true)).toBeNull();
    expect(detectType(new Uint8Array(), true)).toBeNull();
  });

  it("accepts a character cut by the end of the 8 KiB sample, but not by the end of the file", () => {
    const text = enc.encode(`${"a".repeat(SNIFF_BYTES - 1)}é`); // é is two bytes: the sample ends inside it
    expect(detectType(text.subarray(0, SNIFF_BYTES), false)).toBe("text/plain; charset=utf-8");
    expect(detectType(text.subarray(0, SNIFF_BYTES), true)).toBeNull();
  });
});

describe("file names", () => {
  it("keeps the original name without path, control or direction-override characters, at most 200 characters", () => {
    expect(sanitizeFilename("C:\\Users\\ana\\Desktop\\lab results.pdf")).toBe("lab results.pdf");
    expect(sanitizeFilename("../../etc/passwd")).toBe("passwd");
    expect(sanitizeFilename("invoice\u202Efdp.exe")).toBe("invoicefdp.exe");
    expect(sanitizeFilename("a\r\nb\u0000c.txt")).toBe("abc.txt");
    expect(sanitizeFilename("   ")).toBe("document");
    const long = sanitizeFilename(`${"x".repeat(300)}.pdf`);
    expect([...long]).toHaveLength(200);
    expect(long.endsWith(".pdf")).toBe(true);
  });

  it("offers an ASCII fallback and the UTF-8 name on download (RFC 6266)", () => {
    expect(contentDisposition("attachment", 'Résumé "final".pdf')).toBe(
      `attachment; filename="R_sum_ _final_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf`,
    );
    expect(contentDisposition("inline", "scan.png")).toBe(`inline; filename="scan.png"; filename*=UTF-8''scan.png`);
  });
});

describe("ObjectWriter", () => {
  /** The real bucket, with the calls counted. */
  function spied() {
    const calls = { create: 0, parts: [] as number[], complete: 0, abort: 0, put: 0 };
    const bucket = {
      put: (...a: Parameters<R2Bucket["put"]>) => (calls.put++, env.ATTACHMENTS.put(...a)),
      createMultipartUpload: async (key: string, o?: R2MultipartOptions) => {
        calls.create++;
        const up = await env.ATTACHMENTS.createMultipartUpload(key, o);
        return {
          key: up.key,
          uploadId: up.uploadId,
          uploadPart: (n: number, v: Uint8Array) => (calls.parts.push(v.byteLength), up.uploadPart(n, v)),
          complete: (p: R2UploadedPart[]) => (calls.complete++, up.complete(p)),
          abort: () => (calls.abort++, up.abort()),
        };
      },
    } as unknown as R2Bucket;
    return { bucket, calls };
  }

  it("sends a file larger than one part as equal 5 MiB parts and a shorter last one", async () => {
    const { bucket, calls } = spied();
    const w = new ObjectWriter(bucket, "test/writer/multi", "image/png");
    const total = 2 * PART_BYTES + 123_457;
    const bytes = pngBytes(total);
    for (let at = 0; at < total; at += 777_777) await w.write(bytes.subarray(at, at + 777_777));
    await w.finish("unused-for-multipart");
    expect(calls).toMatchObject({ create: 1, parts: [PART_BYTES, PART_BYTES, 123_457], complete: 1, abort: 0, put: 0 });
    const stored = await env.ATTACHMENTS.get("test/writer/multi");
    // Compared by hash: a deep equality of 10 MiB arrays exhausts the test's memory.
    expect(await sha256Hex(new Uint8Array(await stored!.arrayBuffer()))).toBe(await sha256Hex(bytes));
  });

  it("puts a file smaller than one part in one go, and aborts a multipart upload that did not finish", async () => {
    const small = spied();
    const w = new ObjectWriter(small.bucket, "test/writer/small", "application/pdf");
    await w.write(pdfBytes(1000));
    await w.finish(await sha256Hex(pdfBytes(1000)));
    expect(small.calls).toMatchObject({ create: 0, put: 1 });

    const cut = spied();
    const w2 = new ObjectWriter(cut.bucket, "test/writer/cut", "image/png");
    await w2.write(pngBytes(PART_BYTES + 10));
    await w2.abort();
    expect(cut.calls).toMatchObject({ create: 1, parts: [PART_BYTES], abort: 1, complete: 0 });
    expect(await env.ATTACHMENTS.head("test/writer/cut")).toBeNull();
  });
});

describe("maxUploadBytes", () => {
  it("is 25 MiB unless ATTACHMENT_MAX_BYTES holds a positive whole number", () => {
    expect(maxUploadBytes({})).toBe(25 * 1024 * 1024);
    expect(maxUploadBytes({ ATTACHMENT_MAX_BYTES: "10485760" })).toBe(10 * 1024 * 1024);
    expect(maxUploadBytes({ ATTACHMENT_MAX_BYTES: "lots" })).toBe(25 * 1024 * 1024);
    expect(maxUploadBytes({ ATTACHMENT_MAX_BYTES: "-1" })).toBe(25 * 1024 * 1024);
  });
});
