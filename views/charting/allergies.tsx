/** Allergies: the list with its add form, and the edit form. */
import type { Allergy } from "../../src/charting/allergies";
import type { EditViewProps, ListViewProps } from "../../src/charting/record-routes";
import { ALLERGY_CATEGORIES, ALLERGY_SEVERITIES } from "../../src/charting/schema";
import { ALLERGY_FORM_STATUSES } from "../../src/charting/schemas";
import type { FieldErrors } from "../../src/platform/errors";
import { CsrfField, Field, SelectField } from "../components/form";
import { formatDate } from "../components/format";
import { ButtonForm, Empty, FormProblems, label, options, Section, TextAreaField } from "./parts";

export const ALLERGY_FIELDS = ["substance", "category", "reaction", "severity", "status", "onset_date", "note"] as const;

export function allergyToForm(r: Allergy): Record<string, string> {
  return { substance: r.substance, category: r.category, reaction: r.reaction ?? "", severity: r.severity, status: r.status === "entered_in_error" ? "inactive" : r.status, onset_date: r.onsetDate ?? "", note: r.note ?? "" };
}

function AllergyForm(p: { action: string; csrf: string; values: Record<string, string>; errors?: FieldErrors; conflict?: string | null; version?: number | null; submitLabel: string; cancelHref: string }) {
  const v = p.values;
  const e = p.errors ?? {};
  return (
    <form method="post" action={p.action} novalidate>
      <CsrfField token={p.csrf} />
      {p.version != null && <input type="hidden" name="version" value={String(p.version)} />}
      <FormProblems errors={e} conflict={p.conflict} />
      <div class="grid">
        <Field name="substance" label="Substance" value={v.substance} error={e.substance} required maxLength={200} hint="Drug, food or agent, e.g. Penicillin" />
        <SelectField name="category" label="Category" value={v.category || "medication"} error={e.category} options={options(ALLERGY_CATEGORIES)} />
        <Field name="reaction" label="Reaction" value={v.reaction} error={e.reaction} maxLength={200} hint="e.g. Hives, anaphylaxis" />
        <SelectField name="severity" label="Severity" value={v.severity || "unknown"} error={e.severity} options={options(ALLERGY_SEVERITIES)} />
        <SelectField name="status" label="Status" value={v.status || "active"} error={e.status} options={options(ALLERGY_FORM_STATUSES)} />
        <Field name="onset_date" label="Onset date" type="date" value={v.onset_date} error={e.onset_date} />
      </div>
      <TextAreaField name="note" label="Note" value={v.note} error={e.note} rows={2} maxLength={1000} />
      <div class="actions">
        <button type="submit">{p.submitLabel}</button>
        <a href={p.cancelHref}>Cancel</a>
      </div>
    </form>
  );
}

export function AllergiesPage(p: ListViewProps<Allergy>) {
  const base = `/patients/${p.pid}/chart/allergies`;
  return (
    <>
      {p.saved && <p class="alert ok" role="status">Saved.</p>}
      <Section id="allergies" title="Allergies and intolerances">
        {p.rows.length ? (
          <div class="table-wrap">
            <table class="dense">
              <thead>
                <tr>
                  <th scope="col">Substance</th>
                  <th scope="col">Category</th>
                  <th scope="col">Reaction</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Status</th>
                  <th scope="col">Onset</th>
                  {p.canWrite && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {p.rows.map((r) => (
                  <tr class={r.status === "entered_in_error" ? "in-error" : undefined}>
                    <td>
                      <strong>{r.substance}</strong>
                      {r.note && <div class="hint">{r.note}</div>}
                    </td>
                    <td>{label(r.category)}</td>
                    <td>{r.reaction ?? "—"}</td>
                    <td class={`sev sev-${r.severity}`}>{label(r.severity)}</td>
                    <td>{label(r.status)}</td>
                    <td class="nowrap">{r.onsetDate ? formatDate(r.onsetDate) : "—"}</td>
                    {p.canWrite && (
                      <td class="row-actions">
                        {r.status !== "entered_in_error" && (
                          <>
                            <a href={`${base}/${r.id}/edit`}>Edit</a>
                            <ButtonForm action={`${base}/${r.id}/error`} csrf={p.csrf} label="Entered in error" fields={{ version: r.version }} />
                          </>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <Empty>No allergies recorded.</Empty>
        )}
      </Section>
      {p.canWrite && (
        <Section id="add-allergy" title="Add an allergy">
          <AllergyForm action={base} csrf={p.csrf} values={p.values} errors={p.errors} submitLabel="Add allergy" cancelHref={base} />
        </Section>
      )}
    </>
  );
}

export function EditAllergyPage(p: EditViewProps) {
  const base = `/patients/${p.pid}/chart/allergies`;
  return (
    <Section id="edit-allergy" title="Edit allergy">
      <AllergyForm action={`${base}/${p.id}`} csrf={p.csrf} version={p.version} values={p.values} errors={p.errors} conflict={p.conflict} submitLabel="Save allergy" cancelHref={base} />
    </Section>
  );
}
