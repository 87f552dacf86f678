/**
 * Channel adapters: which provider carries a clinic's email and SMS, and how it is configured.
 *
 * Configuration (Worker secrets, or vars for the non-secret ones). Every name may be set per clinic
 * as `NAME__<SLUG>` (the slug upper-cased, `-` replaced by `_`, e.g. `SMS_AUTH_TOKEN__RIVERSIDE_NORTH`),
 * which wins over the global `NAME`:
 *
 *   SMS_ACCOUNT_SID        Twilio account SID (`AC...`)
 *   SMS_AUTH_TOKEN         Twilio auth token: basic auth when sending, and the key of the signature
 *                          on status callbacks (POST /webhooks/sms/status)
 *   SMS_FROM               the sending number, E.164 (`+15551234567`)
 *   SMS_API_BASE           optional; default https://api.twilio.com (any Twilio-compatible API)
 *   EMAIL_API_URL          HTTP email API endpoint: POST JSON {from, to, subject, text} with
 *                          `Authorization: Bearer` and the outbox id as `Idempotency-Key`
 *   EMAIL_API_KEY          its bearer token
 *   EMAIL_FROM             the sender address (for the HTTP API and the Cloudflare binding)
 *   EMAIL_WEBHOOK_SECRET   key of the hex HMAC-SHA256 in `X-Webhook-Signature` on email status
 *                          callbacks (POST /webhooks/email/status)
 *   EMAIL (binding)        optional Cloudflare `send_email` binding, used when EMAIL_API_URL is not set
 *
 * Choice of adapter: portal messages need no provider. With ENVIRONMENT = "development" nothing is
 * sent (the dev mailbox shows the message). Otherwise a fully configured provider is used; without
 * one, production fails the message at once with the missing names (visible on /messages), and
 * other environments (tests) fall back to the development adapter.
 */
import type { Clinic, Env } from "../../platform/env";
import type { Channel } from "../tables";
import { cloudflareEmailAdapter } from "./cloudflare-email";
import { httpEmailAdapter } from "./http-email";
import { devAdapter, portalAdapter, unconfiguredAdapter } from "./local";
import { twilioSmsAdapter } from "./twilio";
import type { ChannelAdapter } from "./types";

export { ProviderError, type ChannelAdapter, type EmailAdapter, type OutboundMessage, type SendResult, type SmsAdapter } from "./types";
export { twilioSignature, verifyTwilioSignature } from "./twilio";
export { hmacSha256Hex, verifyHexHmacSha256 } from "./signatures";

export type SecretName =
  | "SMS_ACCOUNT_SID"
  | "SMS_AUTH_TOKEN"
  | "SMS_FROM"
  | "SMS_API_BASE"
  | "EMAIL_API_URL"
  | "EMAIL_API_KEY"
  | "EMAIL_FROM"
  | "EMAIL_WEBHOOK_SECRET";

/** A clinic's setting: `NAME__<SLUG>` first, then `NAME`; empty counts as unset. */
export function clinicSecret(env: Env, clinic: Pick<Clinic, "slug">, name: SecretName): string | undefined {
  // Optional secrets are not part of Env: read them by name.
  const vars = env as unknown as Record<string, unknown>;
  const own = vars[`${name}__${clinic.slug.toUpperCase().replace(/-/g, "_")}`];
  if (typeof own === "string" && own) return own;
  const shared = vars[name];
  return typeof shared === "string" && shared ? shared : undefined;
}

function missingOf(env: Env, clinic: Pick<Clinic, "slug">, names: SecretName[]): SecretName[] {
  return names.filter((n) => !clinicSecret(env, clinic, n));
}

function emailBinding(env: Env): SendEmail | null {
  const b = (env as unknown as Record<string, unknown>).EMAIL;
  return b && typeof (b as SendEmail).send === "function" ? (b as SendEmail) : null;
}

/** The adapter that carries this clinic's messages on a channel. */
export function adapterFor(env: Env, clinic: Pick<Clinic, "slug">, channel: Channel): ChannelAdapter {
  if (channel === "portal") return portalAdapter;
  if (env.ENVIRONMENT === "development") return devAdapter(channel);
  const get = (n: SecretName) => clinicSecret(env, clinic, n);
  if (channel === "sms") {
    const missing = missingOf(env, clinic, ["SMS_ACCOUNT_SID", "SMS_AUTH_TOKEN", "SMS_FROM"]);
    if (missing.length === 0) {
      return twilioSmsAdapter({
        accountSid: get("SMS_ACCOUNT_SID")!,
        authToken: get("SMS_AUTH_TOKEN")!,
        from: get("SMS_FROM")!,
        apiBase: get("SMS_API_BASE"),
        statusCallback: `https://${clinic.slug}.${env.BASE_DOMAIN}/webhooks/sms/status`,
      });
    }
    return env.ENVIRONMENT === "production" ? unconfiguredAdapter("sms", missing) : devAdapter("sms");
  }
  const missing = missingOf(env, clinic, ["EMAIL_API_URL", "EMAIL_API_KEY", "EMAIL_FROM"]);
  if (missing.length === 0) return httpEmailAdapter({ url: get("EMAIL_API_URL")!, apiKey: get("EMAIL_API_KEY")!, from: get("EMAIL_FROM")! });
  const binding = emailBinding(env);
  const from = get("EMAIL_FROM");
  if (binding && from && !get("EMAIL_API_URL")) return cloudflareEmailAdapter(binding, from);
  return env.ENVIRONMENT === "production" ? unconfiguredAdapter("email", missing) : devAdapter("email");
}
