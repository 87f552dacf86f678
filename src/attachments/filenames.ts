/** File names as uploaded (made safe to keep and show) and as offered back on download. */

const MAX_NAME = 200;

/**
 * The original name without any path, control or bidirectional-override characters (which can
 * disguise `invoice‮fdp.exe` as `invoiceexe.pdf`), at most 200 characters, keeping the extension.
 */
export function sanitizeFilename(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? "";
  const clean = base
    .normalize("NFC")
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "")
    .trim()
    .replace(/^\.+/, "");
  const chars = [...clean];
  if (chars.length === 0) return "document";
  if (chars.length <= MAX_NAME) return clean;
  const dot = clean.lastIndexOf(".");
  const ext = dot > 0 ? [...clean.slice(dot)] : [];
  const keep = ext.length > 0 && ext.length <= 16 ? ext : [];
  return chars.slice(0, MAX_NAME - keep.length).join("") + keep.join("");
}

/**
 * A Content-Disposition value: an ASCII fallback in `filename` and the real name in `filename*`
 * (RFC 6266 §4.3, RFC 8187).
 */
export function contentDisposition(kind: "attachment" | "inline", filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\%]/g, "_");
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
