/**
 * Adapters that reach no provider: in-portal messages (the portal reads them from the outbox), the
 * development adapter (the dev mailbox shows the message), and the refusal used in production when
 * a clinic has no provider configured, so the message fails where staff can see it instead of
 * pretending it was sent.
 */
import type { Channel } from "../tables";
import { ProviderError, type ChannelAdapter } from "./types";

export const portalAdapter: ChannelAdapter = {
  channel: "portal",
  name: "portal",
  idempotent: true,
  async send(m) {
    return { providerId: `portal:${m.id}` };
  },
};

export function devAdapter(channel: Channel): ChannelAdapter {
  return {
    channel,
    name: "dev",
    idempotent: true,
    async send(m) {
      return { providerId: `dev:${m.id}` };
    },
  };
}

export function unconfiguredAdapter(channel: Channel, missing: string[]): ChannelAdapter {
  return {
    channel,
    name: "unconfigured",
    idempotent: true,
    async send() {
      throw new ProviderError(`No ${channel === "sms" ? "SMS" : channel} provider is configured for this clinic (set ${missing.join(", ")}).`, true);
    },
  };
}
