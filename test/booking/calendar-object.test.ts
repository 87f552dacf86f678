// The calendar Durable Object on its own, over RPC: holds, room and resource claims, expiry and the
// alarm, idempotent confirmation, rebuilding from D1 after losing its storage, and a D1 failure in
// the middle of a confirmation.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ClinicCalendar, ClinicRef } from "../../src/calendar/calendar";
import type { AppointmentDraft } from "../../src/calendar/intents";
import { USERS } from "../fixtures";
import { clinicD1, registerPatient, signedIn } from "../helpers";
import { nyInstant, seedSchedule, tomorrowNY, type ScheduleWorld } from "../schedule-fixtures";

const NORTH: ClinicRef = { slug: "riverside-north", dbBinding: "CLINIC_RIVERSIDE_NORTH" };
const MIN = 60_000;

const stub = () => env.CALENDAR.getByName(NORTH.slug);
const d1 = () => clinicD1("north");

interface ClaimRow {
  id: string;
  kind: string;
  provider_id: string;
  room_id: string | null;
  resource_id: string | null;
  block_start: number;
  block_end: number;
  expires_at: number | null;
  appointment_id: string | null;
  idempotency_key: string | null;
}

/** The object's own `claims` table, read inside the object. */
function claims(): Promise<ClaimRow[]> {
  return runInDurableObject(stub(), (_instance: ClinicCalendar, state) =>
    state.storage.sql.exec("SELECT * FROM claims ORDER BY block_start, id").toArray() as unknown as ClaimRow[],
  );
}

/** Moves a claim's expiry into the past (as if its time had run out). */
function expire(claimId: string, at = Date.now() - 1000): Promise<void> {
  return runInDurableObject(stub(), (_instance: ClinicCalendar, state) => {
    state.storage.sql.exec("UPDATE claims SET expires_at = ? WHERE id = ?", at, claimId);
  });
}

function getAlarm(): Promise<number | null> {
  return runInDurableObject(stub(), (_instance: ClinicCalendar, state) => state.storage.getAlarm());
}

async function appointmentRows(): Promise<{ id: string; status: string; idempotency_key: string }[]> {
  return (await d1().prepare("SELECT id, status, idempotency_key FROM appointments ORDER BY created_at").all<{ id: string; status: string; idempotency_key: string }>()).results;
}

let w: ScheduleWorld;
let patientId: string;
let day: string;
let equipment: string;

beforeAll(async () => {
  w = await seedSchedule("north", { providers: 2 });
  equipment = "equip-ultrasound";
  await d1().prepare("INSERT INTO resources (id, location_id, name, kind) VALUES (?, ?, 'Ultrasound', 'equipment')").bind(equipment, w.locationId).run();
  const desk = await signedIn("north", USERS.frontDesk.email);
  patientId = await registerPatient(desk, { given_name: "Calla", family_name: "Lendar", phone: "(555) 010-4455" });
  day = tomorrowNY();
});

// Every test starts from an empty calendar: no appointments, no claims, no alarm.
beforeEach(async () => {
  await d1().prepare("DELETE FROM appointments").run();
  await stub().reset();
  await runInDurableObject(stub(), (_instance: ClinicCalendar, state) => state.storage.deleteAlarm());
});

const at = (time: string) => nyInstant(day, time);

/** A claim of a 30-minute visit (block = the visit) for a provider (index) at a wall time. */
function claim(time: string, provider = 0, over: { roomId?: string | null; resourceId?: string | null; minutes?: number } = {}) {
  const start = at(time);
  return {
    providerId: w.providers[provider]!.id,
    roomId: over.roomId ?? null,
    resourceId: over.resourceId ?? null,
    blockStart: start,
    blockEnd: start + (over.minutes ?? 30) * MIN,
  };
}

/** An appointment draft matching claim(time, provider). */
function draft(time: string, provider = 0, over: Partial<AppointmentDraft> = {}): AppointmentDraft {
  const c = claim(time, provider);
  return {
    id: crypto.randomUUID(),
    patientId,
    providerId: c.providerId,
    locationId: w.locationId,
    appointmentTypeId: w.typeId,
    roomId: null,
    resourceId: null,
    startsAt: c.blockStart,
    endsAt: c.blockEnd,
    blockStart: c.blockStart,
    blockEnd: c.blockEnd,
    source: "online",
    seriesId: null,
    createdBy: null,
    ...over,
  };
}

