/**
 * Reading the staff calendar: the day across providers, one provider's week, one appointment.
 * Each page's data comes from one D1 batch (plus the calendar object's live holds), and each
 * patient whose appointment is shown gets an audit row.
 */
import { audit } from "../../audit/service";
import { AppError, notFound } from "../../platform/errors";
import { requirePermission } from "../../platform/scope";
import type { TypeRow } from "../data";
import { computeSlots, type Slot } from "../slots";
import { addDays, localParts, minutesOf } from "../../platform/time";
import { dayHours, gridBounds, mondayOf, ROW_MINUTES, type Placed, type WallInterval } from "./days";
import { findWithSeries, type CalLocation, type CalProvider, type CalRoom, type SeriesInfo, type ShownAppointment } from "./repo";
import { auditShown, loadWithLive, pickLocation, placeOn, slotQuery, type CalendarScope } from "./service";

// ---- the day --------------------------------------------------------------------------------

export interface DayColumn {
  provider: CalProvider;
  hours: WallInterval[];
}

export type PlacedAppointment = ShownAppointment & Placed;
export type PlacedSlot = Slot & Placed;

export interface DayModel {
  date: string;
  today: string;
  location: CalLocation;
  locations: CalLocation[];
  rooms: CalRoom[];
  room: CalRoom | null;
  types: TypeRow[];
  type: TypeRow | null;
  columns: DayColumn[];
  appointments: PlacedAppointment[];
  slots: PlacedSlot[];
  grid: { firstMin: number; rows: number } | null;
}

/**
 * The day at one location: a column per provider working there that day (or holding an
 * appointment there), the appointments (optionally one room's), and the free starts of one
 * appointment type. One D1 batch, one call to the calendar object, one audit batch.
 */
export async function dayView(
  scope: CalendarScope,
  q: { date: string | null; locationId: string | null; roomId: string | null; typeId: string | null },
  now: number,
): Promise<DayModel> {
  requirePermission(scope, "schedule:read");
  // The clinic's today is a first guess; the data covers a day either side of it.
  const guess = q.date ?? localParts(now, scope.clinic.timezone).date;
  const world = await loadWithLive(scope, { fromDate: guess, toDate: guess, show: { locationId: q.locationId, providerId: null } }, now);
  const location = pickLocation(world, q.locationId);
  const tz = location.timezone;
  const today = localParts(now, tz).date;
  const date = q.date ?? today;
  const rooms = world.rooms.filter((r) => r.locationId === location.id);
  const room = q.roomId ? (rooms.find((r) => r.id === q.roomId) ?? null) : null;
  if (q.roomId && !room) throw notFound("This room");
  const type = (q.typeId ? world.types.find((t) => t.id === q.typeId) : null) ?? world.types[0] ?? null;

  const appointments: PlacedAppointment[] = world.shown
    .filter((a) => a.locationId === location.id && localParts(a.startsAt, tz).date === date && (!room || a.roomId === room.id))
    .map((a) => ({ ...a, ...placeOn(date, tz, a.startsAt, a.endsAt) }));
  const columns: DayColumn[] = world.providers
    .filter((p) => p.locationIds.includes(location.id) || appointments.some((a) => a.providerId === p.id))
    .map((p) => ({ provider: p, hours: dayHours(world, p.id, location.id, date) }))
    .filter((c) => c.hours.length > 0 || appointments.some((a) => a.providerId === c.provider.id));
  const slots: PlacedSlot[] = type
    ? computeSlots(slotQuery(world, { type, locationId: location.id, providerIds: columns.map((c) => c.provider.id), roomId: room?.id, fromDate: date, toDate: date, now })).map(
        (s) => ({ ...s, startMin: minutesOf(s.localTime), endMin: minutesOf(s.localTime) + ROW_MINUTES }),
      )
    : [];
  const grid = gridBounds([...columns.flatMap((c) => c.hours), ...appointments.map((a): WallInterval => [a.startMin, a.endMin]), ...slots.map((s): WallInterval => [s.startMin, s.endMin])]);
  await auditShown(scope, appointments, `day view ${date} at ${location.name}${room ? `, ${room.name}` : ""}`);
  return { date, today, location, locations: world.locations, rooms, room, types: world.types, type, columns, appointments, slots, grid };
}

// ---- the week -------------------------------------------------------------------------------

export interface WeekDay {
  date: string;
  hours: WallInterval[];
  appointments: ShownAppointment[];
  slots: Slot[];
}

export interface WeekModel {
  provider: CalProvider;
  providers: CalProvider[];
  location: CalLocation;
  locations: CalLocation[];
  types: TypeRow[];
  type: TypeRow | null;
  monday: string;
  today: string;
  days: WeekDay[];
}

/** One provider's week (Monday to Sunday) at a location: hours, appointments and free starts. */
export async function weekView(
  scope: CalendarScope,
  q: { providerId: string | null; date: string | null; locationId: string | null; typeId: string | null },
  now: number,
): Promise<WeekModel> {
  requirePermission(scope, "schedule:read");
  const guess = mondayOf(q.date ?? localParts(now, scope.clinic.timezone).date);
  const world = await loadWithLive(scope, { fromDate: guess, toDate: addDays(guess, 6), show: { locationId: null, providerId: q.providerId } }, now);
  const provider = q.providerId ? world.providers.find((p) => p.id === q.providerId) : world.providers.find((p) => !q.locationId || p.locationIds.includes(q.locationId));
  if (!provider) throw q.providerId ? notFound("This provider") : new AppError("not_found", "No provider is set up yet. An administrator can add one under Settings.");
  if (!q.providerId) {
    // The first provider: their appointments were not part of the batch (it showed nobody's).
    return weekView(scope, { ...q, providerId: provider.id }, now);
  }
  const location = pickLocation(world, q.locationId ?? provider.locationIds.find((id) => world.locations.some((l) => l.id === id)) ?? null);
  const tz = location.timezone;
  const today = localParts(now, tz).date;
  const monday = mondayOf(q.date ?? today);
  const types = world.types.filter((t) => provider.typeIds.includes(t.id));
  const type = (q.typeId ? types.find((t) => t.id === q.typeId) : null) ?? types[0] ?? null;
  const sunday = addDays(monday, 6);
  const slots = type ? computeSlots(slotQuery(world, { type, locationId: location.id, providerIds: [provider.id], fromDate: monday, toDate: sunday, now })) : [];
  const days: WeekDay[] = [];
  const shown: ShownAppointment[] = [];
  for (let i = 0; i < 7; i++) {
    const date = addDays(monday, i);
    const appointments = world.shown.filter((a) => localParts(a.startsAt, a.timezone).date === date);
    shown.push(...appointments);
    days.push({ date, hours: dayHours(world, provider.id, location.id, date), appointments, slots: slots.filter((s) => s.localDate === date) });
  }
  await auditShown(scope, shown, `week view from ${monday} for ${provider.displayName}`);
  return { provider, providers: world.providers, location, locations: world.locations, types, type, monday, today, days };
}

/** An appointment and its series, for its page; the read is audited. */
export async function viewAppointment(scope: CalendarScope, id: string): Promise<{ a: ShownAppointment; series: SeriesInfo | null }> {
  requirePermission(scope, "schedule:read");
  const found = await findWithSeries(scope.db, id);
  if (!found) throw notFound("This appointment");
  await audit(scope, { action: "read", event: "appointment.view", entityType: "appointment", entityId: id, patientId: found.a.patientId });
  return found;
}
