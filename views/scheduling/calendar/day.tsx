/**
 * The day view: one column per provider, one row per 15 minutes, appointments spanning their
 * rows and free starts as booking links. The grid (#day) is also served alone, for the live
 * refresh (views/scripts/live.js) and htmx.
 */
import { ASSET_PATHS } from "../../../src/generated/assets";
import { addDays } from "../../../src/platform/time";
import { clusterRows, hhmm, ROW_MINUTES, type Cluster } from "../../../src/scheduling/calendar/days";
import type { DayModel, PlacedAppointment, PlacedSlot } from "../../../src/scheduling/calendar/reads";
import { SelectField } from "../../components/form";
import { CAL, DateInput, dayLabel, href, STATUS_NAMES, timeLabel } from "./parts";

export const DAY_ID = "day";

function dayHref(m: DayModel, date: string | null): string {
  return href(CAL, { date, location: m.location.id, room: m.room?.id, type: m.type?.id });
}

/** Where "book this free time" leads: the booking form for that start. */
export function newHref(s: { providerId: string; locationId: string; startsAt: number }, typeId: string, roomId: string | null | undefined): string {
  return href(`${CAL}/new`, { provider: s.providerId, location: s.locationId, type: typeId, start: s.startsAt, room: roomId });
}

function Appt({ a }: { a: PlacedAppointment }) {
  return (
    <a class={`appt st-${a.status}`} href={`${CAL}/appointments/${a.id}`}>
      <strong>
        {a.familyName}, {a.givenName}
      </strong>
      <span>
        {timeLabel(hhmm(a.startMin))} {a.typeName}
      </span>
      <span>
        {STATUS_NAMES[a.status]}
        {a.roomName ? ` · ${a.roomName}` : ""}
      </span>
    </a>
  );
}

function Free({ s, m, canWrite }: { s: PlacedSlot; m: DayModel; canWrite: boolean }) {
  const label = timeLabel(s.localTime);
  return canWrite && m.type ? (
    <a class="free" href={newHref(s, m.type.id, m.room?.id)}>
      {label}
    </a>
  ) : (
    <span class="free">{label}</span>
  );
}

/** The grid alone: what the live refresh swaps in. */
export function DayGrid({ m, canWrite }: { m: DayModel; canWrite: boolean }) {
  const self = dayHref(m, m.date);
  const g = m.grid;
  const cols = m.columns;
  const clusters = g ? cols.map((c) => clusterRows(m.appointments.filter((a) => a.providerId === c.provider.id), g.firstMin, g.rows)) : [];
  const starts = clusters.map((list) => new Map(list.map((x) => [x.row, x] as [number, Cluster<PlacedAppointment>])));
  const covered = clusters.map((list) => new Map(list.flatMap((x) => Array.from({ length: x.span }, (_, k) => [x.row + k, x] as [number, Cluster<PlacedAppointment>]))));
  const slotRow = (s: PlacedSlot) => (g ? Math.floor((s.startMin - g.firstMin) / ROW_MINUTES) : 0);
  const slotsOf = cols.map((c) => m.slots.filter((s) => s.providerId === c.provider.id));
  return (
    <div id={DAY_ID} data-live={`${CAL}/live`} data-src={self}>
      <h2>
        {dayLabel(m.date)}
        {m.date === m.today ? " (today)" : ""} · {m.location.name}
        {m.room ? ` · ${m.room.name}` : ""}
      </h2>
      <p class="hint">
        Times in {m.location.timezone.replace(/_/g, " ")}.{" "}
        {m.type ? `Free times are for a ${m.type.name} (${m.type.durationMinutes} min).` : "No appointment type is set up, so no free times are shown."}{" "}
        <a href={self}>Refresh</a>
      </p>
      {!g || cols.length === 0 ? (
        <p>Nobody works at {m.location.name} on this day, and nothing is booked here.</p>
      ) : (
        <div class="table-wrap cal">
          <table class="cal-day">
            <thead>
              <tr>
                <th scope="col">Time</th>
                {cols.map((c) => (
                  <th scope="col">
                    <a href={href(`${CAL}/week`, { provider: c.provider.id, date: m.date, location: m.location.id, type: m.type?.id })}>{c.provider.displayName}</a>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {Array.from({ length: g.rows }, (_, r) => {
                const minute = g.firstMin + r * ROW_MINUTES;
                return (
                  <tr class={minute % 60 === 0 ? "hour" : undefined}>
                    <th scope="row">{timeLabel(hhmm(minute))}</th>
                    {cols.map((c, i) => {
                      const cluster = starts[i]!.get(r);
                      const slots = slotsOf[i]!;
                      if (cluster) {
                        const inside = slots.filter((s) => slotRow(s) >= cluster.row && slotRow(s) < cluster.row + cluster.span);
                        return (
                          <td rowSpan={cluster.span > 1 ? cluster.span : undefined} class="busy">
                            {cluster.items.map((a) => (
                              <Appt a={a} />
                            ))}
                            {inside.map((s) => (
                              <Free s={s} m={m} canWrite={canWrite} />
                            ))}
                          </td>
                        );
                      }
                      if (covered[i]!.has(r)) return null;
                      const open = c.hours.some(([s, e]) => minute >= s && minute < e);
                      return (
                        <td class={open ? "open" : "off"}>
                          {slots
                            .filter((s) => slotRow(s) === r)
                            .map((s) => (
                              <Free s={s} m={m} canWrite={canWrite} />
                            ))}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function DayPage({ m, canWrite }: { m: DayModel; canWrite: boolean }) {
  return (
    <>
      <div class="page-head">
        <h1>Calendar</h1>
        <nav class="daynav" aria-label="Days">
          <a href={dayHref(m, addDays(m.date, -1))}>← Previous day</a>
          <a href={dayHref(m, null)} aria-current={m.date === m.today ? "date" : undefined}>
            Today
          </a>
          <a href={dayHref(m, addDays(m.date, 1))}>Next day →</a>
          {m.columns[0] && <a href={href(`${CAL}/week`, { provider: m.columns[0].provider.id, date: m.date, location: m.location.id, type: m.type?.id })}>Week view</a>}
        </nav>
      </div>
      <form class="filters" method="get" action={CAL}>
        <DateInput value={m.date} />
        <SelectField name="location" label="Location" value={m.location.id} options={m.locations.map((l) => ({ value: l.id, label: l.name }))} />
        <SelectField name="room" label="Room" value={m.room?.id ?? ""} options={[{ value: "", label: "All rooms" }, ...m.rooms.map((r) => ({ value: r.id, label: r.name }))]} />
        {m.types.length > 0 && <SelectField name="type" label="Free times for" value={m.type?.id ?? ""} options={m.types.map((t) => ({ value: t.id, label: `${t.name} (${t.durationMinutes} min)` }))} />}
        <button type="submit" class="secondary">
          Show
        </button>
      </form>
      <DayGrid m={m} canWrite={canWrite} />
      <script src={ASSET_PATHS.live} defer></script>
    </>
  );
}
