/**
 * /webhooks: delivery status callbacks from the providers, on the clinic's host. They are
 * server-to-server, need no session and no CSRF token, and are authenticated by their signature
 * alone: a missing or bad signature is refused (403) and audited, and changes nothing.
 */
import { and, eq, inArray } from "drizzle-orm";
import { Hono, type Context } from "hono";
import * as z from "zod/mini";
import { audit } from "../audit/service";
import type { AppEnv } from "../platform/env";
import { AppError } from "../platform/errors";
import { clinicScope, type ClinicScope } from "../platform/scope";
import { validate } from "../platform/validation";
import { clinicSecret, verifyHexHmacSha256, verifyTwilioSignature } from "./adapters";
import { failMessage } from "./delivery";
import { outbox } from "./tables";

export const webhookRoutes = new Hono<AppEnv>();

type Outcome = { kind: "delivered" } | { kind: "failed"; error: string } | { kind: "ignored" };

export async function refuse(c: Context<AppEnv>, scope: ClinicScope, why: string): Promise<never> {
  await audit(scope, {
    action: "execute",
    event: "webhook.refused",
    entityType: "webhook",
    entityId: `${c.req.method} ${c.req.path}`,
    outcome: "denied",
    detail: why,
  });
  throw new AppError("forbidden", "The signature of this callback is not valid.");
}

/** Applies a provider's report to the message it names; unknown ids are ignored (nothing to retry). */
async function applyStatus(scope: ClinicScope, providerId: string, outcome: Outcome): Promise<void> {
  if (outcome.kind === "ignored") return;
  if (outcome.kind === "delivered") {
    await scope.db
      .update(outbox)
      .set({ status: "delivered", deliveredAt: Date.now() })
      .where(and(eq(outbox.providerId, providerId), inArray(outbox.status, ["sending", "sent"])));
    return;
  }
  const row = await scope.db
    .select({ id: outbox.id, channel: outbox.channel, template: outbox.template, patientId: outbox.patientId })
    .from(outbox)
    .where(eq(outbox.providerId, providerId))
    .get();
  if (row) await failMessage(scope, row, outcome.error, ["sending", "sent"]);
}

const twilioStatusSchema = z.object({
  MessageSid: z.string().check(z.minLength(1)),
  MessageStatus: z.string().check(z.minLength(1)),
  ErrorCode: z.optional(z.string()),
});

/**
 * The form fields of a request signed as Twilio signs (X-Twilio-Signature: base64 HMAC-SHA1 of the
 * URL and the sorted fields, keyed with the clinic's SMS auth token). Anything else is refused
 * (403) and audited before a field is used.
 */
export async function signedTwilioForm(c: Context<AppEnv>, scope: ClinicScope): Promise<URLSearchParams> {
  // Read as bytes: the body is a form, and workerd warns when a form is read as text.
  const params = new URLSearchParams(new TextDecoder().decode(await c.req.arrayBuffer()));
  const token = clinicSecret(c.env, scope.clinic, "SMS_AUTH_TOKEN");
  const signature = c.req.header("x-twilio-signature");
  if (!token) await refuse(c, scope, "no SMS auth token is configured to check the signature");
  if (!signature || !(await verifyTwilioSignature(token!, c.req.url, params, signature))) {
    await refuse(c, scope, signature ? "bad signature" : "missing signature");
  }
  return params;
}

/** Twilio's message statuses: https://www.twilio.com/docs/messaging/api/message-resource#message-status-values */
function twilioOutcome(status: string, errorCode: string | undefined): Outcome {
  if (status === "delivered") return { kind: "delivered" };
  if (status === "failed" || status === "undelivered") return { kind: "failed", error: `The SMS provider reported ${status}${errorCode ? ` (error ${errorCode})` : ""}` };
  return { kind: "ignored" };
}

/** Twilio's status callback: a form post signed in X-Twilio-Signature with the auth token. */
webhookRoutes.post("/sms/status", async (c) => {
  const scope = clinicScope(c);
  const params = await signedTwilioForm(c, scope);
  const parsed = validate(twilioStatusSchema, Object.fromEntries(params));
  if (!parsed.ok) throw new AppError("bad_request", "A status callback needs MessageSid and MessageStatus.");
  await applyStatus(scope, parsed.data.MessageSid, twilioOutcome(parsed.data.MessageStatus, parsed.data.ErrorCode));
  return c.body(null, 204);
});

const emailStatusSchema = z.object({
  id: z.optional(z.string().check(z.minLength(1))),
  providerId: z.optional(z.string().check(z.minLength(1))),
  status: z.string(),
  error: z.optional(z.string()),
});

const EMAIL_FAILURES = new Set(["failed", "bounced", "rejected", "undelivered", "dropped"]);

function emailOutcome(status: string, error: string | undefined): Outcome {
  if (status === "delivered") return { kind: "delivered" };
  if (EMAIL_FAILURES.has(status)) return { kind: "failed", error: `The email provider reported ${status}${error ? `: ${error}` : ""}` };
  return { kind: "ignored" };
}

/** An email API's status callback: JSON `{ id | providerId, status }`, hex HMAC-SHA256 of the body in X-Webhook-Signature. */
webhookRoutes.post("/email/status", async (c) => {
  const scope = clinicScope(c);
  const raw = await c.req.text();
  const secret = clinicSecret(c.env, scope.clinic, "EMAIL_WEBHOOK_SECRET");
  const signature = c.req.header("x-webhook-signature");
  if (!secret) await refuse(c, scope, "no EMAIL_WEBHOOK_SECRET is configured to check the signature");
  if (!signature || !(await verifyHexHmacSha256(secret!, raw, signature))) {
    await refuse(c, scope, signature ? "bad signature" : "missing signature");
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new AppError("bad_request", "A status callback must be JSON.");
  }
  const parsed = validate(emailStatusSchema, body);
  const providerId = parsed.ok ? (parsed.data.providerId ?? parsed.data.id) : undefined;
  if (!parsed.ok || !providerId) throw new AppError("bad_request", "A status callback needs an id and a status.");
  await applyStatus(scope, providerId, emailOutcome(parsed.data.status.toLowerCase(), parsed.data.error));
  return c.body(null, 204);
});
