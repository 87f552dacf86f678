/**
 * Repeated failures before sign-in (unknown accounts, refused clinic-switch links, throttled
 * sign-ins) from one IP become a few audit rows, not one row each: the first failure of a kind
 * from an IP writes its row; the later ones within ten minutes are only counted (by the rate
 * limiter's object for that clinic, event and IP); when that window closes, one summary row
 * "N more ... from <ip>" is written, by the object's alarm or by the next failure after it,
 * whichever closes the window first. Rows are only ever inserted, so the append-only hash chain
 * holds: no sealed row is changed to raise a count.
 */
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { hit, peek, type RateRule } from "../platform/rate-limit";
import type { Env } from "../platform/env";
import { auditLog } from "./tables";
import { auditRow, auditStatementWhere, sealAuditChain, type AuditEntry, type AuditScope } from "./service";

/** How long repeats of one failure from one IP are counted before their summary row is written. */
export const FAILURE_WINDOW: RateRule = { name: "audit.repeated-failures", limit: 1, windowSeconds: 600 };

/** What a window needs to write its own summary when it closes (kept in the limiter object). */
export interface WindowReport {
  dbBinding: string;
  /** The complete audit row of the summary except its detail and time. */
  row: typeof auditLog.$inferInsert;
  /** The failures in words, plural: "failed sign-ins of unknown accounts". */
  what: string;
}

type Closed = { count: number; startedAt: number; lastAt: number };

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** "37 more failed sign-ins of unknown accounts from 203.0.113.9 between 09:00:01 and 09:09:58 UTC". */
export function summaryDetail(what: string, ip: string | null, closed: Closed): string {
  return `${closed.count - 1} more ${what} from ${ip ?? "an unknown address"} between ${clock(closed.startedAt)} and ${clock(closed.lastAt)} UTC`;
}

/** Writes the summary row of a window that closed without a later failure (the object's alarm). */
export async function writeWindowSummary(env: Env, report: WindowReport, closed: Closed): Promise<void> {
  const d1 = (env as unknown as Record<string, D1Database | undefined>)[report.dbBinding];
  if (!d1) throw new Error(`no database bound as ${report.dbBinding}`);
  await drizzle(d1)
    .insert(auditLog)
    .values({ ...report.row, occurredAt: new Date().toISOString(), requestId: `repeats:${crypto.randomUUID()}`, detail: summaryDetail(report.what, report.row.ip ?? null, closed) });
  await sealAuditChain(d1, env.AUDIT_KEYS);
}

export interface FailureAudit {
  /** Two conditional inserts (the closed window's summary, then this failure's row): put them in one batch. */
  statements: [BatchItem<"sqlite">, BatchItem<"sqlite">];
  /** Whether this failure gets its own row. */
  written: boolean;
}

/**
 * The audit of one failure. With `aggregate`, it is counted per clinic, event and IP and only the
 * first of a window gets its own row; without, it gets its row, and the counter is only read. Both
 * make one call to the limiter and return the same two statements (inserting rows or not), so the
 * caller's work does not tell which case it was.
 */
export async function auditFailure(
  scope: AuditScope & { env: Env; clinic: { slug: string; dbBinding: string } },
  entry: AuditEntry,
  o: { aggregate: boolean; what: string },
): Promise<FailureAudit> {
  const ip = scope.meta.ip;
  const key = `${scope.clinic.slug}|${entry.event}|${ip ?? "unknown"}`;
  const summaryEntry: AuditEntry = { action: entry.action, event: entry.event, entityType: entry.entityType, outcome: entry.outcome, user: { id: null, email: null } };
  let written = true;
  let closed: Closed | null = null;
  if (o.aggregate) {
    const report: WindowReport = { dbBinding: scope.clinic.dbBinding, row: auditRow(scope, summaryEntry), what: o.what };
    const counted = await hit(scope.env, FAILURE_WINDOW, key, undefined, report);
    written = counted.count === 1;
    closed = counted.closed && counted.closed.count > 1 ? counted.closed : null;
  } else {
    await peek(scope.env, FAILURE_WINDOW, key);
  }
  const own: AuditEntry = o.aggregate
    ? { ...entry, detail: `${entry.detail ?? ""}; repeats from this address within ${FAILURE_WINDOW.windowSeconds / 60} minutes are counted in one summary row`.replace(/^; /, "") }
    : entry;
  const summary: AuditEntry = { ...summaryEntry, detail: closed ? summaryDetail(o.what, ip, closed) : null };
  return {
    statements: [auditStatementWhere(scope, summary, sql`${closed ? 1 : 0} = 1`), auditStatementWhere(scope, own, sql`${written ? 1 : 0} = 1`)],
    written,
  };
}

/**
 * Writes the statements of `auditFailure` in one round trip, and seals the chain once the response
 * is on its way (after a timer, so the sealing is never counted as the request's own work).
 */
export async function commitFailureAudit(scope: AuditScope, audited: FailureAudit): Promise<void> {
  await scope.db.batch(audited.statements);
  scope.waitUntil(
    new Promise((resolve) => setTimeout(resolve, 0))
      .then(() => sealAuditChain(scope.d1, scope.auditKeys))
      .catch((err) => console.error("audit seal failed", err)),
  );
}

/** Audits one failure (see `auditFailure`) and writes it; true when it got its own row. */
export async function recordFailure(
  scope: AuditScope & { env: Env; clinic: { slug: string; dbBinding: string } },
  entry: AuditEntry,
  o: { aggregate: boolean; what: string },
): Promise<boolean> {
  const audited = await auditFailure(scope, entry, o);
  await commitFailureAudit(scope, audited);
  return audited.written;
}
