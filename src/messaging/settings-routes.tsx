/**
 * /settings/messages: the clinic's reminder schedule and quiet hours, and its wording of every
 * patient message (per message, channel and language) with a preview on sample data. Needs
 * `scheduling:setup`; every change is audited in the same batch as the change. A template that
 * uses an unknown variable is refused (422, the field named) and nothing is written.
 */
import { Hono, type Context } from "hono";
import * as z from "zod/mini";
import {
  MessageSettingsPage,
  MESSAGES,
  templatePath,
  templateRows,
  type ReminderFormValues,
} from "../../views/messaging/settings/overview";
import { PREVIEW_ID, TemplateEditPage, TemplatePreview, type PreviewData, type TemplateFormValues } from "../../views/messaging/settings/template";
import { and, eq, sql } from "drizzle-orm";
import { auditStatement, auditStatementWhere, scheduleSeal } from "../audit/service";
import type { AppEnv } from "../platform/env";
import { notFound, type FieldErrors } from "../platform/errors";
import { fragment, page, seeOther, wantsFragment } from "../platform/render";
import { staffScope, type StaffScope } from "../platform/scope";
import { controlCharacterError, formInput, queryInput, type FormValues } from "../platform/validation";
import { localParts, zonedInstant } from "../platform/time";
import { DEFAULT_REMINDER_SETTINGS, reminderSettingsQuery, type ReminderSettings } from "./reminders";
import { signResponseToken } from "./respond";
import { messageTemplates, reminderSettings } from "./tables";
import { smsSegments } from "./sms-segments";
import {
  allowedVariables,
  defaultTemplate,
  isLocale,
  isTemplateChannel,
  isTemplateKey,
  type Locale,
  type TemplateChannel,
  type TemplateKey,
} from "./template-catalogue";
import { templateErrors } from "./template-input";
import { render } from "./template-render";
import { chooseTemplate, overridesQuery, storedTemplateColumns, type StoredTemplate } from "./template-repo";
import { sampleValues } from "./template-values";

export const messageSettingsRoutes = new Hono<AppEnv>();

type Ctx = Context<AppEnv>;

/** A form's fields as strings: a field sent more than once keeps its last value. */
const formFields = z.pipe(
  z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  z.transform((form): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(form)) out[k] = Array.isArray(v) ? (v[v.length - 1] ?? "") : v;
    return out;
  }),
);

/** A page's address: `saved=1` after a save. */
const savedQuery = z.object({ saved: z.pipe(z.optional(z.string()), z.transform((v) => v === "1")) });

// ---------------------------------------------------------------------------------------------
// Reminder schedule

const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

const optionalHours = (label: string, max: number) =>
  z.pipe(
    z.string().check(
      z.trim(),
      z.refine((v) => v === "" || (/^\d{1,4}$/.test(v) && Number(v) >= 1 && Number(v) <= max), {
        error: `${label} must be a whole number of hours from 1 to ${max}, or empty for none.`,
      }),
    ),
    z.transform((v: string) => (v === "" ? null : Number.parseInt(v, 10))),
  );

const time = (label: string) =>
  z.string({ error: `${label} is required.` }).check(
    z.trim(),
    z.refine((v) => TIME_RE.test(v), { error: `${label} must be a time as HH:MM (24-hour), like 21:00 or 08:00.` }),
  );

const reminderSchema = z
  .object({
    enabled: z.pipe(z.optional(z.string()), z.transform((v: string | undefined) => v !== undefined && v !== "")),
    email_hours_before: optionalHours("Email reminder", 336),
    sms_hours_before: optionalHours("SMS reminder", 168),
    sms2_hours_before: optionalHours("Short-notice SMS", 168),
    quiet_start: time("Quiet hours start"),
    quiet_end: time("Quiet hours end"),
  })
  .check(
    z.refine((v) => v.sms2_hours_before === null || v.sms_hours_before === null || v.sms2_hours_before < v.sms_hours_before, {
      error: "The short-notice SMS must come fewer hours before the visit than the SMS reminder.",
      path: ["sms2_hours_before"],
    }),
  );

const REMINDER_FIELDS = ["email_hours_before", "sms_hours_before", "sms2_hours_before", "quiet_start", "quiet_end"] as const;

/** The schedule form as typed: a field left out is empty. */
function reminderValues(form: Record<string, string>): ReminderFormValues {
  const values: ReminderFormValues = { enabled: form.enabled };
  for (const f of REMINDER_FIELDS) values[f] = form[f] ?? "";
  return values;
}

const reminderForm = z.pipe(z.pipe(formFields, z.transform(reminderValues)), reminderSchema);

async function readSettings(scope: StaffScope): Promise<ReminderSettings> {
  return (await reminderSettingsQuery(scope.db).get()) ?? DEFAULT_REMINDER_SETTINGS;
}

