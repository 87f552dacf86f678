/**
 * An appointment's changes: status (forward only), no-show, cancellation (this visit, or this and
 * the following visits of its series) and reschedule (this visit only). A form opened on an older
 * version is a conflict. Time that is freed is offered to the waitlist.
 */
import { audit, scheduleSeal } from "../../audit/service";
import * as appointments from "../../appointments/service";
import { nearest } from "../../booking/slots";
import { draftAt } from "../../calendar/intents";
import { AppError, notFound } from "../../platform/errors";
import { requirePermission } from "../../platform/scope";
import type { TypeRow } from "../data";
import type { AppointmentStatus } from "../tables";
import { checkSlot, computeSlots, type Slot } from "../slots";
import { offerFreedTime, WAITLIST_HOLD_MS } from "../waitlist";
import { sendAppointmentNotice } from "../../messaging/notices";
import { emitEvent } from "../../workflows/engine";
import { addDays, localParts, utcDateOf } from "../../platform/time";
import { findShown, followingInSeries, type CalProvider, type ShownAppointment } from "./repo";
import { STAFF_REFUSALS } from "./messages";
import { STATUS_FLOW } from "./input";
import { STALE, STATUS_LABELS, SlotRefused, loadWithLive, slotQuery, type CalendarScope } from "./service";

async function loadForChange(scope: CalendarScope, id: string, version: number): Promise<ShownAppointment> {
  requirePermission(scope, "schedule:write");
  const a = await findShown(scope.db, id);
  if (!a) throw notFound("This appointment");
  if (a.version !== version) throw new AppError("conflict", STALE);
  return a;
}

/** Statuses an appointment may move to now: forward along the flow, or no-show once it has started. */
export function nextStatuses(a: Pick<ShownAppointment, "status" | "startsAt">, now: number): AppointmentStatus[] {
  const at = (STATUS_FLOW as readonly string[]).indexOf(a.status);
  const forward = at < 0 ? [] : STATUS_FLOW.slice(at + 1);
  const noShow = (a.status === "booked" || a.status === "confirmed") && a.startsAt <= now ? (["no_show"] as const) : [];
  return [...forward, ...noShow];
}

/**
 * Moves an appointment along booked → confirmed → arrived → in room → completed (forward only;
 * steps may be skipped), or marks a no-show (booked or confirmed, and only once the visit has
 * started). A form opened on an older version is a conflict. A no-show goes through the calendar
 * object (its claim is let go); it stays busy time in D1, so the past is not offered again.
 */
export async function changeStatus(scope: CalendarScope, id: string, to: AppointmentStatus, version: number, now: number): Promise<void> {
  const a = await loadForChange(scope, id, version);
  if (to === "no_show") {
    if (a.status !== "booked" && a.status !== "confirmed") throw new AppError("validation", `This appointment is ${STATUS_LABELS[a.status]}: only a booked or confirmed visit can be a no-show.`);
    if (a.startsAt > now) throw new AppError("validation", "A visit that has not started yet cannot be a no-show. Cancel it instead if the patient will not come.");
    const result = await appointments.markNoShow(scope, a, version, now);
    if (!result.ok) throw result.reason === "unavailable" ? new AppError("internal", STAFF_REFUSALS.unavailable) : new AppError("conflict", STALE);
    scheduleSeal(scope);
    await emitEvent(scope, scope.env, { trigger: "appointment.no_show", key: `appointment.no_show:${id}`, patientId: a.patientId, appointmentId: id, at: now }).catch((err) =>
      console.error("workflow event failed", err),
    );
    return;
  }
  const from = (STATUS_FLOW as readonly string[]).indexOf(a.status);
  const target = (STATUS_FLOW as readonly string[]).indexOf(to);
  if (from < 0 || target <= from) {
    throw new AppError(
      "validation",
      `This appointment is ${STATUS_LABELS[a.status]} and cannot go to ${STATUS_LABELS[to]}: a status only moves forward (booked → confirmed → arrived → in room → completed).`,
    );
  }
  // The time stays claimed exactly as before, so this write needs nothing of the calendar object.
  if (!(await appointments.advanceStatus(scope, a, { from: a.status, to, version, now }))) throw new AppError("conflict", STALE);
  if (to === "completed") {
    await emitEvent(scope, scope.env, { trigger: "appointment.completed", key: `appointment.completed:${id}`, patientId: a.patientId, appointmentId: id, at: now }).catch((err) =>
      console.error("workflow event failed", err),
    );
  }
}

