/**
 * /messages: the clinic's outbox for staff (owners and administrators, through `audit:read` for
 * now): status, attempts and last error of every message, and retry for failed ones. Listing
 * messages shows who the clinic writes to, so every view is audited.
 */
import { Hono } from "hono";
import * as z from "zod/mini";
import { OutboxPage, type OutboxRow } from "../../views/messaging/outbox";
import { auditIfChanged, auditMany, scheduleSeal, type AuditEntry } from "../audit/service";
import type { AppEnv } from "../platform/env";
import { AppError, notFound } from "../platform/errors";
import { page, seeOther } from "../platform/render";
import { requirePermission, staffScope } from "../platform/scope";
import { validate } from "../platform/validation";
import { deliverSoon } from "./delivery";
import { OUTBOX_STATUSES } from "./tables";

export const outboxRoutes = new Hono<AppEnv>();

const PERMISSION = "audit:read";

const filterSchema = z.object({
  status: z.optional(z.union([z.literal(""), z.enum(OUTBOX_STATUSES)], { error: "Choose a status from the list." })),
});

outboxRoutes.get("/", async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, PERMISSION);
  const parsed = validate(filterSchema, c.req.query());
  const status = parsed.ok ? (parsed.data.status ?? "") : "";
  const d1 = scope.d1;
  const [list, counts] = await d1.batch([
    d1
      .prepare(
        `SELECT id, channel, recipient, template, status, attempts, last_error AS lastError, created_at AS createdAt,
           sent_at AS sentAt, delivered_at AS deliveredAt, patient_id AS patientId
         FROM outbox WHERE ?1 = '' OR status = ?1 ORDER BY created_at DESC, id LIMIT 100`,
      )
      .bind(status),
    d1.prepare("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status"),
  ]);
  const rows = (list?.results ?? []) as OutboxRow[];
  const byStatus: Record<string, number> = {};
  for (const r of (counts?.results ?? []) as { status: string; n: number }[]) byStatus[r.status] = r.n;
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
      retried={c.req.query("retried") === "1"}
      errors={parsed.ok ? undefined : parsed.errors}
    />,
    parsed.ok ? 200 : 422,
  );
});

/** Puts a failed message back in the queue (its attempts are kept) and hands it over right away. */
outboxRoutes.post("/:id/retry", async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, PERMISSION);
  const id = c.req.param("id");
  const row = await scope.d1
    .prepare("SELECT status, patient_id AS patientId FROM outbox WHERE id = ?")
    .bind(id)
    .first<{ status: string; patientId: string | null }>();
  if (!row) throw notFound("This message");
  if (row.status !== "failed") throw new AppError("conflict", `Only failed messages can be retried; this one is ${row.status}.`);
  const [update] = await scope.d1.batch([
    scope.d1.prepare("UPDATE outbox SET status = 'queued', next_attempt_at = NULL WHERE id = ? AND status = 'failed'").bind(id),
    auditIfChanged(scope, { action: "update", event: "message.retry", entityType: "outbox", entityId: id, patientId: row.patientId }),
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
