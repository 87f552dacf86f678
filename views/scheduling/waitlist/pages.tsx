/** The staff waitlist page, and the public page where a patient claims an offered time. */
import type { FieldErrors } from "../../../src/platform/errors";
import { Alert, CsrfField, Field, SelectField } from "../../components/form";
import { DataTable, RowActions } from "../../components/table";
import { dayLabel, timeLabel } from "../../../src/platform/time";

export interface WaitlistRow {
  id: string;
  patientId: string;
  patientName: string;
  typeName: string;
  providerName: string | null;
  fromDate: string;
  toDate: string;
  timesOfDay: string;
  status: string;
}

const TIMES = [
  ["morning", "Mornings (before noon)"],
  ["afternoon", "Afternoons (noon to 5 pm)"],
  ["evening", "Evenings (from 5 pm)"],
] as const;

export function WaitlistPage(p: {
  csrfToken: string;
  rows: WaitlistRow[];
  canWrite: boolean;
  patient: { id: string; name: string } | null;
  types: { id: string; name: string }[];
  providers: { id: string; name: string }[];
  values: Record<string, string>;
  times: string[];
  errors?: FieldErrors;
  saved?: boolean;
}) {
  const e = p.errors ?? {};
  return (
    <>
      <h1>Waitlist</h1>
      {p.saved && <Alert kind="ok">Added to the waitlist. The patient will be offered the first matching time that opens.</Alert>}
      {p.canWrite && p.patient && (
        <section class="card" aria-labelledby="add-wait">
          <h2 id="add-wait">Add {p.patient.name}</h2>
          <form method="post" action="/waitlist" novalidate>
            <CsrfField token={p.csrfToken} />
            <input type="hidden" name="patient" value={p.patient.id} />
            <div class="grid">
              <SelectField name="type" label="Visit type" value={p.values.type} error={e.type} required options={[{ value: "", label: "Choose…" }, ...p.types.map((t) => ({ value: t.id, label: t.name }))]} />
              <SelectField name="provider" label="Provider" value={p.values.provider} error={e.provider} options={[{ value: "", label: "Any provider" }, ...p.providers.map((x) => ({ value: x.id, label: x.name }))]} />
              <Field name="from" label="From" type="date" value={p.values.from} error={e.from} required />
              <Field name="to" label="To" type="date" value={p.values.to} error={e.to} required />
            </div>
            <fieldset>
              <legend>Times of day</legend>
              {TIMES.map(([value, label]) => (
                <label class="check">
                  <input type="checkbox" name="times" value={value} checked={p.times.includes(value)} /> {label}
                </label>
              ))}
              {e.times && <div class="error">{e.times}</div>}
            </fieldset>
            <button type="submit">Add to waitlist</button>
          </form>
        </section>
      )}
      {!p.patient && p.canWrite && <p class="hint">To add someone, open their record and choose “Add to waitlist”.</p>}
      <DataTable
        rows={p.rows}
        rowKey={(r) => r.id}
        empty="Nobody is waiting."
        headWhenEmpty
        columns={[
          { header: "Patient", cell: (r) => <a href={`/patients/${r.patientId}`}>{r.patientName}</a> },
          { header: "Visit", cell: (r) => r.typeName },
          { header: "Provider", cell: (r) => r.providerName ?? "Any" },
          {
            header: "Dates",
            cell: (r) => (
              <>
                {dayLabel(r.fromDate)} – {dayLabel(r.toDate)}
              </>
            ),
          },
          { header: "Times", cell: (r) => r.timesOfDay.replace(/,/g, ", ") },
          {
            header: "Status",
            cell: (r) => (
              <>
                {r.status}
                <RowActions
                  csrfToken={p.csrfToken}
                  actions={[p.canWrite && (r.status === "waiting" || r.status === "offered") && { post: `/waitlist/${r.id}/remove`, label: "Remove", look: "link" }]}
                />
              </>
            ),
          },
        ]}
      />
    </>
  );
}

export function OfferPage(p: { csrfToken: string; token: string; when: { date: string; time: string }; providerName: string; typeName: string; open: boolean; message?: string; booked?: boolean }) {
  return (
    <div class="booking">
      <h1>{p.booked ? "You're booked" : "An earlier time opened up"}</h1>
      {p.message && <Alert kind={p.booked ? "ok" : "error"}>{p.message}</Alert>}
      <dl class="facts card">
        <dt>When</dt>
        <dd>
          {dayLabel(p.when.date)} at {timeLabel(p.when.time)}
        </dd>
        <dt>With</dt>
        <dd>{p.providerName}</dd>
        <dt>Visit</dt>
        <dd>{p.typeName}</dd>
      </dl>
      {p.open && (
        <form method="post" action="/book/offer/claim">
          <CsrfField token={p.csrfToken} />
          <input type="hidden" name="o" value={p.token} />
          <button type="submit">Claim this time</button>
          <p class="hint">It was offered to a few patients: the first to claim it gets it.</p>
        </form>
      )}
    </div>
  );
}
