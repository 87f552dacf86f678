/** Encounter and note queries against one clinic's database (and the directory, for supervisors). */
import { and, asc, eq, isNull } from "drizzle-orm";
import type { ClinicDb } from "../platform/env";
import { attachments, encounters, noteAddenda, notes } from "../charting/tables";
import { headerQueries } from "../charting/header";
import { appointments, appointmentTypes } from "../scheduling/tables";
import { patients } from "../patients/tables";
import { blockQueries } from "./blocks";
import type { BatchItem } from "drizzle-orm/batch";

export type Note = typeof notes.$inferSelect;
export type Encounter = typeof encounters.$inferSelect;
export type Addendum = typeof noteAddenda.$inferSelect;

export async function findNote(db: ClinicDb, id: string): Promise<Note | undefined> {
  return db.query.notes.findFirst({ where: eq(notes.id, id) });
}

export async function findEncounter(db: ClinicDb, id: string): Promise<Encounter | undefined> {
  return db.query.encounters.findFirst({ where: eq(encounters.id, id) });
}

/** An appointment's patient and status, for starting its visit. */
export async function findAppointment(db: ClinicDb, id: string) {
  const [row] = await db
    .select({ id: appointments.id, patientId: appointments.patientId, status: appointments.status, startsAt: appointments.startsAt })
    .from(appointments)
    .where(eq(appointments.id, id))
    .limit(1);
  return row;
}

export async function patientExists(db: ClinicDb, id: string): Promise<boolean> {
  const [row] = await db.select({ id: patients.id }).from(patients).where(eq(patients.id, id)).limit(1);
  return !!row;
}

export function addendaQuery(db: ClinicDb, noteId: string) {
  return db.select().from(noteAddenda).where(eq(noteAddenda.noteId, noteId)).orderBy(asc(noteAddenda.createdAt), asc(noteAddenda.id)).limit(200);
}

/**
 * Everything around one note, in one batch: header, encounter, the blocks' live data, addenda,
 * and the read's audit row (`auditRow`) so the page costs one round trip after the note itself.
 */
export async function noteContext(db: ClinicDb, note: Note, auditRow: BatchItem<"sqlite">) {
  const [p, a, al] = headerQueries(db, note.patientId);
  const [v, m, pr, med, all] = blockQueries(db, note.patientId, note.encounterId);
  const [hp, ha, hal, enc, bv, bm, bp, bmed, ball, add] = await db.batch([
    p,
    a,
    al,
    db.select().from(encounters).where(eq(encounters.id, note.encounterId)).limit(1),
    v,
    m,
    pr,
    med,
    all,
    addendaQuery(db, note.id),
    auditRow,
  ]);
  return { header: [hp, ha, hal] as const, encounter: enc[0], blocks: [bv, bm, bp, bmed, ball] as const, addenda: add };
}

export type NoteSummary = Pick<Note, "id" | "title" | "status" | "authorName" | "authorStaffId" | "createdAt" | "signedAt" | "cosignerName" | "cosignedAt">;

/** An encounter's page: header, appointment, notes, vitals, questionnaire scores, documents, and the read's audit row. */
export async function encounterPage(db: ClinicDb, e: Encounter, auditRow: BatchItem<"sqlite">) {
  const [p, a, al] = headerQueries(db, e.patientId);
  const [v, m] = blockQueries(db, e.patientId, e.id);
  const [hp, ha, hal, appt, noteRows, bv, bm, docs] = await db.batch([
    p,
    a,
    al,
    db
      .select({ startsAt: appointments.startsAt, endsAt: appointments.endsAt, status: appointments.status, typeName: appointmentTypes.name })
      .from(appointments)
      .innerJoin(appointmentTypes, eq(appointmentTypes.id, appointments.appointmentTypeId))
      .where(eq(appointments.id, e.appointmentId ?? ""))
      .limit(1),
    db
      .select({
        id: notes.id,
        title: notes.title,
        status: notes.status,
        authorName: notes.authorName,
        authorStaffId: notes.authorStaffId,
        createdAt: notes.createdAt,
        signedAt: notes.signedAt,
        cosignerName: notes.cosignerName,
        cosignedAt: notes.cosignedAt,
      })
      .from(notes)
      .where(eq(notes.encounterId, e.id))
      .orderBy(asc(notes.createdAt))
      .limit(50),
    v,
    m,
    db
      .select({
        id: attachments.id,
        title: attachments.title,
        filename: attachments.filename,
        category: attachments.category,
        contentType: attachments.contentType,
        uploadedAt: attachments.uploadedAt,
        uploadedByName: attachments.uploadedByName,
      })
      .from(attachments)
      .where(and(eq(attachments.encounterId, e.id), eq(attachments.patientId, e.patientId), isNull(attachments.deletedAt)))
      .orderBy(asc(attachments.uploadedAt))
      .limit(50),
    auditRow,
  ]);
  return { header: [hp, ha, hal] as const, appointment: appt[0] ?? null, notes: noteRows as NoteSummary[], vitals: bv, measures: bm, documents: docs };
}

