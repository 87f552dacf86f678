/**
 * What a workflow action does, as SQL guarded by a condition: the same statements run at once
 * (guarded by "this run was just recorded") or later from `scheduled_actions` (guarded by "this
 * action is still pending"), so an action commits together with the record that it ran, and a
 * second scan or a repeated event finds the guard false and writes nothing.
 */
import { auditSql, type AuditEntry } from "../audit/service";
import type { Env } from "../platform/env";
import type { ClinicScope } from "../platform/scope";
import { offerFreedTime } from "../scheduling/waitlist";
import { bookingLink, fillPlaceholders } from "./messages";
import { publicClinicOrigin } from "../platform/tenancy";
import type { Action } from "./model";

/** An SQL condition with its parameters. */
export interface Guard {
  sql: string;
  params: (string | number | null)[];
}

export interface PatientFacts {
  id: string;
  givenName: string;
  preferredName: string | null;
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
export function subjectStatements(d1: D1Database, patientIds: string[], appointmentIds: string[], now: number): D1PreparedStatement[] {
  const pids = JSON.stringify([...new Set(patientIds)]);
  const aids = JSON.stringify([...new Set(appointmentIds)]);
  const whosePatients = "(SELECT value FROM json_each(?1) UNION SELECT patient_id FROM appointments WHERE id IN (SELECT value FROM json_each(?2)))";
  return [
    d1
      .prepare(
        `SELECT p.id, p.given_name AS givenName, p.preferred_name AS preferredName, p.email, p.phone,
           COALESCE(c.email_consent, 1) AS emailOk,
           CASE WHEN c.sms_opted_out_at IS NULL AND COALESCE(c.sms_consent, 1) = 1 THEN 1 ELSE 0 END AS smsOk,
           EXISTS (SELECT 1 FROM appointments u WHERE u.patient_id = p.id AND u.starts_at > ?3 AND u.status IN ('booked', 'confirmed')) AS hasUpcoming
         FROM patients p LEFT JOIN patient_contact_prefs c ON c.patient_id = p.id
         WHERE p.id IN ${whosePatients}`,
      )
      .bind(pids, aids, now),
    d1
      .prepare(
        `SELECT a.id, a.patient_id AS patientId, a.provider_id AS providerId, a.location_id AS locationId, a.appointment_type_id AS typeId,
           a.starts_at AS startsAt, a.block_start AS blockStart, a.block_end AS blockEnd, a.status,
           pr.slug AS providerSlug, t.slug AS typeSlug, (t.bookable_online AND t.active AND pr.active) AS bookable
         FROM appointments a JOIN providers pr ON pr.id = a.provider_id JOIN appointment_types t ON t.id = a.appointment_type_id
         WHERE a.id IN (SELECT value FROM json_each(?1))`,
      )
      .bind(aids),
    d1.prepare(`SELECT patient_id AS patientId, tag FROM patient_tags WHERE patient_id IN ${whosePatients}`).bind(pids, aids),
  ];
}

export function readSubjects(results: D1Result[]): Subjects {
  const [patients, appointments, tags] = results as [D1Result<PatientFacts>, D1Result<AppointmentFacts>, D1Result<{ patientId: string; tag: string }>];
  const tagMap = new Map<string, Set<string>>();
  for (const t of tags.results) {
    if (!tagMap.has(t.patientId)) tagMap.set(t.patientId, new Set());
    tagMap.get(t.patientId)!.add(t.tag);
  }
  return {
    patients: new Map(patients.results.map((p) => [p.id, p])),
    appointments: new Map(appointments.results.map((a) => [a.id, a])),
    tags: tagMap,
  };
}

export async function loadSubjects(d1: D1Database, patientIds: string[], appointmentIds: string[], now: number): Promise<Subjects> {
  return readSubjects(await d1.batch(subjectStatements(d1, patientIds, appointmentIds, now)));
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
export type Planned = { kind: "sql"; statements: D1PreparedStatement[]; note: string } | { kind: "skip"; note: string } | { kind: "async" };

function guarded(scope: ClinicScope, sql: string, values: (string | number | null)[], guard: Guard): D1PreparedStatement {
  return scope.d1.prepare(sql.replace("%GUARD%", guard.sql)).bind(...values, ...guard.params);
}

function auditAfter(scope: ClinicScope, e: AuditEntry): D1PreparedStatement {
  // Recorded only if the statement just before it wrote its row.
  const s = auditSql(scope, e, { sql: "changes() = 1", params: [] });
  return scope.d1.prepare(s.sql).bind(...s.params);
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
        first_name: p.preferredName || p.givenName,
        clinic: scope.clinic.name,
        link: a.link || bookingLink(publicClinicOrigin(env, scope.clinic), run.appointment),
      };
      const outboxId = crypto.randomUUID();
      const subject = a.channel === "email" ? fillPlaceholders(a.subject || "A message from {{clinic}}", values) : null;
      return {
        kind: "sql",
        note: `${a.channel} queued`,
        statements: [
          guarded(
            scope,
            `INSERT INTO outbox (id, channel, recipient, template, subject, body, idempotency_key, send_after, patient_id, appointment_id)
             SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE %GUARD% ON CONFLICT (idempotency_key) DO NOTHING`,
            [outboxId, a.channel, recipient, a.template || "workflow", subject, fillPlaceholders(a.body, values), `wf:${run.runId}:${run.index}`, run.dueAt, p.id, run.appointment?.id ?? null],
            guard,
          ),
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
          guarded(
            scope,
            `INSERT INTO tasks (id, title, detail, patient_id, appointment_id, assignee_id, due_at, status, rule_id, created_at)
             SELECT ?, ?, ?, ?, ?, ?, ?, 'open', ?, ? WHERE %GUARD%`,
            [
              taskId,
              a.title,
              `Created by ${from}.`,
              p?.id ?? null,
              run.appointment?.id ?? null,
              a.assigneeId ?? null,
              a.dueHours === undefined ? null : run.now + a.dueHours * 3_600_000,
              run.rule.id,
              run.now,
            ],
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
          guarded(scope, "INSERT INTO patient_tags (patient_id, tag, created_at) SELECT ?, ?, ? WHERE %GUARD% ON CONFLICT DO NOTHING", [p.id, a.tag, run.now], guard),
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
