/**
 * What callers ask of the calendar object: the appointment to write (a draft placed at a slot) and
 * the rows that go with it in the same D1 batch, as typed values. The object alone decides the SQL
 * that writes them (./writes.ts); no caller hands it a statement.
 */
import type { auditLog } from "../audit/tables";
import type { outbox } from "../messaging/tables";
import type { patients } from "../patients/tables";
import type { appointmentSeries } from "../scheduling/tables";

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

/** An audit row, complete (who, where, what): see `auditRow` in src/audit/service.ts. */
export type AuditRow = typeof auditLog.$inferInsert;

/**
 * Rows written with a new appointment, in the same D1 batch, each only if the appointment was
 * written (so a refused booking leaves none of them behind).
 */
export interface WrittenWith {
  /** A patient registered by this booking (once: a series passes it to every visit) and its audit row. */
  newPatient?: { row: typeof patients.$inferInsert; audit: AuditRow };
  /** The weekly series the appointment belongs to (written once, with its first visit). */
  series?: typeof appointmentSeries.$inferInsert;
  /** The waitlist offer this booking claims: the other offers of its hold are lost. */
  claimsOffer?: { offerId: string; holdId: string; entryId: string };
  /** Audit rows of the booking. */
  audit?: AuditRow[];
  /** Messages queued with the booking (a second one with the same idempotency key is dropped). */
  messages?: (typeof outbox.$inferInsert)[];
}

/**
 * How an appointment stops occupying its time: cancelled (with a reason) or a no-show. `version`,
 * when given, must still be the row's (a form opened on an older version changes nothing).
 */
export interface Ending {
  status: "cancelled" | "no_show";
  reason?: string;
  version?: number;
  /** The audit row of the change, written only if the row changed. */
  audit?: AuditRow;
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
