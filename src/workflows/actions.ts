/**
 * What a workflow action does, as SQL guarded by a condition: the same statements run at once
 * (guarded by "this run was just recorded") or later from `scheduled_actions` (guarded by "this
 * action is still pending"), so an action commits together with the record that it ran, and a
 * second scan or a repeated event finds the guard false and writes nothing.
 */
import { nameForMessages } from "../patients/contact";
import { and, eq, exists, gt, inArray, sql, type SQL } from "drizzle-orm";
import { auditStatementWhere, type AuditEntry } from "../audit/service";
import { outbox, patientContactPrefs } from "../messaging/tables";
import { patients } from "../patients/tables";
import type { ClinicDb, Env } from "../platform/env";
import { insertWhere, type Statements } from "../platform/guarded-writes";
import { appointments, appointmentTypes, providers } from "../scheduling/tables";
import type { ClinicScope } from "../platform/scope";
import { offerFreedTime } from "../scheduling/waitlist";
import { bookingLink, fillPlaceholders } from "./messages";
import { publicClinicOrigin } from "../platform/tenancy";
import type { Action } from "./model";
import { patientTags, tasks } from "./tables";

/** The condition every write of an action is guarded by (the run is new, the action still pending). */
export type Guard = SQL;

export interface PatientFacts {
  id: string;
  /** The name messages greet the patient by; '' when the record is not vouched for (src/patients/contact.ts). */
  messageName: string;
  email: string | null;
  phone: string | null;
  /** 1 unless the patient withdrew consent for this channel (or replied STOP to SMS). */
  emailOk: number;
  smsOk: number;
  /** 1 when the patient has a booked or confirmed visit still to come. */
  hasUpcoming: number;
}

export interface AppointmentFacts {
  id: string;
  patientId: string;
  providerId: string;
  locationId: string;
  typeId: string;
  startsAt: number;
  blockStart: number;
  blockEnd: number;
  status: string;
  providerSlug: string;
  typeSlug: string;
  bookable: number;
}

/** What conditions and actions know about the patients and appointments of some events. */
export interface Subjects {
  patients: Map<string, PatientFacts>;
  appointments: Map<string, AppointmentFacts>;
  tags: Map<string, Set<string>>;
}

/**
 * Three reads (patients with their channels, appointments, tags) for one D1 batch. Patients of the
 * listed appointments are read too, so an event that names only its appointment still has one.
 */
export function subjectQueries(db: ClinicDb, patientIds: string[], appointmentIds: string[], now: number) {
  // Ids travel as one JSON parameter each: D1 allows 100 bound parameters per statement.
  const aids = sql`(SELECT value FROM json_each(${JSON.stringify([...new Set(appointmentIds)])}))`;
  const whosePatients = () =>
    sql`(SELECT value FROM json_each(${JSON.stringify([...new Set(patientIds)])}) UNION SELECT ${appointments.patientId} FROM ${appointments} WHERE ${inArray(appointments.id, aids)})`;
  const upcoming = db
    .select({ id: appointments.id })
    .from(appointments)
    .where(and(eq(appointments.patientId, patients.id), gt(appointments.startsAt, now), inArray(appointments.status, ["booked", "confirmed"])));
  return [
    db
      .select({
        id: patients.id,
        // No name to a contact nobody confirmed (a record made online holds what its booker typed).
        messageName: nameForMessages(),
        email: patients.email,
        phone: patients.phone,
        emailOk: sql<number>`COALESCE(${patientContactPrefs.emailConsent}, 1)`,
        smsOk: sql<number>`CASE WHEN ${patientContactPrefs.smsOptedOutAt} IS NULL AND COALESCE(${patientContactPrefs.smsConsent}, 1) = 1 THEN 1 ELSE 0 END`,
        hasUpcoming: sql<number>`${exists(upcoming)}`,
      })
      .from(patients)
      .leftJoin(patientContactPrefs, eq(patientContactPrefs.patientId, patients.id))
      .where(inArray(patients.id, whosePatients())),
    db
      .select({
        id: appointments.id,
        patientId: appointments.patientId,
        providerId: appointments.providerId,
        locationId: appointments.locationId,
        typeId: appointments.appointmentTypeId,
        startsAt: appointments.startsAt,
        blockStart: appointments.blockStart,
        blockEnd: appointments.blockEnd,
        status: appointments.status,
        // Aliased: in a D1 batch rows come back keyed by column name, and both are called slug.
        providerSlug: sql<string>`${providers.slug}`.as("provider_slug"),
        typeSlug: sql<string>`${appointmentTypes.slug}`.as("type_slug"),
        bookable: sql<number>`(${appointmentTypes.bookableOnline} AND ${appointmentTypes.active} AND ${providers.active})`,
      })
      .from(appointments)
      .innerJoin(providers, eq(providers.id, appointments.providerId))
      .innerJoin(appointmentTypes, eq(appointmentTypes.id, appointments.appointmentTypeId))
      .where(inArray(appointments.id, aids)),
    db.select({ patientId: patientTags.patientId, tag: patientTags.tag }).from(patientTags).where(inArray(patientTags.patientId, whosePatients())),
  ] as const;
}

type SubjectRows = readonly [PatientFacts[], AppointmentFacts[], { patientId: string; tag: string }[]];

