/**
 * The rate limiter's Durable Object: one object per rule and (hashed) key, holding one counter.
 * Every hit runs synchronously against the object's SQLite storage, so concurrent hits of the same
 * key are counted exactly, worldwide. The counter lives in a fixed window that opens at its first
 * hit; a rule with backoff instead blocks the key for a doubling time once the limit is reached,
 * and forgets it after a quiet window. An alarm deletes the object's storage once it has expired
 * (and expiry is also checked on every read, since an alarm may come late). A window may carry a
 * report (../audit/failures.ts): when it closes having counted more than one hit, the one that
 * closes it (the alarm, or a later hit) writes the summary audit row, exactly once.
 *
 * Callers use src/platform/rate-limit.ts, never this class directly.
 */
import { DurableObject } from "cloudflare:workers";
import { writeWindowSummary, type WindowReport } from "../audit/failures";
import type { Env } from "./env";

/** How a rule counts; the data of a `RateRule` that the object needs. */
export interface CounterPolicy {
  limit: number;
  windowSeconds: number;
  /** After `limit` hits, block for base, 2×base, 4×base ... seconds (at most max) per further hit. */
  backoff?: { baseSeconds: number; maxSeconds: number };
}

/** What one counter says after a hit or a look. */
export interface CounterState {
  /** Whether this hit was within the limit (for `peek`: whether a hit now would be). */
  allowed: boolean;
  /** Hits counted in the current window (including this one). */
  count: number;
  /** Seconds until a hit would be allowed again; 0 when it is allowed now. */
  retryAfterSeconds: number;
  /** When the current window opened (epoch ms), or null when there is none. */
  windowStartedAt: number | null;
  /** The window that had closed before this hit opened a new one, if it counted anything. */
  closed: { count: number; startedAt: number; lastAt: number } | null;
}

interface Row {
  window_start: number;
  count: number;
  last_at: number;
  blocked_until: number;
  expires_at: number;
  report: string | null;
  [key: string]: SqlStorageValue;
}

export class RateLimiter extends DurableObject<Env> {
  private sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    // The object's own storage (not D1): created here because it belongs to the object.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS counter (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      window_start INTEGER NOT NULL,
      count INTEGER NOT NULL,
      last_at INTEGER NOT NULL,
      blocked_until INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      report TEXT)`);
  }

  /**
   * Counts one hit and says whether it was within the limit. With a `report`, the window remembers
   * it, and `closed` tells the caller to write the summary of the window this hit closed.
   */
  async hit(policy: CounterPolicy, now = Date.now(), report?: WindowReport): Promise<CounterState> {
    const current = this.live(now);
    const closed = !current ? this.expired(now) : null;
    const row: Row = current ?? {
      window_start: now,
      count: 0,
      last_at: now,
      blocked_until: 0,
      expires_at: now + policy.windowSeconds * 1000,
      report: report ? JSON.stringify(report) : null,
    };
    const blockedBefore = row.blocked_until > now;
    // A hit refused by a backoff block is not counted: the wait doubles per allowed attempt only.
    if (!(policy.backoff && blockedBefore)) row.count += 1;
    row.last_at = now;
    let allowed: boolean;
    if (policy.backoff) {
      allowed = !blockedBefore;
      if (allowed && row.count >= policy.limit) {
        const steps = row.count - policy.limit;
        const seconds = Math.min(policy.backoff.baseSeconds * 2 ** Math.min(steps, 30), policy.backoff.maxSeconds);
        row.blocked_until = Math.max(row.blocked_until, now + seconds * 1000);
      }
      // A backoff counter is forgotten after a quiet window following its last block or hit.
      row.expires_at = Math.max(row.blocked_until, now) + policy.windowSeconds * 1000;
    } else {
      allowed = row.count <= policy.limit;
    }
    this.store(row, "REPLACE");
    await this.armAlarm(row.expires_at);
    return { ...this.state(policy, row, now), allowed, closed };
  }

  /** Writes the counter row: REPLACE it, or IGNORE when a newer window has taken its place. */
  private store(row: Row, conflict: "REPLACE" | "IGNORE"): void {
    this.sql.exec(
      `INSERT OR ${conflict} INTO counter (id, window_start, count, last_at, blocked_until, expires_at, report) VALUES (1, ?, ?, ?, ?, ?, ?)`,
      row.window_start,
      row.count,
      row.last_at,
      row.blocked_until,
      row.expires_at,
      row.report,
    );
  }

  /** The counter as it stands, without counting. */
  async peek(policy: CounterPolicy, now = Date.now()): Promise<CounterState> {
    const row = this.live(now);
    if (!row) return { allowed: true, count: 0, retryAfterSeconds: 0, windowStartedAt: null, closed: null };
    return { ...this.state(policy, row, now), closed: null };
  }

  /** Forgets the counter (a successful sign-in, an admin's unlock). */
  async reset(): Promise<void> {
    this.sql.exec("DELETE FROM counter");
    await this.ctx.storage.deleteAlarm();
  }

  override async alarm(): Promise<void> {
    // Delivered at least once: deleting an already deleted counter changes nothing.
    const row = this.sql.exec<Row>("SELECT * FROM counter WHERE id = 1").toArray()[0];
    if (!row) return;
    if (row.expires_at > Date.now()) return this.armAlarm(row.expires_at);
    // Taken (deleted) before the write, with no await in between: a hit arriving meanwhile opens a
    // new window and cannot see this one, so its summary is written once.
    this.sql.exec("DELETE FROM counter");
    if (row.report && row.count > 1) {
      try {
        await writeWindowSummary(this.env, JSON.parse(row.report) as WindowReport, { count: row.count, startedAt: row.window_start, lastAt: row.last_at });
      } catch (err) {
        // Put the window back (unless a new one opened) so the retried alarm writes it.
        this.store(row, "IGNORE");
        throw err;
      }
    }
  }

  private live(now: number): Row | null {
    const row = this.sql.exec<Row>("SELECT * FROM counter WHERE id = 1").toArray()[0];
    return row && row.expires_at > now ? { ...row } : null;
  }

  private expired(now: number): CounterState["closed"] {
    const row = this.sql.exec<Row>("SELECT * FROM counter WHERE id = 1").toArray()[0];
    if (!row || row.expires_at > now) return null;
    this.sql.exec("DELETE FROM counter");
    return { count: row.count, startedAt: row.window_start, lastAt: row.last_at };
  }

  private state(policy: CounterPolicy, row: Row, now: number): Omit<CounterState, "closed"> {
    const untilWindowEnd = Math.ceil((row.expires_at - now) / 1000);
    let retryAfterSeconds = 0;
    if (policy.backoff) {
      if (row.blocked_until > now) retryAfterSeconds = Math.ceil((row.blocked_until - now) / 1000);
    } else if (row.count >= policy.limit) {
      retryAfterSeconds = untilWindowEnd;
    }
    return { allowed: retryAfterSeconds === 0, count: row.count, retryAfterSeconds, windowStartedAt: row.window_start };
  }

  private async armAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current !== at) await this.ctx.storage.setAlarm(at);
  }
}
