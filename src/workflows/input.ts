/**
 * The rule form (zod/mini): a name, a trigger, optional conditions, and up to three actions whose
 * fields are named `a1_…`, `a2_…`, `a3_…`. Errors are keyed by the input's name, so each message
 * is shown beside its field. Whether a chosen type, provider, location or assignee exists is the
 * service's question.
 */
import * as z from "zod/mini";
import { WORKFLOW_TRIGGERS } from "./tables";
import type { FieldErrors } from "../platform/errors";
import { requiredText, validate, type Parsed } from "../platform/validation";
import { PLACEHOLDERS, unknownPlaceholders } from "./messages";
import { ACTION_TYPES, DEFAULT_HOURS_BEFORE, MAX_ACTIONS, MAX_DELAY_MINUTES, TRIGGERS, normalizeTag, type Action, type Conditions, type Trigger } from "./model";

export type FormValues = Record<string, string | undefined>;

export const ACTION_FIELDS = ["type", "delay", "unit", "channel", "template", "subject", "body", "link", "skip_upcoming", "title", "assignee", "due_hours", "tag"] as const;
export const CHECKBOXES = ["skip_upcoming"];
export const RULE_FIELDS = [
  "name",
  "trigger",
  "cond_type",
  "cond_provider",
  "cond_location",
  "cond_tag",
  "hours_before",
  ...Array.from({ length: MAX_ACTIONS }, (_, i) => ACTION_FIELDS.map((f) => `a${i + 1}_${f}`)).flat(),
];

export const DELAY_UNITS = { minutes: 1, hours: 60, days: 24 * 60 } as const;
export type DelayUnit = keyof typeof DELAY_UNITS;

export interface RuleInput {
  name: string;
  trigger: Trigger;
  conditions: Conditions;
  actions: Action[];
}

const emptyToUndefined = z.transform((v: string) => (v === "" ? undefined : v));

const optionalId = z.pipe(z.string().check(z.trim(), z.maxLength(64, { error: "Choose an option from the list." })), emptyToUndefined);

const optionalWholeNumber = (label: string, min: number, max: number, unit: string) =>
  z.pipe(
    z.string().check(
      z.trim(),
      z.refine((v) => v === "" || (/^\d{1,6}$/.test(v) && Number(v) >= min && Number(v) <= max), {
        error: `${label} must be a whole number of ${unit} from ${min} to ${max}, or empty.`,
      }),
    ),
    z.transform((v: string) => (v === "" ? undefined : Number.parseInt(v, 10))),
  );

const TAG_RE = /^[a-z0-9][a-z0-9 _-]{0,39}$/;
const tag = (label: string, required: boolean) =>
  z.pipe(
    z.string().check(
      z.refine((v) => (required ? normalizeTag(v) !== "" : true), { error: `${label} is required.` }),
      z.refine((v) => normalizeTag(v) === "" || TAG_RE.test(normalizeTag(v)), {
        error: `${label} may use letters, digits, spaces, hyphens and underscores, at most 40 characters.`,
      }),
    ),
    z.transform((v: string) => (normalizeTag(v) === "" ? undefined : normalizeTag(v))),
  );

const TEMPLATE_KEY_RE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

const withPlaceholders = (label: string) =>
  z.refine<string>((v) => unknownPlaceholders(v).length === 0, {
    error: `${label} uses a placeholder this rule cannot fill: use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}.`,
  });

const ruleSchema = z.object({
  name: requiredText(100, "Name"),
  trigger: z.enum(WORKFLOW_TRIGGERS, { error: "Choose a trigger from the list." }),
  cond_type: optionalId,
  cond_provider: optionalId,
  cond_location: optionalId,
  cond_tag: tag("Patient tag", false),
  hours_before: optionalWholeNumber("Hours before the visit", 1, 720, "hours"),
});

const delaySchema = z.object({
  delay: z.pipe(
    z.string().check(z.trim()),
    z.transform((v: string) => (v === "" ? "0" : v)),
  ),
  unit: z.enum(["minutes", "hours", "days"], { error: "Choose minutes, hours or days." }),
});

const sendSchema = z.object({
  channel: z.enum(["email", "sms"], { error: "Choose email or text message." }),
  template: z.pipe(
    z.string().check(
      z.trim(),
      z.maxLength(60, { error: "Message key must be at most 60 characters." }),
      z.refine((v) => v === "" || TEMPLATE_KEY_RE.test(v), { error: "Message key may use lowercase letters, digits, dots and hyphens, like followup.completed." }),
    ),
    emptyToUndefined,
  ),
  subject: z.pipe(z.string().check(z.trim(), z.maxLength(200, { error: "Subject must be at most 200 characters." }), withPlaceholders("Subject")), emptyToUndefined),
  body: z.string().check(
    z.trim(),
    z.minLength(1, { error: "Message is required." }),
    z.maxLength(2000, { error: "Message must be at most 2000 characters." }),
    withPlaceholders("Message"),
  ),
  link: z.pipe(
    z.string().check(
      z.trim(),
      z.maxLength(500, { error: "Link must be at most 500 characters." }),
      z.refine((v) => v === "" || /^https?:\/\/[^\s]+$/.test(v), { error: "Link must be a web address starting with https://." }),
    ),
    emptyToUndefined,
  ),
  skip_upcoming: z.optional(z.string()),
});