async function overviewPage(c: Ctx, status: 200 | 422, form?: { values: ReminderFormValues; errors: FieldErrors }, saved = false) {
  const db = staffScope(c).db;
  const [settingsRows, custom] = await db.batch([reminderSettingsQuery(db), overridesQuery(db)]);
  const settings = settingsRows[0] ?? DEFAULT_REMINDER_SETTINGS;
  const values: ReminderFormValues = form?.values ?? {
    enabled: settings.enabled ? "1" : undefined,
    email_hours_before: settings.emailHoursBefore?.toString() ?? "",
    sms_hours_before: settings.smsHoursBefore?.toString() ?? "",
    sms2_hours_before: settings.sms2HoursBefore?.toString() ?? "",
    quiet_start: settings.quietStart,
    quiet_end: settings.quietEnd,
  };
  return page(
    c,
    "Patient messages",
    <MessageSettingsPage csrfToken={c.var.csrfToken} values={values} errors={form?.errors} saved={saved} templates={templateRows(custom)} />,
    status,
  );
}

messageSettingsRoutes.get("/", queryInput(savedQuery), (c) => overviewPage(c, 200, undefined, c.req.valid("query").saved));

const invalidReminders = (c: Ctx, errors: FieldErrors, raw: FormValues) =>
  overviewPage(c, 422, { values: reminderValues(formFields.parse(raw)), errors });

messageSettingsRoutes.post("/reminders", formInput(reminderForm, invalidReminders), async (c) => {
  const scope = staffScope(c);
  const input = c.req.valid("form");
  const before = await readSettings(scope);
  const row = {
    enabled: input.enabled,
    emailHoursBefore: input.email_hours_before,
    smsHoursBefore: input.sms_hours_before,
    sms2HoursBefore: input.sms2_hours_before,
    quietStart: input.quiet_start,
    quietEnd: input.quiet_end,
  };
  const changed = (Object.keys(row) as (keyof typeof row)[]).filter((k) => (k === "enabled" ? !!before.enabled !== row.enabled : (before[k] ?? null) !== (row[k] ?? null)));
  await scope.db.batch([
    scope.db.insert(reminderSettings).values({ id: 1, ...row }).onConflictDoUpdate({ target: reminderSettings.id, set: row }),
    auditStatement(scope, {
      action: "update",
      event: "messaging.reminder_settings.update",
      entityType: "reminder_settings",
      entityId: "1",
      detail: changed.length ? `changed: ${changed.map((k) => `${k} = ${row[k] ?? "none"}`).join(", ")}` : "no changes",
    }),
  ]);
  scheduleSeal(scope);
  return seeOther(c, `${MESSAGES}?saved=1`);
});

// ---------------------------------------------------------------------------------------------
// Templates

interface TemplateRef {
  key: TemplateKey;
  channel: TemplateChannel;
  locale: Locale;
}

/** The template named by the path; anything else is a 404. */
function templateRef(c: Ctx): TemplateRef {
  const key = c.req.param("key") ?? "";
  const channel = c.req.param("channel") ?? "";
  const locale = c.req.param("locale") ?? "";
  if (!isTemplateKey(key) || !isTemplateChannel(channel) || !isLocale(locale)) throw notFound("This message template");
  return { key, channel, locale };
}

async function storedTemplate(scope: StaffScope, t: TemplateRef): Promise<StoredTemplate | null> {
  const row = await scope.db
    .select(storedTemplateColumns)
    .from(messageTemplates)
    .where(and(eq(messageTemplates.template, t.key), eq(messageTemplates.channel, t.channel), eq(messageTemplates.locale, t.locale)))
    .get();
  return row ?? null;
}

/** The preview of a text on sample data, in the clinic's timezone, three days from now at 09:30. */
async function previewOf(c: Ctx, t: TemplateRef, text: { subject: string | null; body: string }, firstName: string): Promise<PreviewData> {
  const clinic = c.var.clinic;
  const now = Date.now();
  const day = localParts(now + 3 * 86_400_000, clinic.timezone).date;
  const at = zonedInstant(day, "09:30", clinic.timezone);
  const origin = new URL(c.req.url).origin;
  // A real signature for an appointment that does not exist: the link has its true length.
  const token = await signResponseToken(c.env, clinic, "00000000-0000-4000-8000-000000000000", at);
  const values = sampleValues(t.key, { clinicName: clinic.name, origin, token, timezone: clinic.timezone, locale: t.locale, at, channel: t.channel, firstName: firstName.trim() || undefined });
  const message = render({ subject: t.channel === "email" ? text.subject : null, body: text.body }, values, { channel: t.channel });
  return { message, sms: t.channel === "sms" ? smsSegments(message.body) : null };
}

function formValues(form: Record<string, string>): TemplateFormValues {
  return { subject: form.subject ?? "", body: form.body ?? "", sample_first_name: (form.sample_first_name ?? "").slice(0, 100) };
}

/** The template form as typed; whether the text may be saved is templateErrors' question (it needs the path). */
const templateForm = z.pipe(formFields, z.transform(formValues));

