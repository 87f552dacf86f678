/** One patient's demographics. */
import type { Patient } from "../../src/patients/repo";
import { formatPhone } from "../../src/platform/phone";
import { ageOn, formatDate, formatInstant } from "../components/format";
import { SEX_OPTIONS } from "./form";
import type { SentInvitation } from "../../src/booking/invitations";

type Facts = [label: string, value: string | null | undefined][];

function FactCard({ title, facts }: { title: string; facts: Facts }) {
  const id = `h-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <dl class="facts">
        {facts.map(([label, value]) => (
          <>
            <dt>{label}</dt>
            <dd>{value || "—"}</dd>
          </>
        ))}
      </dl>
    </section>
  );
}

export function PatientDetail(p: {
  patient: Patient;
  today: string;
  timezone: string;
  /** The clinic's country: its phone numbers are shown in national format. */
  country: string;
  canWrite: boolean;
  saved?: boolean;
  /** A booking invitation the server just created (see src/booking/invitations.ts). */
  invitation?: SentInvitation;
  canSchedule?: boolean;
  csrfToken?: string;
  /** Which parts of the record the viewer may open: the clinical chart, or only the documents. */
  chartLink?: "chart" | "documents" | null;
}) {
  const r = p.patient;
  const address = [r.addressLine1, r.addressLine2, [r.city, r.region, r.postalCode].filter(Boolean).join(" "), r.country]
    .filter(Boolean)
    .join(", ");
  return (
    <>
      <div class="page-head">
        <h1>
          {r.familyName}, {r.givenName}
          {r.preferredName && <span class="hint"> “{r.preferredName}”</span>}
        </h1>
        {p.chartLink && (
          <a class="button" href={`/patients/${r.id}/${p.chartLink}`}>
            {p.chartLink === "chart" ? "Open chart" : "Documents"}
          </a>
        )}
        {p.canWrite && (
          <div class="actions">
            <a class="button secondary" href={`/patients/${r.id}/contact`}>
              Contact preferences
            </a>
            <a class="button secondary" href={`/waitlist?patient=${r.id}`}>
              Add to waitlist
            </a>
            <a class="button" href={`/patients/${r.id}/edit`}>
              Edit demographics
            </a>
          </div>
        )}
      </div>
      {p.saved && (
        <p class="alert ok" role="status">
          Saved.
        </p>
      )}
      {p.invitation && (
        <p class="alert ok" role="status">
          {p.invitation.channel
            ? `Booking invitation sent by ${p.invitation.channel === "email" ? "email" : "SMS"} to ${p.invitation.recipient}.`
            : "No email or phone number is on file, so nothing was sent: give the patient this link."}{" "}
          Link: <code>{p.invitation.link}</code>
        </p>
      )}
      {p.canSchedule && p.csrfToken && (
        <form method="post" action={`/patients/${r.id}/booking-invite`} class="actions">
          <input type="hidden" name="_csrf" value={p.csrfToken} />
          <button type="submit" class="secondary">
            Send a booking invitation
          </button>
        </form>
      )}
      <div class="cards">
        <FactCard title="Identity" facts={[
          ["Date of birth", `${formatDate(r.dateOfBirth)} (age ${ageOn(r.dateOfBirth, p.today)})`],
          ["Sex at birth", SEX_OPTIONS.find((o) => o.value === r.sexAtBirth)?.label],
          ["Gender identity", r.genderIdentity],
          ["Language", r.preferredLanguage],
        ]} />
        <FactCard title="Contact" facts={[["Phone", r.phone && formatPhone(r.phone, p.country)], ["Email", r.email], ["Address", address]]} />
        <FactCard title="Emergency contact" facts={[["Name", r.emergencyName], ["Relationship", r.emergencyRelationship], ["Phone", r.emergencyPhone && formatPhone(r.emergencyPhone, p.country)]]} />
        <FactCard title="Insurance" facts={[["Payer", r.insurancePayer], ["Member id", r.insuranceMemberId], ["Group", r.insuranceGroup]]} />
      </div>
      <p class="hint">Last updated {formatInstant(r.updatedAt, p.timezone)}.</p>
    </>
  );
}
