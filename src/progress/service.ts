/**
 * Progress tracking for one patient: the progress page, administering questionnaires, goals and
 * hand-entered lab values. Each function checks the permission, reads or writes through the
 * clinic-scoped database and leaves an audit row (in the same batch as the write).
 */
import { and, eq } from "drizzle-orm";
import { audit, auditStatementIfChanged, auditStatement, scheduleSeal } from "../audit/service";
import { goals, labResults, measureResponses } from "../charting/tables";
import { chartReadAudit, headerOr404 } from "../charting/access";
import { type ChartHeaderData, headerQueries } from "../charting/header";
import { AppError, notFound } from "../platform/errors";
import { requirePermission, type StaffScope } from "../platform/scope";
import { builtInInstrument, builtInInstruments, type Instrument, instrumentOfRow, scoreResponse } from "./instruments";
import { findLabTest, labFlag } from "./labs";
import {
  encounterQuery,
  type Goal,
  goalQuery,
  type LabResult,
  type MeasureResponse,
  progressQueries,
  questionnaireByCodeQuery,
  questionnaireListQuery,
  type QuestionnaireRow,
  type VitalsPoint,
} from "./repo";
import type { GoalInput, LabInput } from "./input";

type Purpose = "form" | "submit";

/** The header from a batch's first three results; a missing patient is audited and a 404. */
async function missing(scope: StaffScope, patientId: string, event: string, entityType: string, id: string, what: string): Promise<never> {
  await audit(scope, { action: "read", event, entityType, entityId: id.slice(0, 64), patientId, outcome: "failure", detail: "not found" });
  throw notFound(what);
}

/** Built-in instruments, then the clinic's whose definitions are usable (archived ones too, for old results). */
function instrumentsOf(rows: QuestionnaireRow[]): Instrument[] {
  return [...builtInInstruments, ...rows.map(instrumentOfRow).filter((i): i is Instrument => i !== null)];
}

/** An instant for a date typed on a form: now when it is today, else midday UTC of that date. */
function instantOf(date: string, today: string): number {
  return date === today ? Date.now() : Date.parse(`${date}T12:00:00Z`);
}

// ---------------------------------------------------------------------------------------------
// The progress page

export interface ProgressData {
  header: ChartHeaderData;
  /** Newest first, entered-in-error ones included (the page shows them struck through). */
  responses: MeasureResponse[];
  vitals: VitalsPoint[];
  labs: LabResult[];
  goals: Goal[];
  instruments: Instrument[];
}

/** Everything the progress page shows, in one batch with its audit row. */
export async function viewProgress(scope: StaffScope, patientId: string): Promise<ProgressData> {
  requirePermission(scope, "chart:read");
  const db = scope.db;
  const [p, a, al] = headerQueries(db, patientId);
  const [r, v, l, g, q] = progressQueries(db, patientId);
  const results = await db.batch([
    p,
    a,
    al,
    r,
    v,
    l,
    g,
    q,
    chartReadAudit(scope, { action: "read", event: "progress.view", entityType: "patient", entityId: patientId, patientId }),
  ]);
  const header = await headerOr404(scope, patientId, "progress.view", results);
  scheduleSeal(scope);
  const [, , , responses, vitalRows, labs, goalRows, questionnaireRows] = results;
  return { header, responses, vitals: vitalRows, labs, goals: goalRows, instruments: instrumentsOf(questionnaireRows) };
}

// ---------------------------------------------------------------------------------------------
// Administering a questionnaire

export interface MeasureContext {
  header: ChartHeaderData;
  instrument: Instrument;
  encounterId: string | null;
}

/**
 * The patient, the instrument (not archived) and the encounter (if given, it must be this
 * patient's): a 404 otherwise. The form's read is audited; a submission's write audits itself.
 */
export async function openMeasure(scope: StaffScope, patientId: string, code: string, encounterId: string | null, purpose: Purpose): Promise<MeasureContext> {
  requirePermission(scope, "chart:write");
  const db = scope.db;
  const [p, a, al] = headerQueries(db, patientId);
  const items = [p, a, al, questionnaireByCodeQuery(db, code.slice(0, 64)), encounterQuery(db, encounterId ?? "")] as const;
  const event = purpose === "form" ? "measure.form" : "measure.create";
  const results =
    purpose === "form"
      ? await db.batch([...items, chartReadAudit(scope, { action: "read", event, entityType: "patient", entityId: patientId, patientId })])
      : await db.batch(items);
  const header = await headerOr404(scope, patientId, event, results);
  if (purpose === "form") scheduleSeal(scope);
  const [, , , qRows, eRows] = results;
  const row = qRows[0];
  const instrument = builtInInstrument(code) ?? (row ? instrumentOfRow(row) : null);
  if (!instrument || instrument.archived) return missing(scope, patientId, event, "questionnaire", code, "This questionnaire");
  if (encounterId !== null && eRows[0]?.patientId !== patientId) return missing(scope, patientId, event, "encounter", encounterId, "This encounter");
  return { header, instrument, encounterId };
}

