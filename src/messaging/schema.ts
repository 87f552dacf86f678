/** Outgoing messages are written here first; a delivery worker sends them (see docs/architecture.md). */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const outbox = sqliteTable(
  "outbox",
  {
    id: text("id").primaryKey(),
    channel: text("channel", { enum: ["email", "sms", "portal"] }).notNull(),
    recipient: text("recipient").notNull(),
    template: text("template").notNull(),
    subject: text("subject"),
    body: text("body").notNull(),
    status: text("status", { enum: ["queued", "sent", "delivered", "failed"] }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    providerId: text("provider_id"),
    idempotencyKey: text("idempotency_key").notNull().unique(),
    createdAt: integer("created_at").notNull().default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [index("outbox_status_idx").on(t.status)],
);
