/**
 * The workflow engine: clinic-defined rules that react to events (an appointment booked,
 * cancelled, missed or completed; a lab result released; an invoice overdue) and to time (an
 * intake form still missing before a visit, a birthday).
 *
 * A rule fires once per event: firing inserts `workflow_runs (rule_id, event_key)`, which is
 * unique, and everything the firing does (its count, its audit row, the actions due now, the
 * delayed ones) is in the same D1 batch, guarded by that run's row existing. A repeated or
 * concurrent event inserts nothing, so it does nothing. Delayed actions wait in
 * `scheduled_actions`; the cron scan runs them when due, each in one batch with the update that
 * marks it done, so two scans run it once.
 */
import { and, eq, exists, gt, inArray, lte, not, sql, type SQL } from "drizzle-orm";
import { auditStatementWhere, scheduleSeal } from "../audit/service";
import { patients } from "../patients/tables";
import type { Env } from "../platform/env";
import { batchOf, insertWhere, runWrites, type Statements } from "../platform/guarded-writes";
import type { ClinicScope } from "../platform/scope";
import { appointments } from "../scheduling/tables";
import { localParts } from "../platform/time";
import { loadSubjects, offerToWaitlist, planAction, readSubjects, subjectQueries, type Guard, type Subjects } from "./actions";
import { DEFAULT_HOURS_BEFORE, ruleColumns, readActions, readConditions, readScheduled, type Action, type Conditions, type RuleRow, type Trigger } from "./model";
import { scheduledActions, workflowRules, workflowRuns } from "./tables";

/** Something that happened that rules may react to (appointment booked, cancelled, ...). */
export interface WorkflowEvent {
  trigger: "appointment.booked" | "appointment.cancelled" | "appointment.no_show" | "appointment.completed" | "lab.released" | "invoice.overdue";
  /** Unique per happening, e.g. `appointment.booked:<appointment id>`: a rule fires once per key. */
  key: string;
  patientId: string | null;
  appointmentId?: string | null;
  at: number;
}

/** An event of any trigger, time-based ones included. */
interface FiringEvent {
  trigger: Trigger;
  key: string;
  patientId: string | null;
  appointmentId: string | null;
  at: number;
}

interface LoadedRule {
  id: string;
  name: string;
  trigger: Trigger;
  conditions: Conditions;
  actions: Action[];
}

/** A delayed action is retried by later scans up to this many attempts, then marked failed. */
export const MAX_ATTEMPTS = 5;
/** How many due actions one scan runs per clinic (the rest wait for the next scan). */
const DUE_PER_SCAN = 100;
/** How many firings go into one D1 batch. */
const FIRINGS_PER_BATCH = 25;
/** Birthday rules fire from this local time on, so nobody is greeted at midnight. */
export const BIRTHDAY_FROM = "09:00";
/** How many patients (or visits) one time-trigger rule fires for per scan. */
const TIME_TRIGGER_LIMIT = 200;

function loadRules(rows: RuleRow[]): LoadedRule[] {
  const out: LoadedRule[] = [];
  for (const r of rows) {
    const conditions = readConditions(r.conditions);
    const actions = readActions(r.actions);
    if (!conditions || !actions) {
      console.error(JSON.stringify({ workflow: "unreadable rule skipped", rule: r.id }));
      continue;
    }
    out.push({ id: r.id, name: r.name, trigger: r.trigger, conditions, actions });
  }
  return out;
}

/** The patient an event is about: its own, or its appointment's. */
function patientOf(event: FiringEvent, s: Subjects): string | null {
  return event.patientId ?? (event.appointmentId ? (s.appointments.get(event.appointmentId)?.patientId ?? null) : null);
}

