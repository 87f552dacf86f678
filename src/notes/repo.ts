/** Encounter and note queries against one clinic's database (and the directory, for supervisors). */
import { and, asc, desc, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { memberships, rolePermissions, users } from "../schema/directory";
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
export async function recentEncounters(db: ClinicDb, limit = 50): Promise<EncounterListRow[]> {
  return db
    .select({
      id: encounters.id,
      patientId: encounters.patientId,
      patientName: sql<string>`${patients.familyName} || ', ' || ${patients.givenName}`,
      startedAt: encounters.startedAt,
      providerName: encounters.providerName,
      kind: encounters.kind,
      notes: sql`(SELECT json_group_array(json_object('id', n.id, 'status', n.status, 'title', n.title))
          FROM (SELECT ${notes.id} AS id, ${notes.status} AS status, ${notes.title} AS title FROM ${notes}
                WHERE ${notes.encounterId} = ${encounters.id} ORDER BY ${notes.createdAt}) n)`.mapWith(
        (v: string): EncounterListRow["notes"] => JSON.parse(v),
      ),
      // coalesce: drizzle hands NULL through without calling the mapper.
      codes: sql`coalesce((SELECT group_concat(code, ' ') FROM (
          SELECT DISTINCT json_extract(j.value, '$.code') AS code
          FROM ${notes}, json_each(${notes.signedContent}, '$.blocks.problems') j
          WHERE ${notes.encounterId} = ${encounters.id} AND ${notes.status} = 'signed' AND json_extract(j.value, '$.code') IS NOT NULL
          ORDER BY code)), '')`.mapWith((v: string): string[] => (v ? v.split(" ") : [])),
    })
    .from(encounters)
    .innerJoin(patients, eq(patients.id, encounters.patientId))
    .orderBy(desc(encounters.startedAt), asc(encounters.id))
    .limit(limit);
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
  const d = drizzle(directory);
  return d
    .select({ id: users.id, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.clinicId, clinicId),
        ne(users.id, exceptUserId),
        inArray(memberships.role, d.select({ role: rolePermissions.role }).from(rolePermissions).where(eq(rolePermissions.permission, "notes:cosign"))),
      ),
    )
    .orderBy(asc(users.name))
    .limit(200);
}
