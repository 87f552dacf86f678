/** Writing messages to the clinic's outbox. Delivery (email, SMS, portal) reads from there. */
import { outbox } from "./tables";
import type { ClinicDb } from "../platform/env";

export interface OutgoingMessage {
  channel: "email" | "sms" | "portal";
  recipient: string;
  template: string;
  subject?: string;
  body: string;
  /** The same key never produces a second message. */
  idempotencyKey: string;
}

export async function queueMessage(db: ClinicDb, m: OutgoingMessage): Promise<void> {
  await db
    .insert(outbox)
    .values({ id: crypto.randomUUID(), ...m })
    .onConflictDoNothing({ target: outbox.idempotencyKey });
}