export interface MeasureAnswers {
  /** Points chosen, by item (0-based). */
  answers: number[];
  /** The unscored difficulty question's answer (0-based), if asked and answered. */
  difficulty: number | null;
  takenOn: string;
}

/**
 * Scores and records one administration (score, severity and flags computed here, never taken
 * from the form) with its audit row. Returns the response's id.
 */
export async function recordMeasure(scope: StaffScope, patientId: string, ctx: MeasureContext, input: MeasureAnswers, today: string): Promise<string> {
  requirePermission(scope, "chart:write");
  const scored = scoreResponse(ctx.instrument, input.answers);
  if (!scored.ok) throw new AppError("validation", "Some answers need attention.", scored.errors);
  const id = crypto.randomUUID();
  const now = Date.now();
  // Stored as item index → points, plus the difficulty answer's index when given.
  const answers: Record<string, number> = Object.fromEntries(input.answers.map((v, i) => [String(i), v]));
  if (input.difficulty !== null) answers.difficulty = input.difficulty;
  await scope.db.batch([
    scope.db.insert(measureResponses).values({
      id,
      patientId,
      encounterId: ctx.encounterId,
      instrument: ctx.instrument.code,
      instrumentName: ctx.instrument.name,
      answers: JSON.stringify(answers),
      score: scored.score,
      severity: scored.severity,
      flags: scored.flags.length ? JSON.stringify(scored.flags) : null,
      takenAt: instantOf(input.takenOn, today),
      createdAt: now,
      updatedAt: now,
      createdBy: scope.staff.id,
      updatedBy: scope.staff.id,
    }),
    auditStatement(scope, {
      action: "create",
      event: "measure.create",
      entityType: "measure_response",
      entityId: id,
      patientId,
      detail: `instrument ${ctx.instrument.code}${ctx.encounterId ? `, encounter ${ctx.encounterId}` : ""}`,
    }),
  ]);
  scheduleSeal(scope);
  return id;
}

/**
 * Marks a row of this patient "entered in error" (kept, never deleted), audited only if it
 * changed; a row of another patient or none is a 404. Marking twice changes nothing.
 */
async function markInError(
  scope: StaffScope,
  patientId: string,
  id: string,
  table: typeof measureResponses | typeof labResults,
  thing: { event: string; entityType: string; what: string },
): Promise<void> {
  requirePermission(scope, "chart:write");
  const update = scope.db
    .update(table)
    .set({ status: "entered_in_error", updatedAt: Date.now(), updatedBy: scope.staff.id })
    .where(and(eq(table.id, id), eq(table.patientId, patientId), eq(table.status, "final")));
  const [result] = await scope.db.batch([
    update,
    auditStatementIfChanged(scope, { action: "update", event: thing.event, entityType: thing.entityType, entityId: id, patientId, detail: "status" }),
  ]);
  if (result?.meta.changes === 1) {
    scheduleSeal(scope);
    return;
  }
  const row = await scope.db.select({ id: table.id }).from(table).where(and(eq(table.id, id), eq(table.patientId, patientId))).limit(1);
  if (row.length === 0) {
    await audit(scope, { action: "update", event: thing.event, entityType: thing.entityType, entityId: id.slice(0, 64), patientId, outcome: "failure", detail: "not found" });
    throw notFound(thing.what);
  }
  // Already entered in error: the repeat changes nothing, but it is in the trail.
  await audit(scope, { action: "update", event: thing.event, entityType: thing.entityType, entityId: id, patientId, detail: "already entered in error; no changes" });
}

export function markMeasureInError(scope: StaffScope, patientId: string, responseId: string): Promise<void> {
  return markInError(scope, patientId, responseId, measureResponses, {
    event: "measure.entered_in_error",
    entityType: "measure_response",
    what: "This questionnaire result",
  });
}

// ---------------------------------------------------------------------------------------------
// Goals

export interface GoalContext {
  header: ChartHeaderData;
  /** Instruments a goal may track (not archived, plus the one this goal already tracks). */
  instruments: Instrument[];
  goal: Goal | null;
}

/** The patient, the clinic's questionnaires (for the measure list) and the goal being edited, if any. */
export async function openGoal(scope: StaffScope, patientId: string, goalId: string | null, purpose: Purpose): Promise<GoalContext> {
  requirePermission(scope, "chart:write");
  const db = scope.db;
  const [p, a, al] = headerQueries(db, patientId);
  const items = [p, a, al, questionnaireListQuery(db), goalQuery(db, goalId ?? "")] as const;
  const event = goalId ? (purpose === "form" ? "goal.view" : "goal.update") : purpose === "form" ? "goal.form" : "goal.create";
  const results =
    purpose === "form"
      ? await db.batch([...items, chartReadAudit(scope, { action: "read", event, entityType: goalId ? "goal" : "patient", entityId: goalId ?? patientId, patientId })])
      : await db.batch(items);
  const header = await headerOr404(scope, patientId, event, results);
  if (purpose === "form") scheduleSeal(scope);
  const [, , , qRows, gRows] = results;
  const goal = gRows[0] ?? null;
  if (goalId && goal?.patientId !== patientId) return missing(scope, patientId, event, "goal", goalId, "This goal");
  const instruments = instrumentsOf(qRows).filter((i) => !i.archived || i.code === goal?.measure);
  return { header, instruments, goal };
}