async function offerFreed(
  scope: CalendarScope,
  a: Pick<ShownAppointment, "providerId" | "locationId" | "blockStart" | "blockEnd">,
  held?: { holdId: string; expiresAt: number },
): Promise<void> {
  try {
    await offerFreedTime(scope, scope.clinic, { providerId: a.providerId, locationId: a.locationId, blockStart: a.blockStart, blockEnd: a.blockEnd }, Date.now(), undefined, held);
  } catch (err) {
    // The cancellation stands; the waitlist can be offered the time by hand.
    console.error("waitlist offer failed", err);
  }
}

/**
 * Cancels a booked or confirmed appointment with a reason, and with "following", every later
 * visit of its series still booked or confirmed. Each visit is freed through the calendar object
 * (its row, then its audit row, in one D1 batch) and offered to the waitlist. Returns how many
 * visits were cancelled.
 */
export async function cancelAppointment(scope: CalendarScope, id: string, input: { reason: string; version: number; which: "this" | "following" }, now: number): Promise<number> {
  const a = await loadForChange(scope, id, input.version);
  if (a.status !== "booked" && a.status !== "confirmed") {
    throw new AppError("conflict", `This appointment is already ${STATUS_LABELS[a.status]}: only a booked or confirmed appointment can be cancelled.`);
  }
  const later = input.which === "following" && a.seriesId ? await followingInSeries(scope.db, a.seriesId, a.startsAt) : [];
  let cancelled = 0;
  for (const t of [a, ...later]) {
    const detail = t === a ? "cancelled by staff" : "cancelled by staff with an earlier visit of its series (this and following)";
    const result = await appointments.cancelAppointment(scope, t, {
      reason: input.reason,
      detail,
      version: t.version,
      // Future time comes back held for the waitlist, so nobody else takes it first.
      holdForMs: t.startsAt > now ? WAITLIST_HOLD_MS : undefined,
      now,
    });
    if (!result.ok) {
      if (t !== a) continue; // a later visit changed meanwhile: leave it as it is
      throw result.reason === "unavailable" ? new AppError("internal", STAFF_REFUSALS.unavailable) : new AppError("conflict", STALE);
    }
    cancelled++;
    await offerFreed(scope, t, result.holdId && result.expiresAt ? { holdId: result.holdId, expiresAt: result.expiresAt } : undefined);
    if (t.startsAt > now) await sendAppointmentNotice(scope, t.id, "appointment.cancelled").catch((err) => console.error("cancel notice failed", err));
    await emitEvent(scope, scope.env, { trigger: "appointment.cancelled", key: `appointment.cancelled:${t.id}`, patientId: t.patientId, appointmentId: t.id, at: now }).catch((err) =>
      console.error("workflow event failed", err),
    );
  }
  scheduleSeal(scope);
  return cancelled;
}

export interface RescheduleModel {
  a: ShownAppointment;
  type: TypeRow;
  date: string;
  today: string;
  providers: CalProvider[];
  providerId: string;
  slots: Slot[];
}

