/** One provider's week: a card per day with hours, appointments and free starts (a list: fine on a phone). */
import { addDays } from "../../../src/platform/time";
import type { WeekModel } from "../../../src/scheduling/calendar/reads";
import { newHref } from "./day";
import { SelectField } from "../../components/form";
import { CAL, clock, DateInput, dayLabel, hoursLabel, href, StatusTag, timeLabel } from "./parts";

function weekHref(m: WeekModel, date: string | null): string {
  return href(`${CAL}/week`, { provider: m.provider.id, date, location: m.location.id, type: m.type?.id });
}

export function WeekPage({ m, canWrite }: { m: WeekModel; canWrite: boolean }) {
  return (
    <>
      <div class="page-head">
        <h1>
          {m.provider.displayName}: week of {dayLabel(m.monday)}
        </h1>
        <nav class="daynav" aria-label="Weeks">
          <a href={weekHref(m, addDays(m.monday, -7))}>← Previous week</a>
          <a href={weekHref(m, null)}>This week</a>
          <a href={weekHref(m, addDays(m.monday, 7))}>Next week →</a>
          <a href={href(CAL, { date: m.monday <= m.today && m.today <= addDays(m.monday, 6) ? m.today : m.monday, location: m.location.id })}>Day view</a>
        </nav>
      </div>
      <form class="filters" method="get" action={`${CAL}/week`}>
        <SelectField name="provider" label="Provider" value={m.provider.id} options={m.providers.map((p) => ({ value: p.id, label: p.displayName }))} />
        <SelectField name="location" label="Location" value={m.location.id} options={m.locations.map((l) => ({ value: l.id, label: l.name }))} />
        {m.types.length > 0 && <SelectField name="type" label="Free times for" value={m.type?.id ?? ""} options={m.types.map((t) => ({ value: t.id, label: `${t.name} (${t.durationMinutes} min)` }))} />}
        <DateInput value={m.monday} label="Week of" />
        <button type="submit" class="secondary">
          Show
        </button>
      </form>
      <p class="hint">Times in {m.location.timezone.replace(/_/g, " ")}.</p>
      <div class="week">
        {m.days.map((d) => (
          <section class="card" aria-label={dayLabel(d.date)}>
            <h2>
              <a href={href(CAL, { date: d.date, location: m.location.id, type: m.type?.id })}>{dayLabel(d.date)}</a>
              {d.date === m.today ? " (today)" : ""}
            </h2>
            <p class="hint">{hoursLabel(d.hours)}</p>
            {d.appointments.length > 0 && (
              <ul class="plain appts">
                {d.appointments.map((a) => (
                  <li>
                    <a class={`appt st-${a.status}`} href={`${CAL}/appointments/${a.id}`}>
                      <strong>
                        {clock(a.startsAt, a.timezone)} {a.familyName}, {a.givenName}
                      </strong>
                      <span>
                        {a.typeName}
                        {a.roomName ? ` · ${a.roomName}` : ""}
                        {a.locationId !== m.location.id ? ` · ${a.locationName}` : ""} · <StatusTag status={a.status} />
                      </span>
                    </a>
                  </li>
                ))}
              </ul>
            )}
            {m.type && d.slots.length > 0 && (
              <p class="times">
                {d.slots.map((s) =>
                  canWrite ? (
                    <a class="free" href={newHref(s, m.type!.id, null)}>
                      {timeLabel(s.localTime)}
                    </a>
                  ) : (
                    <span class="free">{timeLabel(s.localTime)}</span>
                  ),
                )}
              </p>
            )}
            {m.type && d.slots.length === 0 && d.hours.length > 0 && d.date >= m.today && <p class="hint">No free {m.type.name} times.</p>}
          </section>
        ))}
      </div>
    </>
  );
}
