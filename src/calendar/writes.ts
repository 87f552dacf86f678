/**
 * The D1 writes of the calendar object, and only of it (nothing else imports this module). Every
 * insert and move of an appointment carries its own overlap guard, so D1 refuses a double booking
 * even if a claim were missing; the rows written with an appointment exist only if it does.
 * Statements are drizzle queries and `sql` templates (values always bound, never spliced); the
 * object runs them in one D1 batch (`toStatements`), since drizzle's own batch cannot run `sql`
 * templates that carry parameters.
 */
import { and, eq, getTableColumns, inArray, ne, notExists, or, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { alias, SQLiteSyncDialect, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { auditLog } from "../audit/tables";
import { outbox } from "../messaging/tables";
import { patients } from "../patients/tables";
import { appointments, appointmentSeries, waitlistEntries, waitlistOffers } from "../scheduling/tables";
import type { AppointmentDraft, AuditRow, Ending, WrittenWith } from "./intents";

type Db = DrizzleD1Database;
type Item = SQLWrapper;

const dialect = new SQLiteSyncDialect();

/** The statements of one D1 batch, with their values bound (placeholders only in the SQL text). */
export function toStatements(d1: D1Database, items: Item[]): D1PreparedStatement[] {
  return items.map((item) => {
    const q = dialect.sqlToQuery(item.getSQL());
    return d1.prepare(q.sql).bind(...q.params);
  });
}

/** Bound while appointments still occupy their time. */
const LIVE = ["booked", "confirmed"] as const;

/**
 * `INSERT INTO table (columns of row) SELECT values WHERE condition`: a row written only if the
 * condition holds. Columns left out of `row` take their defaults.
 */
function insertWhere<T extends SQLiteTable>(table: T, row: T["$inferInsert"], condition: SQL, onConflict?: SQL): SQL {
  const columns = getTableColumns(table);
  const keys = Object.keys(row).filter((k) => (row as Record<string, unknown>)[k] !== undefined && k in columns);
  const names = keys.map((k) => sql.identifier(columns[k]!.name));
  const values = keys.map((k) => sql.param((row as Record<string, unknown>)[k], columns[k]));
  return sql`INSERT INTO ${table} (${sql.join(names, sql`, `)}) SELECT ${sql.join(values, sql`, `)} WHERE ${condition}${onConflict ?? sql``}`;
}

/** The appointment row exists (rows written with it are guarded by this). */
function appointmentExists(id: string): SQL {
  return sql`EXISTS (SELECT 1 FROM ${appointments} WHERE ${appointments.id} = ${id})`;
}

/** The statement just before this one in the batch changed exactly one row. */
const CHANGED_ONE = sql`changes() = 1`;

/** No live appointment of the same provider, room or resource overlaps the block (except `exceptId`). */
function noOverlap(db: Db, a: Pick<AppointmentDraft, "providerId" | "roomId" | "resourceId" | "blockStart" | "blockEnd">, exceptId: string | null): SQL {
  const o = alias(appointments, "o");
  return notExists(
    db
      .select({ one: sql`1` })
      .from(o)
      .where(
        and(
          ne(o.status, "cancelled"),
          sql`${o.blockStart} < ${a.blockEnd}`,
          sql`${o.blockEnd} > ${a.blockStart}`,
          or(
            eq(o.providerId, a.providerId),
            sql`(${a.roomId} IS NOT NULL AND ${o.roomId} = ${a.roomId})`,
            sql`(${a.resourceId} IS NOT NULL AND ${o.resourceId} = ${a.resourceId})`,
          ),
          ne(o.id, exceptId ?? ""),
        ),
      ),
  );
}

/** The new appointment, written only if nothing live overlaps its block. */
export function insertAppointment(db: Db, a: AppointmentDraft, idempotencyKey: string): Item {
  return insertWhere(
    appointments,
    {
      id: a.id,
      patientId: a.patientId,
      providerId: a.providerId,
      locationId: a.locationId,
      appointmentTypeId: a.appointmentTypeId,
      roomId: a.roomId,
      resourceId: a.resourceId,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      blockStart: a.blockStart,
      blockEnd: a.blockEnd,
      status: "booked",
      source: a.source,
      seriesId: a.seriesId,
      idempotencyKey,
      createdBy: a.createdBy,
    },
    noOverlap(db, a, null),
  );
}

/** The rows that go with a new appointment, each written only if the appointment was. */
export function writtenWith(db: Db, appointmentId: string, w: WrittenWith | undefined): Item[] {
  if (!w) return [];
  const guard = appointmentExists(appointmentId);
  const items: Item[] = [];
  if (w.newPatient) {
    // Written with the first visit that books (a series passes it to every visit; only one inserts),
    // and its audit row right after it: recorded only by the visit that created the patient.
    items.push(
      insertWhere(patients, w.newPatient.row, sql`${guard} AND NOT EXISTS (SELECT 1 FROM ${patients} WHERE ${patients.id} = ${w.newPatient.row.id})`),
      insertWhere(auditLog, w.newPatient.audit, CHANGED_ONE),
    );
  }
  if (w.series) {
    items.push(insertWhere(appointmentSeries, w.series, sql`${guard} AND NOT EXISTS (SELECT 1 FROM ${appointmentSeries} WHERE ${appointmentSeries.id} = ${w.series.id})`));
  }
  if (w.claimsOffer) {
    const { offerId, holdId, entryId } = w.claimsOffer;
    const othersOfHold = and(eq(waitlistOffers.holdId, holdId), ne(waitlistOffers.id, offerId));
    items.push(
      db.update(waitlistOffers).set({ status: "claimed", appointmentId }).where(and(eq(waitlistOffers.id, offerId), guard)),
      db.update(waitlistOffers).set({ status: "lost" }).where(and(othersOfHold, guard)),
      db.update(waitlistEntries).set({ status: "booked" }).where(and(eq(waitlistEntries.id, entryId), guard)),
      db
        .update(waitlistEntries)
        .set({ status: "waiting" })
        .where(
          and(
            eq(waitlistEntries.status, "offered"),
            inArray(waitlistEntries.id, db.select({ id: waitlistOffers.entryId }).from(waitlistOffers).where(othersOfHold)),
            guard,
          ),
        ),
    );
  }
  for (const row of w.audit ?? []) items.push(insertWhere(auditLog, row, guard));
  for (const m of w.messages ?? []) {
    items.push(insertWhere(outbox, m, guard, sql` ON CONFLICT (${sql.identifier(outbox.idempotencyKey.name)}) DO NOTHING`));
  }
  return items;
}

/** Moves a live appointment, only if nothing else live overlaps its new block. */
export function moveAppointment(db: Db, id: string, to: AppointmentDraft): Item {
  return db
    .update(appointments)
    .set({
      providerId: to.providerId,
      locationId: to.locationId,
      roomId: to.roomId,
      resourceId: to.resourceId,
      startsAt: to.startsAt,
      endsAt: to.endsAt,
      blockStart: to.blockStart,
      blockEnd: to.blockEnd,
      version: sql`${appointments.version} + 1`,
      updatedAt: Date.now(),
    })
    .where(and(eq(appointments.id, id), inArray(appointments.status, LIVE), noOverlap(db, to, id)));
}

/** Ends a live appointment (cancelled with its reason, or a no-show), at the expected version if one is given. */
export function endAppointment(db: Db, id: string, e: Ending, now: number): Item {
  return db
    .update(appointments)
    .set({
      status: e.status,
      ...(e.status === "cancelled" ? { cancelReason: e.reason ?? null } : {}),
      version: sql`${appointments.version} + 1`,
      updatedAt: now,
    })
    .where(and(eq(appointments.id, id), inArray(appointments.status, LIVE), e.version === undefined ? undefined : eq(appointments.version, e.version)));
}

/** The audit row of the change just before it in the batch, written only if that changed its row. */
export function auditOfChange(row: AuditRow | undefined): Item[] {
  return row ? [insertWhere(auditLog, row, CHANGED_ONE)] : [];
}

/** The appointment booked under an idempotency key (live or not, or only live ones). */
export async function appointmentByKey(db: Db, key: string, liveOnly = false): Promise<string | null> {
  const row = await db
    .select({ id: appointments.id })
    .from(appointments)
    .where(and(eq(appointments.idempotencyKey, key), liveOnly ? ne(appointments.status, "cancelled") : undefined))
    .get();
  return row?.id ?? null;
}

/** Appointments that still occupy time after `since`, for rebuilding the object's claims. */
export function occupying(db: Db, since: number) {
  return db
    .select({
      id: appointments.id,
      providerId: appointments.providerId,
      roomId: appointments.roomId,
      resourceId: appointments.resourceId,
      blockStart: appointments.blockStart,
      blockEnd: appointments.blockEnd,
      idempotencyKey: appointments.idempotencyKey,
    })
    .from(appointments)
    .where(and(ne(appointments.status, "cancelled"), sql`${appointments.blockEnd} > ${since}`));
}
