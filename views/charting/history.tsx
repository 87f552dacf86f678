/** The history form: medical, surgical, family and social history in one version-checked form. */
import type { History } from "../../src/charting/history";
import { SMOKING_STATUSES } from "../../src/charting/tables";
import type { FieldErrors } from "../../src/platform/errors";
import { CsrfField, Field, SelectField, TextAreaField } from "../components/form";
import { FormProblems, Section } from "./parts";

export const HISTORY_FIELDS = ["medical", "surgical", "family", "smoking_status", "alcohol_use", "occupation", "social_note"] as const;

const SMOKING_LABELS: Record<(typeof SMOKING_STATUSES)[number], string> = {
  never: "Never smoked",
  former: "Former smoker",
  current_every_day: "Current every-day smoker",
  current_some_day: "Current some-day smoker",
  unknown: "Unknown",
};

export function historyToForm(h: History | null): Record<string, string> {
  return {
    medical: h?.medical ?? "",
    surgical: h?.surgical ?? "",
    family: h?.family ?? "",
    smoking_status: h?.smokingStatus ?? "unknown",
    alcohol_use: h?.alcoholUse ?? "",
    occupation: h?.occupation ?? "",
    social_note: h?.socialNote ?? "",
  };
}

export function HistoryPage(p: {
  pid: string;
  csrf: string;
  canWrite: boolean;
  version: number;
  values: Record<string, string>;
  errors?: FieldErrors;
  conflict?: string | null;
  saved?: boolean;
  updated?: string | null;
}) {
  const v = p.values;
  const e = p.errors ?? {};
  return (
    <Section id="history" title="History">
      {p.saved && <p class="alert ok" role="status">Saved.</p>}
      {p.updated && <p class="hint">Last updated {p.updated}.</p>}
      <form method="post" action={`/patients/${p.pid}/chart/history`} novalidate>
        <CsrfField token={p.csrf} />
        <input type="hidden" name="version" value={String(p.version)} />
        <FormProblems errors={e} conflict={p.conflict} />
        <fieldset disabled={!p.canWrite}>
          <legend>Medical, surgical and family history</legend>
          <TextAreaField name="medical" label="Past medical history" value={v.medical} error={e.medical} rows={4} maxLength={4000} />
          <TextAreaField name="surgical" label="Surgical history" value={v.surgical} error={e.surgical} rows={3} maxLength={4000} />
          <TextAreaField name="family" label="Family history" value={v.family} error={e.family} rows={3} maxLength={4000} />
        </fieldset>
        <fieldset disabled={!p.canWrite}>
          <legend>Social history</legend>
          <div class="grid">
            <SelectField name="smoking_status" label="Smoking status" value={v.smoking_status} error={e.smoking_status} options={SMOKING_STATUSES.map((s) => ({ value: s, label: SMOKING_LABELS[s] }))} />
            <Field name="alcohol_use" label="Alcohol use" value={v.alcohol_use} error={e.alcohol_use} maxLength={200} hint="e.g. 2 drinks a week" />
            <Field name="occupation" label="Occupation" value={v.occupation} error={e.occupation} maxLength={200} />
          </div>
          <TextAreaField name="social_note" label="Social history note" value={v.social_note} error={e.social_note} rows={3} maxLength={2000} hint="Living situation, exercise, diet, substances" />
        </fieldset>
        {p.canWrite && <button type="submit">Save history</button>}
      </form>
    </Section>
  );
}
