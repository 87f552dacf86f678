/**
 * /dev/mailbox: in local development (ENVIRONMENT = "development") no email or SMS provider is
 * needed; this page shows every message in the clinic's outbox as the recipient would see it.
 * Anywhere else it does not exist (404).
 */
import { Hono } from "hono";
import { Mailbox, type MailboxMessage } from "../../views/messaging/mailbox";
import type { AppEnv } from "../platform/env";
import { notFound } from "../platform/errors";
import { page } from "../platform/render";
import { clinicScope } from "../platform/scope";

export const devMailboxRoutes = new Hono<AppEnv>();

export function isDevelopment(env: { ENVIRONMENT: string }): boolean {
  return env.ENVIRONMENT === "development";
}

devMailboxRoutes.get("/", async (c) => {
  if (!isDevelopment(c.env)) throw notFound();
  const scope = clinicScope(c);
  const res = await scope.d1
    .prepare(
      `SELECT id, channel, recipient, template, subject, body, status, created_at AS createdAt FROM outbox ORDER BY created_at DESC, id LIMIT 100`,
    )
    .all<MailboxMessage>();
  return page(c, "Development mailbox", <Mailbox clinicName={c.var.clinic.name} messages={res.results} />);
});
