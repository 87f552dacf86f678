/**
 * Patient communication of one clinic. Every message is written to the outbox first (with an
 * idempotency key), then delivered by the queue consumer; templates, reminder settings, contact
 * preferences and inbound replies live here too (workflow tables are in src/workflows/tables.ts).
 * Instants are epoch milliseconds (UTC).
 */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const now = sql`(unixepoch('subsec') * 1000)`;

export const CHANNELS = ["email", "sms", "portal"] as const;
export type Channel = (typeof CHANNELS)[number];
export const OUTBOX_STATUSES = ["queued", "sending", "sent", "delivered", "failed", "cancelled"] as const;

export const outbox = sqliteTable(
  "outbox",
  {
    id: text("id").primaryKey(),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    recipient: text("recipient").notNull(),
    template: text("template").notNull(),
    subject: text("subject"),
    body: text("body").notNull(),
    status: text("status", { enum: OUTBOX_STATUSES }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    providerId: text("provider_id"),
    /** The same key never produces a second message (e.g. `reminder:<appointment>:email-72h`). */
    idempotencyKey: text("idempotency_key").notNull().unique(),
    createdAt: integer("created_at").notNull().default(now),
    /** Not to be sent before this instant (a workflow delay); null = as soon as possible. */
    sendAfter: integer("send_after"),
    /** When the next delivery attempt is due (retries with backoff). */
    nextAttemptAt: integer("next_attempt_at"),
    lastError: text("last_error"),
    sentAt: integer("sent_at"),
    deliveredAt: integer("delivered_at"),
    patientId: text("patient_id"),
    appointmentId: text("appointment_id"),
    locale: text("locale"),
  },
  (t) => [
    index("outbox_status_idx").on(t.status),
    index("outbox_due_idx").on(t.status, t.nextAttemptAt),
    index("outbox_provider_idx").on(t.providerId),
    index("outbox_appointment_idx").on(t.appointmentId),
  ],
);

export const LOCALES = ["en", "es"] as const;

/** A clinic's own wording of a message; the defaults ship in code (src/messaging/template-catalogue.ts). */
export const messageTemplates = sqliteTable(
  "message_templates",
  {
    id: text("id").primaryKey(),
    /** Which message, e.g. `reminder`, `booking.confirmation`, `waitlist.offer`. */
    template: text("template").notNull(),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    locale: text("locale", { enum: LOCALES }).notNull().default("en"),
    subject: text("subject"),
    body: text("body").notNull(),
    updatedAt: integer("updated_at").notNull().default(now),
    updatedBy: text("updated_by"),
  },
  (t) => [uniqueIndex("message_templates_key_idx").on(t.template, t.channel, t.locale)],
);

/** The clinic's reminder schedule and quiet hours: one row, id = 1. */
export const reminderSettings = sqliteTable("reminder_settings", {
  id: integer("id").primaryKey(),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  emailHoursBefore: integer("email_hours_before").default(72),
  smsHoursBefore: integer("sms_hours_before").default(24),
  /** Optional short-notice SMS (e.g. 2 hours before); null = off. */
  sms2HoursBefore: integer("sms2_hours_before"),
  /** No SMS between these local times (HH:MM, in the location's timezone). */
  quietStart: text("quiet_start").notNull().default("21:00"),
  quietEnd: text("quiet_end").notNull().default("08:00"),
});

/** A patient's channels: consent, opt-out (STOP) and language for messages. */
export const patientContactPrefs = sqliteTable("patient_contact_prefs", {
  patientId: text("patient_id").primaryKey(),
  emailConsent: integer("email_consent", { mode: "boolean" }).notNull().default(true),
  smsConsent: integer("sms_consent", { mode: "boolean" }).notNull().default(true),
  /** Set when the patient replied STOP; SMS is never sent after that. */
  smsOptedOutAt: integer("sms_opted_out_at"),
  preferredChannel: text("preferred_channel", { enum: ["email", "sms", "both"] }).notNull().default("both"),
  locale: text("locale", { enum: LOCALES }).notNull().default("en"),
  updatedAt: integer("updated_at").notNull().default(now),
});

/** SMS (and later other) messages patients send in. */
export const inboundMessages = sqliteTable(
  "inbound_messages",
  {
    id: text("id").primaryKey(),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    sender: text("sender").notNull(),
    body: text("body").notNull(),
    providerId: text("provider_id"),
    patientId: text("patient_id"),
    appointmentId: text("appointment_id"),
    /** What the reply did: confirmed, cancel_requested, opted_out, unmatched, ignored. */
    outcome: text("outcome").notNull(),
    receivedAt: integer("received_at").notNull().default(now),
  },
  (t) => [uniqueIndex("inbound_provider_idx").on(t.providerId)],
);
