/**
 * The patient of a clinical record reached by its own id rather than under /patients/:id (a note,
 * an encounter, a visit being started), for the care-team gate: route groups declare these in
 * src/mounts.ts as their `careTeam` resolver. Null when the request names no patient's record
 * (a list across patients) or the record does not exist (the handler answers its 404).
 */
import type { Context } from "hono";
import { eq } from "drizzle-orm";
import { encounters, notes } from "../charting/tables";
import { appointments } from "../scheduling/tables";
import type { AppEnv } from "../platform/env";

type Params = Record<string, string>;

async function first(rows: Promise<{ patientId: string }[]>): Promise<string | null> {
  return (await rows)[0]?.patientId ?? null;
}

/** /notes/:id/...: the note's patient. */
export function patientOfNote(c: Context<AppEnv>, params: Params): Promise<string | null> {
  const id = params.id;
  if (!id) return Promise.resolve(null);
  return first(c.var.db.select({ patientId: notes.patientId }).from(notes).where(eq(notes.id, id)).limit(1));
}

/**
 * /encounters/:id/...: the encounter's patient. Starting a visit (POST /encounters) names the
 * patient in the form, directly or through the appointment, so a visit cannot be opened as a way
 * around the care team.
 */
export async function patientOfEncounter(c: Context<AppEnv>, params: Params): Promise<string | null> {
  if (params.id) {
    return first(c.var.db.select({ patientId: encounters.patientId }).from(encounters).where(eq(encounters.id, params.id)).limit(1));
  }
  if (c.req.method !== "POST") return null;
  // The CSRF check has read the form already; Hono keeps the parsed body for the route.
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  // Read as startEncounter reads it (src/notes/encounters.ts): trimmed, the appointment first.
  const field = (v: unknown) => (typeof v === "string" ? v.trim().slice(0, 64) : "");
  const appointmentId = field(form.appointment_id);
  if (appointmentId) {
    return first(c.var.db.select({ patientId: appointments.patientId }).from(appointments).where(eq(appointments.id, appointmentId)).limit(1));
  }
  return field(form.patient_id) || null;
}
