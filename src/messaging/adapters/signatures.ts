/** Signatures of server-to-server callbacks that are not Twilio's. */
import { safeEqualStrings } from "../../platform/crypto";

const encoder = new TextEncoder();

export async function hmacSha256Hex(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(body)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** True when `header` is the hex HMAC-SHA256 of the raw body (a `sha256=` prefix is allowed). */
export async function verifyHexHmacSha256(secret: string, body: string, header: string): Promise<boolean> {
  const sent = header.trim().toLowerCase().replace(/^sha256=/, "");
  return safeEqualStrings(await hmacSha256Hex(secret, body), sent);
}