/** The open starts for moving an appointment (same type and location), on one date. */
export async function rescheduleOptions(
  scope: CalendarScope,
  id: string,
  q: { date: string | null; at: number | null; providerId: string | null },
  now: number,
): Promise<RescheduleModel> {
  requirePermission(scope, "schedule:write");
  const a = await findShown(scope.db, id);
  if (!a) throw notFound("This appointment");
  await audit(scope, { action: "read", event: "appointment.view", entityType: "appointment", entityId: id, patientId: a.patientId, detail: "reschedule" });
  if (a.status !== "booked" && a.status !== "confirmed") throw new AppError("conflict", `This appointment is ${STATUS_LABELS[a.status]} and can no longer be moved.`);
  const today = localParts(now, a.timezone).date;
  const own = localParts(a.startsAt, a.timezone).date;
  const date = q.date ?? (q.at !== null ? localParts(q.at, a.timezone).date : own >= today ? own : today);
  const world = await loadWithLive(scope, { fromDate: date, toDate: date }, now);
  const type = world.types.find((t) => t.id === a.typeId);
  if (!type) throw new AppError("conflict", "This appointment's type is no longer offered, so it cannot be moved. Cancel it and book another.");
  const providers = world.providers.filter((p) => p.typeIds.includes(type.id) && p.locationIds.includes(a.locationId));
  const providerId = q.providerId && providers.some((p) => p.id === q.providerId) ? q.providerId : a.providerId;
  const slots = computeSlots(slotQuery(world, { type, locationId: a.locationId, providerIds: [providerId], fromDate: date, toDate: date, now, exceptAppointment: a.id }));
  return { a, type, date, today, providers, providerId, slots };
}

/**
 * Moves one appointment (of a series: this visit only; the others keep their times) to a new
 * start of the same type, through the calendar object; the time it leaves is offered to the
 * waitlist.
 */
export async function rescheduleAppointment(
  scope: CalendarScope,
  id: string,
  input: { slot: { providerId: string; locationId: string; startsAt: number }; version: number },
  now: number,
): Promise<void> {
  const a = await loadForChange(scope, id, input.version);
  if (a.status !== "booked" && a.status !== "confirmed") throw new AppError("conflict", `This appointment is ${STATUS_LABELS[a.status]} and can no longer be moved.`);
  if (input.slot.locationId !== a.locationId) throw new AppError("validation", "An appointment can only be moved within its location.");
  const utcDate = utcDateOf(input.slot.startsAt);
  const world = await loadWithLive(scope, { fromDate: addDays(utcDate, -1), toDate: addDays(utcDate, 1) }, now);
  const type = world.types.find((t) => t.id === a.typeId);
  if (!type) throw new AppError("conflict", "This appointment's type is no longer offered, so it cannot be moved.");
  const date = localParts(input.slot.startsAt, a.timezone).date;
  const q = slotQuery(world, { type, locationId: a.locationId, fromDate: date, toDate: date, now, exceptAppointment: a.id });
  const checked = checkSlot(q, input.slot);
  if (!checked.ok) throw new SlotRefused(checked.reason, nearest(computeSlots(q), { providerId: input.slot.providerId, startsAt: input.slot.startsAt }));
  const s = checked.slot;
  const to = draftAt(s, { id: a.id, patientId: a.patientId, appointmentTypeId: type.id, source: a.source, seriesId: a.seriesId, createdBy: scope.staff.id });
  const result = await appointments.moveAppointment(scope, a, { to, detail: `moved by staff from ${new Date(a.startsAt).toISOString()}`, now });
  if (!result.ok) {
    if (result.reason === "unavailable") throw new SlotRefused("unavailable", []);
    if (result.reason === "not_found") throw new AppError("conflict", STALE);
    throw new SlotRefused("taken", nearest(computeSlots(q).filter((x) => x.startsAt !== s.startsAt || x.providerId !== s.providerId), input.slot));
  }
  scheduleSeal(scope);
  await offerFreed(scope, a);
  await sendAppointmentNotice(scope, a.id, "appointment.rescheduled").catch((err) => console.error("reschedule notice failed", err));
}