/** True when the event meets every condition the rule sets. */
export function meetsConditions(c: Conditions, event: FiringEvent, s: Subjects): boolean {
  const appt = event.appointmentId ? s.appointments.get(event.appointmentId) : undefined;
  if (c.appointmentTypeId && appt?.typeId !== c.appointmentTypeId) return false;
  if (c.providerId && appt?.providerId !== c.providerId) return false;
  if (c.locationId && appt?.locationId !== c.locationId) return false;
  if (c.patientTag) {
    const pid = patientOf(event, s);
    if (!pid || !s.tags.get(pid)?.has(c.patientTag)) return false;
  }
  return true;
}

const runExists = (scope: ClinicScope, runId: string): Guard =>
  exists(scope.db.select({ id: workflowRuns.id }).from(workflowRuns).where(eq(workflowRuns.id, runId)));

/**
 * Fires rules for events (each pair already matched): records the run, counts it, audits it,
 * runs the actions due now and schedules the others, all guarded by the run being new.
 * Returns how many rules fired.
 */
async function fire(scope: ClinicScope, env: Env, pairs: { rule: LoadedRule; event: FiringEvent }[], s: Subjects, now: number): Promise<number> {
  let fired = 0;
  for (let i = 0; i < pairs.length; i += FIRINGS_PER_BATCH) {
    const chunk = pairs.slice(i, i + FIRINGS_PER_BATCH);
    const statements: Statements = [];
    const firings: { at: number; runId: string; later: { index: number; appointmentId: string }[] }[] = [];
    for (const { rule, event } of chunk) {
      const runId = crypto.randomUUID();
      const guard = runExists(scope, runId);
      const patientId = patientOf(event, s);
      const appointment = event.appointmentId ? (s.appointments.get(event.appointmentId) ?? null) : null;
      const firing = { at: statements.length, runId, later: [] as { index: number; appointmentId: string }[] };
      statements.push(
        scope.db
          .insert(workflowRuns)
          .values({ id: runId, ruleId: rule.id, eventKey: event.key, patientId, appointmentId: event.appointmentId, firedAt: now })
          .onConflictDoNothing({ target: [workflowRuns.ruleId, workflowRuns.eventKey] }),
        scope.db
          .update(workflowRules)
          .set({ firedCount: sql`${workflowRules.firedCount} + 1`, lastFiredAt: now })
          .where(and(eq(workflowRules.id, rule.id), guard)),
        auditStatementWhere(
          scope,
          { action: "execute", event: "workflow.fire", entityType: "workflow_rule", entityId: rule.id, patientId, detail: `"${rule.name}" on ${event.key}` },
          guard,
        ),
      );
      rule.actions.forEach((action, index) => {
        const dueAt = event.at + action.delayMinutes * 60_000;
        if (action.delayMinutes > 0) {
          statements.push(
            insertWhere(
              scope.db,
              scheduledActions,
              { id: crypto.randomUUID(), runId, action: JSON.stringify({ index, action }), dueAt, status: "pending", attempts: 0 },
              guard,
            ),
          );
          return;
        }
        const plan = planAction(scope, env, { runId, index, action, rule, patient: patientId ? (s.patients.get(patientId) ?? null) : null, appointment, dueAt, now }, guard);
        if (plan.kind === "sql") statements.push(...plan.statements);
        else if (plan.kind === "async" && appointment) firing.later.push({ index, appointmentId: appointment.id });
      });
      firings.push(firing);
    }
    const results = await runWrites(scope.db, statements);
    for (const f of firings) {
      if (results[f.at]?.meta.changes !== 1) continue;
      fired++;
      for (const later of f.later) await offerNow(scope, env, f.runId, later.index, s, later.appointmentId, now);
    }
  }
  if (fired > 0) scheduleSeal(scope);
  return fired;
}