const taskSchema = z.object({
  title: requiredText(200, "Task title"),
  assignee: optionalId,
  due_hours: optionalWholeNumber("Due after", 0, 8760, "hours"),
});

const tagSchema = z.object({ tag: tag("Tag", true) });

/** Merges a sub-form's errors under the action's prefix. */
function prefixed(errors: FieldErrors, prefix: string, into: FieldErrors): void {
  for (const [k, v] of Object.entries(errors)) if (!into[`${prefix}${k}`]) into[`${prefix}${k}`] = v;
}

function actionPart(values: FormValues, prefix: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const f of ACTION_FIELDS) out[f] = CHECKBOXES.includes(f) ? values[`${prefix}${f}`] : (values[`${prefix}${f}`] ?? "");
  return out;
}

function parseAction(values: FormValues, i: number, errors: FieldErrors): Action | null {
  const prefix = `a${i}_`;
  const raw = actionPart(values, prefix);
  const type = raw.type ?? "";
  if (type === "") return null;
  if (!(ACTION_TYPES as readonly string[]).includes(type)) {
    errors[`${prefix}type`] = "Choose an action from the list.";
    return null;
  }
  let delayMinutes = 0;
  const d = validate(delaySchema, { delay: raw.delay ?? "", unit: raw.unit || "minutes" });
  if (!d.ok) prefixed(d.errors, prefix, errors);
  else {
    const n = d.data.delay;
    const minutes = /^\d{1,6}$/.test(n) ? Number(n) * DELAY_UNITS[d.data.unit] : NaN;
    if (!(minutes <= MAX_DELAY_MINUTES)) errors[`${prefix}delay`] = "Delay must be a whole number, at most 400 days.";
    else delayMinutes = minutes;
  }
  switch (type as Action["type"]) {
    case "send": {
      const r = validate(sendSchema, raw);
      if (!r.ok) {
        prefixed(r.errors, prefix, errors);
        return null;
      }
      const { channel, template, subject, body, link, skip_upcoming } = r.data;
      if (channel === "sms" && body.length > 480) errors[`${prefix}body`] = "A text message must be at most 480 characters.";
      return {
        type: "send",
        delayMinutes,
        channel,
        ...(template ? { template } : {}),
        ...(subject && channel === "email" ? { subject } : {}),
        body,
        ...(link ? { link } : {}),
        ...(skip_upcoming !== undefined ? { skipIfUpcoming: true } : {}),
      };
    }
    case "task": {
      const r = validate(taskSchema, raw);
      if (!r.ok) {
        prefixed(r.errors, prefix, errors);
        return null;
      }
      return { type: "task", delayMinutes, title: r.data.title, ...(r.data.assignee ? { assigneeId: r.data.assignee } : {}), ...(r.data.due_hours !== undefined ? { dueHours: r.data.due_hours } : {}) };
    }
    case "tag": {
      const r = validate(tagSchema, raw);
      if (!r.ok) {
        prefixed(r.errors, prefix, errors);
        return null;
      }
      // The schema requires a tag, so it is never empty here.
      return { type: "tag", delayMinutes, tag: r.data.tag ?? "" };
    }
    case "waitlist":
      return { type: "waitlist", delayMinutes };
  }
}

