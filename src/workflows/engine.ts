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
import { auditSql, scheduleSeal } from "../audit/service";
import type { Env } from "../platform/env";
import type { ClinicScope } from "../platform/scope";
import { localParts } from "../platform/time";
import { loadSubjects, offerToWaitlist, planAction, readSubjects, subjectStatements, type Guard, type Subjects } from "./actions";
import { DEFAULT_HOURS_BEFORE, RULE_COLUMNS, readActions, readConditions, readScheduled, type Action, type Conditions, type RuleRow, type Trigger } from "./model";

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

const runExists = (runId: string): Guard => ({ sql: "EXISTS (SELECT 1 FROM workflow_runs WHERE id = ?)", params: [runId] });

/**
 * Fires rules for events (each pair already matched): records the run, counts it, audits it,
 * runs the actions due now and schedules the others, all guarded by the run being new.
 * Returns how many rules fired.
 */
async function fire(scope: ClinicScope, env: Env, pairs: { rule: LoadedRule; event: FiringEvent }[], s: Subjects, now: number): Promise<number> {
  let fired = 0;
  for (let i = 0; i < pairs.length; i += FIRINGS_PER_BATCH) {
    const chunk = pairs.slice(i, i + FIRINGS_PER_BATCH);
    const statements: D1PreparedStatement[] = [];
    const firings: { at: number; runId: string; later: { index: number; appointmentId: string }[] }[] = [];
    for (const { rule, event } of chunk) {
      const runId = crypto.randomUUID();
      const guard = runExists(runId);
      const patientId = patientOf(event, s);
      const appointment = event.appointmentId ? (s.appointments.get(event.appointmentId) ?? null) : null;
      const firing = { at: statements.length, runId, later: [] as { index: number; appointmentId: string }[] };
      statements.push(
        scope.d1
          .prepare(
            `INSERT INTO workflow_runs (id, rule_id, event_key, patient_id, appointment_id, fired_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (rule_id, event_key) DO NOTHING`,
          )
          .bind(runId, rule.id, event.key, patientId, event.appointmentId, now),
        scope.d1
          .prepare(`UPDATE workflow_rules SET fired_count = fired_count + 1, last_fired_at = ? WHERE id = ? AND ${guard.sql}`)
          .bind(now, rule.id, ...guard.params),
      );
      const fireAudit = auditSql(
        scope,
        { action: "execute", event: "workflow.fire", entityType: "workflow_rule", entityId: rule.id, patientId, detail: `"${rule.name}" on ${event.key}` },
        guard,
      );
      statements.push(scope.d1.prepare(fireAudit.sql).bind(...fireAudit.params));
      rule.actions.forEach((action, index) => {
        const dueAt = event.at + action.delayMinutes * 60_000;
        if (action.delayMinutes > 0) {
          statements.push(
            scope.d1
              .prepare(`INSERT INTO scheduled_actions (id, run_id, action, due_at, status, attempts) SELECT ?, ?, ?, ?, 'pending', 0 WHERE ${guard.sql}`)
              .bind(crypto.randomUUID(), runId, JSON.stringify({ index, action }), dueAt, ...guard.params),
          );
          return;
        }
        const plan = planAction(scope, env, { runId, index, action, rule, patient: patientId ? (s.patients.get(patientId) ?? null) : null, appointment, dueAt, now }, guard);
        if (plan.kind === "sql") statements.push(...plan.statements);
        else if (plan.kind === "async" && appointment) firing.later.push({ index, appointmentId: appointment.id });
      });
      firings.push(firing);
    }
    const results = await scope.d1.batch(statements);
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
    await scope.d1
      .prepare("INSERT INTO scheduled_actions (id, run_id, action, due_at, status, attempts, last_error) VALUES (?, ?, ?, ?, 'pending', 1, ?)")
      .bind(crypto.randomUUID(), runId, JSON.stringify({ index, action: { type: "waitlist", delayMinutes: 0 } }), now, String(err).slice(0, 500))
      .run();
  }
}

