/**
 * Holding a slot a patient picked: checked against fresh data, then claimed in the clinic's
 * calendar for the clinic's hold time.
 */
import { holdTime } from "../appointments/service";
import type { HoldClient } from "../calendar/calendar";
import { AppError } from "../platform/errors";
import { loadSchedulingData, type TypeRow } from "../scheduling/data";
import { checkSlot, computeSlots, type Slot } from "../scheduling/slots";
import { localParts } from "../platform/time";
import { addDays } from "../platform/time";
import { locationZone, nearest, SlotUnavailable, type BookingScope } from "./slots";

/**
 * Checks the wanted slot against fresh data and claims it in the calendar. Throws SlotUnavailable
 * with the nearest open alternatives when it cannot be had.
 */
export async function holdSlot(
  scope: BookingScope,
  o: { type: TypeRow; providerId: string; locationId: string; startsAt: number; now: number; anyProvider: boolean; clients?: HoldClient[] },
): Promise<{ slot: Slot; holdId: string; expiresAt: number; holdMinutes: number }> {
  const tz = await locationZone(scope, o.locationId);
  const day = localParts(o.startsAt, tz).date;
  const data = await loadSchedulingData(scope, scope.env, scope.clinic, {
    type: o.type,
    providerId: o.anyProvider ? null : o.providerId,
    fromDate: addDays(day, -1),
    toDate: addDays(day, 7),
  });
  const query = { ...data.query, now: o.now };
  const checked = checkSlot(query, { providerId: o.providerId, locationId: o.locationId, startsAt: o.startsAt });
  if (!checked.ok) throw new SlotUnavailable(checked.reason, nearest(computeSlots(query), o));
  const slot = checked.slot;
  const held = await holdTime(scope, {
    providerId: slot.providerId,
    roomId: slot.roomId,
    resourceId: slot.resourceId,
    blockStart: slot.blockStart,
    blockEnd: slot.blockEnd,
    ttlMs: data.rules.holdMinutes * 60_000,
    now: o.now,
    clients: o.clients,
  });
  if (!held.ok && held.reason === "client_full") throw new TooManyHeld(held.max, held.freeAt);
  if (!held.ok) {
    const others = computeSlots(query).filter((s) => !(s.providerId === slot.providerId && s.startsAt === slot.startsAt));
    throw new SlotUnavailable("taken", nearest(others, o));
  }
  return { slot, holdId: held.holdId, expiresAt: held.expiresAt, holdMinutes: data.rules.holdMinutes };
}

/** The client already holds as many times as one client may at once (see ../booking/abuse.ts). */
export class TooManyHeld extends AppError {
  constructor(
    readonly max: number,
    readonly freeAt: number,
  ) {
    super("too_many_requests", `You are already holding ${max === 1 ? "a time" : `${max} times`}. Finish booking one of them, or wait until they are released, then pick again.`);
  }
}
