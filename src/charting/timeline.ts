/**
 * The chart timeline: encounters with their notes, lab results, prescriptions, documents,
 * questionnaire scores and vitals, newest first. The lists are merged in SQL (UNION ALL, ORDER BY,
 * LIMIT) and paged by keyset ("older than this item"), so a page costs one batch however long the
 * history is.
 */
import { sql, type SQL } from "drizzle-orm";
import { AppError } from "../platform/errors";
import type { StaffScope } from "../platform/scope";
import { readChart } from "./access";
import { visibleCategories } from "./summary";

export const TIMELINE_KINDS = ["notes", "results", "prescriptions", "documents", "questionnaires", "vitals"] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];
export const TIMELINE_PAGE = 30;

/** One row of the merged timeline; `data` is a JSON object whose keys depend on `kind`. */
export interface TimelineItem {
  kind: "note" | "encounter" | "result" | "prescription" | "document" | "questionnaire" | "vitals";
  id: string;
  at: number;
  title: string;
  data: string;
}

/** Each kind's SELECT, with the same five named columns (any branch may come first). */
function branch(kind: TimelineKind, patientId: string, categories: string[] | null): SQL | null {
  switch (kind) {
    case "notes":
      return sql`SELECT CASE WHEN n.id IS NULL THEN 'encounter' ELSE 'note' END AS kind, COALESCE(n.id, e.id) AS id, e.started_at AS at,
        COALESCE(n.title, e.reason, 'Visit') AS title,
        json_object('encounter', e.id, 'status', n.status, 'author', COALESCE(n.author_name, e.provider_name), 'open', e.status = 'open') AS data
        FROM encounters e LEFT JOIN notes n ON n.encounter_id = e.id WHERE e.patient_id = ${patientId}`;
    case "results":
      return sql`SELECT 'result' AS kind, id, observed_at AS at, name AS title,
        json_object('value', value_num, 'text', value_text, 'unit', unit, 'flag', flag, 'code', code) AS data
        FROM lab_results WHERE patient_id = ${patientId} AND status = 'final'`;
    case "prescriptions":
      return sql`SELECT 'prescription' AS kind, id, created_at AS at, name AS title,
        json_object('dose', dose, 'route', route, 'frequency', frequency, 'status', status, 'prescriber', prescriber) AS data
        FROM medications WHERE patient_id = ${patientId} AND source = 'prescription' AND status != 'entered_in_error'`;
    case "documents": {
      if (categories && categories.length === 0) return null;
      const only = categories ? sql` AND category IN (${sql.join(categories.map((c) => sql`${c}`), sql`, `)})` : sql``;
      return sql`SELECT 'document' AS kind, id, uploaded_at AS at, COALESCE(title, filename) AS title,
        json_object('category', category, 'by', uploaded_by_name) AS data
        FROM attachments WHERE patient_id = ${patientId} AND deleted_at IS NULL${only}`;
    }
    case "questionnaires":
      return sql`SELECT 'questionnaire' AS kind, id, taken_at AS at, instrument_name AS title,
        json_object('score', score, 'severity', severity, 'flags', flags) AS data
        FROM measure_responses WHERE patient_id = ${patientId} AND status = 'final'`;
    case "vitals":
      return sql`SELECT 'vitals' AS kind, id, taken_at AS at, 'Vital signs' AS title,
        json_object('systolic', systolic, 'diastolic', diastolic, 'pulse', pulse, 'temperatureC', temperature_c,
          'respiratoryRate', respiratory_rate, 'spo2', spo2, 'heightCm', height_cm, 'weightKg', weight_kg, 'bmi', bmi, 'painScore', pain_score) AS data
        FROM vitals WHERE patient_id = ${patientId} AND status = 'final'`;
  }
}

/** `1732700000000_<id>`: the position of the last item shown, where the next page starts. */
export function parseCursor(raw: string | undefined): { at: number; id: string } | null {
  if (!raw) return null;
  const m = raw.match(/^(\d{1,15})_([A-Za-z0-9-]{1,64})$/);
  if (!m) throw new AppError("bad_request", "The timeline position in the link is not valid. Open the timeline again.");
  return { at: Number(m[1]), id: m[2]! };
}

export function parseKind(raw: string | undefined): TimelineKind | null {
  if (!raw) return null;
  if (!(TIMELINE_KINDS as readonly string[]).includes(raw)) {
    throw new AppError("bad_request", `There is no "${raw.slice(0, 30)}" filter. Choose one of: ${TIMELINE_KINDS.join(", ")}.`);
  }
  return raw as TimelineKind;
}

/** A page of the timeline, optionally one kind only, older than `before`. */
export async function chartTimeline(scope: StaffScope, patientId: string, kind: TimelineKind | null, before: { at: number; id: string } | null) {
  const cats = visibleCategories(scope.staff);
  const branches = (kind ? [kind] : TIMELINE_KINDS).map((k) => branch(k, patientId, cats)).filter((b): b is SQL => b !== null);
  const older = before ? sql`WHERE at < ${before.at} OR (at = ${before.at} AND id < ${before.id})` : sql``;
  // Each kind contributes at most a page, read newest first from its own index, so the merge
  // sorts a few dozen rows however long the history is.
  const pages = branches.map((b) => sql`SELECT * FROM (SELECT * FROM (${b}) ${older} ORDER BY at DESC, id DESC LIMIT ${TIMELINE_PAGE + 1})`);
  // D1 allows at most 5 terms in one compound SELECT: merge in groups of three, then the groups.
  const groups: SQL[] = [];
  for (let i = 0; i < pages.length; i += 3) groups.push(sql`SELECT * FROM (${sql.join(pages.slice(i, i + 3), sql` UNION ALL `)})`);
  const union = groups.length ? sql.join(groups, sql` UNION ALL `) : sql`SELECT NULL AS kind, NULL AS id, NULL AS at, NULL AS title, NULL AS data WHERE 0`;
  // A drizzle select over the union (not db.all), so it can ride in the page's batch.
  const query = scope.db
    .select({
      kind: sql<TimelineItem["kind"]>`kind`,
      id: sql<string>`id`,
      at: sql<number>`at`,
      title: sql<string>`title`,
      data: sql<string>`data`,
    })
    .from(sql`(${union}) AS timeline`)
    .orderBy(sql`at DESC`, sql`id DESC`)
    .limit(TIMELINE_PAGE + 1);
  const { header, results } = await readChart(
    scope,
    patientId,
    { event: "chart.timeline", detail: `${kind ?? "all"}${before ? ", older page" : ""}` },
    [query] as const,
  );
  const rows: TimelineItem[] = results[0];
  return { header, items: rows.slice(0, TIMELINE_PAGE), more: rows.length > TIMELINE_PAGE };
}