async function hold(time: string, provider = 0, over: { roomId?: string | null; resourceId?: string | null; ttlMs?: number; now?: number; minutes?: number } = {}) {
  return stub().hold(NORTH, { ...claim(time, provider, over), ttlMs: over.ttlMs ?? 5 * MIN, now: over.now });
}

async function heldId(time: string, provider = 0, over: Parameters<typeof hold>[2] = {}): Promise<{ holdId: string; expiresAt: number }> {
  const h = await hold(time, provider, over);
  if (!h.ok) throw new Error(`hold at ${time} refused`);
  return h;
}

describe("calendar object: holds", () => {
  it("a hold blocks an overlapping hold for the same provider, not for another provider", async () => {
    expect((await hold("10:00")).ok).toBe(true);
    expect(await hold("10:15")).toEqual({ ok: false, reason: "taken" });
    expect(await hold("09:45")).toEqual({ ok: false, reason: "taken" });
    // Half-open blocks: touching is fine.
    expect((await hold("10:30")).ok).toBe(true);
    expect((await hold("09:30")).ok).toBe(true);
    // Another provider at the very same time.
    expect((await hold("10:00", 1)).ok).toBe(true);
    expect(await stub().status(NORTH)).toEqual({ holds: 4, pending: 0, booked: 0 });
  });

  it("room and resource claims conflict across providers", async () => {
    const [room1, room2] = w.rooms as [string, string];
    expect((await hold("11:00", 0, { roomId: room1 })).ok).toBe(true);
    expect(await hold("11:15", 1, { roomId: room1 })).toEqual({ ok: false, reason: "taken" });
    expect((await hold("11:15", 1, { roomId: room2 })).ok).toBe(true);

    expect((await hold("14:00", 0, { resourceId: equipment })).ok).toBe(true);
    expect(await hold("14:00", 1, { resourceId: equipment })).toEqual({ ok: false, reason: "taken" });
    expect((await hold("14:30", 1, { resourceId: equipment })).ok).toBe(true);
    // A claim without a room or resource does not collide with another provider's room claim.
    expect((await hold("11:00", 1, { minutes: 15 })).ok).toBe(true);
    expect(await stub().status(NORTH)).toEqual({ holds: 5, pending: 0, booked: 0 });
  });
});

describe("calendar object: expiry and the alarm", () => {
  it("ignores an expired hold when read, and the alarm frees it", async () => {
    const now = Date.now();
    const h = await heldId("09:00", 0, { now, ttlMs: 5 * MIN });
    expect(h.expiresAt).toBe(now + 5 * MIN);
    const window = [at("08:00"), at("12:00")] as const;
    expect(await stub().liveClaims(NORTH, ...window, now)).toHaveLength(1);
    expect(await stub().liveClaims(NORTH, ...window, now + 5 * MIN)).toHaveLength(0);
    // An expired hold no longer stands in the way of a new one.
    expect((await hold("09:00", 0, { now: now + 6 * MIN })).ok).toBe(true);
    expect(await getAlarm()).toBe(h.expiresAt);

    const second = (await claims()).find((c) => c.id !== h.holdId)!;
    await expire(h.holdId);
    expect(await runDurableObjectAlarm(stub())).toBe(true);
    const left = await claims();
    expect(left.map((c) => c.id)).toEqual([second.id]);
    // Re-armed for the remaining hold.
    expect(await getAlarm()).toBe(second.expires_at);
  });

  it("re-arms the alarm for the earliest remaining expiry; running it twice is harmless", async () => {
    const now = Date.now();
    const a = await heldId("08:00", 0, { now, ttlMs: 1 * MIN });
    const b = await heldId("09:00", 0, { now, ttlMs: 10 * MIN });
    const c = await heldId("10:00", 0, { now, ttlMs: 5 * MIN });
    const booked = await stub().book(NORTH, { idempotencyKey: "alarm-booked", appointment: draft("13:00") });
    expect(booked.ok).toBe(true);
    expect(await getAlarm()).toBe(a.expiresAt);

    await expire(a.holdId);
    expect(await runDurableObjectAlarm(stub())).toBe(true);
    expect(await getAlarm()).toBe(c.expiresAt);
    const after = await claims();
    expect(after.map((x) => x.id).sort()).toEqual([b.holdId, c.holdId, after.find((x) => x.kind === "booked")!.id].sort());

    // Again, with nothing due: nothing changes and the alarm stays armed for the same time.
    expect(await runDurableObjectAlarm(stub())).toBe(true);
    expect(await claims()).toEqual(after);
    expect(await getAlarm()).toBe(c.expiresAt);
    expect(await stub().status(NORTH)).toEqual({ holds: 2, pending: 0, booked: 1 });

    // Once every hold is gone, no alarm is left armed (booked claims never expire).
    await expire(b.holdId);
    await expire(c.holdId);
    expect(await runDurableObjectAlarm(stub())).toBe(true);
    expect(await getAlarm()).toBeNull();
    expect(await runDurableObjectAlarm(stub())).toBe(false);
    expect(await stub().status(NORTH)).toEqual({ holds: 0, pending: 0, booked: 1 });
    expect(await appointmentRows()).toHaveLength(1);
  });

  it("settles a stale pending claim by asking D1: booked if the row exists, freed if not", async () => {
    const kept = draft("15:00");
    expect((await stub().book(NORTH, { idempotencyKey: "stale-kept", appointment: kept })).ok).toBe(true);
    const lost = await heldId("16:00");
    // As if the confirmation of `kept` never reported back, and `lost`'s D1 write never happened.
    await runInDurableObject(stub(), (_instance: ClinicCalendar, state) => {
      state.storage.sql.exec("UPDATE claims SET kind = 'pending', expires_at = ?, appointment_id = NULL WHERE idempotency_key = 'stale-kept'", Date.now() - 1);
      state.storage.sql.exec("UPDATE claims SET kind = 'pending', expires_at = ?, idempotency_key = 'stale-lost' WHERE id = ?", Date.now() - 1, lost.holdId);
    });
    expect(await runDurableObjectAlarm(stub())).toBe(true);
    const left = await claims();
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ kind: "booked", appointment_id: kept.id, expires_at: null });
  });
});

