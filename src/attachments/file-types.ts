/**
 * Which files a chart accepts, decided from the file's first bytes (never its name or the type the
 * browser claimed), and how each type is named and shown.
 */

/** How many leading bytes the check needs: plain text is judged on its first 8 KiB. */
export const SNIFF_BYTES = 8 * 1024;

export const ALLOWED_TYPES = "PDF, PNG, JPEG, HEIC/HEIF, DICOM or plain text (UTF-8)";

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

// Brands of the ISO base media file format's `ftyp` box that mean HEIC or HEIF (ISO/IEC 23008-12).
const HEIF_BRANDS: Record<string, string> = {
  heic: "image/heic",
  heix: "image/heic",
  hevc: "image/heic-sequence",
  hevx: "image/heic-sequence",
  heim: "image/heif",
  heis: "image/heif",
  mif1: "image/heif",
  msf1: "image/heif-sequence",
};

const LABELS: Record<string, string> = {
  "application/pdf": "PDF",
  "image/png": "PNG image",
  "image/jpeg": "JPEG image",
  "image/heic": "HEIC image",
  "image/heic-sequence": "HEIC image sequence",
  "image/heif": "HEIF image",
  "image/heif-sequence": "HEIF image sequence",
  "application/dicom": "DICOM",
  "text/plain; charset=utf-8": "Text",
};

function startsWith(b: Uint8Array, sig: number[], at = 0): boolean {
  return b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
}

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/** UTF-8 without NUL or other C0 controls than tab, LF and CR. */
function isPlainText(head: Uint8Array, complete: boolean): boolean {
  for (const byte of head) if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  try {
    // A character cut by the end of the sample is fine, unless the file itself ends there.
    new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}

/**
 * The media type of a file from its first bytes (`head`, at least SNIFF_BYTES of it unless the
 * file is shorter, `complete` then), or null when it is not one the chart accepts.
 */
export function detectType(head: Uint8Array, complete: boolean): string | null {
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return "application/pdf"; // %PDF-
  if (startsWith(head, PNG)) return "image/png";
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (head.length >= 12 && ascii(head, 4, 8) === "ftyp") {
    const brand = HEIF_BRANDS[ascii(head, 8, 12)];
    if (brand) return brand;
  }
  if (head.length >= 132 && ascii(head, 128, 132) === "DICM") return "application/dicom";
  if (head.length > 0 && isPlainText(head, complete)) return "text/plain; charset=utf-8";
  return null;
}

/** A short name of a stored type, for lists. */
export function typeLabel(contentType: string): string {
  return LABELS[contentType] ?? contentType;
}

/** Types a browser may show in the page rather than save: images and PDF. */
export function showsInline(contentType: string): boolean {
  return contentType === "application/pdf" || contentType.startsWith("image/");
}