/** Parses the rule form: one message per field that needs attention, keyed by the field's name. */
export function parseRuleForm(values: FormValues): Parsed<RuleInput & { slots: number[] }> {
  const errors: FieldErrors = {};
  const base = validate(ruleSchema, {
    name: values.name ?? "",
    trigger: values.trigger ?? "",
    cond_type: values.cond_type ?? "",
    cond_provider: values.cond_provider ?? "",
    cond_location: values.cond_location ?? "",
    cond_tag: values.cond_tag ?? "",
    hours_before: values.hours_before ?? "",
  });
  if (!base.ok) Object.assign(errors, base.errors);
  const filled: { slot: number; action: Action }[] = [];
  for (let i = 1; i <= MAX_ACTIONS; i++) {
    const action = parseAction(values, i, errors);
    if (action) filled.push({ slot: i, action });
  }
  const actions = filled.map((f) => f.action);
  const anyActionField = Object.keys(errors).some((k) => /^a\d_/.test(k));
  if (actions.length === 0 && !anyActionField) errors.a1_type = "Add at least one action: what should happen when this rule fires?";
  // Checks across fields run whenever the trigger is known, so every problem is named at once.
  const trigger = (WORKFLOW_TRIGGERS as readonly string[]).includes(values.trigger ?? "") ? (values.trigger as Trigger) : null;
  if (trigger) {
    if (!TRIGGERS[trigger].appointment) {
      const what = TRIGGERS[trigger].label;
      for (const [field, label] of [
        ["cond_type", "visit type"],
        ["cond_provider", "provider"],
        ["cond_location", "location"],
      ] as const) {
        if ((values[field] ?? "").trim() && !errors[field]) errors[field] = `“${what}” is not about an appointment: leave the ${label} empty.`;
      }
    }
    if ((values.hours_before ?? "").trim() && trigger !== "intake.missing" && !errors.hours_before) {
      errors.hours_before = "Hours before the visit only applies to “Intake form still missing”: leave it empty.";
    }
    for (const { slot, action } of filled) {
      if (action.type === "waitlist" && trigger !== "appointment.cancelled") {
        errors[`a${slot}_type`] = "Offering time to the waitlist only works when an appointment is cancelled.";
      }
    }
  }
  if (!base.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  const d = base.data;
  const conditions: Conditions = {
    ...(d.cond_type ? { appointmentTypeId: d.cond_type } : {}),
    ...(d.cond_provider ? { providerId: d.cond_provider } : {}),
    ...(d.cond_location ? { locationId: d.cond_location } : {}),
    ...(d.cond_tag ? { patientTag: d.cond_tag } : {}),
    ...(d.trigger === "intake.missing" ? { hoursBefore: d.hours_before ?? DEFAULT_HOURS_BEFORE } : {}),
  };
  // slots: which aN_ fields each action came from, so a later error lands beside the right field.
  return { ok: true, data: { name: d.name, trigger: d.trigger, conditions, actions, slots: filled.map((f) => f.slot) } };
}

/** The largest unit that divides a delay evenly, for showing it back in the form. */
export function delayToForm(minutes: number): { delay: string; unit: DelayUnit } {
  if (minutes > 0 && minutes % DELAY_UNITS.days === 0) return { delay: String(minutes / DELAY_UNITS.days), unit: "days" };
  if (minutes > 0 && minutes % DELAY_UNITS.hours === 0) return { delay: String(minutes / DELAY_UNITS.hours), unit: "hours" };
  return { delay: String(minutes), unit: "minutes" };
}

/** A stored rule as form values. */
export function ruleToForm(rule: RuleInput): FormValues {
  const c = rule.conditions;
  const out: FormValues = {
    name: rule.name,
    trigger: rule.trigger,
    cond_type: c.appointmentTypeId ?? "",
    cond_provider: c.providerId ?? "",
    cond_location: c.locationId ?? "",
    cond_tag: c.patientTag ?? "",
    hours_before: c.hoursBefore !== undefined ? String(c.hoursBefore) : "",
  };
  rule.actions.forEach((a, i) => {
    const p = `a${i + 1}_`;
    const d = delayToForm(a.delayMinutes);
    out[`${p}type`] = a.type;
    out[`${p}delay`] = d.delay;
    out[`${p}unit`] = d.unit;
    if (a.type === "send") {
      out[`${p}channel`] = a.channel;
      out[`${p}template`] = a.template ?? "";
      out[`${p}subject`] = a.subject ?? "";
      out[`${p}body`] = a.body;
      out[`${p}link`] = a.link ?? "";
      out[`${p}skip_upcoming`] = a.skipIfUpcoming ? "1" : undefined;
    } else if (a.type === "task") {
      out[`${p}title`] = a.title;
      out[`${p}assignee`] = a.assigneeId ?? "";
      out[`${p}due_hours`] = a.dueHours !== undefined ? String(a.dueHours) : "";
    } else if (a.type === "tag") {
      out[`${p}tag`] = a.tag;
    }
  });
  return out;
}

/** The rule form's fields as typed; an unticked checkbox stays undefined, a repeated field keeps its last value. */
export function ruleFormValues(form: Record<string, string | string[] | undefined>): FormValues {
  const out: FormValues = {};
  for (const f of RULE_FIELDS) {
    const raw = form[f];
    const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    out[f] = CHECKBOXES.some((cb) => f.endsWith(`_${cb}`)) ? v : (v ?? "");
  }
  return out;
}

/**
 * The rule form for `formInput`: the parsed rule, and the values as typed (to show the form again
 * when the service refuses a choice). Each problem is an issue on its field, so the failure page
 * shows every message beside its input, as `parseRuleForm` names them.
 */
export const ruleForm = z.pipe(
  z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  z.transform((form, ctx) => {
    const values = ruleFormValues(form);
    const parsed = parseRuleForm(values);
    if (parsed.ok) return { rule: parsed.data, values };
    for (const [field, message] of Object.entries(parsed.errors)) ctx.issues.push({ code: "custom", message, path: [field], input: form });
    return z.NEVER;
  }),
);

/** A one-flag form (switch the standard follow-ups on, pause a rule): "1" is yes. */
export const flagForm = <K extends string>(name: K) =>
  z.pipe(
    z.record(z.string(), z.union([z.string(), z.array(z.string())])),
    z.transform((form) => form[name] === "1"),
  );
