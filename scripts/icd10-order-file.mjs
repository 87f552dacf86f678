// Reading the CMS ICD-10-CM "order file" (icd10cm_order_<year>.txt), the fixed-width list of every
// code of a release. Plain ESM without Node imports, so scripts/icd10-load.mjs and the tests inside
// workerd both import it. Layout (see the CMS "icd10cm_order" file description):
//
//   cols  1-5   order number, zero-padded
//   col   6     blank
//   cols  7-13  code, without its dot, left-justified
//   col  14     blank
//   col  15     0 = header (not valid for a claim), 1 = valid for HIPAA-covered transactions
//   col  16     blank
//   cols 17-76  short description (60 characters)
//   col  77     blank
//   cols 78-    long description (up to 323 characters)

/**
 * Lower-case, without diacritics or apostrophes, as foldCodeText in src/charting/icd10.ts:
 * both sides of the search must fold the same way.
 */
export function foldCodeText(s) {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/['’]/g, "");
}

/** `E119` → `E11.9`; codes of three characters (categories, `I10`) have no dot. */
export function dottedCode(raw) {
  const s = raw.trim().toUpperCase();
  return s.length > 3 ? `${s.slice(0, 3)}.${s.slice(3)}` : s;
}

/**
 * One line of the order file → `{ code, description, searchText, billable }`, or null for a blank
 * line. Throws with the line number on a line that is not in the layout.
 */
export function parseOrderLine(line, lineNo = 0) {
  const text = line.replace(/\r$/, "");
  if (text.trim() === "") return null;
  const where = lineNo ? `line ${lineNo}` : "a line";
  if (text.length < 78 || !/^\d{5} $/.test(text.slice(0, 6)) || text[13] !== " " || text[15] !== " ") {
    throw new Error(`${where} is not in the order-file layout (order number, code, header flag, short and long descriptions): ${JSON.stringify(text.slice(0, 40))}`);
  }
  const raw = text.slice(6, 13).trim();
  if (!/^[A-Z]\d[0-9A-Z]{1,5}$/.test(raw)) throw new Error(`${where}: "${raw}" is not an ICD-10-CM code.`);
  const flag = text[14];
  if (flag !== "0" && flag !== "1") throw new Error(`${where}: the header flag of ${raw} is "${flag}", not 0 or 1.`);
  const description = text.slice(77).trim();
  if (!description) throw new Error(`${where}: ${raw} has no long description.`);
  const code = dottedCode(raw);
  return { code, description, searchText: `${code.replace(".", "").toLowerCase()} ${foldCodeText(description)}`, billable: flag === "1" ? 1 : 0 };
}

/** Every code of an order file's text, in file order. */
export function parseOrderFile(text) {
  const out = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const row = parseOrderLine(lines[i], i + 1);
    if (row) out.push(row);
  }
  return out;
}
