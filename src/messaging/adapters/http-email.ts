/**
 * Email through an HTTP email API (Resend-style): `POST <EMAIL_API_URL>` with a JSON body
 * `{ from, to, subject, text }`, `Authorization: Bearer <EMAIL_API_KEY>` and the outbox id as
 * `Idempotency-Key`, so a repeated request sends one email.
 */
import { isPermanentStatus, jsonOf, ProviderError, providerFetch, type EmailAdapter } from "./types";

export interface HttpEmailConfig {
  url: string;
  apiKey: string;
  from: string;
}

export function httpEmailAdapter(cfg: HttpEmailConfig): EmailAdapter {
  return {
    channel: "email",
    name: "http-email",
    idempotent: true,
    async send(m) {
      const res = await providerFetch("The email API", cfg.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Authorization: `Bearer ${cfg.apiKey}`,
          "Idempotency-Key": m.id,
        },
        body: JSON.stringify({ from: cfg.from, to: m.to, subject: m.subject ?? "", text: m.body }),
      });
      const data = await jsonOf(res);
      if (!res.ok) {
        const detail = data?.message ?? data?.error ?? data?.name ?? "";
        throw new ProviderError(`The email API answered ${res.status}${detail ? `: ${String(detail)}` : ""}`, isPermanentStatus(res.status), res.status);
      }
      const id = data?.id ?? data?.messageId ?? data?.MessageID;
      // An API that returns no id is matched by ours (status callbacks may name the outbox id).
      return { providerId: typeof id === "string" && id ? id : m.id };
    },
  };
}
