/** Immunizations: the list with its add form (vaccine picked by CVX code), and the edit form. */
import { CVX_VACCINES } from "../../src/charting/cvx";
import type { Immunization } from "../../src/charting/immunizations";
import { VACCINE_ROUTES } from "../../src/charting/input";
import { Field, SelectField } from "../components/form";
import { formatDate } from "../components/format";
import { DataTable } from "../components/table";
import { type EditViewProps, label, type ListViewProps, recordActionsColumn, RecordForm, type RecordFormProps, Section } from "./parts";

export const IMMUNIZATION_FIELDS = ["cvx_code", "administered_on", "lot_number", "manufacturer", "site", "route", "dose_number", "note"] as const;

const ROUTE_LABELS: Record<string, string> = { IM: "Intramuscular (IM)", SC: "Subcutaneous (SC)", ID: "Intradermal (ID)", IN: "Intranasal (IN)", PO: "By mouth (PO)" };

export function immunizationToForm(r: Immunization): Record<string, string> {
  return {
    cvx_code: r.cvxCode,
    administered_on: r.administeredOn,
    lot_number: r.lotNumber ?? "",
    manufacturer: r.manufacturer ?? "",
    site: r.site ?? "",
    route: r.route ?? "",
    dose_number: r.doseNumber === null ? "" : String(r.doseNumber),
    note: r.note ?? "",
  };
}

/** No version: the table has none, so an edit is last-save-wins. */
function ImmunizationForm(p: Omit<RecordFormProps, "version">) {
  const v = p.values;
  const e = p.errors ?? {};
  return (
    <RecordForm {...p}>
      <div class="grid">
        <SelectField
          name="cvx_code"
          label="Vaccine (CVX)"
          value={v.cvx_code}
          error={e.cvx_code}
          required
          options={[{ value: "", label: "Choose…" }, ...CVX_VACCINES.map((x) => ({ value: x.code, label: `${x.name} — CVX ${x.code}` }))]}
        />
        <Field name="administered_on" label="Date given" type="date" value={v.administered_on} error={e.administered_on} required />
        <Field name="lot_number" label="Lot number" value={v.lot_number} error={e.lot_number} maxLength={50} />
        <Field name="manufacturer" label="Manufacturer" value={v.manufacturer} error={e.manufacturer} maxLength={100} />
        <Field name="site" label="Site" value={v.site} error={e.site} maxLength={50} hint="e.g. Left deltoid" />
        <SelectField name="route" label="Route" value={v.route} error={e.route} options={[{ value: "", label: "—" }, ...VACCINE_ROUTES.map((r) => ({ value: r, label: ROUTE_LABELS[r] ?? r }))]} />
        <Field name="dose_number" label="Dose number" inputmode="numeric" value={v.dose_number} error={e.dose_number} hint="In the series, 1–10" />
      </div>
    </RecordForm>
  );
}

export function ImmunizationsPage(p: ListViewProps<Immunization>) {
  const base = `/patients/${p.pid}/chart/immunizations`;
  return (
    <>
      {p.saved && <p class="alert ok" role="status">Saved.</p>}
      <Section id="immunizations" title="Immunizations">
        <DataTable
          class="dense"
          rows={p.rows}
          rowKey={(r) => r.id}
          empty="No immunizations recorded."
          rowClass={(r) => (r.status === "entered_in_error" ? "in-error" : undefined)}
          columns={[
            { header: "Date", class: "nowrap", cell: (r) => formatDate(r.administeredOn) },
            {
              header: "Vaccine",
              cell: (r) => (
                <>
                  {r.vaccine} <span class="hint">CVX {r.cvxCode}</span>
                  {r.status === "entered_in_error" && <div class="hint">{label(r.status)}</div>}
                  {r.note && <div class="hint">{r.note}</div>}
                </>
              ),
            },
            { header: "Dose", cell: (r) => r.doseNumber ?? "—" },
            { header: "Lot · manufacturer", cell: (r) => [r.lotNumber, r.manufacturer].filter(Boolean).join(" · ") || "—" },
            { header: "Site · route", cell: (r) => [r.site, r.route].filter(Boolean).join(" · ") || "—" },
            recordActionsColumn({ base, csrf: p.csrf, canWrite: p.canWrite }),
          ]}
        />
      </Section>
      {p.canWrite && (
        <Section id="add-immunization" title="Record an immunization">
          <ImmunizationForm action={base} csrf={p.csrf} values={p.values} errors={p.errors} submitLabel="Record immunization" cancelHref={base} />
        </Section>
      )}
    </>
  );
}

export function EditImmunizationPage(p: EditViewProps) {
  const base = `/patients/${p.pid}/chart/immunizations`;
  return (
    <Section id="edit-immunization" title="Edit immunization">
      <ImmunizationForm action={`${base}/${p.id}`} csrf={p.csrf} values={p.values} errors={p.errors} conflict={p.conflict} submitLabel="Save immunization" cancelHref={base} />
    </Section>
  );
}
