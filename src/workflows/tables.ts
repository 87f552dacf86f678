/**
 * The tables of workflow automation: clinic-defined rules, their firings (one per rule and event),
 * delayed actions waiting for the cron scan, the staff tasks rules (and people) create, and
 * patient tags. Instants are epoch milliseconds (UTC).
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const now = sql`(unixepoch('subsec') * 1000)`;

export const WORKFLOW_TRIGGERS = [
  "appointment.booked",
  "appointment.cancelled",
  "appointment.no_show",
  "appointment.completed",
  "intake.missing",
  "lab.released",
  "invoice.overdue",
  "patient.birthday",
] as const;

/** A clinic-defined rule: when <trigger> (and conditions), do <actions> (each after its delay). */
export const workflowRules = sqliteTable("workflow_rules", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  trigger: text("trigger", { enum: WORKFLOW_TRIGGERS }).notNull(),
  /** JSON: { appointmentTypeId?, providerId?, locationId?, patientTag?, hoursBefore? }. */
  conditions: text("conditions").notNull().default("{}"),
  /** JSON array: { type: "send" | "task" | "tag" | "waitlist", delayMinutes, ... }. */
  actions: text("actions").notNull(),
  paused: integer("paused", { mode: "boolean" }).notNull().default(false),
  firedCount: integer("fired_count").notNull().default(0),
  lastFiredAt: integer("last_fired_at"),
  createdAt: integer("created_at").notNull().default(now),
  createdBy: text("created_by"),
});

/** One firing of a rule for one event: unique, so an event fires a rule once. */
export const workflowRuns = sqliteTable(
  "workflow_runs",
  {
    id: text("id").primaryKey(),
    ruleId: text("rule_id").notNull().references(() => workflowRules.id),
    eventKey: text("event_key").notNull(),
    patientId: text("patient_id"),
    appointmentId: text("appointment_id"),
    firedAt: integer("fired_at").notNull().default(now),
  },
  (t) => [uniqueIndex("workflow_runs_event_idx").on(t.ruleId, t.eventKey)],
);

/** Actions of a run that are due later (delays); run by the cron scan. */
export const scheduledActions = sqliteTable(
  "scheduled_actions",
  {
    id: text("id").primaryKey(),
    runId: text("run_id").notNull().references(() => workflowRuns.id),
    /** JSON of the action. */
    action: text("action").notNull(),
    dueAt: integer("due_at").notNull(),
    status: text("status", { enum: ["pending", "done", "failed"] }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
  },
  (t) => [index("scheduled_actions_due_idx").on(t.status, t.dueAt)],
);

export const tasks = sqliteTable(
  "tasks",
  {
    id: text("id").primaryKey(),
    title: text("title").notNull(),
    detail: text("detail"),
    patientId: text("patient_id"),
    appointmentId: text("appointment_id"),
    /** Directory user id of the assignee; null = the clinic's shared inbox. */
    assigneeId: text("assignee_id"),
    dueAt: integer("due_at"),
    status: text("status", { enum: ["open", "done"] }).notNull().default("open"),
    ruleId: text("rule_id"),
    createdAt: integer("created_at").notNull().default(now),
    createdBy: text("created_by"),
    completedAt: integer("completed_at"),
  },
  (t) => [index("tasks_status_idx").on(t.status, t.dueAt), index("tasks_assignee_idx").on(t.assigneeId, t.status)],
);

export const patientTags = sqliteTable(
  "patient_tags",
  {
    patientId: text("patient_id").notNull(),
    tag: text("tag").notNull(),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.patientId, t.tag] }), index("patient_tags_tag_idx").on(t.tag)],
);
