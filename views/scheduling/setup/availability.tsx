/** One provider's weekly hours by weekday, date overrides and time off, each with its add form. */
import type { FieldErrors } from "../../../src/platform/errors";
import type { AvailabilityOverride, AvailabilityRule, Location, Provider, TimeOff } from "../../../src/scheduling/setup/repo";
import type { FormValues } from "../../../src/scheduling/setup/input";
import { localParts } from "../../../src/platform/time";
import { CsrfField, Field, PostButton, SelectField } from "../../components/form";
import { formatDate } from "../../components/format";
import { BackLink, ErrorSummary, SavedNotice, SETUP, timeRange, TypedField, WEEKDAY_NAMES, weekdayName } from "./parts";

/** An instant as `YYYY-MM-DD HH:MM` on the clocks of a timezone. */
function wallTime(instant: number, timezone: string): string {
  const { date, time } = localParts(instant, timezone);
  return `${date} ${time}`;
}

export type AvailabilityForm = "rule" | "override" | "time_off";

export interface AvailabilityPageProps {
  csrfToken: string;
  provider: Provider;
  locations: Location[];
  /** Locations the provider works at. */
  locationIds: string[];
  rules: AvailabilityRule[];
  overrides: AvailabilityOverride[];
  timeOff: TimeOff[];
  clinicTimezone: string;
  saved?: boolean;
  /** The form that failed, as typed, with its errors. */
  failed?: { form: AvailabilityForm; values: FormValues; errors: FieldErrors };
}

const WEEKDAY_OPTIONS = [{ value: "", label: "Choose…" }, ...WEEKDAY_NAMES.map((n, i) => ({ value: String(i + 1), label: n }))];

