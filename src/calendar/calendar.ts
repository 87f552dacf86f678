/**
 * The calendar of one clinic: one Durable Object per clinic (addressed by slug), the single writer
 * of appointments. It keeps claims on providers, rooms and resources: holds (with an expiry),
 * pending (a confirmation in flight) and booked (mirroring D1). Every check-and-claim runs
 * synchronously against its SQLite storage, with no `await` in between, so the object's input gate
 * makes it atomic. D1 stays the record: a confirmation flips the claim to pending, writes the
 * appointment in one D1 batch guarded by a conditional insert that refuses any overlap, then marks
 * the claim booked (or reverts). Expired holds are freed by an alarm and ignored when read. If the
 * object's storage is lost, it rebuilds its booked claims from D1 before serving anything.
 * Open calendars and booking pages are told "slot taken / freed" over hibernating WebSockets.
 */
import { DurableObject } from "cloudflare:workers";
import type { SQLWrapper } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import type { Env } from "../platform/env";
import type { AppointmentDraft, AuditRow, Ending, WrittenWith } from "./intents";
import { appointmentByKey, auditOfChange, endAppointment, insertAppointment, moveAppointment, occupying, toStatements, writtenWith } from "./writes";

/** What the calendar needs to know of its clinic (passed on every call; kept for the alarm). */
export interface ClinicRef {
  slug: string;
  dbBinding: string;
}

export interface ClaimRequest {
  providerId: string;
  roomId: string | null;
  resourceId: string | null;
  blockStart: number;
  blockEnd: number;
}

export interface LiveClaim extends ClaimRequest {
  kind: "hold" | "pending" | "booked";
}

export type HoldResult =
  | { ok: true; holdId: string; expiresAt: number }
  | { ok: false; reason: "taken" }
  /** The client already holds its most times at once (`key` is the client key that is full). */
  | { ok: false; reason: "client_full"; key: string; max: number; freeAt: number };

/**
 * Who asks for a hold, for the limit of times one client may hold at once: each key (e.g. the
 * browser's booking cookie, the IP) may hold at most `max` live times. Keys are opaque here.
 */
export interface HoldClient {
  key: string;
  max: number;
}

export type ConfirmResult =
  | { ok: true; appointmentId: string; replayed: boolean }
  | { ok: false; reason: "hold_expired" | "taken" | "mismatch" | "unavailable" };

export type ChangeResult = { ok: true; holdId?: string; expiresAt?: number } | { ok: false; reason: "taken" | "not_found" | "unavailable" };

interface ClaimRow {
  id: string;
  kind: "hold" | "pending" | "booked";
  provider_id: string;
  room_id: string | null;
  resource_id: string | null;
  block_start: number;
  block_end: number;
  expires_at: number | null;
  appointment_id: string | null;
  idempotency_key: string | null;
  [key: string]: SqlStorageValue;
}

/** A confirmation in flight may keep its claim this long past the hold before the alarm reconciles it. */
const PENDING_GRACE_MS = 60_000;

