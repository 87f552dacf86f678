/**
 * The three signed links of online booking: a hold (the slot a patient picked, while they fill in
 * their details), a manage link (change or cancel a booking), and a personal invitation.
 */
import type { Clinic, Env } from "../platform/env";
import { AppError } from "../platform/errors";
import { signToken, verifyToken } from "../platform/tokens";
import { SlotUnavailable } from "./slots";

const DAY = 86_400_000;

export interface HoldClaims {
  holdId: string;
  typeId: string;
  providerId: string;
  locationId: string;
  startsAt: number;
  expiresAt: number;
  /** The appointment being moved, for a reschedule. */
  appointmentId?: string;
  /** Personal invitation: the patient it prefills. */
  invitedPatientId?: string;
}

export async function signHold(env: Env, clinic: Clinic, h: HoldClaims): Promise<string> {
  return signToken(env, {
    use: "hold",
    subject: h.holdId,
    clinicSlug: clinic.slug,
    ttl: Math.max(60, Math.ceil((h.expiresAt - Date.now()) / 1000) + 60),
    claims: {
      t: h.typeId,
      p: h.providerId,
      l: h.locationId,
      s: h.startsAt,
      x: h.expiresAt,
      ...(h.appointmentId ? { a: h.appointmentId } : {}),
      ...(h.invitedPatientId ? { i: h.invitedPatientId } : {}),
    },
  });
}

export async function readHold(env: Env, clinic: Clinic, token: string): Promise<HoldClaims> {
  const c = await verifyToken(env, token, "hold", clinic.slug);
  if (!c || typeof c.t !== "string" || typeof c.p !== "string" || typeof c.l !== "string" || typeof c.s !== "number" || typeof c.x !== "number") {
    throw new SlotUnavailable("hold_expired", []);
  }
  return {
    holdId: c.sub,
    typeId: c.t,
    providerId: c.p,
    locationId: c.l,
    startsAt: c.s,
    expiresAt: c.x,
    appointmentId: typeof c.a === "string" ? c.a : undefined,
    invitedPatientId: typeof c.i === "string" ? c.i : undefined,
  };
}

/** How long a manage link keeps working after its appointment has ended (to look it up, or add it to a calendar). */
export const MANAGE_GRACE_MS = 7 * DAY;

/**
 * A manage link lives until its appointment's end plus a week (at least an hour, so a link issued
 * for a visit under way still opens). Moving the visit issues a new link for the new time, so a
 * link is never stranded by a reschedule and never outlives the visit it names by long.
 */
export async function signManage(env: Env, clinic: Clinic, appointmentId: string, endsAt: number, now = Date.now()): Promise<string> {
  const ttl = Math.max(3600, Math.ceil((endsAt + MANAGE_GRACE_MS - now) / 1000));
  return signToken(env, { use: "manage", subject: appointmentId, clinicSlug: clinic.slug, ttl, now });
}

export async function readManage(env: Env, clinic: Clinic, token: string): Promise<string> {
  const c = await verifyToken(env, token, "manage", clinic.slug);
  if (!c) throw new AppError("gone", "This booking link is invalid or has expired. Call the clinic to change your appointment.");
  return c.sub;
}

/** A personal invitation that prefills the patient (sent by staff). */
export async function signInvite(env: Env, clinic: Clinic, patientId: string, days = 14): Promise<string> {
  return signToken(env, { use: "invite", subject: patientId, clinicSlug: clinic.slug, ttl: days * 86_400 });
}

export async function readInvite(env: Env, clinic: Clinic, token: string): Promise<string> {
  const c = await verifyToken(env, token, "invite", clinic.slug);
  if (!c) throw new AppError("gone", "This invitation link is invalid or has expired. You can still book from the clinic's booking page.");
  return c.sub;
}
