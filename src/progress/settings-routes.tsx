/** /settings/questionnaires: the clinic's own scored questionnaires (list, create, edit, archive). */
import { Hono, type Context } from "hono";
import { QuestionnaireForm, QuestionnaireList } from "../../views/progress/questionnaires";
import type { AppEnv } from "../platform/env";
import { AppError } from "../platform/errors";
import { page, seeOther } from "../platform/render";
import { requirePermission, staffScope } from "../platform/scope";
import * as z from "zod/mini";
import { formInput, queryInput, validate, type FormValues } from "../platform/validation";
import { typedFields } from "../charting/input";
import { lastText } from "../platform/validation";
import { parseDefinition } from "./instruments";
import { createQuestionnaire, getQuestionnaire, listQuestionnaires, setArchived, updateQuestionnaire } from "./questionnaire-service";
import { definitionToText, parseQuestionnaireText, QUESTIONNAIRE_FIELDS, questionnaireHeadSchema, type QuestionnaireFormValues } from "./input";

export const questionnaireSettingsRoutes = new Hono<AppEnv>();

const LIST = "/settings/questionnaires";

/** The questionnaire fields as typed, each blank when left out. */
const pickFields = (raw: FormValues): QuestionnaireFormValues => typedFields(raw, QUESTIONNAIRE_FIELDS);

/** Head fields and the plain-text definition, validated together so every problem shows at once. */
function readForm(values: QuestionnaireFormValues) {
  const head = validate(questionnaireHeadSchema, values);
  const def = parseQuestionnaireText(values);
  const errors = { ...(head.ok ? {} : head.errors), ...(def.ok ? {} : def.errors) };
  if (!head.ok || !def.ok) return { ok: false as const, errors };
  return { ok: true as const, head: head.data, def: def.def };
}

questionnaireSettingsRoutes.get("/", queryInput(z.object({ saved: z.optional(z.string()) })), async (c) => {
  const scope = staffScope(c);
  const rows = await listQuestionnaires(scope);
  const saved = c.req.valid("query").saved === "1";
  return page(c, "Clinic questionnaires", <QuestionnaireList rows={rows} csrfToken={c.var.csrfToken} saved={saved} />);
});

questionnaireSettingsRoutes.get("/new", (c) => {
  requirePermission(staffScope(c), "questionnaires:manage");
  return page(
    c,
    "New questionnaire",
    <QuestionnaireForm csrfToken={c.var.csrfToken} action={LIST} values={{ options: "0|Not at all\n1|Several days\n2|More than half the days\n3|Nearly every day" }} />,
  );
});

/** The new questionnaire form: the fields as typed (`values`) and, read together by `readForm`, its head and definition. */
const newQuestionnaireForm = z.transform((raw: FormValues, ctx) => {
  const values = pickFields(raw);
  const read = readForm(values);
  if (read.ok) return { values, head: read.head, def: read.def };
  for (const [key, message] of Object.entries(read.errors)) ctx.issues.push({ code: "custom", message, path: key === "_form" ? [] : [key], input: values });
  return z.NEVER;
});

const newFormPage = (c: Context<AppEnv>, values: QuestionnaireFormValues, errors: Record<string, string>) =>
  page(c, "New questionnaire", <QuestionnaireForm csrfToken={c.var.csrfToken} action={LIST} values={values} errors={errors} />, 422);

// The permission comes before the form's own errors.
const newQuestionnaireInput = formInput(newQuestionnaireForm, (c, errors, raw) => {
  requirePermission(staffScope(c), "questionnaires:manage");
  return newFormPage(c, pickFields(raw), errors);
});

questionnaireSettingsRoutes.post("/", newQuestionnaireInput, async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "questionnaires:manage");
  const { values, head, def } = c.req.valid("form");
  const result = await createQuestionnaire(scope, head, def);
  if ("errors" in result) return newFormPage(c, values, result.errors);
  return seeOther(c, `${LIST}?saved=1`);
});

function editPage(c: Context<AppEnv>, id: string, values: QuestionnaireFormValues, version: number | undefined, status: 200 | 409 | 422 = 200, extra: { errors?: Record<string, string>; conflict?: string } = {}) {
  return page(
    c,
    `Edit ${values.name ?? "questionnaire"}`,
    <QuestionnaireForm csrfToken={c.var.csrfToken} action={`${LIST}/${id}`} values={values} version={version} {...extra} />,
    status,
  );
}

questionnaireSettingsRoutes.get("/:qid/edit", async (c) => {
  const scope = staffScope(c);
  const row = await getQuestionnaire(scope, c.req.param("qid"));
  const def = parseDefinition(row.definition);
  const values: QuestionnaireFormValues = { code: row.code, name: row.name, ...(def ? definitionToText(def) : {}) };
  return editPage(c, row.id, values, row.version);
});

/**
 * The edit form as typed, with its version. It is checked by `readForm` in the handler, because the
 * code checked is the stored one, known only once the questionnaire is read (a 404 before any field message).
 */
const editQuestionnaireForm = z.transform((raw: FormValues) => ({ values: pickFields(raw), version: lastText(raw.version) }));

questionnaireSettingsRoutes.post("/:qid", formInput(editQuestionnaireForm), async (c) => {
  const scope = staffScope(c);
  const row = await getQuestionnaire(scope, c.req.param("qid"));
  const form = c.req.valid("form");
  // The code is fixed once created: whatever the form sends, the stored one is kept.
  const values = { ...form.values, code: row.code };
  const version = Number.parseInt(form.version, 10);
  if (!Number.isInteger(version) || version < 1) return editPage(c, row.id, values, row.version, 409, { conflict: "The form is missing its version; reopen the questionnaire and try again." });
  const read = readForm(values);
  if (!read.ok) return editPage(c, row.id, values, version, 422, { errors: read.errors });
  try {
    await updateQuestionnaire(scope, row, version, read.head.name, read.def);
  } catch (err) {
    if (err instanceof AppError && err.code === "conflict") return editPage(c, row.id, values, version, 409, { conflict: err.message });
    throw err;
  }
  return seeOther(c, `${LIST}?saved=1`);
});

questionnaireSettingsRoutes.post("/:qid/archive", async (c) => {
  await setArchived(staffScope(c), c.req.param("qid"), true);
  return seeOther(c, `${LIST}?saved=1`);
});

questionnaireSettingsRoutes.post("/:qid/restore", async (c) => {
  await setArchived(staffScope(c), c.req.param("qid"), false);
  return seeOther(c, `${LIST}?saved=1`);
});
