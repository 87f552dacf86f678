/**
 * /dev/mailbox: in local development (ENVIRONMENT = "development") no email or SMS provider is
 * needed; this page shows every message in the clinic's outbox as the recipient would see it.
 * Anywhere else it does not exist (404).
 */
import { desc } from "drizzle-orm";
import { Hono } from "hono";
import { Mailbox, type MailboxMessage } from "../../views/messaging/mailbox";
import type { AppEnv } from "../platform/env";
import { notFound } from "../platform/errors";
import { page } from "../platform/render";
import { clinicScope } from "../platform/scope";
import { outbox } from "./tables";

export const devMailboxRoutes = new Hono<AppEnv>();

export function isDevelopment(env: { ENVIRONMENT: string }): boolean {
  return env.ENVIRONMENT === "development";
}

devMailboxRoutes.get("/", async (c) => {
  if (!isDevelopment(c.env)) throw notFound();
  const scope = clinicScope(c);
  const messages: MailboxMessage[] = await scope.db
    .select({
      id: outbox.id,
      channel: outbox.channel,
      recipient: outbox.recipient,
      template: outbox.template,
      subject: outbox.subject,
      body: outbox.body,
      status: outbox.status,
      createdAt: outbox.createdAt,
    })
    .from(outbox)
    .orderBy(desc(outbox.createdAt), outbox.id)
    .limit(100);
  return page(c, "Development mailbox", <Mailbox clinicName={c.var.clinic.name} messages={messages} />);
});
