/** The medication list (active, then stopped), its add form, the edit form and the stop form. */
import type { Medication } from "../../src/charting/medications";
import { MEDICATION_FORM_STATUSES } from "../../src/charting/input";
import { CsrfField, Field, SelectField } from "../components/form";
import { formatDate } from "../components/format";
import { DataTable } from "../components/table";
import { type EditViewProps, label, type ListViewProps, options, recordActionsColumn, RecordForm, type RecordFormProps, Section } from "./parts";

export const MEDICATION_FIELDS = ["name", "dose", "route", "frequency", "start_date", "stop_date", "status", "stop_reason", "prescriber", "note"] as const;

export function medicationToForm(r: Medication): Record<string, string> {
  return {
    name: r.name,
    dose: r.dose ?? "",
    route: r.route ?? "",
    frequency: r.frequency ?? "",
    start_date: r.startDate ?? "",
    stop_date: r.stopDate ?? "",
    status: r.status === "entered_in_error" ? "stopped" : r.status,
    stop_reason: r.stopReason ?? "",
    prescriber: r.prescriber ?? "",
    note: r.note ?? "",
  };
}

function MedicationForm(p: RecordFormProps) {
  const v = p.values;
  const e = p.errors ?? {};
  return (
    <RecordForm {...p}>
      <div class="grid">
        <Field name="name" label="Medication" value={v.name} error={e.name} required maxLength={200} hint="Name and strength, e.g. Metformin 500 mg tablet" />
        <Field name="dose" label="Dose" value={v.dose} error={e.dose} maxLength={100} hint="e.g. 1 tablet" />
        <Field name="route" label="Route" value={v.route} error={e.route} maxLength={50} hint="e.g. by mouth" />
        <Field name="frequency" label="Frequency" value={v.frequency} error={e.frequency} maxLength={100} hint="e.g. twice daily" />
        <Field name="start_date" label="Start date" type="date" value={v.start_date} error={e.start_date} />
        <Field name="prescriber" label="Prescriber" value={v.prescriber} error={e.prescriber} maxLength={200} />
        <SelectField name="status" label="Status" value={v.status || "active"} error={e.status} options={options(MEDICATION_FORM_STATUSES)} />
        <Field name="stop_date" label="Stop date" type="date" value={v.stop_date} error={e.stop_date} />
        <Field name="stop_reason" label="Stop reason" value={v.stop_reason} error={e.stop_reason} maxLength={300} hint="Required when stopped" />
      </div>
    </RecordForm>
  );
}

/** Stop with a reason, inline in the row (the date defaults to today). */
function StopForm(p: { action: string; csrf: string; version: number; id: string }) {
  return (
    <details class="inline-details">
      <summary>Stop</summary>
      <form method="post" action={p.action} class="stack">
        <CsrfField token={p.csrf} />
        <input type="hidden" name="version" value={String(p.version)} />
        <label for={`stop-${p.id}`}>Reason</label>
        <input id={`stop-${p.id}`} name="stop_reason" required maxLength={300} />
        <label for={`stopd-${p.id}`}>Stop date</label>
        <input id={`stopd-${p.id}`} name="stop_date" type="date" />
        <button type="submit">Stop medication</button>
      </form>
    </details>
  );
}

export function MedicationsPage(p: ListViewProps<Medication>) {
  const base = `/patients/${p.pid}/chart/medications`;
  return (
    <>
      {p.saved && <p class="alert ok" role="status">Saved.</p>}
      <Section id="medications" title="Medications">
        <DataTable
          class="dense"
          rows={p.rows}
          rowKey={(r) => r.id}
          empty="No medications recorded."
          rowClass={(r) => (r.status === "entered_in_error" ? "in-error" : r.status === "stopped" ? "stopped" : undefined)}
          columns={[
            {
              header: "Medication",
              cell: (r) => (
                <>
                  <strong>{r.name}</strong>
                  {r.source === "prescription" && <span class="hint"> (prescribed here)</span>}
                  {r.note && <div class="hint">{r.note}</div>}
                </>
              ),
            },
            { header: "Dose · route · frequency", cell: (r) => [r.dose, r.route, r.frequency].filter(Boolean).join(" · ") || "—" },
            { header: "Started", class: "nowrap", cell: (r) => (r.startDate ? formatDate(r.startDate) : "—") },
            {
              header: "Status",
              cell: (r) => (
                <>
                  {label(r.status)}
                  {r.status === "stopped" && (
                    <div class="hint">
                      {r.stopDate ? formatDate(r.stopDate) : ""} {r.stopReason}
                    </div>
                  )}
                </>
              ),
            },
            { header: "Prescriber", cell: (r) => r.prescriber ?? "—" },
            recordActionsColumn<Medication>({
              base,
              csrf: p.csrf,
              canWrite: p.canWrite,
              version: (r) => r.version,
              extra: (r) => r.status === "active" && <StopForm action={`${base}/${r.id}/stop`} csrf={p.csrf} version={r.version} id={r.id} />,
            }),
          ]}
        />
      </Section>
      {p.canWrite && (
        <Section id="add-medication" title="Add a medication">
          <MedicationForm action={base} csrf={p.csrf} values={p.values} errors={p.errors} submitLabel="Add medication" cancelHref={base} />
        </Section>
      )}
    </>
  );
}

export function EditMedicationPage(p: EditViewProps) {
  const base = `/patients/${p.pid}/chart/medications`;
  return (
    <Section id="edit-medication" title="Edit medication">
      <MedicationForm action={`${base}/${p.id}`} csrf={p.csrf} version={p.version} values={p.values} errors={p.errors} conflict={p.conflict} submitLabel="Save medication" cancelHref={base} />
    </Section>
  );
}
