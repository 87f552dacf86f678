/**
 * The clinic's own scored questionnaires: list, create, edit (version-checked) and archive. They
 * hold no patient data, so the audit rows carry no patient id.
 */
import { and, eq } from "drizzle-orm";
import { audit, auditStatementIfChanged, auditStatement, scheduleSeal } from "../audit/service";
import { questionnaires } from "../charting/tables";
import { AppError, notFound } from "../platform/errors";
import { requirePermission, type StaffScope } from "../platform/scope";
import { parseDefinition, type QuestionnaireDefinition } from "./instruments";
import { questionnaireListQuery, type QuestionnaireRow } from "./repo";

export async function listQuestionnaires(scope: StaffScope): Promise<{ row: QuestionnaireRow; def: QuestionnaireDefinition | null }[]> {
  requirePermission(scope, "questionnaires:manage");
  const rows = await questionnaireListQuery(scope.db);
  return rows.map((row) => ({ row, def: parseDefinition(row.definition) }));
}

export async function getQuestionnaire(scope: StaffScope, id: string): Promise<QuestionnaireRow> {
  requirePermission(scope, "questionnaires:manage");
  const row = await scope.db.query.questionnaires.findFirst({ where: eq(questionnaires.id, id) });
  if (!row) throw notFound("This questionnaire");
  return row;
}

/** Field errors when the code is taken (a questionnaire's code never changes once created). */
export type CreateResult = { id: string } | { errors: Record<string, string> };

export async function createQuestionnaire(scope: StaffScope, head: { code: string; name: string }, def: QuestionnaireDefinition): Promise<CreateResult> {
  requirePermission(scope, "questionnaires:manage");
  const taken = { errors: { code: `Code ${head.code} is already used by another questionnaire here; choose another.` } };
  const existing = await scope.db.select({ id: questionnaires.id }).from(questionnaires).where(eq(questionnaires.code, head.code)).limit(1);
  if (existing.length) return taken;
  const id = crypto.randomUUID();
  const now = Date.now();
  try {
    await scope.db.batch([
      scope.db.insert(questionnaires).values({
        id,
        code: head.code,
        name: head.name,
        definition: JSON.stringify(def),
        createdAt: now,
        updatedAt: now,
        createdBy: scope.staff.id,
        updatedBy: scope.staff.id,
      }),
      auditStatement(scope, { action: "create", event: "questionnaire.create", entityType: "questionnaire", entityId: id }),
    ]);
  } catch (err) {
    // Two people creating the same code at once: the unique index decides.
    if (String(err).includes("UNIQUE")) return taken;
    throw err;
  }
  scheduleSeal(scope);
  return { id };
}

/** Saves a new name and definition if nobody saved since the form was opened; otherwise a conflict. */
export async function updateQuestionnaire(scope: StaffScope, before: QuestionnaireRow, version: number, name: string, def: QuestionnaireDefinition): Promise<void> {
  requirePermission(scope, "questionnaires:manage");
  const definition = JSON.stringify(def);
  const changed = [before.name !== name ? "name" : "", before.definition !== definition ? "definition" : ""].filter(Boolean);
  const update = scope.db
    .update(questionnaires)
    .set({ name, definition, version: version + 1, updatedAt: Date.now(), updatedBy: scope.staff.id })
    .where(and(eq(questionnaires.id, before.id), eq(questionnaires.version, version)));
  const [result] = await scope.db.batch([
    update,
    auditStatementIfChanged(scope, {
      action: "update",
      event: "questionnaire.update",
      entityType: "questionnaire",
      entityId: before.id,
      detail: changed.length ? `changed: ${changed.join(", ")}` : "no changes",
    }),
  ]);
  if (!result || result.meta.changes !== 1) {
    await audit(scope, { action: "update", event: "questionnaire.update", entityType: "questionnaire", entityId: before.id, outcome: "failure", detail: "version conflict" });
    throw new AppError(
      "conflict",
      "Someone else saved this questionnaire after you opened it. Your changes were not saved: reopen it to see the latest version.",
    );
  }
  scheduleSeal(scope);
}

/** Archives (or restores) a questionnaire: it can no longer be administered, but its results stay charted. */
export async function setArchived(scope: StaffScope, id: string, archived: boolean): Promise<void> {
  requirePermission(scope, "questionnaires:manage");
  const event = archived ? "questionnaire.archive" : "questionnaire.restore";
  const update = scope.db
    .update(questionnaires)
    .set({ archived: archived ? 1 : 0, updatedAt: Date.now(), updatedBy: scope.staff.id })
    .where(and(eq(questionnaires.id, id), eq(questionnaires.archived, archived ? 0 : 1)))
    ;
  const [result] = await scope.db.batch([
    update,
    auditStatementIfChanged(scope, { action: "update", event, entityType: "questionnaire", entityId: id }),
  ]);
  if (result?.meta.changes === 1) {
    scheduleSeal(scope);
    return;
  }
  // Already in that state changes nothing; a questionnaire that does not exist is a 404.
  await getQuestionnaire(scope, id);
}
