/** The clinic's booking rules: notice, horizon, cancellation window, limits, holds, slot step. */
import type { FieldErrors } from "../../../src/platform/errors";
import type { BookingRules } from "../../../src/scheduling/setup/repo";
import { SLOT_STEPS, type FormValues } from "../../../src/scheduling/setup/input";
import { CsrfField, Field, SelectField } from "../../components/form";
import { BackLink, ErrorSummary, SavedNotice, SETUP } from "./parts";

export function bookingRulesToForm(r: BookingRules): FormValues {
  return {
    min_notice_minutes: String(r.minNoticeMinutes),
    max_days_ahead: String(r.maxDaysAhead),
    cancel_window_hours: String(r.cancelWindowHours),
    max_upcoming_per_patient: String(r.maxUpcomingPerPatient),
    hold_minutes: String(r.holdMinutes),
    slot_step_minutes: String(r.slotStepMinutes),
  };
}

export function BookingRulesPage(p: { csrfToken: string; values: FormValues; errors?: FieldErrors; saved?: boolean }) {
  const v = p.values;
  const e = p.errors ?? {};
  return (
    <>
      <BackLink />
      <h1>Booking rules</h1>
      <SavedNotice saved={p.saved} />
      <form method="post" action={`${SETUP}/booking-rules`} novalidate>
        <CsrfField token={p.csrfToken} />
        <ErrorSummary errors={p.errors} />
        <div class="grid">
          <Field name="min_notice_minutes" label="Minimum notice (minutes)" type="number" value={v.min_notice_minutes} error={e.min_notice_minutes} required hint="0 to 10080 (a week)" />
          <Field name="max_days_ahead" label="Booking horizon (days ahead)" type="number" value={v.max_days_ahead} error={e.max_days_ahead} required hint="1 to 365" />
          <Field name="cancel_window_hours" label="Cancellation and reschedule window (hours)" type="number" value={v.cancel_window_hours} error={e.cancel_window_hours} required hint="Patients may cancel online until this many hours before; 0 to 720" />
          <Field name="max_upcoming_per_patient" label="Upcoming bookings per patient" type="number" value={v.max_upcoming_per_patient} error={e.max_upcoming_per_patient} required hint="1 to 50" />
          <Field name="hold_minutes" label="Slot hold (minutes)" type="number" value={v.hold_minutes} error={e.hold_minutes} required hint="How long a chosen slot is held while booking; 1 to 30" />
          <SelectField
            name="slot_step_minutes"
            label="Slots start every"
            value={v.slot_step_minutes}
            error={e.slot_step_minutes}
            options={SLOT_STEPS.map((n) => ({ value: String(n), label: `${n} minutes` }))}
            required
          />
        </div>
        <div class="actions">
          <button type="submit">Save booking rules</button>
          <a href={SETUP}>Cancel</a>
        </div>
      </form>
    </>
  );
}
