/** One appointment: its facts and what staff can do with it (status, reschedule, cancel, no-show). */
import type { FieldErrors } from "../../../src/platform/errors";
import type { SeriesInfo, ShownAppointment } from "../../../src/scheduling/calendar/repo";
import type { RescheduleModel } from "../../../src/scheduling/calendar/changes";
import { addDays, localParts } from "../../../src/platform/time";
import type { AppointmentStatus } from "../../../src/scheduling/tables";
import type { Slot } from "../../../src/scheduling/slots";
import { Alert, CsrfField, SelectField } from "../../components/form";
import { CAL, clock, DateInput, dayLabel, href, STATUS_NAMES, StatusTag, timeLabel, whenLabel } from "./parts";

const SOURCES: Record<ShownAppointment["source"], string> = {
  staff: "by staff",
  online: "online by the patient",
  waitlist: "from the waitlist",
  recurring: "by staff, as a series",
};

const ACTION_LABELS: Partial<Record<AppointmentStatus, string>> = {
  confirmed: "Mark confirmed",
  arrived: "Mark arrived",
  in_room: "Mark in room",
  completed: "Mark completed",
  no_show: "Mark no-show",
};

export interface AppointmentPageProps {
  csrfToken: string;
  a: ShownAppointment;
  series: SeriesInfo | null;
  canWrite: boolean;
  /** The viewer writes clinical notes: offer "Start visit" (opens the visit's encounter, or the one already open). */
  canStartVisit?: boolean;
  next: AppointmentStatus[];
  notice?: string;
  message?: string;
  errors?: FieldErrors;
  reason?: string;
}

function dayOf(a: ShownAppointment): string {
  return href(CAL, { date: localParts(a.startsAt, a.timezone).date, location: a.locationId });
}

export function AppointmentPage(p: AppointmentPageProps) {
  const { a, series } = p;
  const e = p.errors ?? {};
  const live = a.status === "booked" || a.status === "confirmed";
  return (
    <>
      <p class="crumb">
        <a href={dayOf(a)}>← Calendar of {dayLabel(localParts(a.startsAt, a.timezone).date)}</a>
      </p>
      <h1>
        {a.familyName}, {a.givenName}
      </h1>
      {p.notice && <Alert kind="ok">{p.notice}</Alert>}
      {p.message && <Alert kind="error">{p.message}</Alert>}
      <dl class="facts card">
        <dt>When</dt>
        <dd>
          {whenLabel(a.startsAt, a.timezone)}–{clock(a.endsAt, a.timezone)}
        </dd>
        <dt>Visit</dt>
        <dd>{a.typeName}</dd>
        <dt>With</dt>
        <dd>{a.providerName}</dd>
        <dt>Where</dt>
        <dd>
          {a.locationName}
          {a.roomName ? `, ${a.roomName}` : ""}
        </dd>
        <dt>Status</dt>
        <dd>
          <StatusTag status={a.status} />
          {a.cancelReason ? ` (${a.cancelReason})` : ""}
        </dd>
        <dt>Booked</dt>
        <dd>{SOURCES[a.source]}</dd>
        {series && (
          <>
            <dt>Series</dt>
            <dd>
              Visit {series.position} of {series.total}, every {series.everyWeeks === 1 ? "week" : `${series.everyWeeks} weeks`}
            </dd>
          </>
        )}
        <dt>Patient</dt>
        <dd>
          <a href={`/patients/${a.patientId}`}>Open the patient's record</a>
        </dd>
      </dl>
      {p.canStartVisit && a.status !== "cancelled" && (
        <form method="post" action="/encounters" class="actions start-visit">
          <CsrfField token={p.csrfToken} />
          <input type="hidden" name="appointment_id" value={a.id} />
          <button type="submit">Start visit</button>
        </form>
      )}
      {p.canWrite && p.next.length > 0 && (
        <form method="post" action={`${CAL}/appointments/${a.id}/status`} class="actions status-actions">
          <CsrfField token={p.csrfToken} />
          <input type="hidden" name="version" value={String(a.version)} />
          {p.next.map((s) => (
            <button type="submit" name="status" value={s} class={s === "no_show" ? "secondary" : undefined}>
              {ACTION_LABELS[s] ?? STATUS_NAMES[s]}
            </button>
          ))}
        </form>
      )}
      {p.canWrite && live && (
        <>
          <p>
            <a class="button secondary" href={`${CAL}/appointments/${a.id}/reschedule`}>
              Reschedule
            </a>
            {series && <span class="hint"> Moves this visit only; the rest of the series keeps its times.</span>}
          </p>
          <form method="post" action={`${CAL}/appointments/${a.id}/cancel`} class="card" novalidate>
            <h2>Cancel</h2>
            <CsrfField token={p.csrfToken} />
            <input type="hidden" name="version" value={String(a.version)} />
            <div class="field">
              <label for="f-reason">
                Reason <span class="hint">(required)</span>
              </label>
              <textarea
                id="f-reason"
                name="reason"
                rows={2}
                maxLength={500}
                required
                aria-invalid={e.reason ? "true" : undefined}
                aria-describedby={e.reason ? "f-reason-error" : undefined}
              >
                {p.reason ?? ""}
              </textarea>
              {e.reason && (
                <div class="error" id="f-reason-error">
                  {e.reason}
                </div>
              )}
            </div>
            {series && series.following > 0 ? (
              <div class="checks">
                <div class="check">
                  <input type="radio" id="which-this" name="which" value="this" checked />
                  <label for="which-this">This visit only</label>
                </div>
                <div class="check">
                  <input type="radio" id="which-following" name="which" value="following" />
                  <label for="which-following">
                    This and the {series.following} following visit{series.following === 1 ? "" : "s"}
                  </label>
                </div>
              </div>
            ) : (
              <input type="hidden" name="which" value="this" />
            )}
            <button type="submit" class="secondary danger">
              Cancel appointment
            </button>
          </form>
        </>
      )}
    </>
  );
}

