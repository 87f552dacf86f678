/**
 * One message template: its edit form (subject, body), the default for comparison, and a preview
 * with sample data (SMS with its segment count). The preview is a fragment of the page: without
 * JavaScript the Preview button posts the form and the whole page comes back with it; with htmx
 * only the preview is swapped.
 */
import type { SmsCount } from "../../../src/messaging/sms-segments";
import type { TemplateChannel, TemplateKey, TemplateText, Variable } from "../../../src/messaging/template-catalogue";
import { TEMPLATE_INFO, VARIABLE_HELP } from "../../../src/messaging/template-catalogue";
import type { FieldErrors } from "../../../src/platform/errors";
import { Alert, CsrfField, Field, PostButton, TextAreaField } from "../../components/form";
import { ErrorSummary, SavedNotice } from "../../scheduling/setup/parts";
import { CHANNEL_NAMES, LOCALE_NAMES, MESSAGES, templatePath } from "./overview";

export const PREVIEW_ID = "template-preview";

export interface TemplateFormValues {
  subject: string;
  body: string;
  sample_first_name: string;
}

export interface PreviewData {
  message: TemplateText;
  sms: SmsCount | null;
}

/** The rendered sample message; for SMS, how many segments it takes. */
export function TemplatePreview(p: { channel: TemplateChannel; preview: PreviewData | null }) {
  if (!p.preview) {
    return (
      <section id={PREVIEW_ID} class="card preview" aria-live="polite">
        <h2>Preview</h2>
        <p class="muted">Fix the fields above to see a preview.</p>
      </section>
    );
  }
  const { message, sms } = p.preview;
  return (
    <section id={PREVIEW_ID} class="card preview" aria-live="polite">
      <h2>Preview with sample data</h2>
      {message.subject !== null && (
        <p>
          <strong>Subject:</strong> {message.subject}
        </p>
      )}
      <pre class="mail-body">{message.body}</pre>
      {sms && (
        <p class={sms.segments > 2 ? "sms-count over" : "sms-count"}>
          {sms.segments === 1 ? "1 SMS segment" : `${sms.segments} SMS segments`} · {sms.encoding} · {sms.length} characters
        </p>
      )}
      {sms && sms.segments > 2 && (
        <Alert kind="warn">
          This SMS is longer than two segments, and each segment is billed. Signed links alone are about 340 characters; keep the rest
          short{sms.encoding === "UCS-2" ? ", and avoid characters outside the SMS alphabet (such as á, í, ó, ú or emoji), which cut a segment to 67 characters" : ""}.
        </Alert>
      )}
    </section>
  );
}

export function TemplateEditPage(p: {
  csrfToken: string;
  templateKey: TemplateKey;
  channel: TemplateChannel;
  locale: string;
  variables: Variable[];
  values: TemplateFormValues;
  defaults: TemplateText;
  custom: boolean;
  errors?: FieldErrors;
  saved?: boolean;
  preview: PreviewData | null;
}) {
  const path = templatePath(p.templateKey, p.channel, p.locale);
  const e = p.errors ?? {};
  const title = `${TEMPLATE_INFO[p.templateKey].label}: ${CHANNEL_NAMES[p.channel]}, ${LOCALE_NAMES[p.locale] ?? p.locale}`;
  return (
    <>
      <p class="crumb">
        <a href={MESSAGES}>← Patient messages</a>
      </p>
      <h1>{title}</h1>
      <SavedNotice saved={p.saved} />
      <p>{p.custom ? "This clinic uses its own wording for this message." : "This message uses the default wording."}</p>
      <form method="post" action={path} novalidate>
        <CsrfField token={p.csrfToken} />
        <ErrorSummary errors={p.errors} />
        {p.channel === "email" && <Field name="subject" label="Subject" value={p.values.subject} error={e.subject} required maxLength={200} />}
        <TextAreaField
          name="body"
          label={p.channel === "sms" ? "Message" : "Body"}
          value={p.values.body}
          error={e.body}
          rows={p.channel === "sms" ? 4 : 12}
          required
          hint={p.channel === "sms" ? "Plain text. No clinical detail: no visit type, reason or location." : "Plain text; line breaks are kept."}
        />
        <details class="vars">
          <summary>Variables you can use</summary>
          <dl class="week">
            {p.variables.map((v) => (
              <>
                <dt>
                  <code>{`{{${v}}}`}</code>
                </dt>
                <dd>{VARIABLE_HELP[v]}</dd>
              </>
            ))}
          </dl>
        </details>
        <Field name="sample_first_name" label="Sample first name (preview only)" value={p.values.sample_first_name} error={e.sample_first_name} maxLength={100} />
        <div class="actions">
          <button type="submit">Save template</button>
          <button
            type="submit"
            class="secondary"
            formaction={`${path}/preview`}
            hx-post={`${path}/preview`}
            hx-include="closest form"
            hx-target={`#${PREVIEW_ID}`}
            hx-swap="outerHTML"
          >
            Preview
          </button>
          <a href={MESSAGES}>Cancel</a>
        </div>
      </form>
      <TemplatePreview channel={p.channel} preview={p.preview} />
      <details class="card">
        <summary>Default wording</summary>
        {p.defaults.subject !== null && (
          <p>
            <strong>Subject:</strong> {p.defaults.subject}
          </p>
        )}
        <pre class="mail-body">{p.defaults.body}</pre>
        {p.custom && (
          <PostButton action={`${path}/reset`} csrfToken={p.csrfToken} label="Go back to the default wording" detail={title} look="danger" />
        )}
      </details>
    </>
  );
}
