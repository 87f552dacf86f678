/** The patient demographics form, used to register and to edit; errors sit next to their fields. */
import type { FieldErrors } from "../../src/platform/errors";
import type { Patient } from "../../src/patients/repo";
import type { PatientFormValues } from "../../src/patients/input";
import { Alert, CsrfField, Field, SelectField } from "../components/form";
import { formatPhone } from "../../src/platform/phone";
import { formatDate } from "../components/format";

export const SEX_OPTIONS = [
  { value: "", label: "Choose…" },
  { value: "female", label: "Female" },
  { value: "male", label: "Male" },
  { value: "intersex", label: "Intersex" },
  { value: "unknown", label: "Unknown / not recorded" },
];

/** A record as form values; stored E.164 phones are shown as the clinic's staff type them (`country`). */
export function patientToForm(p: Patient, country: string): PatientFormValues {
  return {
    given_name: p.givenName,
    family_name: p.familyName,
    preferred_name: p.preferredName,
    date_of_birth: p.dateOfBirth,
    sex_at_birth: p.sexAtBirth,
    gender_identity: p.genderIdentity,
    phone: p.phone && formatPhone(p.phone, country),
    email: p.email,
    address_line1: p.addressLine1,
    address_line2: p.addressLine2,
    city: p.city,
    region: p.region,
    postal_code: p.postalCode,
    country: p.country,
    preferred_language: p.preferredLanguage,
    emergency_name: p.emergencyName,
    emergency_relationship: p.emergencyRelationship,
    emergency_phone: p.emergencyPhone && formatPhone(p.emergencyPhone, country),
    insurance_payer: p.insurancePayer,
    insurance_member_id: p.insuranceMemberId,
    insurance_group: p.insuranceGroup,
  };
}

export interface PatientFormProps {
  csrfToken: string;
  action: string;
  values: PatientFormValues;
  errors?: FieldErrors;
  /** For edits: the version the form was opened on. */
  version?: number;
  duplicates?: Patient[];
  conflict?: string;
  submitLabel: string;
  cancelHref: string;
}

export function PatientForm(p: PatientFormProps) {
  const v = p.values;
  const e = p.errors ?? {};
  const count = Object.keys(e).length;
  return (
    <form method="post" action={p.action} novalidate>
      <CsrfField token={p.csrfToken} />
      {p.version !== undefined && <input type="hidden" name="version" value={String(p.version)} />}
      {count > 0 && (
        <Alert kind="error">
          {count === 1 ? "One field needs attention" : `${count} fields need attention`}: nothing was saved yet.
        </Alert>
      )}
      {p.conflict && <Alert kind="error">{p.conflict}</Alert>}
      {p.duplicates && p.duplicates.length > 0 && (
        <div class="alert warn" role="alert">
          <p>
            <strong>Possible duplicate.</strong> A patient with the same name and date of birth is already registered:
          </p>
          <ul>
            {p.duplicates.map((d) => (
              <li>
                <a href={`/patients/${d.id}`}>
                  {d.familyName}, {d.givenName}
                </a>{" "}
                born {formatDate(d.dateOfBirth)}
                {d.phone ? `, phone ${d.phone}` : ""}
              </li>
            ))}
          </ul>
          <label>
            <input type="checkbox" name="confirm_duplicate" value="yes" /> This is a different person: register anyway
          </label>
        </div>
      )}
      <fieldset>
        <legend>Identity</legend>
        <div class="grid">
          <Field name="given_name" label="Legal first name" value={v.given_name} error={e.given_name} required autocomplete="off" maxLength={100} />
          <Field name="family_name" label="Legal last name" value={v.family_name} error={e.family_name} required autocomplete="off" maxLength={100} />
          <Field name="preferred_name" label="Preferred name" value={v.preferred_name} error={e.preferred_name} autocomplete="off" />
          <Field name="date_of_birth" label="Date of birth" type="date" value={v.date_of_birth} error={e.date_of_birth} required />
          <SelectField name="sex_at_birth" label="Sex assigned at birth" value={v.sex_at_birth} error={e.sex_at_birth} required options={SEX_OPTIONS} />
          <Field name="gender_identity" label="Gender identity" value={v.gender_identity} error={e.gender_identity} hint="As the patient describes it" />
          <Field name="preferred_language" label="Preferred language" value={v.preferred_language} error={e.preferred_language} />
        </div>
      </fieldset>
      <fieldset>
        <legend>Contact</legend>
        <div class="grid">
          <Field name="phone" label="Phone" type="tel" inputmode="tel" value={v.phone} error={e.phone} autocomplete="off" />
          <Field name="email" label="Email" type="email" value={v.email} error={e.email} autocomplete="off" />
          <Field name="address_line1" label="Address" value={v.address_line1} error={e.address_line1} autocomplete="off" />
          <Field name="address_line2" label="Address line 2" value={v.address_line2} error={e.address_line2} autocomplete="off" />
          <Field name="city" label="City" value={v.city} error={e.city} autocomplete="off" />
          <Field name="region" label="State or region" value={v.region} error={e.region} autocomplete="off" />
          <Field name="postal_code" label="Postal code" value={v.postal_code} error={e.postal_code} autocomplete="off" />
          <Field name="country" label="Country" value={v.country} error={e.country} autocomplete="off" />
        </div>
      </fieldset>
      <fieldset>
        <legend>Emergency contact</legend>
        <div class="grid">
          <Field name="emergency_name" label="Emergency contact name" value={v.emergency_name} error={e.emergency_name} autocomplete="off" />
          <Field name="emergency_relationship" label="Relationship" value={v.emergency_relationship} error={e.emergency_relationship} autocomplete="off" />
          <Field name="emergency_phone" label="Emergency contact phone" type="tel" inputmode="tel" value={v.emergency_phone} error={e.emergency_phone} autocomplete="off" />
        </div>
      </fieldset>
      <fieldset>
        <legend>Insurance</legend>
        <div class="grid">
          <Field name="insurance_payer" label="Payer" value={v.insurance_payer} error={e.insurance_payer} autocomplete="off" />
          <Field name="insurance_member_id" label="Member id" value={v.insurance_member_id} error={e.insurance_member_id} autocomplete="off" />
          <Field name="insurance_group" label="Group number" value={v.insurance_group} error={e.insurance_group} autocomplete="off" />
        </div>
      </fieldset>
      <div class="actions">
        <button type="submit">{p.submitLabel}</button>
        <a href={p.cancelHref}>Cancel</a>
      </div>
    </form>
  );
}
