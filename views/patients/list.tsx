/** The patient list: search box (htmx active search, or a plain GET form) and the results fragment. */
import type { Patient } from "../../src/patients/repo";
import { formatPhone } from "../../src/platform/phone";
import { Alert } from "../components/form";
import { ageOn, formatDate } from "../components/format";
import { DataTable } from "../components/table";

export const RESULTS_ID = "patient-results";

/** `country` is the clinic's: its phone numbers are shown in national format. */
export function PatientResults(p: { rows: Patient[]; q: string; page: number; more: boolean; today: string; country: string }) {
  const link = (n: number) => `/patients?${new URLSearchParams({ q: p.q, page: String(n) })}`;
  return (
    <div id={RESULTS_ID} aria-live="polite">
      <p class="muted">
        {p.rows.length === 0
          ? p.q
            ? `No patient matches “${p.q}”.`
            : "No patients yet."
          : p.q
            ? `Patients matching “${p.q}”`
            : "Recently updated patients"}
      </p>
      {p.rows.length > 0 && (
        <DataTable
          rows={p.rows}
          rowKey={(r) => r.id}
          columns={[
            {
              header: "Name",
              cell: (r) => (
                <>
                  <a href={`/patients/${r.id}`}>
                    {r.familyName}, {r.givenName}
                  </a>
                  {r.preferredName && <span class="hint"> “{r.preferredName}”</span>}
                </>
              ),
            },
            {
              header: "Date of birth",
              cell: (r) => (
                <>
                  {formatDate(r.dateOfBirth)} <span class="hint">({ageOn(r.dateOfBirth, p.today)})</span>
                </>
              ),
            },
            { header: "Phone", cell: (r) => (r.phone ? formatPhone(r.phone, p.country) : "—") },
            { header: "Insurance", cell: (r) => r.insurancePayer ?? "—" },
          ]}
        />
      )}
      {(p.page > 1 || p.more) && (
        <nav class="pager" aria-label="Pages">
          {p.page > 1 && <a href={link(p.page - 1)}>Previous</a>}
          {p.more && <a href={link(p.page + 1)}>Next</a>}
        </nav>
      )}
    </div>
  );
}

/** A patient whose stored phone number could not be read as a phone number (shown to staff who can fix it). */
export interface PhoneToFix {
  id: string;
  name: string;
}

export function PatientsPage(p: {
  rows: Patient[];
  q: string;
  page: number;
  more: boolean;
  today: string;
  country: string;
  canWrite: boolean;
  notice?: string;
  phonesToFix?: PhoneToFix[];
}) {
  const fix = p.phonesToFix ?? [];
  return (
    <>
      <div class="page-head">
        <h1>Patients</h1>
        {p.canWrite && (
          <a class="button" href="/patients/new">
            New patient
          </a>
        )}
      </div>
      <form class="search" method="get" action="/patients" role="search">
        <div class="field">
          <label for="q">Search by name, date of birth or phone</label>
          <input
            id="q"
            name="q"
            type="search"
            value={p.q}
            autocomplete="off"
            placeholder="e.g. Rivera, 1984-03-12, 555 201"
            hx-get="/patients"
            hx-trigger="input changed delay:300ms, search"
            hx-target={`#${RESULTS_ID}`}
            hx-swap="outerHTML"
            hx-push-url="true"
          />
        </div>
        <button type="submit">Search</button>
      </form>
      {fix.length > 0 && (
        <Alert kind="warn">
          <p>
            {fix.length === 1 ? "One patient has a phone number" : `${fix.length} patients have phone numbers`} that could not be read as a
            phone number. Texts cannot reach them and their replies cannot be matched until it is corrected:
          </p>
          <ul>
            {fix.map((f) => (
              <li>
                <a href={`/patients/${f.id}/edit`}>{f.name}</a>
              </li>
            ))}
          </ul>
        </Alert>
      )}
      <PatientResults rows={p.rows} q={p.q} page={p.page} more={p.more} today={p.today} country={p.country} />
    </>
  );
}
