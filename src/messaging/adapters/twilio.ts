/**
 * SMS through Twilio's Messages API, or any API that speaks it (SMS_API_BASE), and verification of
 * Twilio's signed status callbacks.
 * See: https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
 * and https://www.twilio.com/docs/usage/webhooks/webhooks-security
 */
import { safeEqualStrings } from "../../platform/crypto";
import { isPermanentStatus, jsonOf, ProviderError, providerFetch, type SmsAdapter } from "./types";

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  from: string;
  /** Default https://api.twilio.com. */
  apiBase?: string;
  /** Where Twilio posts delivery status (our /webhooks/sms/status on the clinic's host). */
  statusCallback?: string;
}

/** Twilio has no idempotency key: a send is guarded by the outbox claim alone. */
export function twilioSmsAdapter(cfg: TwilioConfig): SmsAdapter {
  const base = (cfg.apiBase ?? "https://api.twilio.com").replace(/\/+$/, "");
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(cfg.accountSid)}/Messages.json`;
  return {
    channel: "sms",
    name: "twilio",
    idempotent: false,
    async send(m) {
      const form = new URLSearchParams({ To: m.to, From: cfg.from, Body: m.body });
      if (cfg.statusCallback) form.set("StatusCallback", cfg.statusCallback);
      const res = await providerFetch("The SMS provider", url, {
        method: "POST",
        headers: {
          Authorization: `Basic ${btoa(`${cfg.accountSid}:${cfg.authToken}`)}`,
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: form,
      });
      const data = await jsonOf(res);
      if (!res.ok) {
        const code = data?.code ? ` ${String(data.code)}` : "";
        const detail = data?.message ? `: ${String(data.message)}` : "";
        throw new ProviderError(`The SMS provider answered ${res.status}${code}${detail}`, isPermanentStatus(res.status), res.status);
      }
      if (typeof data?.sid !== "string" || !data.sid) {
        // Accepted, but unnamed: sending again could reach the patient twice, so stop and show it.
        throw new ProviderError(`The SMS provider accepted the message (${res.status}) without a message sid; it may have been sent.`, true, res.status);
      }
      return { providerId: data.sid };
    },
  };
}

const encoder = new TextEncoder();

/**
 * Twilio's request signature: base64 HMAC-SHA1, keyed with the auth token, over the full URL
 * followed by every POST parameter sorted by name, each name immediately followed by its value.
 */
export async function twilioSignature(authToken: string, url: string, params: URLSearchParams): Promise<string> {
  const pairs = [...params].sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const data = url + pairs.map(([k, v]) => k + v).join("");
  const key = await crypto.subtle.importKey("raw", encoder.encode(authToken), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(data)));
  let s = "";
  for (const b of mac) s += String.fromCharCode(b);
  return btoa(s);
}

/** True when the X-Twilio-Signature header matches (compared in constant time). */
export async function verifyTwilioSignature(authToken: string, url: string, params: URLSearchParams, header: string): Promise<boolean> {
  return safeEqualStrings(await twilioSignature(authToken, url, params), header.trim());
}
