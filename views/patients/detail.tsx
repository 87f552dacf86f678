/** One patient's demographics. */
import type { Patient } from "../../src/patients/repo";
import { ageOn, formatDate, formatInstant } from "../components/format";
import { SEX_OPTIONS } from "./form";

function Fact({ label, value }: { label: string; value: string | null | undefined }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value || "—"}</dd>
    </>
  );
}

export function PatientDetail(p: { patient: Patient; today: string; timezone: string; canWrite: boolean; saved?: boolean }) {
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
        {p.canWrite && (
          <a class="button" href={`/patients/${r.id}/edit`}>
            Edit demographics
          </a>
        )}
      </div>
      {p.saved && (
        <p class="alert ok" role="status">
          Saved.
        </p>
      )}
      <div class="cards">
        <section class="card" aria-labelledby="h-identity">
          <h2 id="h-identity">Identity</h2>
          <dl class="facts">
            <Fact label="Date of birth" value={`${formatDate(r.dateOfBirth)} (age ${ageOn(r.dateOfBirth, p.today)})`} />
            <Fact label="Sex at birth" value={SEX_OPTIONS.find((o) => o.value === r.sexAtBirth)?.label} />
            <Fact label="Gender identity" value={r.genderIdentity} />
            <Fact label="Language" value={r.preferredLanguage} />
          </dl>
        </section>
        <section class="card" aria-labelledby="h-contact">
          <h2 id="h-contact">Contact</h2>
          <dl class="facts">
            <Fact label="Phone" value={r.phone} />
            <Fact label="Email" value={r.email} />
            <Fact label="Address" value={address} />
          </dl>
        </section>
        <section class="card" aria-labelledby="h-emergency">
          <h2 id="h-emergency">Emergency contact</h2>
          <dl class="facts">
            <Fact label="Name" value={r.emergencyName} />
            <Fact label="Relationship" value={r.emergencyRelationship} />
            <Fact label="Phone" value={r.emergencyPhone} />
          </dl>
        </section>
        <section class="card" aria-labelledby="h-insurance">
          <h2 id="h-insurance">Insurance</h2>
          <dl class="facts">
            <Fact label="Payer" value={r.insurancePayer} />
            <Fact label="Member id" value={r.insuranceMemberId} />
            <Fact label="Group" value={r.insuranceGroup} />
          </dl>
        </section>
      </div>
      <p class="hint">Last updated {formatInstant(r.updatedAt, p.timezone)}.</p>
    </>
  );
}
