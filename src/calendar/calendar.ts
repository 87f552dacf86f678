/**
 * The calendar of one clinic (one object per clinic, addressed by slug). It will be the single
 * writer of appointments: holds, confirmations, reschedules and cancellations all pass through it,
 * serialised by its input gate. For now it keeps the clinic's claim table and answers its status.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../platform/env";

export class ClinicCalendar extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        `CREATE TABLE IF NOT EXISTS claims (
           id TEXT PRIMARY KEY, resource TEXT NOT NULL, starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL,
           state TEXT NOT NULL, expires_at INTEGER)`,
      );
    });
  }

  /** How many live claims the calendar holds (expired holds are not counted). */
  status(now = Date.now()): { claims: number } {
    const row = this.ctx.storage.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM claims WHERE expires_at IS NULL OR expires_at > ?", now)
      .one();
    return { claims: row.n };
  }
}
