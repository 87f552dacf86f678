/**
 * Personal booking invitations: staff send a patient a signed link that prefills the booking
 * pages with the patient's details.
 */
import { scheduleSeal } from "../audit/service";
import { AppError } from "../platform/errors";
import type { BookingScope } from "./slots";
import { signInvite } from "./tokens";

/**
 * Sends a patient a personal booking link (two weeks) through the outbox; the booking pages it
 * opens prefill the patient's details. Returns the link for staff to copy.
 */
export async function sendInvitation(scope: BookingScope, patientId: string, origin: string): Promise<string> {
  const p = await scope.d1
    .prepare("SELECT id, given_name AS givenName, email, phone FROM patients WHERE id = ?")
    .bind(patientId)
    .first<{ id: string; givenName: string; email: string | null; phone: string | null }>();
  if (!p) throw new AppError("not_found", "This patient could not be found.");
  const token = await signInvite(scope.env, scope.clinic, p.id);
  const link = `${origin}/book?invite=${encodeURIComponent(token)}`;
  const channel = p.email ? "email" : p.phone ? "sms" : null;
  const statements = [
    scope.d1
      .prepare(
        `INSERT INTO audit_log (occurred_at, user_id, user_email, clinic_slug, action, event, entity_type, entity_id, patient_id, outcome, ip, user_agent, request_id, detail)
         VALUES (?, ?, ?, ?, 'execute', 'booking.invite', 'patient', ?, ?, 'success', ?, ?, ?, ?)`,
      )
      .bind(new Date().toISOString(), scope.staff?.id ?? null, scope.staff?.email ?? null, scope.clinic.slug, p.id, p.id, scope.meta.ip, scope.meta.userAgent?.slice(0, 512) ?? null, scope.meta.requestId, channel ? `sent by ${channel}` : "link shown only"),
  ];
  if (channel) {
    statements.push(
      scope.d1
        .prepare("INSERT INTO outbox (id, channel, recipient, template, subject, body, idempotency_key, patient_id) VALUES (?, ?, ?, 'booking.invitation', ?, ?, ?, ?)")
        .bind(
          crypto.randomUUID(),
          channel,
          channel === "email" ? p.email : p.phone,
          `Book your visit at ${scope.clinic.name}`,
          `Hello ${p.givenName}, book your next visit at ${scope.clinic.name} here: ${link}`,
          `booking-invite:${crypto.randomUUID()}`,
          p.id,
        ),
    );
  }
  await scope.d1.batch(statements);
  scheduleSeal(scope);
  return link;
}
