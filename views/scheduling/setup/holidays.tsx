/** Clinic holidays: upcoming days the clinic (or one location) is closed. */
import type { FieldErrors } from "../../../src/platform/errors";
import type { Holiday, Location } from "../../../src/scheduling/setup/repo";
import type { FormValues } from "../../../src/scheduling/setup/input";
import { CsrfField, Field, SelectField } from "../../components/form";
import { formatDate } from "../../components/format";
import { DataTable, RowActions } from "../../components/table";
import { BackLink, ErrorSummary, SavedNotice, SETUP } from "./parts";

export function HolidaysPage(p: {
  csrfToken: string;
  holidays: Holiday[];
  locations: Location[];
  values?: FormValues;
  errors?: FieldErrors;
  saved?: boolean;
}) {
  const v = p.values ?? {};
  const e = p.errors ?? {};
  const nameOf = (id: string | null) => (id ? (p.locations.find((l) => l.id === id)?.name ?? "—") : "Whole clinic");
  return (
    <>
      <BackLink />
      <h1>Clinic holidays</h1>
      <SavedNotice saved={p.saved} />
      <DataTable
        rows={p.holidays}
        rowKey={(h) => h.id}
        empty="No upcoming holidays."
        columns={[
          { header: "Date", class: "nowrap", cell: (h) => formatDate(h.date) },
          { header: "Holiday", cell: (h) => h.name },
          { header: "Closed", cell: (h) => nameOf(h.locationId) },
          {
            header: <span class="skip">Actions</span>,
            cell: (h) => <RowActions csrfToken={p.csrfToken} actions={[{ post: `${SETUP}/holidays/${h.id}/delete`, label: "Delete", detail: h.name, look: "danger" }]} />,
          },
        ]}
      />
      <section class="card" aria-labelledby="h-add-holiday">
        <h2 id="h-add-holiday">Add a holiday</h2>
        <form method="post" action={`${SETUP}/holidays`} novalidate>
          <CsrfField token={p.csrfToken} />
          <ErrorSummary errors={p.errors} />
          <div class="grid">
            <Field name="date" label="Date" type="date" value={v.date} error={e.date} required />
            <Field name="name" label="Name" value={v.name} error={e.name} required maxLength={100} hint="e.g. Thanksgiving" />
            <SelectField
              name="location_id"
              label="Closed"
              value={v.location_id}
              error={e.location_id}
              options={[{ value: "", label: "Whole clinic" }, ...p.locations.map((l) => ({ value: l.id, label: `Only ${l.name}` }))]}
            />
          </div>
          <button type="submit">Add holiday</button>
        </form>
      </section>
    </>
  );
}