/** Fires the clinic's rules for an event; returns how many rules fired. */
export async function emitEvent(scope: ClinicScope, env: Env, event: WorkflowEvent): Promise<number> {
  const e: FiringEvent = { trigger: event.trigger, key: event.key, patientId: event.patientId, appointmentId: event.appointmentId ?? null, at: event.at };
  // The event's own time is the clock of its firing.
  const now = event.at;
  const [rulesRes, ...subjectRes] = await scope.d1.batch([
    scope.d1.prepare(`SELECT ${RULE_COLUMNS} FROM workflow_rules WHERE trigger = ? AND paused = 0 ORDER BY created_at, id`).bind(e.trigger),
    ...subjectStatements(scope.d1, e.patientId ? [e.patientId] : [], e.appointmentId ? [e.appointmentId] : [], now),
  ]);
  const rules = loadRules((rulesRes?.results ?? []) as unknown as RuleRow[]);
  if (rules.length === 0) return 0;
  const s = readSubjects(subjectRes);
  const pairs = rules.filter((r) => meetsConditions(r.conditions, e, s)).map((rule) => ({ rule, event: e }));
  return pairs.length ? fire(scope, env, pairs, s, now) : 0;
}

interface DueRow {
  id: string;
  runId: string;
  action: string;
  dueAt: number;
  ruleId: string;
  ruleName: string;
  paused: number;
  patientId: string | null;
  appointmentId: string | null;
}

/** Runs workflow actions whose delay has passed; returns how many. */
export async function runDueActions(scope: ClinicScope, env: Env, now: number): Promise<number> {
  const d1 = scope.d1;
  const due = await d1
    .prepare(
      `SELECT s.id, s.run_id AS runId, s.action, s.due_at AS dueAt, r.rule_id AS ruleId, w.name AS ruleName, w.paused,
         r.patient_id AS patientId, r.appointment_id AS appointmentId
       FROM scheduled_actions s JOIN workflow_runs r ON r.id = s.run_id JOIN workflow_rules w ON w.id = r.rule_id
       WHERE s.status = 'pending' AND s.due_at <= ? ORDER BY s.due_at, s.id LIMIT ?`,
    )
    .bind(now, DUE_PER_SCAN)
    .all<DueRow>();
  if (due.results.length === 0) return 0;
  const s = await loadSubjects(
    d1,
    due.results.flatMap((r) => (r.patientId ? [r.patientId] : [])),
    due.results.flatMap((r) => (r.appointmentId ? [r.appointmentId] : [])),
    now,
  );
  let ran = 0;
  for (const row of due.results) {
    try {
      if (await runOne(scope, env, row, s, now)) ran++;
    } catch (err) {
      console.error(JSON.stringify({ workflow: "action failed", action: row.id, error: String(err) }));
      await d1
        .prepare(
          `UPDATE scheduled_actions SET attempts = attempts + 1, last_error = ?,
             status = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'pending' END
           WHERE id = ? AND status = 'pending'`,
        )
        .bind(String(err).slice(0, 500), MAX_ATTEMPTS, row.id)
        .run();
    }
  }
  if (ran > 0) scheduleSeal(scope);
  return ran;
}