export function ReschedulePage(p: { csrfToken: string; m: RescheduleModel; message?: string; alternatives?: Slot[] }) {
  const { m } = p;
  const a = m.a;
  const self = (date: string) => href(`${CAL}/appointments/${a.id}/reschedule`, { date, provider: m.providerId });
  const names = Object.fromEntries(m.providers.map((x) => [x.id, x.displayName]));
  const SlotButton = ({ s, day }: { s: Slot; day?: boolean }) => (
    <button type="submit" class="slot" name="slot" value={`${s.providerId}|${s.locationId}|${s.startsAt}`}>
      {day ? `${dayLabel(s.localDate)} ` : ""}
      {timeLabel(s.localTime)}
      {s.providerId !== m.providerId ? ` · ${names[s.providerId] ?? ""}` : ""}
    </button>
  );
  return (
    <>
      <p class="crumb">
        <a href={`${CAL}/appointments/${a.id}`}>← Back to the appointment</a>
      </p>
      <h1>
        Reschedule {a.familyName}, {a.givenName}
      </h1>
      <p>
        Now: {m.type.name} with {a.providerName}, {whenLabel(a.startsAt, a.timezone)}.
        {a.seriesId ? " Only this visit moves; the other visits of its series keep their times." : ""}
      </p>
      {p.message && <Alert kind="error">{p.message}</Alert>}
      <form class="filters" method="get" action={`${CAL}/appointments/${a.id}/reschedule`}>
        <DateInput value={m.date} />
        <SelectField name="provider" label="Provider" value={m.providerId} options={m.providers.map((x) => ({ value: x.id, label: x.displayName }))} />
        <button type="submit" class="secondary">
          Show
        </button>
      </form>
      <nav class="daynav" aria-label="Days">
        {m.date > m.today && <a href={self(addDays(m.date, -1))}>← Previous day</a>}
        <a href={self(addDays(m.date, 1))}>Next day →</a>
      </nav>
      <form method="post" action={`${CAL}/appointments/${a.id}/reschedule`}>
        <CsrfField token={p.csrfToken} />
        <input type="hidden" name="version" value={String(a.version)} />
        {p.alternatives && p.alternatives.length > 0 && (
          <>
            <h2>Nearest open times</h2>
            <p class="times">
              {p.alternatives.map((s) => (
                <SlotButton s={s} day />
              ))}
            </p>
          </>
        )}
        <h2>{dayLabel(m.date)}</h2>
        {m.slots.length === 0 ? (
          <p class="muted">No open times on this day.</p>
        ) : (
          <p class="times">
            {m.slots.map((s) => (
              <SlotButton s={s} />
            ))}
          </p>
        )}
      </form>
    </>
  );
}
