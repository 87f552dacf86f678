/**
 * Managing a clinic's workflow rules (/settings/workflows): list, create, edit, pause, delete,
 * and add the standard follow-ups. Every change is audited in the same D1 batch as the change.
 */
import { count, desc, eq, exists, inArray, sql } from "drizzle-orm";
import { auditStatementWhere, scheduleSeal, type AuditEntry } from "../audit/service";
import type { Env } from "../platform/env";
import { AppError, notFound, type FieldErrors } from "../platform/errors";
import { requirePermission, type StaffScope } from "../platform/scope";
import { clinicMembers, type Member } from "../tasks/service";
import { runWrites } from "../platform/guarded-writes";
import { appointmentTypes, locations, providers } from "../scheduling/tables";
import { ruleColumns, readActions, readConditions, type RuleRow } from "./model";
import { scheduledActions, workflowRules, workflowRuns } from "./tables";
import type { RuleInput } from "./input";
import { STANDARD_RULES } from "./standard";

export interface WorkflowScope extends StaffScope {
  env: Env;
}

export interface Option {
  id: string;
  name: string;
  active: boolean;
}

/** The audit row of a write, recorded only if the statement just before it changed one row. */
function auditIfChanged(scope: WorkflowScope, e: AuditEntry) {
  return auditStatementWhere(scope, e, sql`changes() = 1`);
}

/** What the rule form offers, and what summaries name. */
export interface RuleOptions {
  types: Option[];
  providers: Option[];
  locations: Option[];
  members: Member[];
}

/** A rule as the pages show it; `input` is null when the stored JSON could not be read. */
export interface RuleView {
  row: RuleRow;
  input: RuleInput | null;
  pending: number;
}

function toView(row: RuleRow, pending = 0): RuleView {
  const conditions = readConditions(row.conditions);
  const actions = readActions(row.actions);
  return { row, input: conditions && actions ? { name: row.name, trigger: row.trigger, conditions, actions } : null, pending };
}

function optionQueries(scope: WorkflowScope) {
  const db = scope.db;
  return [
    db
      .select({ id: appointmentTypes.id, name: appointmentTypes.name, active: appointmentTypes.active })
      .from(appointmentTypes)
      .orderBy(desc(appointmentTypes.active), appointmentTypes.name),
    db
      .select({ id: providers.id, name: providers.displayName, active: providers.active })
      .from(providers)
      .orderBy(desc(providers.active), providers.displayName),
    db.select({ id: locations.id, name: locations.name, active: locations.active }).from(locations).orderBy(desc(locations.active), locations.name),
  ] as const;
}

async function withMembers(scope: WorkflowScope, [types, providerRows, locationRows]: readonly Option[][]): Promise<RuleOptions> {
  return { types: types!, providers: providerRows!, locations: locationRows!, members: await clinicMembers(scope.env, scope.clinic.id) };
}

export async function ruleOptions(scope: WorkflowScope): Promise<RuleOptions> {
  requirePermission(scope, "scheduling:setup");
  return withMembers(scope, await scope.db.batch(optionQueries(scope)));
}

/** Every rule, with how often it fired and how many delayed actions are waiting. */
export async function listRules(scope: WorkflowScope): Promise<{ rules: RuleView[]; options: RuleOptions }> {
  requirePermission(scope, "scheduling:setup");
  const db = scope.db;
  const [rules, pending, ...opts] = await db.batch([
    db.select(ruleColumns).from(workflowRules).orderBy(workflowRules.createdAt, workflowRules.id),
    db
      .select({ ruleId: workflowRuns.ruleId, n: count() })
      .from(scheduledActions)
      .innerJoin(workflowRuns, eq(workflowRuns.id, scheduledActions.runId))
      .where(eq(scheduledActions.status, "pending"))
      .groupBy(workflowRuns.ruleId),
    ...optionQueries(scope),
  ]);
  const waiting = new Map(pending.map((p) => [p.ruleId, p.n]));
  return {
    rules: rules.map((r) => toView(r, waiting.get(r.id) ?? 0)),
    options: await withMembers(scope, opts),
  };
}

export async function viewRule(scope: WorkflowScope, id: string): Promise<RuleView> {
  requirePermission(scope, "scheduling:setup");
  const row = await scope.db.select(ruleColumns).from(workflowRules).where(eq(workflowRules.id, id)).get();
  if (!row) throw notFound("This workflow rule");
  return toView(row);
}

/** Checks that every id the rule names is one of this clinic's; errors name the form's fields. */
async function checkReferences(scope: WorkflowScope, input: RuleInput & { slots?: number[] }): Promise<void> {
  const c = input.conditions;
  const db = scope.db;
  const [type, provider, location] = await db.batch([
    db.select({ id: appointmentTypes.id }).from(appointmentTypes).where(eq(appointmentTypes.id, c.appointmentTypeId ?? "")),
    db.select({ id: providers.id }).from(providers).where(eq(providers.id, c.providerId ?? "")),
    db.select({ id: locations.id }).from(locations).where(eq(locations.id, c.locationId ?? "")),
  ]);
  const errors: FieldErrors = {};
  if (c.appointmentTypeId && !type.length) errors.cond_type = "Choose a visit type from the list.";
  if (c.providerId && !provider.length) errors.cond_provider = "Choose a provider from the list.";
  if (c.locationId && !location.length) errors.cond_location = "Choose a location from the list.";
  const assignees = input.actions.flatMap((a, i) => (a.type === "task" && a.assigneeId ? [{ i, id: a.assigneeId }] : []));
  if (assignees.length) {
    const members = new Set((await clinicMembers(scope.env, scope.clinic.id)).map((m) => m.id));
    for (const a of assignees) {
      if (!members.has(a.id)) errors[`a${input.slots?.[a.i] ?? a.i + 1}_assignee`] = "Choose someone who works at this clinic.";
    }
  }
  if (Object.keys(errors).length) throw new AppError("validation", "Some choices are not available at this clinic.", errors);
}

