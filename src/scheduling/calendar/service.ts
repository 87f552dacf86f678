/**
 * The staff calendar's shared pieces: the scope its services take, the errors they throw, the
 * page data with the calendar object's live holds added, and the slot engine's query for staff.
 * The services are in reads.ts (the day, the week, one appointment), booking.ts (booking from a
 * free slot) and changes.ts (status, cancel, no-show, reschedule).
 *
 * Staff bookings follow the slot engine (hours, breaks, time off, closures, buffers, rooms and
 * equipment, the step grid) but not the online booking window: no minimum notice, and up to
 * STAFF_HORIZON_DAYS ahead, so a series of follow-ups can be booked in one go.
 */
import { auditMany, type AuditEntry } from "../../audit/service";
import type { LiveClaim } from "../../calendar/calendar";
import type { Env } from "../../platform/env";
import { AppError, notFound } from "../../platform/errors";
import type { StaffScope } from "../../platform/scope";
import { calendarOf, clinicRef, type BookingRules, type TypeRow } from "../data";
import type { AppointmentStatus } from "../tables";
import type { Slot, SlotQuery, SlotRefusal, SlotRules } from "../slots";
import { localParts, minutesOf } from "../../platform/time";
import type { Placed } from "./days";
import { loadWorld, type CalendarWorld, type CalLocation, type ShownAppointment, type WorldQuery } from "./repo";
import { STAFF_HORIZON_DAYS, STAFF_REFUSALS } from "./messages";

/** Every calendar service takes the signed-in staff member's scope and the bindings. */
export interface CalendarScope extends StaffScope {
  env: Env;
}

export const STATUS_LABELS: Record<AppointmentStatus, string> = {
  booked: "booked",
  confirmed: "confirmed",
  arrived: "arrived",
  in_room: "in room",
  completed: "completed",
  cancelled: "cancelled",
  no_show: "no-show",
};

export const STALE = "Someone changed this appointment after you opened it. Nothing was saved: look at it again and retry.";

/** A time that cannot be had, with the nearest open ones. */
export class SlotRefused extends AppError {
  constructor(
    readonly reason: SlotRefusal | "unavailable",
    readonly alternatives: Slot[],
  ) {
    super(reason === "unavailable" ? "internal" : "conflict", STAFF_REFUSALS[reason]);
  }
}

export function staffRules(r: BookingRules): SlotRules {
  return { minNoticeMinutes: 0, maxDaysAhead: Math.max(r.maxDaysAhead, STAFF_HORIZON_DAYS), slotStepMinutes: r.slotStepMinutes };
}

/** The world of a page, with the calendar object's live holds added to the busy time. */
export async function loadWithLive(scope: CalendarScope, q: WorldQuery, now: number): Promise<CalendarWorld> {
  const from = Date.parse(`${q.fromDate}T00:00:00Z`) - 86_400_000;
  const to = Date.parse(`${q.toDate}T00:00:00Z`) + 2 * 86_400_000;
  const [world, live] = await Promise.all([
    loadWorld(scope.db, q),
    calendarOf(scope.env, scope.clinic).liveClaims(clinicRef(scope.clinic), from, to, now) as Promise<LiveClaim[]>,
  ]);
  for (const l of live) world.busy.push({ id: null, providerId: l.providerId, roomId: l.roomId, resourceId: l.resourceId, blockStart: l.blockStart, blockEnd: l.blockEnd });
  return world;
}

/** The slot engine's query for one type at one location (optionally some providers, one room). */
export function slotQuery(
  w: CalendarWorld,
  o: { type: TypeRow; locationId: string; providerIds?: string[]; roomId?: string | null; fromDate: string; toDate: string; now: number; exceptAppointment?: string },
): SlotQuery {
  const providers = w.providers
    .filter((p) => p.typeIds.includes(o.type.id) && p.locationIds.includes(o.locationId) && (!o.providerIds || o.providerIds.includes(p.id)))
    .map((p) => ({ id: p.id, locationIds: [o.locationId] }));
  // A room filter narrows the rooms the engine may pick, so the free times shown are that room's.
  const rooms = o.roomId && o.type.needsRoom ? w.rooms.filter((r) => r.id === o.roomId) : w.rooms;
  return {
    now: o.now,
    fromDate: o.fromDate,
    toDate: o.toDate,
    type: o.type,
    providers,
    locations: w.locations.map((l) => ({ id: l.id, timezone: l.timezone })),
    rooms: rooms.map((r) => ({ id: r.id, locationId: r.locationId })),
    weekly: w.weekly,
    overrides: w.overrides,
    timeOff: w.timeOff,
    holidays: w.holidays,
    busy: o.exceptAppointment ? w.busy.filter((b) => b.id !== o.exceptAppointment) : w.busy,
    rules: staffRules(w.rules),
  };
}

/** Where an appointment sits on a local date, in minutes after midnight. */
export function placeOn(date: string, tz: string, startsAt: number, endsAt: number): Placed {
  const s = localParts(startsAt, tz);
  const e = localParts(endsAt, tz);
  const startMin = s.date < date ? 0 : minutesOf(s.time);
  const endMin = e.date > date ? 1440 : Math.max(startMin + 5, minutesOf(e.time));
  return { startMin, endMin };
}

/** One audit row per patient whose appointment a page shows. */
export async function auditShown(scope: CalendarScope, rows: ShownAppointment[], detail: string): Promise<void> {
  const byPatient = new Map<string, ShownAppointment>();
  for (const a of rows) if (!byPatient.has(a.patientId)) byPatient.set(a.patientId, a);
  await auditMany(
    scope,
    [...byPatient.values()].map((a): AuditEntry => ({ action: "read", event: "appointment.list", entityType: "patient", entityId: a.patientId, patientId: a.patientId, detail })),
  );
}

export function pickLocation(w: CalendarWorld, id: string | null): CalLocation {
  if (id) {
    const found = w.locations.find((l) => l.id === id);
    if (!found) throw notFound("This location");
    return found;
  }
  const first = w.locations[0];
  if (!first) throw new AppError("not_found", "No location is set up yet. An administrator can add one under Settings.");
  return first;
}