async function editPage(c: Ctx, t: TemplateRef, status: 200 | 422, draft?: { values: TemplateFormValues; errors: FieldErrors }, isSaved = false) {
  const scope = staffScope(c);
  const own = await storedTemplate(scope, t);
  const current = chooseTemplate(own ? [own] : [], t.key, t.channel, t.locale);
  const values = draft?.values ?? { subject: current.subject ?? "", body: current.body, sample_first_name: "" };
  const ok = !draft || Object.keys(draft.errors).length === 0;
  const preview = ok ? await previewOf(c, t, { subject: values.subject, body: values.body }, values.sample_first_name) : null;
  return page(
    c,
    "Message template",
    <TemplateEditPage
      csrfToken={c.var.csrfToken}
      templateKey={t.key}
      channel={t.channel}
      locale={t.locale}
      variables={allowedVariables(t.key, t.channel)}
      values={values}
      defaults={defaultTemplate(t.key, t.channel, t.locale)}
      custom={!!own}
      errors={draft?.errors}
      saved={isSaved}
      preview={preview}
    />,
    status,
  );
}

const TEMPLATE_PATH = "/templates/:key/:channel/:locale";

messageSettingsRoutes.get(TEMPLATE_PATH, queryInput(savedQuery), (c) => editPage(c, templateRef(c), 200, undefined, c.req.valid("query").saved));

messageSettingsRoutes.post(TEMPLATE_PATH, formInput(templateForm), async (c) => {
  const scope = staffScope(c);
  const t = templateRef(c);
  const values = c.req.valid("form");
  const subject = t.channel === "email" ? values.subject.replace(/\s+/g, " ").trim() : null;
  const body = values.body.replace(/\r\n?/g, "\n").trim();
  const errors = templateErrors(t.key, t.channel, { subject, body });
  if (t.channel === "email" && !subject) errors.subject = "Subject is required.";
  // A line break typed into the subject is refused, not quietly joined (it is one line in every mail header).
  const subjectControl = t.channel === "email" ? controlCharacterError(values.subject.trim(), "Subject") : null;
  if (subjectControl) errors.subject = subjectControl;
  if (Object.keys(errors).length) return editPage(c, t, 422, { values, errors });
  const now = Date.now();
  const set = { subject, body, updatedAt: now, updatedBy: scope.staff.id };
  const existed = !!(await storedTemplate(scope, t));
  await scope.db.batch([
    scope.db
      .insert(messageTemplates)
      .values({ id: crypto.randomUUID(), template: t.key, channel: t.channel, locale: t.locale, ...set })
      .onConflictDoUpdate({ target: [messageTemplates.template, messageTemplates.channel, messageTemplates.locale], set }),
    auditStatement(scope, {
      action: existed ? "update" : "create",
      event: "messaging.template.update",
      entityType: "message_template",
      entityId: `${t.key}/${t.channel}/${t.locale}`,
      detail: `${subject !== null ? `subject ${subject.length} and ` : ""}body ${body.length} characters`,
    }),
  ]);
  scheduleSeal(scope);
  return seeOther(c, `${templatePath(t.key, t.channel, t.locale)}?saved=1`);
});

/** The draft on sample data; writes nothing. htmx gets the preview alone, a plain form the page. */
messageSettingsRoutes.post(`${TEMPLATE_PATH}/preview`, formInput(templateForm), async (c) => {
  const t = templateRef(c);
  const values = c.req.valid("form");
  const subject = t.channel === "email" ? values.subject : null;
  const errors = templateErrors(t.key, t.channel, { subject, body: values.body });
  const ok = Object.keys(errors).length === 0;
  if (wantsFragment(c, PREVIEW_ID)) {
    const preview = ok ? await previewOf(c, t, { subject, body: values.body }, values.sample_first_name) : null;
    return fragment(c, <TemplatePreview channel={t.channel} preview={preview} />, ok ? 200 : 422);
  }
  return editPage(c, t, ok ? 200 : 422, { values, errors });
});

/** Back to the default wording: the clinic's row is deleted (audited only if there was one). */
messageSettingsRoutes.post(`${TEMPLATE_PATH}/reset`, async (c) => {
  const scope = staffScope(c);
  const t = templateRef(c);
  await scope.db.batch([
    scope.db
      .delete(messageTemplates)
      .where(and(eq(messageTemplates.template, t.key), eq(messageTemplates.channel, t.channel), eq(messageTemplates.locale, t.locale))),
    auditStatementWhere(scope, {
      action: "delete",
      event: "messaging.template.reset",
      entityType: "message_template",
      entityId: `${t.key}/${t.channel}/${t.locale}`,
      detail: "back to the default wording",
    }, sql`changes() = 1`),
  ]);
  scheduleSeal(scope);
  return seeOther(c, `${templatePath(t.key, t.channel, t.locale)}?saved=1`);
});
