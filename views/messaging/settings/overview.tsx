/** /settings/messages: the reminder schedule and quiet hours, and the list of message templates. */
import { LOCALES } from "../../../src/messaging/tables";
import { TEMPLATE_CHANNELS, TEMPLATE_INFO, TEMPLATE_KEYS, type TemplateChannel, type TemplateKey } from "../../../src/messaging/template-catalogue";
import type { FieldErrors } from "../../../src/platform/errors";
import { CsrfField, Field } from "../../components/form";
import { DataTable, RowActions } from "../../components/table";
import { CheckField, ErrorSummary, SavedNotice, TypedField } from "../../scheduling/setup/parts";

/** Where the message settings live; every link and form action starts here. */
export const MESSAGES = "/settings/messages";

export const LOCALE_NAMES: Record<string, string> = { en: "English", es: "Spanish" };
export const CHANNEL_NAMES: Record<string, string> = { email: "Email", sms: "SMS" };

export function templatePath(key: string, channel: string, locale: string): string {
  return `${MESSAGES}/templates/${encodeURIComponent(key)}/${channel}/${locale}`;
}

export type ReminderFormValues = Record<string, string | undefined>;

export interface TemplateRow {
  key: TemplateKey;
  channel: TemplateChannel;
  locale: string;
  custom: boolean;
  updatedAt: number | null;
}

/** Every template key, channel and language, marked when the clinic has its own wording. */
export function templateRows(custom: { template: string; channel: string; locale: string; updatedAt: number }[]): TemplateRow[] {
  const rows: TemplateRow[] = [];
  for (const key of TEMPLATE_KEYS) {
    for (const channel of TEMPLATE_CHANNELS) {
      for (const locale of LOCALES) {
        const own = custom.find((c) => c.template === key && c.channel === channel && c.locale === locale);
        rows.push({ key, channel, locale, custom: !!own, updatedAt: own?.updatedAt ?? null });
      }
    }
  }
  return rows;
}

export function MessageSettingsPage(p: {
  csrfToken: string;
  values: ReminderFormValues;
  errors?: FieldErrors;
  saved?: boolean;
  templates: TemplateRow[];
}) {
  const v = p.values;
  const e = p.errors ?? {};
  return (
    <>
      <p class="crumb">
        <a href="/settings/scheduling">← Scheduling setup</a>
      </p>
      <h1>Patient messages</h1>
      <SavedNotice saved={p.saved} />
      <section class="card" aria-labelledby="reminders-h">
        <h2 id="reminders-h">Reminder schedule</h2>
        <p class="hint">
          Hours are real hours before the start of the visit (across a daylight-saving change, 24 hours before 9:00 can be 8:00 or 10:00
          the day before). Leave a field empty to send no such reminder. Patients' consent, opt-out and preferred channel are always respected.
        </p>
        <form method="post" action={`${MESSAGES}/reminders`} novalidate>
          <CsrfField token={p.csrfToken} />
          <ErrorSummary errors={p.errors} />
          <CheckField name="enabled" label="Send appointment reminders" checked={v.enabled === "1"} error={e.enabled} />
          <div class="grid">
            <Field name="email_hours_before" label="Email reminder (hours before)" type="number" value={v.email_hours_before} error={e.email_hours_before} hint="1 to 336; default 72" />
            <Field name="sms_hours_before" label="SMS reminder (hours before)" type="number" value={v.sms_hours_before} error={e.sms_hours_before} hint="1 to 168; default 24" />
            <Field name="sms2_hours_before" label="Short-notice SMS (hours before)" type="number" value={v.sms2_hours_before} error={e.sms2_hours_before} hint="Optional, e.g. 2; fewer hours than the SMS reminder" />
          </div>
          <h3>Quiet hours for SMS</h3>
          <p class="hint">In each location's timezone. An SMS due in these hours waits until they end; email is not held.</p>
          <div class="grid">
            <TypedField name="quiet_start" label="From" type="time" value={v.quiet_start} error={e.quiet_start} required />
            <TypedField name="quiet_end" label="Until" type="time" value={v.quiet_end} error={e.quiet_end} required />
          </div>
          <div class="actions">
            <button type="submit">Save reminder schedule</button>
          </div>
        </form>
      </section>
      <section aria-labelledby="templates-h">
        <h2 id="templates-h">Message templates</h2>
        <p class="hint">The wording of each message, per channel and language. A clinic's own wording replaces the default.</p>
        <DataTable
          class="dense templates"
          caption="Message templates"
          captionHidden
          rows={p.templates}
          rowKey={(t) => `${t.key}/${t.channel}/${t.locale}`}
          columns={[
            { header: "Message", cell: (t) => TEMPLATE_INFO[t.key].label },
            { header: "Channel", cell: (t) => CHANNEL_NAMES[t.channel] },
            { header: "Language", cell: (t) => LOCALE_NAMES[t.locale] ?? t.locale },
            { header: "Wording", cell: (t) => (t.custom ? <span class="tag">Clinic's own</span> : <span class="tag off">Default</span>) },
            {
              header: <span class="skip">Actions</span>,
              cell: (t) => (
                <RowActions
                  actions={[
                    {
                      href: templatePath(t.key, t.channel, t.locale),
                      label: "Edit",
                      detail: `${TEMPLATE_INFO[t.key].label}, ${CHANNEL_NAMES[t.channel]}, ${LOCALE_NAMES[t.locale] ?? t.locale}`,
                    },
                  ]}
                />
              ),
            },
          ]}
        />
      </section>
    </>
  );
}