export class ClinicCalendar extends DurableObject<Env> {
  private sql: SqlStorage;
  private inflight = new Map<string, Promise<ConfirmResult>>();
  /** The last change queued per appointment (see oneAtATime); it never rejects. */
  private changing = new Map<string, Promise<void>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    // The object's own storage (not D1): created here because it belongs to the object.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS claims (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      provider_id TEXT NOT NULL,
      room_id TEXT,
      resource_id TEXT,
      block_start INTEGER NOT NULL,
      block_end INTEGER NOT NULL,
      expires_at INTEGER,
      appointment_id TEXT,
      idempotency_key TEXT)`);
    this.sql.exec("CREATE INDEX IF NOT EXISTS claims_time ON claims (block_start, block_end)");
    this.sql.exec("CREATE INDEX IF NOT EXISTS claims_appointment ON claims (appointment_id)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    // Which clients hold which times (a hold may be counted under several keys: cookie and IP).
    // Rows of holds that are gone are ignored by the count and swept by the alarm.
    this.sql.exec("CREATE TABLE IF NOT EXISTS hold_clients (hold_id TEXT NOT NULL, client_key TEXT NOT NULL, PRIMARY KEY (hold_id, client_key))");
    this.sql.exec("CREATE INDEX IF NOT EXISTS hold_clients_key ON hold_clients (client_key)");
  }

  // ---- reading ------------------------------------------------------------------------------

  /** Live holds and pending claims overlapping [from, to): what D1 does not show yet. */
  async liveClaims(clinic: ClinicRef, from: number, to: number, now = Date.now()): Promise<LiveClaim[]> {
    await this.ensureBuilt(clinic);
    return this.sql
      .exec<ClaimRow>(
        `SELECT * FROM claims WHERE kind != 'booked' AND block_start < ? AND block_end > ? AND (expires_at IS NULL OR expires_at > ?)`,
        to,
        from,
        now,
      )
      .toArray()
      .map(toLive);
  }

  /** Counts, for health checks and tests. */
  async status(clinic?: ClinicRef, now = Date.now()): Promise<{ holds: number; pending: number; booked: number }> {
    if (clinic) await this.ensureBuilt(clinic);
    const rows = this.sql
      .exec<{ kind: string; n: number }>(
        "SELECT kind, COUNT(*) AS n FROM claims WHERE expires_at IS NULL OR expires_at > ? GROUP BY kind",
        now,
      )
      .toArray();
    const n = (k: string) => rows.find((r) => r.kind === k)?.n ?? 0;
    return { holds: n("hold"), pending: n("pending"), booked: n("booked") };
  }

  // ---- changing -----------------------------------------------------------------------------

  /**
   * Holds a slot for a patient who picked it: check and claim, atomically. With `clients`, each
   * client key may hold at most its `max` live times at once; the count and the claim happen in
   * the same synchronous step, so parallel requests of one client cannot slip past it.
   */
  async hold(clinic: ClinicRef, req: ClaimRequest & { ttlMs: number; now?: number; clients?: HoldClient[] }): Promise<HoldResult> {
    await this.ensureBuilt(clinic);
    const now = req.now ?? Date.now();
    for (const client of req.clients ?? []) {
      const held = this.clientHolds(client.key, now);
      if (held.count >= client.max) return { ok: false, reason: "client_full", key: client.key, max: client.max, freeAt: held.firstExpiry ?? now };
    }
    if (this.conflict(req, now)) return { ok: false, reason: "taken" };
    const holdId = crypto.randomUUID();
    const expiresAt = now + req.ttlMs;
    this.sql.exec(
      `INSERT INTO claims (id, kind, provider_id, room_id, resource_id, block_start, block_end, expires_at)
       VALUES (?, 'hold', ?, ?, ?, ?, ?, ?)`,
      holdId,
      req.providerId,
      req.roomId,
      req.resourceId,
      req.blockStart,
      req.blockEnd,
      expiresAt,
    );
    for (const client of req.clients ?? []) this.sql.exec("INSERT OR IGNORE INTO hold_clients (hold_id, client_key) VALUES (?, ?)", holdId, client.key);
    await this.armAlarm(expiresAt);
    this.broadcast("taken", req);
    return { ok: true, holdId, expiresAt };
  }

  /** Live holds (not yet confirming) counted under a client key, and when the first of them ends. */
  private clientHolds(key: string, now: number): { count: number; firstExpiry: number | null } {
    const row = this.sql
      .exec<{ n: number; first: number | null }>(
        `SELECT COUNT(*) AS n, MIN(c.expires_at) AS first FROM hold_clients h JOIN claims c ON c.id = h.hold_id
          WHERE h.client_key = ? AND c.kind = 'hold' AND c.expires_at > ?`,
        key,
        now,
      )
      .one();
    return { count: row.n, firstExpiry: row.first };
  }

  /** Lets a hold go (the patient went back, or an offer lapsed). */
  async release(clinic: ClinicRef, holdId: string): Promise<void> {
    await this.ensureBuilt(clinic);
    const row = this.sql.exec<ClaimRow>("SELECT * FROM claims WHERE id = ? AND kind = 'hold'", holdId).toArray()[0];
    if (!row) return;
    this.sql.exec("DELETE FROM claims WHERE id = ?", holdId);
    this.broadcast("freed", toLive(row));
  }

  /**
   * Turns a hold into an appointment. Idempotent by key: the same key returns the same appointment,
   * also while the first confirmation is still in flight. The rows `with` it (audit rows, a new
   * patient, a series, a claimed offer, messages) go in the same D1 batch, each written only if
   * the appointment was.
   */
  async confirm(
    clinic: ClinicRef,
    c: { holdId: string; idempotencyKey: string; appointment: AppointmentDraft; with?: WrittenWith; now?: number },
  ): Promise<ConfirmResult> {
    await this.ensureBuilt(clinic);
    const running = this.inflight.get(c.idempotencyKey);
    if (running) return running;
    const p = this.doConfirm(clinic, c).finally(() => this.inflight.delete(c.idempotencyKey));
    this.inflight.set(c.idempotencyKey, p);
    return p;
  }

  /** Staff booking straight from the calendar: claim and confirm in one step. */
  async book(
    clinic: ClinicRef,
    c: { idempotencyKey: string; appointment: AppointmentDraft; with?: WrittenWith; now?: number },
  ): Promise<ConfirmResult> {
    await this.ensureBuilt(clinic);
    const replay = this.bookedByKey(c.idempotencyKey);
    if (replay) return { ok: true, appointmentId: replay, replayed: true };
    const held = await this.hold(clinic, { ...claimOf(c.appointment), ttlMs: PENDING_GRACE_MS, now: c.now });
    if (!held.ok) return { ok: false, reason: "taken" };
    return this.confirm(clinic, { ...c, holdId: held.holdId });
  }

  /**
   * Moves an appointment: the new time is claimed first (excluding the appointment's own claim),
   * D1 is updated with an overlap guard, and only then is the old claim given up.
   */
  async reschedule(
    clinic: ClinicRef,
    r: { appointmentId: string; to: AppointmentDraft; audit?: AuditRow; now?: number; holdId?: string },
  ): Promise<ChangeResult> {
    await this.ensureBuilt(clinic);
    return this.oneAtATime(r.appointmentId, () => this.doReschedule(clinic, r));
  }

  private async doReschedule(
    clinic: ClinicRef,
    r: { appointmentId: string; to: AppointmentDraft; audit?: AuditRow; now?: number; holdId?: string },
  ): Promise<ChangeResult> {
    const now = r.now ?? Date.now();
    // Moving onto the patient's own hold: the room and equipment chosen for it come along.
    const held = r.holdId
      ? this.sql.exec<ClaimRow>("SELECT * FROM claims WHERE id = ? AND kind = 'hold' AND expires_at > ?", r.holdId, now).toArray()[0]
      : undefined;
    if (held) r = { ...r, to: { ...r.to, roomId: held.room_id, resourceId: held.resource_id } };
    const claim = claimOf(r.to);
    const own = this.sql.exec<ClaimRow>("SELECT * FROM claims WHERE appointment_id = ?", r.appointmentId).toArray()[0];
    // The patient's own hold on the new time (from the manage link) is not in the way: it becomes the move.
    if (this.conflict(claim, now, [own?.id ?? "", r.holdId ?? ""])) return { ok: false, reason: "taken" };
    if (r.holdId) this.sql.exec("DELETE FROM claims WHERE id = ? AND kind = 'hold'", r.holdId);
    const pendingId = `${r.appointmentId}:move:${crypto.randomUUID()}`;
    this.sql.exec(
      `INSERT INTO claims (id, kind, provider_id, room_id, resource_id, block_start, block_end, expires_at, appointment_id)
       VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, NULL)`,
      pendingId,
      claim.providerId,
      claim.roomId,
      claim.resourceId,
      claim.blockStart,
      claim.blockEnd,
      now + PENDING_GRACE_MS,
    );
    await this.armAlarm(now + PENDING_GRACE_MS);
    try {
      const db = this.db(clinic);
      const [moved] = await this.write(clinic, [moveAppointment(db, r.appointmentId, r.to), ...auditOfChange(r.audit)]);
      if (!moved || moved.meta.changes !== 1) {
        this.sql.exec("DELETE FROM claims WHERE id = ?", pendingId);
        return { ok: false, reason: "taken" };
      }
    } catch (err) {
      console.error("reschedule: D1 failed", err);
      this.sql.exec("DELETE FROM claims WHERE id = ?", pendingId);
      return { ok: false, reason: "unavailable" };
    }
    if (own) {
      this.sql.exec("DELETE FROM claims WHERE id = ?", own.id);
      this.broadcast("freed", toLive(own));
    }
    this.sql.exec("UPDATE claims SET kind = 'booked', expires_at = NULL, appointment_id = ? WHERE id = ?", r.appointmentId, pendingId);
    this.broadcast("taken", claim);
    return { ok: true };
  }

  /**
   * Frees an appointment's time after D1 records it as cancelled (or as a no-show, which also
   * frees a future slot), with its audit row in the same batch. With `holdForMs`, the freed time
   * comes back as a hold (for the waitlist) instead.
   */
  async cancel(clinic: ClinicRef, c: { appointmentId: string; ending: Ending; holdForMs?: number; now?: number }): Promise<ChangeResult> {
    await this.ensureBuilt(clinic);
    return this.oneAtATime(c.appointmentId, () => this.doCancel(clinic, c));
  }

  private async doCancel(clinic: ClinicRef, c: { appointmentId: string; ending: Ending; holdForMs?: number; now?: number }): Promise<ChangeResult> {
    try {
      const db = this.db(clinic);
      const [changed] = await this.write(clinic, [endAppointment(db, c.appointmentId, c.ending, c.now ?? Date.now()), ...auditOfChange(c.ending.audit)]);
      if (!changed || changed.meta.changes !== 1) return { ok: false, reason: "not_found" };
    } catch (err) {
      console.error("cancel: D1 failed", err);
      return { ok: false, reason: "unavailable" };
    }
    const own = this.sql.exec<ClaimRow>("SELECT * FROM claims WHERE appointment_id = ?", c.appointmentId).toArray();
    const first = own[0];
    if (c.holdForMs && first) {
      // The freed time is held for the waitlist in the same step, so nobody else can take it first.
      const now = c.now ?? Date.now();
      const holdId = crypto.randomUUID();
      const expiresAt = now + c.holdForMs;
      this.sql.exec("DELETE FROM claims WHERE appointment_id = ? AND id != ?", c.appointmentId, first.id);
      this.sql.exec(
        "UPDATE claims SET id = ?, kind = 'hold', expires_at = ?, appointment_id = NULL, idempotency_key = NULL WHERE id = ?",
        holdId,
        expiresAt,
        first.id,
      );
      await this.armAlarm(expiresAt);
      return { ok: true, holdId, expiresAt };
    }
    this.sql.exec("DELETE FROM claims WHERE appointment_id = ?", c.appointmentId);
    for (const row of own) this.broadcast("freed", toLive(row));
    return { ok: true };
  }

  /** Frees expired holds, settles stale pending claims, and re-arms for the next expiry. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const expired = this.sql.exec<ClaimRow>("SELECT * FROM claims WHERE kind = 'hold' AND expires_at <= ? AND idempotency_key IS NULL", now).toArray();
    this.sql.exec("DELETE FROM claims WHERE kind = 'hold' AND expires_at <= ? AND idempotency_key IS NULL", now);
    for (const row of expired) this.broadcast("freed", toLive(row));
    // Pending claims, and holds whose confirmation failed without an answer, are settled by D1.
    const stale = this.sql.exec<ClaimRow>("SELECT * FROM claims WHERE kind IN ('pending', 'hold') AND expires_at <= ?", now).toArray();
    const clinic = this.storedClinic();
    for (const row of stale) {
      // A confirmation that never reported back: D1 decides whether it happened.
      const appointment = clinic && row.idempotency_key ? await appointmentByKey(this.db(clinic), row.idempotency_key, true) : null;
      if (appointment) {
        this.sql.exec("UPDATE claims SET kind = 'booked', expires_at = NULL, appointment_id = ? WHERE id = ?", appointment, row.id);
      } else {
        this.sql.exec("DELETE FROM claims WHERE id = ?", row.id);
        this.broadcast("freed", toLive(row));
      }
    }
    this.sql.exec("DELETE FROM hold_clients WHERE hold_id NOT IN (SELECT id FROM claims WHERE kind = 'hold')");
    const next = this.sql.exec<{ t: number | null }>("SELECT MIN(expires_at) AS t FROM claims WHERE expires_at IS NOT NULL").one().t;
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }

  // ---- live updates -------------------------------------------------------------------------

  /** Accepts a hibernating WebSocket from an open calendar or booking page. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("Expected a WebSocket", { status: 426 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (message === "ping") ws.send("pong");
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
  }

  private broadcast(type: "taken" | "freed", c: ClaimRequest): void {
    const msg = JSON.stringify({ type, providerId: c.providerId, roomId: c.roomId, resourceId: c.resourceId, blockStart: c.blockStart, blockEnd: c.blockEnd });
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(msg);
      } catch {
        // a socket closing as we send: it will be cleaned up by webSocketClose
      }
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  private async doConfirm(
    clinic: ClinicRef,
    c: { holdId: string; idempotencyKey: string; appointment: AppointmentDraft; with?: WrittenWith; now?: number },
  ): Promise<ConfirmResult> {
    const now = c.now ?? Date.now();
    const replay = this.bookedByKey(c.idempotencyKey);
    if (replay) return { ok: true, appointmentId: replay, replayed: true };
    const db = this.db(clinic);
    const hold = this.sql.exec<ClaimRow>("SELECT * FROM claims WHERE id = ?", c.holdId).toArray()[0];
    if (!hold || hold.kind !== "hold" || (hold.expires_at ?? 0) <= now) {
      // Booked before this object lost its memory? D1 is the record.
      const existing = await appointmentByKey(db, c.idempotencyKey);
      if (existing) return { ok: true, appointmentId: existing, replayed: true };
      return { ok: false, reason: "hold_expired" };
    }
    // The room and equipment were chosen when the time was held: the appointment takes those.
    const a: AppointmentDraft = { ...c.appointment, roomId: hold.room_id, resourceId: hold.resource_id };
    if (hold.provider_id !== a.providerId || hold.block_start !== a.blockStart || hold.block_end !== a.blockEnd) {
      return { ok: false, reason: "mismatch" };
    }
    this.sql.exec(
      "UPDATE claims SET kind = 'pending', idempotency_key = ?, expires_at = ? WHERE id = ?",
      c.idempotencyKey,
      Math.max(hold.expires_at ?? now, now) + PENDING_GRACE_MS,
      c.holdId,
    );
    try {
      const [inserted] = await this.write(clinic, [insertAppointment(db, a, c.idempotencyKey), ...writtenWith(db, a.id, c.with)]);
      if (inserted && inserted.meta.changes === 1) {
        this.sql.exec("UPDATE claims SET kind = 'booked', expires_at = NULL, appointment_id = ? WHERE id = ?", a.id, c.holdId);
        // Open calendars showed the hold as busy time; now there is an appointment with a name to show.
        this.broadcast("taken", toLive(hold));
        return { ok: true, appointmentId: a.id, replayed: false };
      }
      // D1 refused the overlap (an appointment this object did not know of): give the time up.
      this.sql.exec("DELETE FROM claims WHERE id = ?", c.holdId);
      this.broadcast("freed", toLive(hold));
      return { ok: false, reason: "taken" };
    } catch (err) {
      console.error("confirm: D1 failed", err);
      // The batch may have committed before the error reached us: ask D1.
      try {
        const existing = await appointmentByKey(db, c.idempotencyKey);
        if (existing) {
          this.sql.exec("UPDATE claims SET kind = 'booked', expires_at = NULL, appointment_id = ? WHERE id = ?", existing, c.holdId);
          this.broadcast("taken", toLive(hold));
          return { ok: true, appointmentId: existing, replayed: false };
        }
      } catch {
        // still down: keep the hold so the patient can retry until it expires
      }
      // Keep the key: if the batch did commit after all, the alarm finds the appointment by it.
      this.sql.exec("UPDATE claims SET kind = 'hold', expires_at = ? WHERE id = ?", hold.expires_at, c.holdId);
      return { ok: false, reason: "unavailable" };
    }
  }

  /**
   * Runs the changes (moves, cancellations) of one appointment one after another. Without this,
   * two moves of the same appointment in flight at once (two tabs, a double submit of the manage
   * link) each claimed their new time, D1 applied both, and each kept its claim on success: the
   * appointment ended with two booked claims, one at a time D1 no longer has, refused to everyone
   * until a rebuild (test/booking/calendar-object.test.ts, "two moves of one appointment at
   * once"). In sequence, the second change finds the first one's claim as the appointment's own.
   */
  private oneAtATime<T>(appointmentId: string, change: () => Promise<T>): Promise<T> {
    const before = this.changing.get(appointmentId) ?? Promise.resolve();
    const run = before.then(change);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.changing.set(appointmentId, settled);
    void settled.then(() => {
      if (this.changing.get(appointmentId) === settled) this.changing.delete(appointmentId);
    });
    return run;
  }

  private bookedByKey(key: string): string | null {
    const row = this.sql.exec<{ appointment_id: string }>("SELECT appointment_id FROM claims WHERE idempotency_key = ? AND kind = 'booked'", key).toArray()[0];
    return row?.appointment_id ?? null;
  }

  /** Is any live claim in the way of this one? Synchronous, so check-and-claim is atomic. */
  private conflict(c: ClaimRequest, now: number, exclude: string | string[] = []): boolean {
    const skip = new Set(Array.isArray(exclude) ? exclude : [exclude]);
    const rows = this.sql
      .exec<{ id: string }>(
        `SELECT id FROM claims WHERE block_start < ? AND block_end > ?
           AND (expires_at IS NULL OR expires_at > ? OR kind = 'booked')
           AND (provider_id = ? OR (room_id IS NOT NULL AND room_id = ?) OR (resource_id IS NOT NULL AND resource_id = ?))`,
        c.blockEnd,
        c.blockStart,
        now,
        c.providerId,
        c.roomId,
        c.resourceId,
      )
      .toArray();
    return rows.some((r) => !skip.has(r.id));
  }


  private async armAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }

  private d1(clinic: ClinicRef): D1Database {
    const d1 = (this.env as unknown as Record<string, D1Database | undefined>)[clinic.dbBinding];
    if (!d1) throw new Error(`calendar of ${clinic.slug}: binding ${clinic.dbBinding} missing`);
    return d1;
  }

  private db(clinic: ClinicRef): DrizzleD1Database {
    return drizzle(this.d1(clinic));
  }

  /** Runs the object's own statements (./writes.ts) in one D1 batch. */
  private write(clinic: ClinicRef, items: SQLWrapper[]): Promise<D1Result[]> {
    const d1 = this.d1(clinic);
    return d1.batch(toStatements(d1, items));
  }

  private storedClinic(): ClinicRef | null {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'clinic'").toArray()[0];
    return row ? (JSON.parse(row.value) as ClinicRef) : null;
  }

  /** On first use (or after losing its storage) the object loads booked claims from D1. */
  private async ensureBuilt(clinic: ClinicRef): Promise<void> {
    if (this.sql.exec("SELECT 1 FROM meta WHERE key = 'built'").toArray().length > 0) return;
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.sql.exec("SELECT 1 FROM meta WHERE key = 'built'").toArray().length > 0) return;
      await this.rebuild(clinic);
    });
  }

  /** Replaces the booked claims with D1's appointments that still occupy time. */
  async rebuild(clinic: ClinicRef, now = Date.now()): Promise<number> {
    const rows = await occupying(this.db(clinic), now - 86_400_000);
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM claims WHERE kind = 'booked'");
      for (const a of rows) {
        this.sql.exec(
          `INSERT OR REPLACE INTO claims (id, kind, provider_id, room_id, resource_id, block_start, block_end, appointment_id, idempotency_key)
           VALUES (?, 'booked', ?, ?, ?, ?, ?, ?, ?)`,
          `appt:${a.id}`,
          a.providerId,
          a.roomId,
          a.resourceId,
          a.blockStart,
          a.blockEnd,
          a.id,
          a.idempotencyKey,
        );
      }
      this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('built', ?)", String(now));
      this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('clinic', ?)", JSON.stringify(clinic));
    });
    return rows.length;
  }

  /** Forgets everything, as if storage were lost (tests and operations). */
  async reset(): Promise<void> {
    this.sql.exec("DELETE FROM claims");
    this.sql.exec("DELETE FROM hold_clients");
    this.sql.exec("DELETE FROM meta");
  }
}

function toLive(r: ClaimRow): LiveClaim {
  return { kind: r.kind, providerId: r.provider_id, roomId: r.room_id, resourceId: r.resource_id, blockStart: r.block_start, blockEnd: r.block_end };
}

function claimOf(a: AppointmentDraft): ClaimRequest {
  return { providerId: a.providerId, roomId: a.roomId, resourceId: a.resourceId, blockStart: a.blockStart, blockEnd: a.blockEnd };
}
