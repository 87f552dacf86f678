/** Locations: the add and edit form, and a location's page with its rooms and equipment. */
import type { FieldErrors } from "../../../src/platform/errors";
import type { Location, Resource } from "../../../src/scheduling/setup/repo";
import type { FormValues } from "../../../src/scheduling/setup/input";
import { CsrfField, Field, PostButton, SelectField } from "../../components/form";
import { DataTable, RowActions } from "../../components/table";
import { BackLink, ErrorSummary, SavedNotice, SETUP, StatusTag } from "./parts";

export function locationToForm(l: Location): FormValues {
  return {
    name: l.name,
    address_line1: l.addressLine1,
    city: l.city,
    region: l.region,
    postal_code: l.postalCode,
    phone: l.phone,
    timezone: l.timezone,
  };
}

export function LocationForm(p: { csrfToken: string; action: string; values: FormValues; errors?: FieldErrors; submitLabel: string }) {
  const v = p.values;
  const e = p.errors ?? {};
  return (
    <form method="post" action={p.action} novalidate>
      <CsrfField token={p.csrfToken} />
      <ErrorSummary errors={p.errors} />
      <div class="grid">
        <Field name="name" label="Name" value={v.name} error={e.name} required maxLength={100} hint="As patients know it, e.g. Main Street" />
        <Field name="timezone" label="Timezone" value={v.timezone} error={e.timezone} required hint="IANA name, e.g. America/New_York" />
        <Field name="address_line1" label="Address" value={v.address_line1} error={e.address_line1} />
        <Field name="city" label="City" value={v.city} error={e.city} />
        <Field name="region" label="State or region" value={v.region} error={e.region} />
        <Field name="postal_code" label="Postal code" value={v.postal_code} error={e.postal_code} />
        <Field name="phone" label="Phone" type="tel" inputmode="tel" value={v.phone} error={e.phone} />
      </div>
      <div class="actions">
        <button type="submit">{p.submitLabel}</button>
        <a href={SETUP}>Cancel</a>
      </div>
    </form>
  );
}

export function NewLocationPage(p: { csrfToken: string; values: FormValues; errors?: FieldErrors }) {
  return (
    <>
      <BackLink />
      <h1>New location</h1>
      <LocationForm csrfToken={p.csrfToken} action={`${SETUP}/locations`} values={p.values} errors={p.errors} submitLabel="Add location" />
    </>
  );
}

const KIND_OPTIONS = [
  { value: "room", label: "Room" },
  { value: "equipment", label: "Equipment" },
];

export interface LocationPageProps {
  csrfToken: string;
  location: Location;
  resources: Resource[];
  /** The edit form as typed, after a failed save. */
  values?: FormValues;
  errors?: FieldErrors;
  resourceValues?: FormValues;
  resourceErrors?: FieldErrors;
  saved?: boolean;
}

export function LocationPage(p: LocationPageProps) {
  const l = p.location;
  const base = `${SETUP}/locations/${l.id}`;
  const rv = p.resourceValues ?? {};
  const re = p.resourceErrors ?? {};
  return (
    <>
      <BackLink />
      <div class="page-head">
        <h1>{l.name}</h1>
        <div class="actions">
          <StatusTag active={l.active} />
          <PostButton
            action={`${base}/active`}
            csrfToken={p.csrfToken}
            fields={{ active: l.active ? "0" : "1" }}
            label={l.active ? "Deactivate location" : "Activate location"}
          />
        </div>
      </div>
      <SavedNotice saved={p.saved} />
      <section class="card" aria-labelledby="h-details">
        <h2 id="h-details">Details</h2>
        <LocationForm csrfToken={p.csrfToken} action={base} values={p.values ?? locationToForm(l)} errors={p.errors} submitLabel="Save location" />
      </section>
      <section class="card" aria-labelledby="h-resources">
        <h2 id="h-resources">Rooms and equipment</h2>
        <DataTable
          rows={p.resources}
          rowKey={(r) => r.id}
          empty="No rooms or equipment yet."
          columns={[
            { header: "Name", cell: (r) => r.name },
            { header: "Kind", cell: (r) => (r.kind === "room" ? "Room" : "Equipment") },
            {
              header: "Status",
              class: "actions",
              cell: (r) => (
                <>
                  <StatusTag active={r.active} />
                  <RowActions
                    csrfToken={p.csrfToken}
                    actions={[{ post: `${SETUP}/resources/${r.id}/active`, fields: { active: r.active ? "0" : "1" }, label: r.active ? "Deactivate" : "Activate", detail: r.name }]}
                  />
                </>
              ),
            },
          ]}
        />
        <h3>Add a room or equipment</h3>
        <form method="post" action={`${base}/resources`} novalidate>
          <CsrfField token={p.csrfToken} />
          <ErrorSummary errors={p.resourceErrors} />
          <div class="grid">
            <Field name="resource_name" label="Name" value={rv.resource_name} error={re.resource_name} required maxLength={100} hint="e.g. Exam room 2, Ultrasound" />
            <SelectField name="resource_kind" label="Kind" value={rv.resource_kind ?? "room"} error={re.resource_kind} options={KIND_OPTIONS} required />
          </div>
          <button type="submit">Add</button>
        </form>
      </section>
    </>
  );
}