/** The waitlist action of a firing, now; if it fails, it is left to the next scan to retry. */
async function offerNow(scope: ClinicScope, env: Env, runId: string, index: number, s: Subjects, appointmentId: string, now: number): Promise<void> {
  const appt = s.appointments.get(appointmentId)!;
  try {
    await offerToWaitlist(scope, env, appt, now);
  } catch (err) {
    console.error(JSON.stringify({ workflow: "waitlist action failed, retried by the next scan", run: runId, error: String(err) }));
    await scope.db.insert(scheduledActions).values({
      id: crypto.randomUUID(),
      runId,
      action: JSON.stringify({ index, action: { type: "waitlist", delayMinutes: 0 } }),
      dueAt: now,
      status: "pending",
      attempts: 1,
      lastError: String(err).slice(0, 500),
    });
  }
}

/** Fires the clinic's rules for an event; returns how many rules fired. */
export async function emitEvent(scope: ClinicScope, env: Env, event: WorkflowEvent): Promise<number> {
  const e: FiringEvent = { trigger: event.trigger, key: event.key, patientId: event.patientId, appointmentId: event.appointmentId ?? null, at: event.at };
  // The event's own time is the clock of its firing.
  const now = event.at;
  const [ruleRows, ...subjectRows] = await scope.db.batch([
    scope.db
      .select(ruleColumns)
      .from(workflowRules)
      .where(and(eq(workflowRules.trigger, e.trigger), eq(workflowRules.paused, false)))
      .orderBy(workflowRules.createdAt, workflowRules.id),
    ...subjectQueries(scope.db, e.patientId ? [e.patientId] : [], e.appointmentId ? [e.appointmentId] : [], now),
  ]);
  const rules = loadRules(ruleRows);
  if (rules.length === 0) return 0;
  const s = readSubjects(subjectRows);
  const pairs = rules.filter((r) => meetsConditions(r.conditions, e, s)).map((rule) => ({ rule, event: e }));
  return pairs.length ? fire(scope, env, pairs, s, now) : 0;
}

/** A delayed action that is due, with its run and rule. */
const dueColumns = {
  id: scheduledActions.id,
  runId: scheduledActions.runId,
  action: scheduledActions.action,
  dueAt: scheduledActions.dueAt,
  ruleId: workflowRuns.ruleId,
  ruleName: workflowRules.name,
  paused: workflowRules.paused,
  patientId: workflowRuns.patientId,
  appointmentId: workflowRuns.appointmentId,
};
type DueRow = {
  id: string;
  runId: string;
  action: string;
  dueAt: number;
  ruleId: string;
  ruleName: string;
  paused: boolean;
  patientId: string | null;
  appointmentId: string | null;
};

/** Runs workflow actions whose delay has passed; returns how many. */
export async function runDueActions(scope: ClinicScope, env: Env, now: number): Promise<number> {
  const db = scope.db;
  const due = await db
    .select(dueColumns)
    .from(scheduledActions)
    .innerJoin(workflowRuns, eq(workflowRuns.id, scheduledActions.runId))
    .innerJoin(workflowRules, eq(workflowRules.id, workflowRuns.ruleId))
    .where(and(eq(scheduledActions.status, "pending"), lte(scheduledActions.dueAt, now)))
    .orderBy(scheduledActions.dueAt, scheduledActions.id)
    .limit(DUE_PER_SCAN);
  if (due.length === 0) return 0;
  const s = await loadSubjects(
    db,
    due.flatMap((r) => (r.patientId ? [r.patientId] : [])),
    due.flatMap((r) => (r.appointmentId ? [r.appointmentId] : [])),
    now,
  );
  let ran = 0;
  for (const row of due) {
    try {
      if (await runOne(scope, env, row, s, now)) ran++;
    } catch (err) {
      console.error(JSON.stringify({ workflow: "action failed", action: row.id, error: String(err) }));
      await db
        .update(scheduledActions)
        .set({
          attempts: sql`${scheduledActions.attempts} + 1`,
          lastError: String(err).slice(0, 500),
          status: sql`CASE WHEN ${scheduledActions.attempts} + 1 >= ${MAX_ATTEMPTS} THEN 'failed' ELSE 'pending' END`,
        })
        .where(and(eq(scheduledActions.id, row.id), eq(scheduledActions.status, "pending")));
    }
  }
  if (ran > 0) scheduleSeal(scope);
  return ran;
}

