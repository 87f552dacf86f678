/** Allergies: the list with its add form, and the edit form. */
import type { Allergy } from "../../src/charting/allergies";
import { ALLERGY_CATEGORIES, ALLERGY_SEVERITIES } from "../../src/charting/tables";
import { ALLERGY_FORM_STATUSES } from "../../src/charting/input";
import { Field, SelectField } from "../components/form";
import { formatDate } from "../components/format";
import { DataTable } from "../components/table";
import { type EditViewProps, label, type ListViewProps, options, recordActionsColumn, RecordForm, type RecordFormProps, Section } from "./parts";

export const ALLERGY_FIELDS = ["substance", "category", "reaction", "severity", "status", "onset_date", "note"] as const;

export function allergyToForm(r: Allergy): Record<string, string> {
  return { substance: r.substance, category: r.category, reaction: r.reaction ?? "", severity: r.severity, status: r.status === "entered_in_error" ? "inactive" : r.status, onset_date: r.onsetDate ?? "", note: r.note ?? "" };
}

function AllergyForm(p: RecordFormProps) {
  const v = p.values;
  const e = p.errors ?? {};
  return (
    <RecordForm {...p}>
      <div class="grid">
        <Field name="substance" label="Substance" value={v.substance} error={e.substance} required maxLength={200} hint="Drug, food or agent, e.g. Penicillin" />
        <SelectField name="category" label="Category" value={v.category || "medication"} error={e.category} options={options(ALLERGY_CATEGORIES)} />
        <Field name="reaction" label="Reaction" value={v.reaction} error={e.reaction} maxLength={200} hint="e.g. Hives, anaphylaxis" />
        <SelectField name="severity" label="Severity" value={v.severity || "unknown"} error={e.severity} options={options(ALLERGY_SEVERITIES)} />
        <SelectField name="status" label="Status" value={v.status || "active"} error={e.status} options={options(ALLERGY_FORM_STATUSES)} />
        <Field name="onset_date" label="Onset date" type="date" value={v.onset_date} error={e.onset_date} />
      </div>
    </RecordForm>
  );
}

export function AllergiesPage(p: ListViewProps<Allergy>) {
  const base = `/patients/${p.pid}/chart/allergies`;
  return (
    <>
      {p.saved && <p class="alert ok" role="status">Saved.</p>}
      <Section id="allergies" title="Allergies and intolerances">
        <DataTable
          class="dense"
          rows={p.rows}
          rowKey={(r) => r.id}
          empty="No allergies recorded."
          rowClass={(r) => (r.status === "entered_in_error" ? "in-error" : undefined)}
          columns={[
            {
              header: "Substance",
              cell: (r) => (
                <>
                  <strong>{r.substance}</strong>
                  {r.note && <div class="hint">{r.note}</div>}
                </>
              ),
            },
            { header: "Category", cell: (r) => label(r.category) },
            { header: "Reaction", cell: (r) => r.reaction ?? "—" },
            { header: "Severity", cell: (r) => label(r.severity), cellAttrs: (r) => ({ class: `sev sev-${r.severity}` }) },
            { header: "Status", cell: (r) => label(r.status) },
            { header: "Onset", class: "nowrap", cell: (r) => (r.onsetDate ? formatDate(r.onsetDate) : "—") },
            recordActionsColumn<Allergy>({ base, csrf: p.csrf, canWrite: p.canWrite, version: (r) => r.version }),
          ]}
        />
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
