/** Clinic holidays: upcoming days the clinic (or one location) is closed. */
import type { FieldErrors } from "../../../src/platform/errors";
import type { Holiday, Location } from "../../../src/scheduling/setup/repo";
import type { FormValues } from "../../../src/scheduling/setup/input";
import { CsrfField, Field, PostButton, SelectField } from "../../components/form";
import { formatDate } from "../../components/format";
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
      {p.holidays.length === 0 ? (
        <p class="muted">No upcoming holidays.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Holiday</th>
                <th scope="col">Closed</th>
                <th scope="col">
                  <span class="skip">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {p.holidays.map((h) => (
                <tr>
                  <td class="nowrap">{formatDate(h.date)}</td>
                  <td>{h.name}</td>
                  <td>{nameOf(h.locationId)}</td>
                  <td>
                    <PostButton action={`${SETUP}/holidays/${h.id}/delete`} csrfToken={p.csrfToken} label="Delete" detail={h.name} look="danger" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
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