describe("calendar object: confirming", () => {
  it("is idempotent by key: the same key twice gives the same appointment and one row", async () => {
    const h = await heldId("09:00");
    const first = await stub().confirm(NORTH, { holdId: h.holdId, idempotencyKey: "key-seq", appointment: draft("09:00") });
    expect(first).toMatchObject({ ok: true, replayed: false });
    // The caller builds a new draft (a new id) each time; the key wins.
    const again = await stub().confirm(NORTH, { holdId: h.holdId, idempotencyKey: "key-seq", appointment: draft("09:00") });
    expect(again).toEqual({ ok: true, appointmentId: first.ok ? first.appointmentId : "", replayed: true });
    const rows = await appointmentRows();
    expect(rows).toEqual([{ id: (first as { appointmentId: string }).appointmentId, status: "booked", idempotency_key: "key-seq" }]);
    expect(await stub().status(NORTH)).toEqual({ holds: 0, pending: 0, booked: 1 });
  });

  it("is idempotent with two confirmations in flight at once", async () => {
    const h = await heldId("10:00");
    const [a, b] = await Promise.all([
      stub().confirm(NORTH, { holdId: h.holdId, idempotencyKey: "key-par", appointment: draft("10:00") }),
      stub().confirm(NORTH, { holdId: h.holdId, idempotencyKey: "key-par", appointment: draft("10:00") }),
    ]);
    expect(a.ok && b.ok).toBe(true);
    expect((a as { appointmentId: string }).appointmentId).toBe((b as { appointmentId: string }).appointmentId);
    expect(await appointmentRows()).toHaveLength(1);
    // And a third, later, is a replay.
    const c = await stub().confirm(NORTH, { holdId: h.holdId, idempotencyKey: "key-par", appointment: draft("10:00") });
    expect(c).toEqual({ ok: true, appointmentId: (a as { appointmentId: string }).appointmentId, replayed: true });
    expect(await stub().status(NORTH)).toEqual({ holds: 0, pending: 0, booked: 1 });
  });

  it("refuses a confirmation after the hold expired, and writes nothing", async () => {
    const h = await heldId("11:00", 0, { ttlMs: 5 * MIN });
    const late = await stub().confirm(NORTH, { holdId: h.holdId, idempotencyKey: "key-late", appointment: draft("11:00"), now: h.expiresAt + 1 });
    expect(late).toEqual({ ok: false, reason: "hold_expired" });
    // Also once the alarm has freed it.
    await expire(h.holdId);
    await runDurableObjectAlarm(stub());
    const later = await stub().confirm(NORTH, { holdId: h.holdId, idempotencyKey: "key-late", appointment: draft("11:00") });
    expect(later).toEqual({ ok: false, reason: "hold_expired" });
    expect(await appointmentRows()).toHaveLength(0);
    expect(await stub().status(NORTH)).toEqual({ holds: 0, pending: 0, booked: 0 });
  });

  it("refuses a confirmation whose appointment does not match the hold", async () => {
    const h = await heldId("12:00");
    const wrong = await stub().confirm(NORTH, { holdId: h.holdId, idempotencyKey: "key-mismatch", appointment: draft("12:15") });
    expect(wrong).toEqual({ ok: false, reason: "mismatch" });
    expect(await appointmentRows()).toHaveLength(0);
    expect(await stub().status(NORTH)).toEqual({ holds: 1, pending: 0, booked: 0 });
  });

  it("gives the time up when D1 refuses an overlap the object did not know of", async () => {
    // A row written behind the object's back (e.g. by an older deploy), after it was built.
    expect(await stub().status(NORTH)).toEqual({ holds: 0, pending: 0, booked: 0 });
    const other = draft("13:00");
    await d1()
      .prepare(
        `INSERT INTO appointments (id, patient_id, provider_id, location_id, appointment_type_id, starts_at, ends_at, block_start, block_end, source, idempotency_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'staff', 'behind-the-back')`,
      )
      .bind(other.id, patientId, other.providerId, other.locationId, other.appointmentTypeId, other.startsAt, other.endsAt, other.blockStart, other.blockEnd)
      .run();
    const h = await heldId("13:00");
    const res = await stub().confirm(NORTH, { holdId: h.holdId, idempotencyKey: "key-overlap", appointment: draft("13:00") });
    expect(res).toEqual({ ok: false, reason: "taken" });
    expect(await appointmentRows()).toHaveLength(1);
    expect(await claims()).toHaveLength(0);
  });
});