/** Runs one due action; true when this scan ran it (another scan may have been first). */
async function runOne(scope: ClinicScope, env: Env, row: DueRow, s: Subjects, now: number): Promise<boolean> {
  const db = scope.db;
  const pending = and(eq(scheduledActions.id, row.id), eq(scheduledActions.status, "pending"));
  const finish = (note: string | null, status: "done" | "failed" = "done") =>
    db.update(scheduledActions).set({ status, attempts: sql`${scheduledActions.attempts} + 1`, lastError: note }).where(pending);
  const stored = readScheduled(row.action);
  if (!stored) return (await finish("unreadable action", "failed")).meta.changes === 1;
  // A paused rule does nothing, also with what it had scheduled.
  if (row.paused) return (await finish("skipped: the rule is paused")).meta.changes === 1;
  const appointment = row.appointmentId ? (s.appointments.get(row.appointmentId) ?? null) : null;
  const patient = row.patientId ? (s.patients.get(row.patientId) ?? null) : null;
  const guard: Guard = exists(db.select({ id: scheduledActions.id }).from(scheduledActions).where(pending));
  const plan = planAction(scope, env, { runId: row.runId, index: stored.index, action: stored.action, rule: { id: row.ruleId, name: row.ruleName }, patient, appointment, dueAt: row.dueAt, now }, guard);
  if (plan.kind === "skip") return (await finish(plan.note)).meta.changes === 1;
  if (plan.kind === "sql") {
    const results = await runWrites(db, [...plan.statements, finish(null)]);
    return results[results.length - 1]?.meta.changes === 1;
  }
  // Offering freed time is not SQL: claim first, then offer; a failure puts it back for a retry.
  if ((await finish(null)).meta.changes !== 1) return false;
  try {
    await offerToWaitlist(scope, env, appointment!, now);
  } catch (err) {
    await db
      .update(scheduledActions)
      .set({
        status: sql`CASE WHEN ${scheduledActions.attempts} >= ${MAX_ATTEMPTS} THEN 'failed' ELSE 'pending' END`,
        lastError: String(err).slice(0, 500),
      })
      .where(eq(scheduledActions.id, row.id));
    throw new Error(`waitlist offer failed: ${String(err)}`);
  }
  return true;
}

/** Every ISO date of a month-day from 1900 to `year` (Feb 29 birthdays count on Feb 28 in other years). */
function birthdayDates(today: string): string[] {
  const year = Number(today.slice(0, 4));
  const monthDays = [today.slice(5)];
  const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (monthDays[0] === "02-28" && !leap(year)) monthDays.push("02-29");
  const out: string[] = [];
  for (let y = 1900; y <= year; y++) for (const md of monthDays) out.push(`${y}-${md}`);
  return out;
}

/**
 * Fires time-based triggers (birthdays, intake forms still missing before a visit) for one clinic;
 * returns how many rules fired. Lab results and overdue invoices are events their modules emit.
 *
 * `intake.missing` needs a table of intake forms; until a module creates `intake_forms` (with an
 * `appointment_id` column), those rules are skipped.
 */
