/**
 * Booking from a free slot: find the patient (htmx active search, or the plain search form) or
 * quick-add one, optionally repeat every N weeks, and book. The form carries an idempotency key
 * made when it was rendered, so sending it twice books once.
 */
import type { FieldErrors } from "../../../src/platform/errors";
import type { PatientBrief } from "../../../src/scheduling/calendar/repo";
import type { Skipped, SlotContext } from "../../../src/scheduling/calendar/booking";
import { SKIP_REASONS, STAFF_REFUSALS } from "../../../src/scheduling/calendar/messages";
import { MAX_OCCURRENCES } from "../../../src/scheduling/calendar/days";
import type { Slot } from "../../../src/scheduling/slots";
import { localParts } from "../../../src/platform/time";
import { Alert, CsrfField, Field, SelectField } from "../../components/form";
import { formatDate } from "../../components/format";
import { CAL, dayLabel, href, timeLabel, whenLabel } from "./parts";

export const PICKS_ID = "patient-picks";

/** The patients to pick from: search results (or duplicates), and the one picked before. */
export function PatientPicks(p: { q: string; results: PatientBrief[] | null; picked: string | null }) {
  const rows = p.results ?? [];
  return (
    <div id={PICKS_ID} aria-live="polite">
      {p.results === null ? (
        <p class="hint">Search above to find the patient, or add a new patient below.</p>
      ) : rows.length === 0 ? (
        <p class="muted">No patient matches “{p.q}”. Add them as a new patient below.</p>
      ) : (
        <ul class="plain picks">
          {rows.map((r) => (
            <li class="opt">
              <input type="radio" id={`pick-${r.id}`} name="patient_id" value={r.id} checked={r.id === p.picked || (rows.length === 1 && !p.picked)} />
              <label for={`pick-${r.id}`}>
                {r.familyName}, {r.givenName}{" "}
                <span class="hint">
                  born {formatDate(r.dateOfBirth)}
                  {r.phone ? ` · ${r.phone}` : ""}
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export interface BookFormProps {
  csrfToken: string;
  ctx: SlotContext;
  formKey: string;
  q: string;
  results: PatientBrief[] | null;
  values: Record<string, string>;
  errors?: FieldErrors;
  message?: string;
  /** Nearest open starts after a refused booking (submit the same form at another time). */
  alternatives?: Slot[];
  duplicates?: boolean;
  skipped?: Skipped[];
  canAddPatient: boolean;
}

function Hidden({ values }: { values: Record<string, string | number | null | undefined> }) {
  return (
    <>
      {Object.entries(values).map(([k, v]) => (v === null || v === undefined || v === "" ? null : <input type="hidden" name={k} value={String(v)} />))}
    </>
  );
}

export function BookForm(p: BookFormProps) {
  const e = p.errors ?? {};
  const v = p.values;
  const { ctx } = p;
  const tz = ctx.location.timezone;
  const slotFields = { provider: ctx.provider.id, location: ctx.location.id, type: ctx.type.id, start: ctx.startsAt, room: ctx.room?.id };
  const back = href(CAL, { date: whenDate(ctx.startsAt, tz), location: ctx.location.id, type: ctx.type.id, room: ctx.room?.id });
  const isNew = v.patient_id === "new";
  const repeatOptions = [{ value: "", label: "Does not repeat" }, ...Array.from({ length: 12 }, (_, i) => ({ value: String(i + 1), label: i === 0 ? "Every week" : `Every ${i + 1} weeks` }))];
  return (
    <>
      <p class="crumb">
        <a href={back}>← Back to the calendar</a>
      </p>
      <h1>Book an appointment</h1>
      <p class="card summary">
        <strong>{ctx.type.name}</strong> ({ctx.type.durationMinutes} min) with <strong>{ctx.provider.displayName}</strong>, {whenLabel(ctx.startsAt, tz)}, {ctx.location.name}
        {ctx.room ? `, ${ctx.room.name}` : ""}
      </p>
      {p.message && <Alert kind="error">{p.message}</Alert>}
      {!p.message && !ctx.check.ok && (
        <Alert kind="warn">
          {STAFF_REFUSALS[ctx.check.reason]}
          {ctx.check.alternatives.length > 0 && (
            <span class="times">
              {ctx.check.alternatives.map((s) => (
                <a class="free" href={href(`${CAL}/new`, { provider: s.providerId, location: s.locationId, type: ctx.type.id, start: s.startsAt, room: ctx.room?.id, key: p.formKey })}>
                  {dayLabel(s.localDate)} {timeLabel(s.localTime)}
                  {s.providerId !== ctx.provider.id ? ` · ${ctx.providerNames[s.providerId] ?? ""}` : ""}
                </a>
              ))}
            </span>
          )}
        </Alert>
      )}
      {p.skipped && p.skipped.length > 0 && (
        <ul>
          {p.skipped.map((s) => (
            <li>
              {whenLabel(s.startsAt, tz)}: {SKIP_REASONS[s.reason]}
            </li>
          ))}
        </ul>
      )}
      <form class="search" method="get" action={`${CAL}/new`} role="search">
        <Hidden values={{ ...slotFields, key: p.formKey }} />
        <div class="field">
          <label for="q">Find the patient by name, date of birth or phone</label>
          <input
            id="q"
            name="q"
            type="search"
            value={p.q}
            autocomplete="off"
            hx-get={`${CAL}/new`}
            hx-include="closest form"
            hx-trigger="input changed delay:300ms, search"
            hx-target={`#${PICKS_ID}`}
            hx-swap="outerHTML"
          />
        </div>
        <button type="submit" class="secondary">
          Search
        </button>
      </form>
      <form id="book" method="post" action={`${CAL}/appointments`} novalidate>
        <CsrfField token={p.csrfToken} />
        <Hidden values={{ ...slotFields, key: p.formKey }} />
        {p.alternatives && p.alternatives.length > 0 && (
          <section aria-labelledby="alt">
            <h2 id="alt">Nearest open times</h2>
            <p class="times">
              {p.alternatives.map((s) => (
                <button type="submit" class="slot" name="alt" value={`${s.providerId}|${s.startsAt}`}>
                  {dayLabel(s.localDate)} {timeLabel(s.localTime)}
                  {s.providerId !== ctx.provider.id ? ` · ${ctx.providerNames[s.providerId] ?? ""}` : ""}
                </button>
              ))}
            </p>
          </section>
        )}
        <fieldset>
          <legend>Patient</legend>
          {e.patient_id && <div class="error">{e.patient_id}</div>}
          <PatientPicks q={p.q} results={p.results} picked={v.patient_id || null} />
          {p.canAddPatient && (
            <>
              <div class="opt">
                <input type="radio" id="pick-new" name="patient_id" value="new" checked={isNew} />
                <label for="pick-new">New patient (fill in below)</label>
              </div>
              <div class="grid">
                <Field name="given_name" label="First name" value={v.given_name} error={e.given_name} autocomplete="off" />
                <Field name="family_name" label="Last name" value={v.family_name} error={e.family_name} autocomplete="off" />
                <Field name="date_of_birth" label="Date of birth" type="date" value={v.date_of_birth} error={e.date_of_birth} />
                <Field name="phone" label="Phone" type="tel" inputmode="tel" value={v.phone} error={e.phone} />
              </div>
              {p.duplicates && (
                <div class="opt">
                  <input type="checkbox" id="f-confirm_duplicate" name="confirm_duplicate" value="yes" />
                  <label for="f-confirm_duplicate">This is a different person: register them anyway</label>
                </div>
              )}
            </>
          )}
        </fieldset>
        <fieldset>
          <legend>Repeat</legend>
          <SelectField name="repeat_weeks" label="Repeat" value={v.repeat_weeks ?? ""} error={e.repeat_weeks} options={repeatOptions} />
          <div class="checks">
            <div class="check">
              <input type="radio" id="end-count" name="repeat_end" value="count" checked={v.repeat_end !== "until"} />
              <label for="end-count">Number of visits</label>
            </div>
            <div class="check">
              <input type="radio" id="end-until" name="repeat_end" value="until" checked={v.repeat_end === "until"} />
              <label for="end-until">Until a date</label>
            </div>
          </div>
          <div class="grid">
            <Field name="repeat_count" label="Number of visits" type="number" value={v.repeat_count} error={e.repeat_count} hint={`2 to ${MAX_OCCURRENCES}, this one included`} />
            <Field name="repeat_until" label="Until (last possible date)" type="date" value={v.repeat_until} error={e.repeat_until} />
          </div>
          <p class="hint">Every visit is at the same time of day. Times that are taken are skipped and listed after booking.</p>
        </fieldset>
        <div class="actions">
          <button type="submit">Book</button>
          <a href={back}>Cancel</a>
        </div>
      </form>
    </>
  );
}

function whenDate(instant: number, tz: string): string {
  return localParts(instant, tz).date;
}
