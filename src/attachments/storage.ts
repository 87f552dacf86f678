/**
 * Writing one object of unknown length to R2 as its bytes arrive. R2 needs a known length for a
 * stream, so the bytes go up in parts of PART_BYTES (a multipart upload) and only one part is in
 * memory at a time; a file smaller than one part is a single put. Nothing is visible under the
 * key until `finish`, and `abort` discards the parts already sent.
 */

/** R2 parts must be at least 5 MiB (except the last) and of equal size. */
export const PART_BYTES = 5 * 1024 * 1024;

export class ObjectWriter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private upload: R2MultipartUpload | null = null;
  private parts: R2UploadedPart[] = [];
  private state: "open" | "finished" | "aborted" = "open";

  constructor(
    private readonly bucket: R2Bucket,
    readonly key: string,
    readonly contentType: string,
  ) {}

  /** Takes the next bytes; sends a part whenever a full one has gathered. */
  async write(chunk: Uint8Array): Promise<void> {
    let rest = chunk;
    while (rest.length > 0) {
      const take = Math.min(PART_BYTES - this.pendingBytes, rest.length);
      // A copy: the caller's array may be a view into a larger buffer that it drops afterwards.
      this.pending.push(rest.slice(0, take));
      this.pendingBytes += take;
      rest = rest.subarray(take);
      if (this.pendingBytes === PART_BYTES) await this.sendPart();
    }
  }

  private gathered(): Uint8Array {
    const out = new Uint8Array(this.pendingBytes);
    let at = 0;
    for (const p of this.pending) {
      out.set(p, at);
      at += p.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
    return out;
  }

  private async sendPart(): Promise<void> {
    this.upload ??= await this.bucket.createMultipartUpload(this.key, { httpMetadata: { contentType: this.contentType } });
    this.parts.push(await this.upload.uploadPart(this.parts.length + 1, this.gathered()));
  }

  /** Makes the object whole under its key. `sha256` (hex) lets R2 check a single put. */
  async finish(sha256: string): Promise<void> {
    if (!this.upload) {
      await this.bucket.put(this.key, this.gathered(), { httpMetadata: { contentType: this.contentType }, sha256 });
    } else {
      if (this.pendingBytes > 0) await this.sendPart();
      await this.upload.complete(this.parts);
    }
    this.state = "finished";
  }

  /** Discards what was sent of an unfinished object. */
  async abort(): Promise<void> {
    if (this.state !== "open") return;
    this.state = "aborted";
    this.pending = [];
    if (this.upload) await this.upload.abort();
  }
}