export async function runTimeTriggers(scope: ClinicScope, env: Env, now: number): Promise<number> {
  const db = scope.db;
  const [ruleRows, intakeTable] = await db.batch([
    db
      .select(ruleColumns)
      .from(workflowRules)
      .where(and(inArray(workflowRules.trigger, ["patient.birthday", "intake.missing"]), eq(workflowRules.paused, false)))
      .orderBy(workflowRules.createdAt, workflowRules.id),
    // sqlite_master is not in the schema: whether the intake module's table exists yet.
    db
      .select({ name: sql<string>`name` })
      .from(sql`sqlite_master`)
      .where(sql`type = 'table' AND name = ${"intake_forms"}`),
  ]);
  const rules = loadRules(ruleRows);
  if (rules.length === 0) return 0;
  const local = localParts(now, scope.clinic.timezone);
  const year = local.date.slice(0, 4);
  const birthdays = local.time >= BIRTHDAY_FROM ? rules.filter((r) => r.trigger === "patient.birthday") : [];
  const intake = intakeTable.length > 0 ? rules.filter((r) => r.trigger === "intake.missing") : [];
  const asked = [...birthdays, ...intake];
  if (asked.length === 0) return 0;

  const dates = JSON.stringify(birthdayDates(local.date));
  type Found = { patientId: string; appointmentId: string | null }[];
  const firedFor = (ruleId: string, eventKey: SQL) =>
    exists(db.select({ id: workflowRuns.id }).from(workflowRuns).where(and(eq(workflowRuns.ruleId, ruleId), eq(workflowRuns.eventKey, eventKey))));
  const birthdayQueries = birthdays.map((r) =>
    db
      .select({ patientId: patients.id, appointmentId: sql<string | null>`NULL` })
      .from(patients)
      .where(
        and(
          inArray(patients.dateOfBirth, sql`(SELECT value FROM json_each(${dates}))`),
          not(firedFor(r.id, sql`'patient.birthday:' || ${patients.id} || ':' || ${year}`)),
        ),
      )
      .orderBy(patients.id)
      .limit(TIME_TRIGGER_LIMIT),
  );
  const birthdayFound: Found[] = await batchOf(db, birthdayQueries);
  let intakeFound: Found[] = [];
  if (intake.length) {
    try {
      const intakeQueries = intake.map((r) =>
        db
          .select({ patientId: appointments.patientId, appointmentId: appointments.id })
          .from(appointments)
          .where(
            and(
              inArray(appointments.status, ["booked", "confirmed"]),
              gt(appointments.startsAt, now),
              lte(appointments.startsAt, now + (r.conditions.hoursBefore ?? DEFAULT_HOURS_BEFORE) * 3_600_000),
              // intake_forms belongs to a module still to come, so it is not in the schema.
              sql`NOT EXISTS (SELECT 1 FROM intake_forms f WHERE f.appointment_id = ${appointments.id})`,
              not(firedFor(r.id, sql`'intake.missing:' || ${appointments.id}`)),
            ),
          )
          .orderBy(appointments.startsAt)
          .limit(TIME_TRIGGER_LIMIT),
      );
      intakeFound = await batchOf(db, intakeQueries);
    } catch (err) {
      // An intake_forms table of another shape than expected: say so, and let birthdays go on.
      console.error(JSON.stringify({ workflow: "intake.missing skipped", clinic: scope.clinic.slug, error: String(err) }));
    }
  }
  const found = [...birthdayFound, ...(intakeFound.length ? intakeFound : intake.map(() => null))];
  const candidates = asked.flatMap((rule, i) =>
    (found[i] ?? []).map((c) => ({
      rule,
      event: {
        trigger: rule.trigger,
        key: rule.trigger === "patient.birthday" ? `patient.birthday:${c.patientId}:${year}` : `intake.missing:${c.appointmentId}`,
        patientId: c.patientId,
        appointmentId: c.appointmentId,
        at: now,
      } satisfies FiringEvent,
    })),
  );
  if (candidates.length === 0) return 0;
  const s = await loadSubjects(
    db,
    candidates.map((c) => c.event.patientId),
    candidates.flatMap((c) => (c.event.appointmentId ? [c.event.appointmentId] : [])),
    now,
  );
  const pairs = candidates.filter((c) => meetsConditions(c.rule.conditions, c.event, s));
  return pairs.length ? fire(scope, env, pairs, s, now) : 0;
}
