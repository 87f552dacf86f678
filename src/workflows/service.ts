/**
 * Managing a clinic's workflow rules (/settings/workflows): list, create, edit, pause, delete,
 * and add the standard follow-ups. Every change is audited in the same D1 batch as the change.
 */
import { auditIfChanged, auditSql, scheduleSeal } from "../audit/service";
import type { Env } from "../platform/env";
import { AppError, notFound, type FieldErrors } from "../platform/errors";
import { requirePermission, type StaffScope } from "../platform/scope";
import { clinicMembers, type Member } from "../tasks/service";
import { RULE_COLUMNS, readActions, readConditions, type RuleRow } from "./model";
import type { RuleInput } from "./input";
import { STANDARD_RULES } from "./standard";

export interface WorkflowScope extends StaffScope {
  env: Env;
}

export interface Option {
  id: string;
  name: string;
  active: number;
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

function optionStatements(scope: WorkflowScope) {
  const d1 = scope.d1;
  return [
    d1.prepare("SELECT id, name, active FROM appointment_types ORDER BY active DESC, name"),
    d1.prepare("SELECT id, display_name AS name, active FROM providers ORDER BY active DESC, display_name"),
    d1.prepare("SELECT id, name, active FROM locations ORDER BY active DESC, name"),
  ];
}

async function withMembers(scope: WorkflowScope, results: D1Result[]): Promise<RuleOptions> {
  const [types, providers, locations] = results as D1Result<Option>[];
  return { types: types!.results, providers: providers!.results, locations: locations!.results, members: await clinicMembers(scope.env, scope.clinic.id) };
}

export async function ruleOptions(scope: WorkflowScope): Promise<RuleOptions> {
  requirePermission(scope, "scheduling:setup");
  return withMembers(scope, await scope.d1.batch(optionStatements(scope)));
}

/** Every rule, with how often it fired and how many delayed actions are waiting. */
export async function listRules(scope: WorkflowScope): Promise<{ rules: RuleView[]; options: RuleOptions }> {
  requirePermission(scope, "scheduling:setup");
  const d1 = scope.d1;
  const [rules, pending, ...opts] = await d1.batch([
    d1.prepare(`SELECT ${RULE_COLUMNS} FROM workflow_rules ORDER BY created_at, id`),
    d1.prepare(
      `SELECT r.rule_id AS ruleId, COUNT(*) AS n FROM scheduled_actions s JOIN workflow_runs r ON r.id = s.run_id
       WHERE s.status = 'pending' GROUP BY r.rule_id`,
    ),
    ...optionStatements(scope),
  ]);
  const waiting = new Map(((pending?.results ?? []) as { ruleId: string; n: number }[]).map((p) => [p.ruleId, p.n]));
  return {
    rules: ((rules?.results ?? []) as unknown as RuleRow[]).map((r) => toView(r, waiting.get(r.id) ?? 0)),
    options: await withMembers(scope, opts),
  };
}

export async function viewRule(scope: WorkflowScope, id: string): Promise<RuleView> {
  requirePermission(scope, "scheduling:setup");
  const row = await scope.d1.prepare(`SELECT ${RULE_COLUMNS} FROM workflow_rules WHERE id = ?`).bind(id).first<RuleRow>();
  if (!row) throw notFound("This workflow rule");
  return toView(row);
}

/** Checks that every id the rule names is one of this clinic's; errors name the form's fields. */
async function checkReferences(scope: WorkflowScope, input: RuleInput & { slots?: number[] }): Promise<void> {
  const c = input.conditions;
  const d1 = scope.d1;
  const [type, provider, location] = await d1.batch([
    d1.prepare("SELECT 1 FROM appointment_types WHERE id = ?").bind(c.appointmentTypeId ?? ""),
    d1.prepare("SELECT 1 FROM providers WHERE id = ?").bind(c.providerId ?? ""),
    d1.prepare("SELECT 1 FROM locations WHERE id = ?").bind(c.locationId ?? ""),
  ]);
  const errors: FieldErrors = {};
  if (c.appointmentTypeId && !type?.results.length) errors.cond_type = "Choose a visit type from the list.";
  if (c.providerId && !provider?.results.length) errors.cond_provider = "Choose a provider from the list.";
  if (c.locationId && !location?.results.length) errors.cond_location = "Choose a location from the list.";
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
  const d1 = scope.d1;
  await d1.batch([
    d1
      .prepare("INSERT INTO workflow_rules (id, name, trigger, conditions, actions, paused, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(id, input.name, input.trigger, JSON.stringify(input.conditions), JSON.stringify(input.actions), paused ? 1 : 0, Date.now(), scope.staff.id),
    auditIfChanged(scope, { action: "create", event: "workflow.rule_create", entityType: "workflow_rule", entityId: id, detail: `"${input.name}" on ${input.trigger}` }),
  ]);
  scheduleSeal(scope);
  return id;
}

/** Changes a rule; actions already scheduled keep what they were when the rule fired. */
export async function updateRule(scope: WorkflowScope, id: string, input: RuleInput & { slots?: number[] }): Promise<void> {
  await viewRule(scope, id);
  await checkReferences(scope, input);
  const [changed] = await scope.d1.batch([
    scope.d1
      .prepare("UPDATE workflow_rules SET name = ?, trigger = ?, conditions = ?, actions = ? WHERE id = ?")
      .bind(input.name, input.trigger, JSON.stringify(input.conditions), JSON.stringify(input.actions), id),
    auditIfChanged(scope, { action: "update", event: "workflow.rule_update", entityType: "workflow_rule", entityId: id, detail: `"${input.name}" on ${input.trigger}` }),
  ]);
  if (changed?.meta.changes !== 1) throw notFound("This workflow rule");
  scheduleSeal(scope);
}

/** Pauses or resumes a rule. A paused rule does not fire, and its delayed actions are skipped when due. */
export async function setPaused(scope: WorkflowScope, id: string, paused: boolean): Promise<void> {
  const rule = await viewRule(scope, id);
  if (!!rule.row.paused === paused) return;
  await scope.d1.batch([
    scope.d1.prepare("UPDATE workflow_rules SET paused = ? WHERE id = ?").bind(paused ? 1 : 0, id),
    auditIfChanged(scope, { action: "update", event: paused ? "workflow.rule_pause" : "workflow.rule_resume", entityType: "workflow_rule", entityId: id, detail: `"${rule.row.name}"` }),
  ]);
  scheduleSeal(scope);
}

/** Deletes a rule with its record of firings and the delayed actions still waiting. */
export async function deleteRule(scope: WorkflowScope, id: string): Promise<void> {
  const rule = await viewRule(scope, id);
  const d1 = scope.d1;
  const entry = auditSql(
    scope,
    { action: "delete", event: "workflow.rule_delete", entityType: "workflow_rule", entityId: id, detail: `"${rule.row.name}", fired ${rule.row.firedCount} times` },
    { sql: "EXISTS (SELECT 1 FROM workflow_rules WHERE id = ?)", params: [id] },
  );
  await d1.batch([
    d1.prepare(entry.sql).bind(...entry.params),
    d1.prepare("DELETE FROM scheduled_actions WHERE run_id IN (SELECT id FROM workflow_runs WHERE rule_id = ?)").bind(id),
    d1.prepare("DELETE FROM workflow_runs WHERE rule_id = ?").bind(id),
    d1.prepare("DELETE FROM workflow_rules WHERE id = ?").bind(id),
  ]);
  scheduleSeal(scope);
}

/**
 * Adds the standard follow-ups (thank-you, no-show rebooking, recall), paused unless asked
 * otherwise. Ones already there are left as they are; returns how many were added.
 */
export async function addStandardFollowUps(scope: WorkflowScope, active: boolean): Promise<number> {
  requirePermission(scope, "scheduling:setup");
  const d1 = scope.d1;
  const now = Date.now();
  const statements = STANDARD_RULES.flatMap((r) => [
    d1
      .prepare(
        `INSERT INTO workflow_rules (id, name, trigger, conditions, actions, paused, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO NOTHING`,
      )
      .bind(r.id, r.name, r.trigger, JSON.stringify(r.conditions), JSON.stringify(r.actions), active ? 0 : 1, now, scope.staff.id),
    auditIfChanged(scope, {
      action: "create",
      event: "workflow.rule_create",
      entityType: "workflow_rule",
      entityId: r.id,
      detail: `standard follow-up "${r.name}", ${active ? "active" : "paused"}`,
    }),
  ]);
  const results = await d1.batch(statements);
  scheduleSeal(scope);
  return results.filter((_, i) => i % 2 === 0 && results[i]?.meta.changes === 1).length;
}
