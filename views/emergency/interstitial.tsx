/**
 * The page shown instead of a chart when the clinic keeps charts to the care team and the staff
 * member has no care relationship with the patient: a reason and a button take an emergency grant.
 */
import type { FieldErrors } from "../../src/platform/errors";
import { Alert, CsrfField, Field } from "../components/form";

export function CareTeamInterstitial(p: {
  patientId: string;
  patientName: string;
  /** The page asked for, to open after the grant. */
  next: string;
  grantMinutes: number;
  csrfToken: string;
  reason?: string;
  errors?: FieldErrors;
}) {
  const hours = p.grantMinutes % 60 === 0 ? `${p.grantMinutes / 60} hour${p.grantMinutes === 60 ? "" : "s"}` : `${p.grantMinutes} minutes`;
  return (
    <section class="emergency-access" aria-labelledby="emergency-title">
      <h1 id="emergency-title">You have no care relationship with this patient</h1>
      <p>
        This clinic opens charts to the care team only. You have no appointment, visit or note with <strong>{p.patientName}</strong>, and
        you did not register them.
      </p>
      <Alert kind="warn">
        In an emergency you can open the chart now. Say why: your reason, your name and every page you open are recorded and reviewed by
        the clinic's privacy officer. Access lasts {hours}.
      </Alert>
      {p.errors?._form && <Alert kind="error">{p.errors._form}</Alert>}
      <form method="post" action={`/patients/${p.patientId}/emergency-access`}>
        <CsrfField token={p.csrfToken} />
        <input type="hidden" name="next" value={p.next} />
        <Field
          name="reason"
          label="Reason for emergency access"
          value={p.reason}
          error={p.errors?.reason}
          required
          maxLength={300}
          hint="One line, at least 10 characters, e.g. “Patient in the waiting room with chest pain; their provider is away.”"
        />
        <button type="submit" class="secondary danger">
          Open the chart (emergency access)
        </button>{" "}
        <a href="/patients">Back to patients</a>
      </form>
    </section>
  );
}
