/**
 * The cron scan (every five minutes): for every active clinic, queue the reminders that are due,
 * run workflow actions whose delay has passed, fire time-based workflow triggers, and hand due
 * outbox rows to the delivery queue. Each step is idempotent, so a repeated or concurrent scan
 * sends nothing twice.
 */
import { eq } from "drizzle-orm";
import type { Clinic, Env } from "../platform/env";
import { systemScope } from "../platform/scope";
import { directoryDb } from "../platform/tenancy";
import { clinics } from "../schema/directory";
import { dispatchOutbox } from "./delivery";
import { scanReminders } from "./reminders";
import { runTimeTriggers, runDueActions } from "../workflows/engine";

export interface ClinicScan {
  clinic: string;
  reminders: number;
  actions: number;
  triggered: number;
  dispatched: number;
  ms: number;
  error?: string;
}

async function activeClinics(env: Env): Promise<Clinic[]> {
  return directoryDb(env)
    .select({
      id: clinics.id,
      slug: clinics.slug,
      name: clinics.name,
      timezone: clinics.timezone,
      country: clinics.country,
      status: clinics.status,
      dbBinding: clinics.dbBinding,
      organizationId: clinics.organizationId,
      idleTimeoutMinutes: clinics.idleTimeoutMinutes,
      sessionMaxHours: clinics.sessionMaxHours,
      careTeamOnly: clinics.careTeamOnly,
    })
    .from(clinics)
    .where(eq(clinics.status, "active"))
    .orderBy(clinics.slug);
}

/** One scan of every clinic; a failing clinic is reported and does not stop the others. */
export async function runScheduled(env: Env, now: number, ctx?: { waitUntil(p: Promise<unknown>): void }): Promise<ClinicScan[]> {
  const report: ClinicScan[] = [];
  for (const clinic of await activeClinics(env)) {
    const started = Date.now();
    const scope = systemScope(env, clinic, "cron", ctx);
    const row: ClinicScan = { clinic: clinic.slug, reminders: 0, actions: 0, triggered: 0, dispatched: 0, ms: 0 };
    try {
      row.reminders = await scanReminders(scope, env, now);
      row.triggered = await runTimeTriggers(scope, env, now);
      row.actions = await runDueActions(scope, env, now);
      row.dispatched = await dispatchOutbox(scope, env, now);
    } catch (err) {
      row.error = String(err);
      console.error(JSON.stringify({ cron: clinic.slug, error: String(err) }));
    }
    row.ms = Date.now() - started;
    report.push(row);
  }
  console.log(JSON.stringify({ cron: "scan", at: new Date(now).toISOString(), clinics: report }));
  return report;
}