export function AvailabilityPage(p: AvailabilityPageProps) {
  const v = p.provider;
  const base = `${SETUP}/providers/${v.id}`;
  const nameOf = (id: string | null) => p.locations.find((l) => l.id === id)?.name ?? "—";
  const worksAt = p.locations.filter((l) => p.locationIds.includes(l.id));
  const locationOptions = [
    ...(worksAt.length === 1 ? [] : [{ value: "", label: "Choose…" }]),
    ...worksAt.map((l) => ({ value: l.id, label: `${l.name} (${l.timezone})` })),
  ];
  const soleLocation = worksAt.length === 1 ? worksAt[0]!.id : "";
  const form = (name: AvailabilityForm) => (p.failed?.form === name ? p.failed : { values: {} as FormValues, errors: {} as FieldErrors });
  const rule = form("rule");
  const ov = form("override");
  const off = form("time_off");
  const days = [1, 2, 3, 4, 5, 6, 7].filter((d) => p.rules.some((r) => r.weekday === d));
  return (
    <>
      <BackLink href={base} label={v.displayName} />
      <h1>Hours and time off: {v.displayName}</h1>
      <SavedNotice saved={p.saved} />
      {worksAt.length === 0 && (
        <p class="alert warn" role="status">
          {v.displayName} works at no location yet. <a href={base}>Choose their locations</a> before setting hours.
        </p>
      )}

      <section class="card" aria-labelledby="h-weekly">
        <h2 id="h-weekly">Weekly hours</h2>
        {days.length === 0 ? (
          <p class="muted">No weekly hours yet.</p>
        ) : (
          <dl class="week">
            {days.map((d) => (
              <>
                <dt>{weekdayName(d)}</dt>
                <dd>
                  <ul class="plain">
                    {p.rules
                      .filter((r) => r.weekday === d)
                      .map((r) => (
                        <li>
                          <span class={r.kind === "break" ? "muted" : undefined}>
                            {r.kind === "break" ? "Break " : ""}
                            {timeRange(r.startTime, r.endTime)}
                          </span>{" "}
                          at {nameOf(r.locationId)}
                          {r.validFrom && <span class="hint"> from {formatDate(r.validFrom)}</span>}
                          {r.validUntil && <span class="hint"> until {formatDate(r.validUntil)}</span>}{" "}
                          <PostButton
                            action={`${SETUP}/rules/${r.id}/delete`}
                            csrfToken={p.csrfToken}
                            label="Delete"
                            detail={`${weekdayName(d)} ${r.startTime}–${r.endTime}`}
                            look="danger"
                          />
                        </li>
                      ))}
                  </ul>
                </dd>
              </>
            ))}
          </dl>
        )}
        <h3>Add weekly hours</h3>
        <form method="post" action={`${base}/rules`} novalidate>
          <CsrfField token={p.csrfToken} />
          <ErrorSummary errors={rule.errors} />
          <div class="grid">
            <SelectField name="location_id" label="Location" value={rule.values.location_id ?? soleLocation} error={rule.errors.location_id} options={locationOptions} required />
            <SelectField name="weekday" label="Weekday" value={rule.values.weekday} error={rule.errors.weekday} options={WEEKDAY_OPTIONS} required />
            <SelectField
              name="kind"
              label="Kind"
              value={rule.values.kind ?? "work"}
              error={rule.errors.kind}
              options={[
                { value: "work", label: "Working hours" },
                { value: "break", label: "Break" },
              ]}
              required
            />
            <TypedField name="start_time" label="Start" type="time" value={rule.values.start_time} error={rule.errors.start_time} required />
            <TypedField name="end_time" label="End" type="time" value={rule.values.end_time} error={rule.errors.end_time} required hint="At or before the start: runs past midnight" />
            <Field name="valid_from" label="Valid from" type="date" value={rule.values.valid_from} error={rule.errors.valid_from} hint="Optional" />
            <Field name="valid_until" label="Valid until" type="date" value={rule.values.valid_until} error={rule.errors.valid_until} hint="Optional" />
          </div>
          <button type="submit">Add hours</button>
        </form>
      </section>

      <section class="card" aria-labelledby="h-overrides">
        <h2 id="h-overrides">Date overrides</h2>
        {p.overrides.length === 0 ? (
          <p class="muted">No upcoming overrides.</p>
        ) : (
          <ul class="plain">
            {p.overrides.map((o) => (
              <li>
                {formatDate(o.date)} at {nameOf(o.locationId)}:{" "}
                {o.kind === "available" && o.startTime && o.endTime ? `available ${timeRange(o.startTime, o.endTime)}` : "unavailable"}{" "}
                <PostButton action={`${SETUP}/overrides/${o.id}/delete`} csrfToken={p.csrfToken} label="Delete" detail={`override of ${o.date}`} look="danger" />
              </li>
            ))}
          </ul>
        )}
        <h3>Add a date override</h3>
        <form method="post" action={`${base}/overrides`} novalidate>
          <CsrfField token={p.csrfToken} />
          <ErrorSummary errors={ov.errors} />
          <div class="grid">
            <Field name="override_date" label="Date" type="date" value={ov.values.override_date} error={ov.errors.override_date} required />
            <SelectField
              name="override_location_id"
              label="Location"
              value={ov.values.override_location_id ?? soleLocation}
              error={ov.errors.override_location_id}
              options={locationOptions}
              required
            />
            <SelectField
              name="override_kind"
              label="That day the provider is"
              value={ov.values.override_kind ?? "unavailable"}
              error={ov.errors.override_kind}
              options={[
                { value: "unavailable", label: "Unavailable" },
                { value: "available", label: "Available (these hours only)" },
              ]}
              required
            />
            <TypedField name="override_start" label="Start" type="time" value={ov.values.override_start} error={ov.errors.override_start} hint="When available" />
            <TypedField name="override_end" label="End" type="time" value={ov.values.override_end} error={ov.errors.override_end} hint="When available" />
          </div>
          <button type="submit">Add override</button>
        </form>
      </section>

      <section class="card" aria-labelledby="h-time-off">
        <h2 id="h-time-off">Time off</h2>
        {p.timeOff.length === 0 ? (
          <p class="muted">No upcoming time off.</p>
        ) : (
          <ul class="plain">
            {p.timeOff.map((t) => (
              <li>
                {wallTime(t.startsAt, p.clinicTimezone)} to {wallTime(t.endsAt, p.clinicTimezone)}
                {t.reason && <span class="hint"> ({t.reason})</span>}{" "}
                <PostButton action={`${SETUP}/time-off/${t.id}/delete`} csrfToken={p.csrfToken} label="Delete" detail="time off" look="danger" />
              </li>
            ))}
          </ul>
        )}
        <p class="hint">Times are shown in the clinic's timezone, {p.clinicTimezone}.</p>
        <h3>Add time off</h3>
        <form method="post" action={`${base}/time-off`} novalidate>
          <CsrfField token={p.csrfToken} />
          <ErrorSummary errors={off.errors} />
          <div class="grid">
            <SelectField
              name="off_location_id"
              label="Dates and times are in the timezone of"
              value={off.values.off_location_id ?? soleLocation}
              error={off.errors.off_location_id}
              options={[
                { value: "", label: `The clinic (${p.clinicTimezone})` },
                ...worksAt.map((l) => ({ value: l.id, label: `${l.name} (${l.timezone})` })),
              ]}
            />
            <Field name="off_start_date" label="From date" type="date" value={off.values.off_start_date} error={off.errors.off_start_date} required />
            <TypedField name="off_start_time" label="From time" type="time" value={off.values.off_start_time ?? "00:00"} error={off.errors.off_start_time} required />
            <Field name="off_end_date" label="Until date" type="date" value={off.values.off_end_date} error={off.errors.off_end_date} required />
            <TypedField name="off_end_time" label="Until time" type="time" value={off.values.off_end_time ?? "23:59"} error={off.errors.off_end_time} required />
            <Field name="off_reason" label="Reason" value={off.values.off_reason} error={off.errors.off_reason} maxLength={200} hint="Optional; staff see it" />
          </div>
          <button type="submit">Add time off</button>
        </form>
      </section>
    </>
  );
}