describe("calendar object: D1 is the record", () => {
  it("rebuilds its booked claims from D1 after losing its storage", async () => {
    const a = draft("09:30");
    const booked = await stub().book(NORTH, { idempotencyKey: "key-rebuild", appointment: a });
    expect(booked).toEqual({ ok: true, appointmentId: a.id, replayed: false });
    await stub().reset();
    expect(await claims()).toHaveLength(0);
    // The next call rebuilds before answering: the booked time is refused.
    expect(await hold("09:30")).toEqual({ ok: false, reason: "taken" });
    expect(await hold("09:45")).toEqual({ ok: false, reason: "taken" });
    expect((await hold("09:30", 1)).ok).toBe(true);
    expect(await stub().status(NORTH)).toEqual({ holds: 1, pending: 0, booked: 1 });
    const rebuilt = (await claims()).find((c) => c.kind === "booked");
    expect(rebuilt).toMatchObject({ appointment_id: a.id, provider_id: a.providerId, block_start: a.blockStart, block_end: a.blockEnd, idempotency_key: "key-rebuild" });
    // Booking again with the same key is a replay, not a second row.
    expect(await stub().book(NORTH, { idempotencyKey: "key-rebuild", appointment: draft("09:30") })).toEqual({ ok: true, appointmentId: a.id, replayed: true });
    // A cancelled appointment is not rebuilt.
    await d1().prepare("UPDATE appointments SET status = 'cancelled' WHERE id = ?").bind(a.id).run();
    await stub().reset();
    expect(await stub().status(NORTH)).toEqual({ holds: 0, pending: 0, booked: 0 });
    expect((await hold("09:30")).ok).toBe(true);
  });

  it("rebuilds from status() too, and a confirm after reset finds the appointment by its key", async () => {
    const h = await heldId("14:00");
    const first = await stub().confirm(NORTH, { holdId: h.holdId, idempotencyKey: "key-lost", appointment: draft("14:00") });
    expect(first.ok).toBe(true);
    await stub().reset();
    expect(await stub().status(NORTH)).toEqual({ holds: 0, pending: 0, booked: 1 });
    const replay = await stub().confirm(NORTH, { holdId: h.holdId, idempotencyKey: "key-lost", appointment: draft("14:00") });
    expect(replay).toEqual({ ok: true, appointmentId: (first as { appointmentId: string }).appointmentId, replayed: true });
    expect(await appointmentRows()).toHaveLength(1);
  });

  it("a D1 failure during confirm releases nothing: no row, the hold is back and can be confirmed again", async () => {
    const h = await heldId("15:30");
    const broken = await stub().confirm(NORTH, {
      holdId: h.holdId,
      idempotencyKey: "key-fail",
      appointment: draft("15:30"),
      // A row D1 refuses (a patient without a name) makes the whole batch fail.
      with: { newPatient: { row: { id: "p-broken" } as never, audit: {} as never } },
    });
    expect(broken).toEqual({ ok: false, reason: "unavailable" });
    expect(await appointmentRows()).toHaveLength(0);
    const back = await claims();
    expect(back).toHaveLength(1);
    // The key stays on the hold, so that if the batch had committed after all, the alarm would find the appointment by it.
    expect(back[0]).toMatchObject({ id: h.holdId, kind: "hold", expires_at: h.expiresAt, idempotency_key: "key-fail", appointment_id: null });
    // The time is still ours: nobody else can hold it.
    expect(await hold("15:30")).toEqual({ ok: false, reason: "taken" });

    const a = draft("15:30");
    const ok = await stub().confirm(NORTH, { holdId: h.holdId, idempotencyKey: "key-fail", appointment: a });
    expect(ok).toEqual({ ok: true, appointmentId: a.id, replayed: false });
    expect(await appointmentRows()).toEqual([{ id: a.id, status: "booked", idempotency_key: "key-fail" }]);
    expect(await stub().status(NORTH)).toEqual({ holds: 0, pending: 0, booked: 1 });
  });

  it("two moves of one appointment at once leave one claim, where D1 has it", async () => {
    const a = draft("08:30");
    expect((await stub().book(NORTH, { idempotencyKey: "key-move", appointment: a })).ok).toBe(true);
    const to = (time: string) => ({ ...draft(time), id: a.id });
    // Called inside the object, so both are surely under way before either hears back from D1.
    const results = await runInDurableObject(stub(), (instance: ClinicCalendar) =>
      Promise.all([instance.reschedule(NORTH, { appointmentId: a.id, to: to("10:00") }), instance.reschedule(NORTH, { appointmentId: a.id, to: to("11:00") })]),
    );
    expect(results).toEqual([{ ok: true }, { ok: true }]);
    const row = await d1().prepare("SELECT block_start, block_end FROM appointments WHERE id = ?").bind(a.id).first<{ block_start: number; block_end: number }>();
    expect(row!.block_start).toBe(at("11:00"));
    const mine = (await claims()).filter((c) => c.appointment_id === a.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ kind: "booked", block_start: row!.block_start, block_end: row!.block_end });
    // The time it is not at is free again.
    const other = row!.block_start === at("10:00") ? "11:00" : "10:00";
    expect((await hold(other)).ok).toBe(true);
  });

  it("a cancel and a move of one appointment at once leave no claim for a cancelled row", async () => {
    for (const [i, time] of ["08:00", "13:30", "15:00"].entries()) {
      const a = draft(time);
      expect((await stub().book(NORTH, { idempotencyKey: `key-cm-${i}`, appointment: a })).ok).toBe(true);
      await runInDurableObject(stub(), (instance: ClinicCalendar) => {
        const cancel = () =>
          instance.cancel(NORTH, { appointmentId: a.id, ending: { status: "cancelled" } });
        const move = () => instance.reschedule(NORTH, { appointmentId: a.id, to: { ...draft(["09:00", "12:00", "16:30"][i]!), id: a.id } });
        return Promise.all(i % 2 ? [cancel(), move()] : [move(), cancel()]);
      });
      const row = await d1().prepare("SELECT status, block_start FROM appointments WHERE id = ?").bind(a.id).first<{ status: string; block_start: number }>();
      expect(row!.status).toBe("cancelled");
      expect((await claims()).filter((c) => c.appointment_id === a.id)).toEqual([]);
    }
    expect(await stub().status(NORTH)).toEqual({ holds: 0, pending: 0, booked: 0 });
  });

  it("book() refuses a time already claimed, and cancel() frees it", async () => {
    const a = draft("16:30");
    expect((await stub().book(NORTH, { idempotencyKey: "key-b1", appointment: a })).ok).toBe(true);
    expect(await stub().book(NORTH, { idempotencyKey: "key-b2", appointment: draft("16:45") })).toEqual({ ok: false, reason: "taken" });
    const cancelled = await stub().cancel(NORTH, { appointmentId: a.id, ending: { status: "cancelled" } });
    expect(cancelled).toEqual({ ok: true });
    expect(await claims()).toHaveLength(0);
    // Cancelling twice finds nothing to change.
    expect(
      await stub().cancel(NORTH, { appointmentId: a.id, ending: { status: "cancelled" } }),
    ).toEqual({ ok: false, reason: "not_found" });
    expect((await stub().book(NORTH, { idempotencyKey: "key-b3", appointment: draft("16:45") })).ok).toBe(true);
  });
});
