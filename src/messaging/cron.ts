/**
 * The cron scan (every five minutes): for every active clinic, queue the reminders that are due,
 * run workflow actions whose delay has passed, fire time-based workflow triggers, and hand due
 * outbox rows to the delivery queue; then seal the clinic's audit chain and anchor it outside the
 * clinic's database. Each step is idempotent, so a repeated or concurrent scan sends nothing twice.
 */
import { eq } from "drizzle-orm";
import type { Clinic, Env } from "../platform/env";
import { systemScope } from "../platform/scope";
import { anchorAuditChain } from "../audit/anchors";
import { sealAuditChain } from "../audit/service";
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
  /** Audit rows sealed by this scan, and the id of the newest sealed row it anchored. */
  sealed: number;
  anchoredId: number | null;
  ms: number;
  error?: string;
  auditError?: string;
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
    const row: ClinicScan = { clinic: clinic.slug, reminders: 0, actions: 0, triggered: 0, dispatched: 0, sealed: 0, anchoredId: null, ms: 0 };
    try {
      const scope = systemScope(env, clinic, "cron", ctx);
      row.reminders = await scanReminders(scope, env, now);
      row.triggered = await runTimeTriggers(scope, env, now);
      row.actions = await runDueActions(scope, env, now);
      row.dispatched = await dispatchOutbox(scope, env, now);
    } catch (err) {
      row.error = String(err);
      console.error(JSON.stringify({ cron: clinic.slug, error: String(err) }));
    }
    // On its own: the audit chain is sealed and anchored even when the messaging steps failed.
    try {
      const scope = systemScope(env, clinic, "cron", ctx);
      row.sealed = await sealAuditChain(scope.d1, env.AUDIT_KEYS);
      row.anchoredId = (await anchorAuditChain(env, clinic, scope.d1, now))?.lastId ?? null;
    } catch (err) {
      row.auditError = String(err);
      console.error(JSON.stringify({ cron: clinic.slug, audit: "seal or anchor failed", error: String(err) }));
    }
    row.ms = Date.now() - started;
    report.push(row);
  }
  console.log(JSON.stringify({ cron: "scan", at: new Date(now).toISOString(), clinics: report }));
  return report;
}
