/** Pieces shared by the staff calendar pages: links, labels and the small filter controls. */
import type { AppointmentStatus } from "../../../src/scheduling/tables";
import { hhmm, type WallInterval } from "../../../src/scheduling/calendar/days";
import { clockLabel, dayLabel, timeLabel, whenLabel } from "../../../src/platform/time";

// The calendar pages' labels come from the time module; `clock` is its `clockLabel`.
export { clockLabel as clock, dayLabel, timeLabel, whenLabel };

export const CAL = "/calendar";

export const STATUS_NAMES: Record<AppointmentStatus, string> = {
  booked: "Booked",
  confirmed: "Confirmed",
  arrived: "Arrived",
  in_room: "In room",
  completed: "Completed",
  cancelled: "Cancelled",
  no_show: "No-show",
};

/** A link with a query string, leaving out empty values. */
export function href(path: string, params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** `8:00 AM–12:00 PM, 1:00 PM–6:00 PM`, or "Not working". */
export function hoursLabel(hours: WallInterval[]): string {
  if (hours.length === 0) return "Not working";
  return hours.map(([s, e]) => `${timeLabel(hhmm(s))}–${e >= 1440 ? "midnight" : timeLabel(hhmm(e))}`).join(", ");
}

export function StatusTag({ status }: { status: AppointmentStatus }) {
  return <span class={`st st-${status}`}>{STATUS_NAMES[status]}</span>;
}

export function DateInput({ name = "date", label = "Date", value }: { name?: string; label?: string; value: string }) {
  return (
    <div class="field">
      <label for={`f-${name}`}>{label}</label>
      <input id={`f-${name}`} name={name} type="date" value={value} />
    </div>
  );
}
