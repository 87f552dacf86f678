/**
 * Personal booking invitations: staff send a patient a signed link that prefills the booking
 * pages with the patient's details.
 */
import { eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { auditStatement, scheduleSeal } from "../audit/service";
import { outbox } from "../messaging/tables";
import { patients } from "../patients/tables";
import { AppError } from "../platform/errors";
import type { BookingScope } from "./slots";
import { signInvite } from "./tokens";

/**
 * Sends a patient a personal booking link (two weeks) through the outbox; the booking pages it
 * opens prefill the patient's details. Returns the link for staff to copy.
 */
export async function sendInvitation(scope: BookingScope, patientId: string, origin: string): Promise<string> {
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
  const message: BatchItem<"sqlite">[] = channel
    ? [
        scope.db.insert(outbox).values({
          id: crypto.randomUUID(),
          channel,
          recipient: (channel === "email" ? p.email : p.phone) ?? "",
          template: "booking.invitation",
          subject: `Book your visit at ${scope.clinic.name}`,
          body: `Hello ${p.givenName}, book your next visit at ${scope.clinic.name} here: ${link}`,
          idempotencyKey: `booking-invite:${crypto.randomUUID()}`,
          patientId: p.id,
        }),
      ]
    : [];
  await scope.db.batch([audited, ...message]);
  scheduleSeal(scope);
  return link;
}
