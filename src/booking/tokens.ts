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

/**
 * A manage link lives until a week after the latest time the visit could be moved to (booking
 * horizons are at most a year), so a reschedule never strands it.
 */
export async function signManage(env: Env, clinic: Clinic, appointmentId: string, startsAt: number): Promise<string> {
  const ttl = Math.ceil((Math.max(startsAt, Date.now()) + 372 * DAY - Date.now()) / 1000);
  return signToken(env, { use: "manage", subject: appointmentId, clinicSlug: clinic.slug, ttl });
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
