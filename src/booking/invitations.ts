/**
 * Personal booking invitations: staff send a patient a signed link that prefills the booking
 * pages with the patient's details.
 */
import { and, eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { auditStatement, scheduleSeal } from "../audit/service";
import { outbox } from "../messaging/tables";
import { patients } from "../patients/tables";
import { AppError } from "../platform/errors";
import type { BookingScope } from "./slots";
import { signInvite } from "./tokens";

/** An invitation as staff see it after sending: the link, and the outbox message that carries it (if any). */
export interface SentInvitation {
  link: string;
  /** The outbox row, or null when the patient has neither email nor phone (the link is only shown). */
  messageId: string | null;
  channel: "email" | "sms" | null;
  recipient: string | null;
}

const INVITATION_TEMPLATE = "booking.invitation";

/**
 * Sends a patient a personal booking link (two weeks) through the outbox; the booking pages it
 * opens prefill the patient's details. Returns the link for staff to copy and the message's id.
 */
export async function sendInvitation(scope: BookingScope, patientId: string, origin: string): Promise<SentInvitation> {
  const p = await scope.db
    .select({ id: patients.id, givenName: patients.givenName, email: patients.email, phone: patients.phone })
    .from(patients)
    .where(eq(patients.id, patientId))
    .get();
  if (!p) throw new AppError("not_found", "This patient could not be found.");
  const token = await signInvite(scope.env, scope.clinic, p.id);
  const link = `${origin}/book?invite=${encodeURIComponent(token)}`;
  const channel = p.email ? "email" : p.phone ? "sms" : null;
  const audited = auditStatement(scope, {
    action: "execute",
    event: "booking.invite",
    entityType: "patient",
    entityId: p.id,
    patientId: p.id,
    detail: channel ? `sent by ${channel}` : "link shown only",
  });
  const messageId = channel ? crypto.randomUUID() : null;
  const recipient = channel ? ((channel === "email" ? p.email : p.phone) ?? "") : null;
  const message: BatchItem<"sqlite">[] = channel
    ? [
        scope.db.insert(outbox).values({
          id: messageId!,
          channel,
          recipient: recipient ?? "",
          template: INVITATION_TEMPLATE,
          subject: `Book your visit at ${scope.clinic.name}`,
          body: `Hello ${p.givenName}, book your next visit at ${scope.clinic.name} here: ${link}`,
          idempotencyKey: `booking-invite:${crypto.randomUUID()}`,
          patientId: p.id,
        }),
      ]
    : [];
  await scope.db.batch([audited, ...message]);
  scheduleSeal(scope);
  return { link, messageId, channel, recipient };
}

/**
 * The invitation message the server queued for this patient, as staff see it after sending (the
 * patient page names it by its outbox id); null when no such message of this patient exists.
 */
export async function findSentInvitation(scope: Pick<BookingScope, "db">, patientId: string, messageId: string): Promise<SentInvitation | null> {
  const row = await scope.db
    .select({ id: outbox.id, channel: outbox.channel, recipient: outbox.recipient, body: outbox.body })
    .from(outbox)
    .where(and(eq(outbox.id, messageId), eq(outbox.patientId, patientId), eq(outbox.template, INVITATION_TEMPLATE)))
    .get();
  if (!row || row.channel === "portal") return null;
  const link = /https?:\/\/\S+$/.exec(row.body)?.[0] ?? "";
  return { link, messageId: row.id, channel: row.channel, recipient: row.recipient };
}