/** Runs one due action; true when this scan ran it (another scan may have been first). */
async function runOne(scope: ClinicScope, env: Env, row: DueRow, s: Subjects, now: number): Promise<boolean> {
  const d1 = scope.d1;
  const finish = (note: string | null, status: "done" | "failed" = "done") =>
    d1.prepare("UPDATE scheduled_actions SET status = ?, attempts = attempts + 1, last_error = ? WHERE id = ? AND status = 'pending'").bind(status, note, row.id);
  const stored = readScheduled(row.action);
  if (!stored) return (await finish("unreadable action", "failed").run()).meta.changes === 1;
  // A paused rule does nothing, also with what it had scheduled.
  if (row.paused) return (await finish("skipped: the rule is paused").run()).meta.changes === 1;
  const appointment = row.appointmentId ? (s.appointments.get(row.appointmentId) ?? null) : null;
  const patient = row.patientId ? (s.patients.get(row.patientId) ?? null) : null;
  const guard: Guard = { sql: "EXISTS (SELECT 1 FROM scheduled_actions WHERE id = ? AND status = 'pending')", params: [row.id] };
  const plan = planAction(scope, env, { runId: row.runId, index: stored.index, action: stored.action, rule: { id: row.ruleId, name: row.ruleName }, patient, appointment, dueAt: row.dueAt, now }, guard);
  if (plan.kind === "skip") return (await finish(plan.note).run()).meta.changes === 1;
  if (plan.kind === "sql") {
    const results = await d1.batch([...plan.statements, finish(null)]);
    return results[results.length - 1]?.meta.changes === 1;
  }
  // Offering freed time is not SQL: claim first, then offer; a failure puts it back for a retry.
  if ((await finish(null).run()).meta.changes !== 1) return false;
  try {
    await offerToWaitlist(scope, env, appointment!, now);
  } catch (err) {
    await d1
      .prepare("UPDATE scheduled_actions SET status = CASE WHEN attempts >= ? THEN 'failed' ELSE 'pending' END, last_error = ? WHERE id = ?")
      .bind(MAX_ATTEMPTS, String(err).slice(0, 500), row.id)
      .run();
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
  const d1 = scope.d1;
  const [rulesRes, intakeRes] = await d1.batch([
    d1.prepare(`SELECT ${RULE_COLUMNS} FROM workflow_rules WHERE trigger IN ('patient.birthday', 'intake.missing') AND paused = 0 ORDER BY created_at, id`),
    d1.prepare("SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'intake_forms'"),
  ]);
  const rules = loadRules((rulesRes?.results ?? []) as unknown as RuleRow[]);
  if (rules.length === 0) return 0;
  const local = localParts(now, scope.clinic.timezone);
  const year = local.date.slice(0, 4);
  const birthdays = local.time >= BIRTHDAY_FROM ? rules.filter((r) => r.trigger === "patient.birthday") : [];
  const intake = (intakeRes?.results.length ?? 0) > 0 ? rules.filter((r) => r.trigger === "intake.missing") : [];
  const asked = [...birthdays, ...intake];
  if (asked.length === 0) return 0;

  const dates = JSON.stringify(birthdayDates(local.date));
  type Found = D1Result<{ patientId: string; appointmentId: string | null }>;
  const birthdayFound = birthdays.length
    ? ((await d1.batch(
        birthdays.map((r) =>
          d1
            .prepare(
              `SELECT p.id AS patientId, NULL AS appointmentId FROM patients p
               WHERE p.date_of_birth IN (SELECT value FROM json_each(?))
                 AND NOT EXISTS (SELECT 1 FROM workflow_runs w WHERE w.rule_id = ? AND w.event_key = 'patient.birthday:' || p.id || ':' || ?)
               ORDER BY p.id LIMIT ?`,
            )
            .bind(dates, r.id, year, TIME_TRIGGER_LIMIT),
        ),
      )) as Found[])
    : [];
  let intakeFound: Found[] = [];
  if (intake.length) {
    try {
      intakeFound = (await d1.batch(
        intake.map((r) =>
          d1
            .prepare(
              `SELECT a.patient_id AS patientId, a.id AS appointmentId FROM appointments a
               WHERE a.status IN ('booked', 'confirmed') AND a.starts_at > ? AND a.starts_at <= ?
                 AND NOT EXISTS (SELECT 1 FROM intake_forms f WHERE f.appointment_id = a.id)
                 AND NOT EXISTS (SELECT 1 FROM workflow_runs w WHERE w.rule_id = ? AND w.event_key = 'intake.missing:' || a.id)
               ORDER BY a.starts_at LIMIT ?`,
            )
            .bind(now, now + (r.conditions.hoursBefore ?? DEFAULT_HOURS_BEFORE) * 3_600_000, r.id, TIME_TRIGGER_LIMIT),
        ),
      )) as Found[];
    } catch (err) {
      // An intake_forms table of another shape than expected: say so, and let birthdays go on.
      console.error(JSON.stringify({ workflow: "intake.missing skipped", clinic: scope.clinic.slug, error: String(err) }));
    }
  }
  const found = [...birthdayFound, ...(intakeFound.length ? intakeFound : intake.map(() => null))];
  const candidates = asked.flatMap((rule, i) =>
    (found[i]?.results ?? []).map((c) => ({
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
    d1,
    candidates.map((c) => c.event.patientId),
    candidates.flatMap((c) => (c.event.appointmentId ? [c.event.appointmentId] : [])),
    now,
  );
  const pairs = candidates.filter((c) => meetsConditions(c.rule.conditions, c.event, s));
  return pairs.length ? fire(scope, env, pairs, s, now) : 0;
}
