/** One patient's contact preferences: consent per channel, preferred channel, language, SMS opt-out. */
import type { FieldErrors } from "../../src/platform/errors";
import { Alert, CsrfField, SelectField } from "../components/form";
import { formatInstant } from "../components/format";
import { CheckField, ErrorSummary, SavedNotice } from "../scheduling/setup/parts";

export interface ContactPrefsView {
  patientId: string;
  name: string;
  email: string | null;
  phone: string | null;
  /** When the patient replied STOP; null if they did not. */
  smsOptedOutAt: number | null;
}

export type ContactFormValues = Record<string, string | undefined>;

export const PREFERRED_CHANNELS = [
  { value: "both", label: "Email and SMS" },
  { value: "email", label: "Email only" },
  { value: "sms", label: "SMS only" },
];

export const LANGUAGES = [
  { value: "en", label: "English" },
  { value: "es", label: "Spanish (español)" },
];

export function ContactPrefsPage(p: {
  csrfToken: string;
  patient: ContactPrefsView;
  values: ContactFormValues;
  errors?: FieldErrors;
  saved?: boolean;
  timezone: string;
}) {
  const v = p.values;
  const e = p.errors ?? {};
  const r = p.patient;
  return (
    <>
      <p class="crumb">
        <a href={`/patients/${encodeURIComponent(r.patientId)}`}>← {r.name}</a>
      </p>
      <h1>Contact preferences</h1>
      <p class="hint">How {r.name} receives reminders and other messages from the clinic.</p>
      <SavedNotice saved={p.saved} />
      {r.smsOptedOutAt !== null ? (
        <Alert kind="warn">
          Opted out of SMS on {formatInstant(r.smsOptedOutAt, p.timezone)} (replied STOP). No SMS is sent until the patient texts START to
          the clinic's number; staff cannot opt them back in.
        </Alert>
      ) : (
        <p class="muted">SMS opt-out: not opted out.</p>
      )}
      <form method="post" action={`/patients/${encodeURIComponent(r.patientId)}/contact`} novalidate>
        <CsrfField token={p.csrfToken} />
        <ErrorSummary errors={p.errors} />
        <fieldset class="checks">
          <legend>Consent</legend>
          <CheckField
            name="email_consent"
            label="Email"
            checked={v.email_consent === "1"}
            error={e.email_consent}
            hint={r.email ? `To ${r.email}` : "No email address on file."}
          />
          <CheckField
            name="sms_consent"
            label="SMS"
            checked={v.sms_consent === "1"}
            error={e.sms_consent}
            hint={r.phone ? `To ${r.phone}` : "No phone number on file."}
          />
        </fieldset>
        <div class="grid">
          <SelectField name="preferred_channel" label="Preferred channel" value={v.preferred_channel} error={e.preferred_channel} options={PREFERRED_CHANNELS} required />
          <SelectField name="locale" label="Language of messages" value={v.locale} error={e.locale} options={LANGUAGES} required />
        </div>
        <div class="actions">
          <button type="submit">Save contact preferences</button>
          <a href={`/patients/${encodeURIComponent(r.patientId)}`}>Cancel</a>
        </div>
      </form>
    </>
  );
}