function goalColumns(input: GoalInput) {
  return {
    description: input.description,
    measure: input.measure,
    targetValue: input.target_value,
    targetDirection: input.target_direction,
    targetDate: input.target_date,
    status: input.status,
    note: input.note,
  };
}

export async function createGoal(scope: StaffScope, patientId: string, input: GoalInput): Promise<string> {
  requirePermission(scope, "chart:write");
  const id = crypto.randomUUID();
  const now = Date.now();
  await scope.db.batch([
    scope.db.insert(goals).values({ id, patientId, ...goalColumns(input), createdAt: now, updatedAt: now, createdBy: scope.staff.id, updatedBy: scope.staff.id }),
    auditStatement(scope, { action: "create", event: "goal.create", entityType: "goal", entityId: id, patientId }),
  ]);
  scheduleSeal(scope);
  return id;
}

/**
 * Saves a goal still at the version its form was opened on; otherwise a conflict, and nothing is
 * overwritten. The audit detail lists the fields changed (names, never values).
 */
export async function updateGoal(scope: StaffScope, patientId: string, before: Goal, version: number, input: GoalInput): Promise<void> {
  requirePermission(scope, "chart:write");
  const cols = goalColumns(input);
  const changed = (Object.keys(cols) as (keyof typeof cols)[]).filter((k) => (before[k] ?? null) !== (cols[k] ?? null));
  const update = scope.db
    .update(goals)
    .set({ ...cols, version: version + 1, updatedAt: Date.now(), updatedBy: scope.staff.id })
    .where(and(eq(goals.id, before.id), eq(goals.patientId, patientId), eq(goals.version, version)))
    ;
  const [result] = await scope.db.batch([
    update,
    auditStatementIfChanged(scope, {
      action: "update",
      event: "goal.update",
      entityType: "goal",
      entityId: before.id,
      patientId,
      detail: changed.length ? `changed: ${changed.join(", ")}` : "no changes",
    }),
  ]);
  if (!result || result.meta.changes !== 1) {
    await audit(scope, { action: "update", event: "goal.update", entityType: "goal", entityId: before.id, patientId, outcome: "failure", detail: "version conflict" });
    throw new AppError(
      "conflict",
      "Someone else saved changes to this goal after you opened it. Your changes were not saved: reopen the goal to see the latest version.",
    );
  }
  scheduleSeal(scope);
}

// ---------------------------------------------------------------------------------------------
// Lab values

/** The patient's header for the lab form (a 404 if there is no such patient here). */
export async function openLab(scope: StaffScope, patientId: string, purpose: Purpose): Promise<ChartHeaderData> {
  requirePermission(scope, "chart:write");
  const db = scope.db;
  const [p, a, al] = headerQueries(db, patientId);
  const event = purpose === "form" ? "lab.form" : "lab.create";
  const results =
    purpose === "form"
      ? await db.batch([p, a, al, chartReadAudit(scope, { action: "read", event, entityType: "patient", entityId: patientId, patientId })])
      : await db.batch([p, a, al]);
  const header = await headerOr404(scope, patientId, event, results);
  if (purpose === "form") scheduleSeal(scope);
  return header;
}

/** Records a hand-entered value with the test's unit and reference range, flagged L/H/N. */
export async function recordLab(scope: StaffScope, patientId: string, input: LabInput, today: string): Promise<string> {
  requirePermission(scope, "chart:write");
  const test = findLabTest(input.code);
  if (!test) throw new AppError("validation", "Choose the test from the list.", { code: "Choose the test from the list." });
  const id = crypto.randomUUID();
  const now = Date.now();
  await scope.db.batch([
    scope.db.insert(labResults).values({
      id,
      patientId,
      code: test.code,
      name: test.name,
      valueNum: input.value,
      unit: test.unit,
      refLow: test.low ?? null,
      refHigh: test.high ?? null,
      flag: labFlag(input.value, test.low, test.high),
      observedAt: instantOf(input.observed_on, today),
      source: "manual",
      createdAt: now,
      updatedAt: now,
      createdBy: scope.staff.id,
      updatedBy: scope.staff.id,
    }),
    auditStatement(scope, { action: "create", event: "lab.create", entityType: "lab_result", entityId: id, patientId, detail: "entered by hand" }),
  ]);
  scheduleSeal(scope);
  return id;
}

export function markLabInError(scope: StaffScope, patientId: string, labId: string): Promise<void> {
  return markInError(scope, patientId, labId, labResults, { event: "lab.entered_in_error", entityType: "lab_result", what: "This lab value" });
}
