/**
 * Signed links a patient uses to answer an appointment reminder (confirm or cancel) at the public
 * route /appointment/respond?t=<token>, and the patient's confirmation itself, which the SMS reply
 * (src/messaging/inbound.ts) shares. Reminders only sign.
 */
import { eq } from "drizzle-orm";
import { confirmAppointment } from "../appointments/service";
import { cancelOnline, type ManagedAppointment } from "../booking/changes";
import type { BookingScope } from "../booking/slots";
import type { Clinic, Env } from "../platform/env";
import type { ClinicScope } from "../platform/scope";
import { AppError } from "../platform/errors";
import { clinicDb } from "../platform/tenancy";
import { keyRing, signToken, verifyToken } from "../platform/tokens";
import { findType } from "../scheduling/data";
import { appointments } from "../scheduling/tables";
import { offerFreedTime } from "../scheduling/waitlist";
import { emitEvent } from "../workflows/engine";

const DAY = 86_400_000;

/**
 * A `manage` token for one appointment (subject = its id), bound to the clinic, that lives until
 * seven days after the appointment starts. `startsAt` spares a lookup when the caller already
 * holds it (the reminder scan signs many at once); without it the start is read from the clinic's
 * database.
 */
export async function signResponseToken(env: Env, clinic: Clinic, appointmentId: string, startsAt?: number): Promise<string> {
  let start = startsAt;
  if (start === undefined) {
    const row = await clinicDb(env, clinic).select({ startsAt: appointments.startsAt }).from(appointments).where(eq(appointments.id, appointmentId)).get();
    start = row?.startsAt ?? Date.now();
  }
  const now = Date.now();
  // At least an hour, so a link signed for a visit that has just begun still opens.
  const ttl = Math.max(3600, Math.ceil((start + 7 * DAY - now) / 1000));
  return signToken(env, { use: "manage", subject: appointmentId, clinicSlug: clinic.slug, ttl, now });
}

/**
 * A short response link code for SMS (a full signed token alone would take two SMS segments):
 * the appointment's UUID in base64url (22 characters), a dot, and 72 bits of an HMAC-SHA256 over
 * the clinic and the appointment with the current signing key (12 characters); a code made with an
 * older key of the ring still opens until that key leaves it. `/r/<code>` checks it and
 * forwards to the full signed link, which carries the expiry.
 */
export async function shortResponseCode(env: Env, clinic: Pick<Clinic, "slug">, appointmentId: string): Promise<string> {
  const hex = appointmentId.replace(/-/g, "");
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new AppError("internal", "Short links name appointments by their UUID.");
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return `${b64url(bytes)}.${b64url((await shortMac(keyRing(env).current.secret, clinic.slug, appointmentId)).slice(0, 9))}`;
}

/** The appointment id of a short code, or null when the code is malformed or its MAC is wrong. */
export async function readShortResponseCode(env: Env, clinic: Pick<Clinic, "slug">, code: string): Promise<string | null> {
  const m = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{12})$/.exec(code);
  if (!m) return null;
  const raw = atob(m[1]!.replace(/-/g, "+").replace(/_/g, "/") + "==");
  const hex = [...raw].map((ch) => ch.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  for (const key of keyRing(env).all) {
    const expected = b64url((await shortMac(key.secret, clinic.slug, id)).slice(0, 9));
    let diff = expected.length ^ m[2]!.length;
    for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ (m[2]!.charCodeAt(i) || 0);
    if (diff === 0) return id;
  }
  return null;
}

async function shortMac(secret: string, slug: string, appointmentId: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`respond:${slug}:${appointmentId.toLowerCase()}`)));
}

function b64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * The appointment id a response link names. A tampered or expired token, or one signed for
 * another clinic (its audience differs), is 410.
 */
export async function readResponseToken(env: Env, clinic: Clinic, token: string): Promise<string> {
  const c = token ? await verifyToken(env, token, "manage", clinic.slug) : null;
  if (!c) throw new AppError("gone", "This link is invalid or has expired. Call the clinic about your appointment.");
  return c.sub;
}

export type ConfirmResult = "confirmed" | "already_confirmed";

/** The patient confirms from the link: a booked future visit becomes confirmed; twice is harmless. */
export async function confirmByPatient(scope: ClinicScope, a: ManagedAppointment, now: number): Promise<ConfirmResult> {
  if (a.status === "confirmed") return "already_confirmed";
  if (a.status !== "booked") throw new AppError("conflict", "This appointment can no longer be confirmed online. Call the clinic if you have a question.");
  if (a.startsAt <= now) throw new AppError("conflict", "This appointment has already begun, so there is nothing left to confirm.");
  if (await confirmAppointment(scope, a, { now, detail: "by the patient (reminder link)" })) return "confirmed";
  // Someone changed it meanwhile: a second click (or an SMS reply) confirmed it, or it was cancelled.
  const row = await scope.db.select({ status: appointments.status }).from(appointments).where(eq(appointments.id, a.id)).get();
  if (row?.status === "confirmed") return "already_confirmed";
  throw new AppError("conflict", "This appointment can no longer be confirmed online. Call the clinic if you have a question.");
}

/**
 * The patient cancels from the link, within the clinic's online change window (outside it, 409
 * with the advice to call). The cancellation goes through the calendar object; the freed time is
 * offered to the waitlist and the clinic's workflows hear of it, neither undoing the cancellation
 * if it fails.
 */
export async function cancelByPatient(scope: BookingScope, a: ManagedAppointment, origin: string, now: number): Promise<void> {
  const held = await cancelOnline(scope, a, now);
  const type = await findType(scope.db, a.typeId);
  await offerFreedTime(
    scope,
    scope.clinic,
    {
      providerId: a.providerId,
      locationId: a.locationId,
      blockStart: a.startsAt - (type?.bufferBeforeMinutes ?? 0) * 60_000,
      blockEnd: a.endsAt + (type?.bufferAfterMinutes ?? 0) * 60_000,
    },
    now,
    origin,
    held ?? undefined,
  ).catch((err) => console.error("waitlist offer failed", err));
  await emitEvent(scope, scope.env, { trigger: "appointment.cancelled", key: `appointment.cancelled:${a.id}`, patientId: a.patientId, appointmentId: a.id, at: now }).catch((err) =>
    console.error("workflow event failed", err),
  );
}