export function readSubjects([patientRows, appointmentRows, tagRows]: SubjectRows): Subjects {
  const tagMap = new Map<string, Set<string>>();
  for (const t of tagRows) {
    if (!tagMap.has(t.patientId)) tagMap.set(t.patientId, new Set());
    tagMap.get(t.patientId)!.add(t.tag);
  }
  return {
    patients: new Map(patientRows.map((p) => [p.id, p])),
    appointments: new Map(appointmentRows.map((a) => [a.id, a])),
    tags: tagMap,
  };
}

export async function loadSubjects(db: ClinicDb, patientIds: string[], appointmentIds: string[], now: number): Promise<Subjects> {
  return readSubjects(await db.batch(subjectQueries(db, patientIds, appointmentIds, now)));
}

/** One action to run: which run and rule it belongs to, whom it is about, and when it is due. */
export interface ActionRun {
  runId: string;
  index: number;
  action: Action;
  rule: { id: string; name: string };
  patient: PatientFacts | null;
  appointment: AppointmentFacts | null;
  dueAt: number;
  now: number;
}

/**
 * The plan for one action: SQL statements (with a note for the record), nothing (and why), or
 * work outside SQL (offering freed time to the waitlist goes through the calendar object).
 */
export type Planned = { kind: "sql"; statements: Statements; note: string } | { kind: "skip"; note: string } | { kind: "async" };

function auditAfter(scope: ClinicScope, e: AuditEntry) {
  // Recorded only if the statement just before it wrote its row.
  return auditStatementWhere(scope, e, sql`changes() = 1`);
}

export function planAction(scope: ClinicScope, env: Env, run: ActionRun, guard: Guard): Planned {
  const a = run.action;
  const p = run.patient;
  const from = `the workflow "${run.rule.name}"`;
  switch (a.type) {
    case "send": {
      if (!p) return { kind: "skip", note: "skipped: no patient" };
      if (a.skipIfUpcoming && p.hasUpcoming) return { kind: "skip", note: "skipped: the patient already has an upcoming visit" };
      const recipient = a.channel === "email" ? (p.emailOk ? p.email : null) : p.smsOk ? p.phone : null;
      if (!recipient) return { kind: "skip", note: `skipped: no ${a.channel === "email" ? "email address" : "mobile number"} on file, or no consent` };
      const values = {
        first_name: p.messageName,
        clinic: scope.clinic.name,
        link: a.link || bookingLink(publicClinicOrigin(env, scope.clinic), run.appointment),
      };
      const outboxId = crypto.randomUUID();
      const subject = a.channel === "email" ? fillPlaceholders(a.subject || "A message from {{clinic}}", values) : null;
      return {
        kind: "sql",
        note: `${a.channel} queued`,
        statements: [
          insertWhere(
            scope.db,
            outbox,
            {
              id: outboxId,
              channel: a.channel,
              recipient,
              template: a.template || "workflow",
              subject,
              body: fillPlaceholders(a.body, values),
              idempotencyKey: `wf:${run.runId}:${run.index}`,
              sendAfter: run.dueAt,
              patientId: p.id,
              appointmentId: run.appointment?.id ?? null,
            },
            guard,
          ).onConflictDoNothing({ target: outbox.idempotencyKey }),
          auditAfter(scope, { action: "execute", event: "workflow.send", entityType: "outbox", entityId: outboxId, patientId: p.id, detail: `${a.channel} from ${from}` }),
        ],
      };
    }
    case "task": {
      const taskId = crypto.randomUUID();
      return {
        kind: "sql",
        note: "task created",
        statements: [
          insertWhere(
            scope.db,
            tasks,
            {
              id: taskId,
              title: a.title,
              detail: `Created by ${from}.`,
              patientId: p?.id ?? null,
              appointmentId: run.appointment?.id ?? null,
              assigneeId: a.assigneeId ?? null,
              dueAt: a.dueHours === undefined ? null : run.now + a.dueHours * 3_600_000,
              status: "open",
              ruleId: run.rule.id,
              createdAt: run.now,
            },
            guard,
          ),
          auditAfter(scope, { action: "create", event: "task.create", entityType: "task", entityId: taskId, patientId: p?.id ?? null, detail: `by ${from}` }),
        ],
      };
    }
    case "tag": {
      if (!p) return { kind: "skip", note: "skipped: no patient" };
      return {
        kind: "sql",
        note: `tag "${a.tag}" added`,
        statements: [
          insertWhere(scope.db, patientTags, { patientId: p.id, tag: a.tag, createdAt: run.now }, guard).onConflictDoNothing(),
          auditAfter(scope, { action: "update", event: "patient.tag", entityType: "patient", entityId: p.id, patientId: p.id, detail: `tag "${a.tag}" added by ${from}` }),
        ],
      };
    }
    case "waitlist": {
      const appt = run.appointment;
      if (!appt || appt.status !== "cancelled") return { kind: "skip", note: "skipped: only a cancelled appointment frees time" };
      if (appt.startsAt <= run.now) return { kind: "skip", note: "skipped: the freed time has passed" };
      return { kind: "async" };
    }
  }
}

/** Offers a cancelled appointment's time to the waitlist; returns how many patients were offered it. */
export async function offerToWaitlist(scope: ClinicScope, env: Env, appt: AppointmentFacts, now: number): Promise<number> {
  return offerFreedTime(
    { ...scope, env },
    scope.clinic,
    { providerId: appt.providerId, locationId: appt.locationId, blockStart: appt.blockStart, blockEnd: appt.blockEnd },
    now,
  );
}