export async function createRule(scope: WorkflowScope, input: RuleInput & { slots?: number[] }, paused = false): Promise<string> {
  requirePermission(scope, "scheduling:setup");
  await checkReferences(scope, input);
  const id = crypto.randomUUID();
  await scope.db.batch([
    scope.db.insert(workflowRules).values({
      id,
      name: input.name,
      trigger: input.trigger,
      conditions: JSON.stringify(input.conditions),
      actions: JSON.stringify(input.actions),
      paused,
      createdAt: Date.now(),
      createdBy: scope.staff.id,
    }),
    auditIfChanged(scope, { action: "create", event: "workflow.rule_create", entityType: "workflow_rule", entityId: id, detail: `"${input.name}" on ${input.trigger}` }),
  ]);
  scheduleSeal(scope);
  return id;
}

/** Changes a rule; actions already scheduled keep what they were when the rule fired. */
export async function updateRule(scope: WorkflowScope, id: string, input: RuleInput & { slots?: number[] }): Promise<void> {
  await viewRule(scope, id);
  await checkReferences(scope, input);
  const [changed] = await runWrites(scope.db, [
    scope.db
      .update(workflowRules)
      .set({ name: input.name, trigger: input.trigger, conditions: JSON.stringify(input.conditions), actions: JSON.stringify(input.actions) })
      .where(eq(workflowRules.id, id)),
    auditIfChanged(scope, { action: "update", event: "workflow.rule_update", entityType: "workflow_rule", entityId: id, detail: `"${input.name}" on ${input.trigger}` }),
  ]);
  if (changed?.meta.changes !== 1) throw notFound("This workflow rule");
  scheduleSeal(scope);
}

/** Pauses or resumes a rule. A paused rule does not fire, and its delayed actions are skipped when due. */
export async function setPaused(scope: WorkflowScope, id: string, paused: boolean): Promise<void> {
  const rule = await viewRule(scope, id);
  if (!!rule.row.paused === paused) return;
  await scope.db.batch([
    scope.db.update(workflowRules).set({ paused }).where(eq(workflowRules.id, id)),
    auditIfChanged(scope, { action: "update", event: paused ? "workflow.rule_pause" : "workflow.rule_resume", entityType: "workflow_rule", entityId: id, detail: `"${rule.row.name}"` }),
  ]);
  scheduleSeal(scope);
}

/** Deletes a rule with its record of firings and the delayed actions still waiting. */
export async function deleteRule(scope: WorkflowScope, id: string): Promise<void> {
  const rule = await viewRule(scope, id);
  const db = scope.db;
  await db.batch([
    auditStatementWhere(
      scope,
      { action: "delete", event: "workflow.rule_delete", entityType: "workflow_rule", entityId: id, detail: `"${rule.row.name}", fired ${rule.row.firedCount} times` },
      exists(db.select({ id: workflowRules.id }).from(workflowRules).where(eq(workflowRules.id, id))),
    ),
    db.delete(scheduledActions).where(inArray(scheduledActions.runId, db.select({ id: workflowRuns.id }).from(workflowRuns).where(eq(workflowRuns.ruleId, id)))),
    db.delete(workflowRuns).where(eq(workflowRuns.ruleId, id)),
    db.delete(workflowRules).where(eq(workflowRules.id, id)),
  ]);
  scheduleSeal(scope);
}

/**
 * Adds the standard follow-ups (thank-you, no-show rebooking, recall), paused unless asked
 * otherwise. Ones already there are left as they are; returns how many were added.
 */
export async function addStandardFollowUps(scope: WorkflowScope, active: boolean): Promise<number> {
  requirePermission(scope, "scheduling:setup");
  const db = scope.db;
  const now = Date.now();
  const statements = STANDARD_RULES.flatMap((r) => [
    db
      .insert(workflowRules)
      .values({
        id: r.id,
        name: r.name,
        trigger: r.trigger,
        conditions: JSON.stringify(r.conditions),
        actions: JSON.stringify(r.actions),
        paused: !active,
        createdAt: now,
        createdBy: scope.staff.id,
      })
      .onConflictDoNothing({ target: workflowRules.id }),
    auditIfChanged(scope, {
      action: "create",
      event: "workflow.rule_create",
      entityType: "workflow_rule",
      entityId: r.id,
      detail: `standard follow-up "${r.name}", ${active ? "active" : "paused"}`,
    }),
  ]);
  const results = await runWrites(db, statements);
  scheduleSeal(scope);
  return results.filter((_, i) => i % 2 === 0 && results[i]?.meta.changes === 1).length;
}