export interface EncounterListRow {
  id: string;
  patientId: string;
  patientName: string;
  startedAt: number;
  providerName: string;
  kind: string;
  /** JSON array of {status, title} of the encounter's notes. */
  notes: { id: string; status: string; title: string }[];
  /** ICD-10-CM codes in the problems insert of the encounter's signed notes. */
  codes: string[];
}

/**
 * Recent encounters with their notes' status and, from signed notes only, the diagnosis codes of
 * the problems inserted when they were signed. The codes are read inside SQLite, so no note text
 * leaves the database for this list.
 */
export async function recentEncounters(d1: D1Database, limit = 50): Promise<EncounterListRow[]> {
  const { results } = await d1
    .prepare(
      `SELECT e.id, e.patient_id AS patientId, p.family_name || ', ' || p.given_name AS patientName, e.started_at AS startedAt,
         e.provider_name AS providerName, e.kind,
         (SELECT json_group_array(json_object('id', n.id, 'status', n.status, 'title', n.title))
            FROM (SELECT id, status, title FROM notes WHERE encounter_id = e.id ORDER BY created_at) n) AS notes,
         (SELECT group_concat(code, ' ') FROM (
            SELECT DISTINCT json_extract(j.value, '$.code') AS code
            FROM notes n2, json_each(n2.signed_content, '$.blocks.problems') j
            WHERE n2.encounter_id = e.id AND n2.status = 'signed' AND json_extract(j.value, '$.code') IS NOT NULL
            ORDER BY code)) AS codes
       FROM encounters e JOIN patients p ON p.id = e.patient_id
       ORDER BY e.started_at DESC, e.id LIMIT ?`,
    )
    .bind(limit)
    .all<Omit<EncounterListRow, "notes" | "codes"> & { notes: string; codes: string | null }>();
  return results.map((r) => ({ ...r, notes: JSON.parse(r.notes) as EncounterListRow["notes"], codes: r.codes ? r.codes.split(" ") : [] }));
}

/** Notes signed by an associate and waiting for this supervisor's co-signature, oldest first. */
export async function notesAwaitingCosign(db: ClinicDb, staffId: string) {
  return db
    .select({
      id: notes.id,
      title: notes.title,
      authorName: notes.authorName,
      signedAt: notes.signedAt,
      patientId: notes.patientId,
      patientName: patients.familyName,
      patientGiven: patients.givenName,
    })
    .from(notes)
    .innerJoin(patients, eq(patients.id, notes.patientId))
    .where(and(eq(notes.cosignerStaffId, staffId), eq(notes.status, "awaiting_cosign")))
    .orderBy(asc(notes.signedAt))
    .limit(100);
}

/**
 * Staff of this clinic who may co-sign (their role holds `notes:cosign`), read from the directory,
 * leaving out the signer.
 */
export async function supervisors(directory: D1Database, clinicId: string, exceptUserId: string): Promise<{ id: string; name: string }[]> {
  const { results } = await directory
    .prepare(
      `SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id
       WHERE m.clinic_id = ?1 AND u.id != ?2 AND m.role IN (SELECT role FROM role_permissions WHERE permission = 'notes:cosign')
       ORDER BY u.name LIMIT 200`,
    )
    .bind(clinicId, exceptUserId)
    .all<{ id: string; name: string }>();
  return results;
}
