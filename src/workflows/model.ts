/**
 * The shape of a workflow rule: what triggers it, the conditions it checks, and the actions it
 * takes. Rules are stored as JSON in `workflow_rules` (src/workflows/tables.ts); everything read
 * back from there goes through `readConditions` / `readActions`, so a damaged row is skipped,
 * never run half-understood.
 */
import * as z from "zod/mini";
import { WORKFLOW_TRIGGERS, workflowRules } from "./tables";

export type Trigger = (typeof WORKFLOW_TRIGGERS)[number];

/**
 * What each trigger carries. A later module adds its trigger to WORKFLOW_TRIGGERS, a line here,
 * and calls `emitEvent` (or, for a time-based one, adds a scan to `runTimeTriggers`).
 */
export const TRIGGERS: Record<Trigger, { label: string; appointment: boolean }> = {
  "appointment.booked": { label: "Appointment booked", appointment: true },
  "appointment.cancelled": { label: "Appointment cancelled", appointment: true },
  "appointment.no_show": { label: "Patient did not show up", appointment: true },
  "appointment.completed": { label: "Visit completed", appointment: true },
  "intake.missing": { label: "Intake form still missing before a visit", appointment: true },
  "lab.released": { label: "Lab result released", appointment: false },
  "invoice.overdue": { label: "Invoice overdue", appointment: false },
  "patient.birthday": { label: "Patient's birthday", appointment: false },
};

/** How long before a visit `intake.missing` fires when the rule does not say. */
export const DEFAULT_HOURS_BEFORE = 48;
/** The longest delay an action may have: a recall a year out still fits. */
export const MAX_DELAY_MINUTES = 400 * 24 * 60;
export const MAX_ACTIONS = 3;

const id = z.string().check(z.minLength(1), z.maxLength(64));

export const conditionsSchema = z.object({
  appointmentTypeId: z.optional(id),
  providerId: z.optional(id),
  locationId: z.optional(id),
  patientTag: z.optional(z.string().check(z.minLength(1), z.maxLength(40))),
  hoursBefore: z.optional(z.int().check(z.minimum(1), z.maximum(720))),
});
export type Conditions = z.infer<typeof conditionsSchema>;

const delay = z.int().check(z.minimum(0), z.maximum(MAX_DELAY_MINUTES));

const sendAction = z.object({
  type: z.literal("send"),
  delayMinutes: delay,
  channel: z.enum(["email", "sms"]),
  /** Which message this is (`followup.completed`, `recall`, ...): the outbox's template column. */
  template: z.optional(z.string().check(z.maxLength(60))),
  subject: z.optional(z.string().check(z.maxLength(200))),
  /** The text, with {{first_name}}, {{clinic}} and {{link}} filled in when it is sent. */
  body: z.string().check(z.minLength(1), z.maxLength(2000)),
  /** What {{link}} is (care instructions, a survey); absent = the clinic's online booking page. */
  link: z.optional(z.string().check(z.maxLength(500))),
  /** Not sent when the patient already has an upcoming visit (a recall, say). */
  skipIfUpcoming: z.optional(z.boolean()),
});

const taskAction = z.object({
  type: z.literal("task"),
  delayMinutes: delay,
  title: z.string().check(z.minLength(1), z.maxLength(200)),
  /** Directory user id; absent = the clinic's shared inbox. */
  assigneeId: z.optional(id),
  /** The task is due this many hours after it is created; absent = no due date. */
  dueHours: z.optional(z.int().check(z.minimum(0), z.maximum(8760))),
});

const tagAction = z.object({
  type: z.literal("tag"),
  delayMinutes: delay,
  tag: z.string().check(z.minLength(1), z.maxLength(40)),
});

const waitlistAction = z.object({ type: z.literal("waitlist"), delayMinutes: delay });

export const actionSchema = z.discriminatedUnion("type", [sendAction, taskAction, tagAction, waitlistAction]);
export type Action = z.infer<typeof actionSchema>;
export type ActionType = Action["type"];
export const ACTION_TYPES: readonly ActionType[] = ["send", "task", "tag", "waitlist"];

/** A delayed action as stored in `scheduled_actions.action`: the action and its place in the rule. */
export const scheduledSchema = z.object({ index: z.int().check(z.minimum(0)), action: actionSchema });

const actionsSchema = z.array(actionSchema).check(z.minLength(1), z.maxLength(MAX_ACTIONS));

function readJson<S extends z.ZodMiniType>(schema: S, json: string): z.output<S> | null {
  try {
    const r = schema.safeParse(JSON.parse(json));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export const readConditions = (json: string): Conditions | null => readJson(conditionsSchema, json);
export const readActions = (json: string): Action[] | null => readJson(actionsSchema, json);
export const readScheduled = (json: string) => readJson(scheduledSchema, json);

/** A rule as stored (the JSON columns still to be read through readConditions / readActions). */
export const ruleColumns = {
  id: workflowRules.id,
  name: workflowRules.name,
  trigger: workflowRules.trigger,
  conditions: workflowRules.conditions,
  actions: workflowRules.actions,
  paused: workflowRules.paused,
  firedCount: workflowRules.firedCount,
  lastFiredAt: workflowRules.lastFiredAt,
};
export type RuleRow = Pick<typeof workflowRules.$inferSelect, keyof typeof ruleColumns>;

/** Tags are compared lower-cased with single spaces. */
export function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase().replace(/\s+/g, " ");
}
