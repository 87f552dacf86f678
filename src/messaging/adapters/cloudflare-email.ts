/**
 * Email through Cloudflare's `send_email` binding (bound as EMAIL), composed with the binding's
 * builder form so no raw MIME is needed. The binding takes no idempotency key.
 */
import { ProviderError, type EmailAdapter } from "./types";

export function cloudflareEmailAdapter(binding: SendEmail, from: string): EmailAdapter {
  return {
    channel: "email",
    name: "cloudflare-email",
    idempotent: false,
    async send(m) {
      try {
        const res = await binding.send({ from, to: m.to, subject: m.subject ?? "", text: m.body });
        return { providerId: res.messageId || m.id };
      } catch (err) {
        // The binding reports no status code; retries end in the dead-letter queue if it keeps failing.
        throw new ProviderError(`Cloudflare Email: ${String(err)}`, false);
      }
    },
  };
}
