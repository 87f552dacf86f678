/**
 * The SQL that writes appointments. Only the calendar Durable Object runs it: every insert and
 * move carries its own overlap guard, so D1 refuses a double booking even if a claim were missing.
 */

export type SqlValue = string | number | null;
export interface SqlStatement {
  sql: string;
  params: SqlValue[];
}

export interface AppointmentDraft {
  id: string;
  patientId: string;
  providerId: string;
  locationId: string;
  appointmentTypeId: string;
  roomId: string | null;
  resourceId: string | null;
  startsAt: number;
  endsAt: number;
  blockStart: number;
  blockEnd: number;
  source: "staff" | "online" | "waitlist" | "recurring";
  seriesId: string | null;
  createdBy: string | null;
}

/** No live appointment of the same provider, room or resource overlaps [blockStart, blockEnd). */
function noOverlap(a: Pick<AppointmentDraft, "providerId" | "roomId" | "resourceId" | "blockStart" | "blockEnd">, exceptId: string | null): SqlStatement {
  return {
    sql: `NOT EXISTS (SELECT 1 FROM appointments o WHERE o.status != 'cancelled' AND o.block_start < ? AND o.block_end > ?
            AND (o.provider_id = ? OR (? IS NOT NULL AND o.room_id = ?) OR (? IS NOT NULL AND o.resource_id = ?))
            AND o.id != ?)`,
    params: [a.blockEnd, a.blockStart, a.providerId, a.roomId, a.roomId, a.resourceId, a.resourceId, exceptId ?? ""],
  };
}

export function insertAppointmentSql(a: AppointmentDraft, idempotencyKey: string): SqlStatement {
  const guard = noOverlap(a, null);
  return {
    sql: `INSERT INTO appointments (id, patient_id, provider_id, location_id, appointment_type_id, room_id, resource_id,
            starts_at, ends_at, block_start, block_end, status, source, series_id, idempotency_key, created_by)
          SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'booked', ?, ?, ?, ? WHERE ${guard.sql}`,
    params: [
      a.id,
      a.patientId,
      a.providerId,
      a.locationId,
      a.appointmentTypeId,
      a.roomId,
      a.resourceId,
      a.startsAt,
      a.endsAt,
      a.blockStart,
      a.blockEnd,
      a.source,
      a.seriesId,
      idempotencyKey,
      a.createdBy,
      ...guard.params,
    ],
  };
}

export function rescheduleAppointmentSql(id: string, to: AppointmentDraft): SqlStatement {
  const guard = noOverlap(to, id);
  return {
    sql: `UPDATE appointments SET provider_id = ?, location_id = ?, room_id = ?, resource_id = ?, starts_at = ?, ends_at = ?,
            block_start = ?, block_end = ?, version = version + 1, updated_at = ?
          WHERE id = ? AND status IN ('booked', 'confirmed') AND ${guard.sql}`,
    params: [to.providerId, to.locationId, to.roomId, to.resourceId, to.startsAt, to.endsAt, to.blockStart, to.blockEnd, Date.now(), id, ...guard.params],
  };
}

/** The guard for rows written in the same batch as an appointment: they exist only if it does. */
export function appointmentExists(appointmentId: string): SqlStatement {
  return { sql: "EXISTS (SELECT 1 FROM appointments WHERE id = ?)", params: [appointmentId] };
}

/** Where and when a visit sits: the appointment's own times and the block its buffers occupy. */
export type PlacedSlot = Pick<AppointmentDraft, "providerId" | "locationId" | "roomId" | "resourceId" | "startsAt" | "endsAt" | "blockStart" | "blockEnd">;

/** Places a visit of a type at a start: end from its duration, block from its buffers. */
export function placeFor(
  type: { durationMinutes: number; bufferBeforeMinutes: number; bufferAfterMinutes: number; resourceId: string | null },
  at: { providerId: string; locationId: string; roomId: string | null; startsAt: number },
): PlacedSlot {
  const endsAt = at.startsAt + type.durationMinutes * 60_000;
  return {
    ...at,
    resourceId: type.resourceId,
    endsAt,
    blockStart: at.startsAt - type.bufferBeforeMinutes * 60_000,
    blockEnd: endsAt + type.bufferAfterMinutes * 60_000,
  };
}

/** The appointment to write for a placed slot. */
export function draftAt(
  slot: PlacedSlot,
  o: Pick<AppointmentDraft, "id" | "patientId" | "appointmentTypeId" | "source" | "seriesId" | "createdBy">,
): AppointmentDraft {
  return {
    id: o.id,
    patientId: o.patientId,
    appointmentTypeId: o.appointmentTypeId,
    providerId: slot.providerId,
    locationId: slot.locationId,
    roomId: slot.roomId,
    resourceId: slot.resourceId,
    startsAt: slot.startsAt,
    endsAt: slot.endsAt,
    blockStart: slot.blockStart,
    blockEnd: slot.blockEnd,
    source: o.source,
    seriesId: o.seriesId,
    createdBy: o.createdBy,
  };
}
