/**
 * SMS segments as carriers bill them: GSM 03.38 7-bit text holds 160 characters in one segment and
 * 153 per segment when split; anything outside that alphabet makes the whole message UCS-2, 70 and
 * 67. See: 3GPP TS 23.038 section 6.2.1, TS 23.040 section 9.2.3.24.1.
 */
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/** Characters of the extension table: each takes two septets (escape + character). */
const GSM_EXTENDED = "^{}\\[~]|€\f";
const GSM = new Set([...GSM_BASIC, ...GSM_EXTENDED]);

const LOOKALIKES: Record<string, string> = {
  "\u2018": "'",
  "\u2019": "'",
  "\u201a": "'",
  "\u201c": '"',
  "\u201d": '"',
  "\u201e": '"',
  "\u2013": "-",
  "\u2014": "-",
  "\u2026": "...",
  "\u00a0": " ",
  "\u202f": " ",
};

/**
 * A value in the SMS alphabet where it can be without changing its meaning: accents GSM lacks
 * are dropped (`María` → `Maria`, while `José` keeps its é), curly quotes and dashes become plain.
 * Characters with no such form (`李`) are kept, and make the message UCS-2.
 */
export function toGsm(value: string): string {
  let out = "";
  for (const ch of value) {
    if (GSM.has(ch)) out += ch;
    else if (LOOKALIKES[ch] !== undefined) out += LOOKALIKES[ch];
    else {
      const bare = ch.normalize("NFD").replace(/\p{M}/gu, "");
      out += bare !== "" && [...bare].every((c) => GSM.has(c)) ? bare : ch;
    }
  }
  return out;
}

export interface SmsCount {
  encoding: "GSM-7" | "UCS-2";
  /** Septets (GSM-7, extension characters count two) or UTF-16 code units (UCS-2). */
  length: number;
  segments: number;
  /** Room in one segment of a message that is split. */
  perSegment: number;
}

/** How many segments an SMS takes: GSM-7 160 alone / 153 each when split; UCS-2 70 / 67. */
export function smsSegments(text: string): SmsCount {
  const chars = [...text];
  if (chars.every((c) => GSM.has(c))) {
    const length = chars.reduce((n, c) => n + (GSM_EXTENDED.includes(c) ? 2 : 1), 0);
    return { encoding: "GSM-7", length, segments: length === 0 ? 0 : length <= 160 ? 1 : Math.ceil(length / 153), perSegment: 153 };
  }
  const length = text.length;
  return { encoding: "UCS-2", length, segments: length <= 70 ? 1 : Math.ceil(length / 67), perSegment: 67 };
}
