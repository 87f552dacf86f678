/** The contract every channel adapter keeps, and the one error type a provider failure becomes. */
import type { Channel } from "../tables";

/** What an adapter needs to send one outbox message. */
export interface OutboundMessage {
  /** The outbox id: sent as the idempotency key wherever the provider accepts one. */
  id: string;
  to: string;
  subject: string | null;
  body: string;
}

export interface SendResult {
  /** The provider's id of the message; status callbacks name it. */
  providerId: string;
}

export interface ChannelAdapter {
  readonly channel: Channel;
  /** For logs, e.g. `twilio`, `http-email`, `dev`. */
  readonly name: string;
  /**
   * True when sending the same message twice reaches the recipient at most once (the provider
   * honours an idempotency key, or nothing real is sent), so an interrupted attempt may be repeated.
   */
  readonly idempotent: boolean;
  /** Sends the message or throws a ProviderError. */
  send(message: OutboundMessage): Promise<SendResult>;
}

export interface EmailAdapter extends ChannelAdapter {
  readonly channel: "email";
}

export interface SmsAdapter extends ChannelAdapter {
  readonly channel: "sms";
}

/** A provider refused or could not take a message. Permanent errors are not retried. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly status?: number,
    /** The provider may have accepted the message before failing (a timeout, a 500/502/504). */
    readonly uncertain = status !== undefined && [500, 502, 504].includes(status),
  ) {
    super(message);
    this.name = "ProviderError";
  }
}

/**
 * A 4xx answer means the request itself is wrong (invalid number, bad credentials) and sending it
 * again changes nothing; except timeouts, conflicts of a concurrent idempotent request and rate
 * limits, which pass. 5xx answers are the provider's trouble and are retried.
 */
export function isPermanentStatus(status: number): boolean {
  return status >= 400 && status < 500 && ![408, 409, 425, 429].includes(status);
}

const TIMEOUT_MS = 15_000;

/** fetch for providers: a network error or a timeout becomes a transient ProviderError. */
export async function providerFetch(provider: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    // A timeout leaves it open whether the request arrived; a refused connection does not.
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    throw new ProviderError(`${provider} could not be reached: ${String(err)}`, false, undefined, timedOut);
  }
}

/** The JSON of a provider's answer, or null when it has none. */
export async function jsonOf(res: Response): Promise<Record<string, unknown> | null> {
  const text = await res.text().catch(() => "");
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === "object" ? (v as Record<string, unknown>) : null;
  } catch {
    return text ? { message: text.slice(0, 300) } : null;
  }
}
