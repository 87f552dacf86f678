/**
 * /messages: the clinic's outbox for staff (owners and administrators, through `audit:read` for
 * now): status, attempts and last error of every message, and retry for failed ones. Listing
 * messages shows who the clinic writes to, so every view is audited.
 */
import { Hono } from "hono";
import * as z from "zod/mini";
import { and, count, desc, eq, sql } from "drizzle-orm";
import { OutboxPage } from "../../views/messaging/outbox";
import { auditMany, auditStatementWhere, scheduleSeal, type AuditEntry } from "../audit/service";
import type { AppEnv } from "../platform/env";
import { AppError, notFound } from "../platform/errors";
import { page, seeOther } from "../platform/render";
import { runWrites } from "../platform/guarded-writes";
import { requirePermission, staffScope } from "../platform/scope";
import { queryInput } from "../platform/validation";
import { deliverSoon } from "./delivery";
import { outbox, OUTBOX_STATUSES } from "./tables";

export const outboxRoutes = new Hono<AppEnv>();

const PERMISSION = "audit:read";

const STATUS_ERROR = "Choose a status from the list.";
type StatusFilter = "" | (typeof OUTBOX_STATUSES)[number];

/**
 * The list's address: a status filter and whether a retry just happened. A status that is not one
 * of the list is kept as `invalid`, so the page can still show every message and say why (422).
 */
const listQuery = z.object({
  status: z.pipe(
    z.optional(z.string()),
    z.transform((v): { status: StatusFilter; invalid: boolean } =>
      v === undefined || v === "" ? { status: "", invalid: false } : (OUTBOX_STATUSES as readonly string[]).includes(v) ? { status: v as StatusFilter, invalid: false } : { status: "", invalid: true },
    ),
  ),
  retried: z.pipe(z.optional(z.string()), z.transform((v) => v === "1")),
});

outboxRoutes.get("/", queryInput(listQuery), async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, PERMISSION);
  const query = c.req.valid("query");
  const { status } = query.status;
  const errors = query.status.invalid ? { status: STATUS_ERROR } : undefined;
  const db = scope.db;
  const [rows, counts] = await db.batch([
    db
      .select({
        id: outbox.id,
        channel: outbox.channel,
        recipient: outbox.recipient,
        template: outbox.template,
        status: outbox.status,
        attempts: outbox.attempts,
        lastError: outbox.lastError,
        createdAt: outbox.createdAt,
        sentAt: outbox.sentAt,
        deliveredAt: outbox.deliveredAt,
        patientId: outbox.patientId,
      })
      .from(outbox)
      .where(status ? eq(outbox.status, status) : undefined)
      .orderBy(desc(outbox.createdAt), outbox.id)
      .limit(100),
    db.select({ status: outbox.status, n: count() }).from(outbox).groupBy(outbox.status),
  ]);
  const byStatus: Record<string, number> = {};
  for (const r of counts) byStatus[r.status] = r.n;
  const entries: AuditEntry[] = [
    { action: "read", event: "outbox.view", entityType: "outbox", detail: `${rows.length} messages${status ? `, status ${status}` : ""}` },
    ...rows
      .filter((r) => r.patientId)
      .map((r) => ({ action: "read" as const, event: "outbox.view", entityType: "outbox", entityId: r.id, patientId: r.patientId })),
  ];
  await auditMany(scope, entries);
  return page(
    c,
    "Messages",
    <OutboxPage
      csrfToken={c.var.csrfToken}
      rows={rows}
      status={status}
      counts={byStatus}
      timezone={c.var.clinic.timezone}
      retried={query.retried}
      errors={errors}
    />,
    errors ? 422 : 200,
  );
});

/** Puts a failed message back in the queue (its attempts are kept) and hands it over right away. */
outboxRoutes.post("/:id/retry", async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, PERMISSION);
  const id = c.req.param("id");
  const row = await scope.db.select({ status: outbox.status, patientId: outbox.patientId }).from(outbox).where(eq(outbox.id, id)).get();
  if (!row) throw notFound("This message");
  if (row.status !== "failed") throw new AppError("conflict", `Only failed messages can be retried; this one is ${row.status}.`);
  const [update] = await runWrites(scope.db, [
    scope.db
      .update(outbox)
      .set({ status: "queued", nextAttemptAt: null })
      .where(and(eq(outbox.id, id), eq(outbox.status, "failed"))),
    auditStatementWhere(scope, { action: "update", event: "message.retry", entityType: "outbox", entityId: id, patientId: row.patientId }, sql`changes() = 1`),
  ]);
  scheduleSeal(scope);
  if ((update?.meta.changes ?? 0) !== 1) throw new AppError("conflict", "Someone else changed this message just now. Reload the page.");
  try {
    await deliverSoon(c.env, scope.clinic, [id]);
  } catch (err) {
    // Queued all the same: the next scan hands it over.
    console.error(JSON.stringify({ requestId: scope.meta.requestId, deliverSoon: String(err) }));
  }
  return seeOther(c, "/messages?retried=1");
});
