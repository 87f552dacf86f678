/**
 * /patients/:id/progress: the progress page (trends, goals, recent results), administering a
 * questionnaire, goals, and lab values entered by hand.
 */
import { Hono, type Context } from "hono";
import { GoalForm, type GoalFormProps, goalToForm, LabForm } from "../../views/progress/goal-lab-forms";
import { MeasureForm } from "../../views/progress/measure-form";
import { ProgressPage } from "../../views/progress/page";
import type { ChartHeaderData } from "../charting/header";
import type { AppEnv } from "../platform/env";
import { AppError } from "../platform/errors";
import { localPath, page, seeOther } from "../platform/render";
import { can, clinicToday, requirePermission, staffScope } from "../platform/scope";
import * as z from "zod/mini";
import { allFields, fieldsForm, typedFields } from "../charting/input";
import { formInput, queryInput, validate, type FormValues } from "../platform/validation";
import { measureChoices } from "./measures";
import { GOAL_FIELDS, type GoalFormValues, goalSchema, LAB_FIELDS, type LabFormValues, labSchema, measureSchema, measureValues } from "./input";
import {
  createGoal,
  type GoalContext,
  markLabInError,
  type MeasureContext,
  markMeasureInError,
  openGoal,
  openLab,
  openMeasure,
  recordLab,
  recordMeasure,
  updateGoal,
  viewProgress,
} from "./service";
import { buildTrends, dateIn, goalProgress } from "./trends";

export const progressRoutes = new Hono<AppEnv>();

function patientIdOf(c: Context<AppEnv>): string {
  return c.req.param("id") ?? "";
}

const base = (patientId: string) => `/patients/${patientId}/progress`;

/**
 * A form's fields as typed, each blank when left out. Goals and questionnaires are checked against
 * what the patient's context allows (its measures, the instrument), which is read after the
 * permission and the record are checked; so these forms are read leniently here and checked by
 * their zod schema once the context is known.
 */
const typedForm = (fields: readonly string[]) => z.transform((raw: FormValues) => typedFields(raw, fields));

const pageQuery = z.object({ saved: z.optional(z.string()) });

progressRoutes.get("/", queryInput(pageQuery), async (c) => {
  const scope = staffScope(c);
  const data = await viewProgress(scope, patientIdOf(c));
  const tz = c.var.clinic.timezone;
  return page(
    c,
    `${data.header.name} · Progress`,
    <ProgressPage
      data={data}
      trends={buildTrends(data, tz)}
      goals={data.goals.map((goal) => ({ goal, progress: goalProgress(goal, data, tz) }))}
      dateOf={dateIn(tz)}
      today={clinicToday(c)}
      canWrite={can(scope.staff, "chart:write")}
      canManageQuestionnaires={can(scope.staff, "questionnaires:manage")}
      csrfToken={c.var.csrfToken}
      saved={c.req.valid("query").saved}
    />,
  );
});

// ---------------------------------------------------------------------------------------------
// Administering a questionnaire: ?instrument=<code>&encounter=<id>&return=<local path>

/** The questionnaire's address: the instrument, and optionally the encounter and the local path to go back to. */
const measureAddress = z.object({
  instrument: z.pipe(z.optional(z.string()), z.transform((v) => (v ?? "").slice(0, 64))),
  encounter: z.pipe(z.optional(z.string()), z.transform((v) => (v ?? "").slice(0, 64) || null)),
  return: z.pipe(z.optional(z.string()), z.transform((v) => localPath(v))),
});

function measureQuery(c: Context<AppEnv>, address: z.output<typeof measureAddress>) {
  const { instrument: code, encounter, return: ret } = address;
  const q = new URLSearchParams({ instrument: code });
  if (encounter) q.set("encounter", encounter);
  if (ret) q.set("return", ret);
  return { code, encounter, ret, action: `${base(patientIdOf(c))}/measures/new?${q}` };
}

/** The questionnaire form; with errors (422) when a submission is refused. */
function measureFormPage(c: Context<AppEnv>, q: ReturnType<typeof measureQuery>, ctx: MeasureContext, today: string, values: Record<string, string>, errors?: Record<string, string>) {
  return page(
    c,
    `${ctx.instrument.name} · ${ctx.header.name}`,
    <MeasureForm
      header={ctx.header}
      today={today}
      instrument={ctx.instrument}
      action={q.action}
      cancelHref={q.ret ?? base(patientIdOf(c))}
      csrfToken={c.var.csrfToken}
      values={values}
      errors={errors}
    />,
    errors ? 422 : 200,
  );
}

progressRoutes.get("/measures/new", queryInput(measureAddress), async (c) => {
  const scope = staffScope(c);
  const patientId = patientIdOf(c);
  const q = measureQuery(c, c.req.valid("query"));
  if (!q.code) {
    // The progress page lists every questionnaire to choose from.
    requirePermission(scope, "chart:write");
    return seeOther(c, base(patientId));
  }
  const ctx = await openMeasure(scope, patientId, q.code, q.encounter, "form");
  const today = clinicToday(c);
  return measureFormPage(c, q, ctx, today, { taken_on: today });
});

/** The questionnaire's answers as sent; which ones it needs depends on the instrument, known after opening it. */
const measureForm = z.transform(allFields);

progressRoutes.post("/measures/new", queryInput(measureAddress), formInput(measureForm), async (c) => {
  const scope = staffScope(c);
  const patientId = patientIdOf(c);
  const q = measureQuery(c, c.req.valid("query"));
  const ctx = await openMeasure(scope, patientId, q.code, q.encounter, "submit");
  const today = clinicToday(c);
  const values = measureValues(ctx.instrument, c.req.valid("form"));
  const parsed = validate(measureSchema(ctx.instrument, today), values);
  if (!parsed.ok) return measureFormPage(c, q, ctx, today, values, parsed.errors);
  const data = parsed.data as Record<string, number | string | null>;
  await recordMeasure(
    scope,
    patientId,
    ctx,
    {
      answers: ctx.instrument.items.map((_, i) => data[`q${i + 1}`] as number),
      difficulty: data.difficulty as number | null,
      takenOn: data.taken_on as string,
    },
    today,
  );
  return seeOther(c, q.ret ?? `${base(patientId)}?saved=measure`);
});

progressRoutes.post("/measures/:mid/error", async (c) => {
  const scope = staffScope(c);
  const patientId = patientIdOf(c);
  await markMeasureInError(scope, patientId, c.req.param("mid"));
  return seeOther(c, `${base(patientId)}?saved=error`);
});

// ---------------------------------------------------------------------------------------------
// Goals

/** The goal form: new, or editing `ctx.goal`; `status` when a submission is refused. */
function goalFormPage(
  c: Context<AppEnv>,
  ctx: GoalContext,
  form: Pick<GoalFormProps, "measures" | "values" | "version" | "errors" | "conflict">,
  status: 200 | 409 | 422 = 200,
) {
  const patientId = patientIdOf(c);
  return page(
    c,
    `${ctx.goal ? "Edit goal" : "New goal"} · ${ctx.header.name}`,
    <GoalForm
      header={ctx.header}
      today={clinicToday(c)}
      csrfToken={c.var.csrfToken}
      action={ctx.goal ? `${base(patientId)}/goals/${ctx.goal.id}` : `${base(patientId)}/goals`}
      cancelHref={base(patientId)}
      {...form}
    />,
    status,
  );
}

progressRoutes.get("/goals/new", async (c) => {
  const scope = staffScope(c);
  const patientId = patientIdOf(c);
  const ctx = await openGoal(scope, patientId, null, "form");
  return goalFormPage(c, ctx, { measures: measureChoices(ctx.instruments), values: { status: "active" } });
});

progressRoutes.post("/goals", formInput(typedForm(GOAL_FIELDS)), async (c) => {
  const scope = staffScope(c);
  const patientId = patientIdOf(c);
  const ctx = await openGoal(scope, patientId, null, "submit");
  const values: GoalFormValues = c.req.valid("form");
  const measures = measureChoices(ctx.instruments);
  const parsed = validate(goalSchema(measures), values);
  if (!parsed.ok) return goalFormPage(c, ctx, { measures, values, errors: parsed.errors }, 422);
  await createGoal(scope, patientId, parsed.data);
  return seeOther(c, `${base(patientId)}?saved=goal`);
});

progressRoutes.get("/goals/:gid/edit", async (c) => {
  const scope = staffScope(c);
  const patientId = patientIdOf(c);
  const ctx = await openGoal(scope, patientId, c.req.param("gid"), "form");
  const goal = ctx.goal!;
  return goalFormPage(c, ctx, { measures: measureChoices(ctx.instruments), values: goalToForm(goal), version: goal.version });
});

progressRoutes.post("/goals/:gid", formInput(typedForm([...GOAL_FIELDS, "version"])), async (c) => {
  const scope = staffScope(c);
  const patientId = patientIdOf(c);
  const ctx = await openGoal(scope, patientId, c.req.param("gid"), "submit");
  const goal = ctx.goal!;
  const { version: sentVersion, ...values }: GoalFormValues & { version?: string } = c.req.valid("form");
  const version = Number.parseInt(sentVersion ?? "", 10);
  const measures = measureChoices(ctx.instruments);
  const formPage = (status: 409 | 422, extra: { errors?: Record<string, string>; conflict?: string }) =>
    goalFormPage(c, ctx, { measures, values, version: Number.isInteger(version) ? version : goal.version, ...extra }, status);
  if (!Number.isInteger(version) || version < 1) return formPage(409, { conflict: "The form is missing its version; reopen the goal and try again." });
  const parsed = validate(goalSchema(measures), values);
  if (!parsed.ok) return formPage(422, { errors: parsed.errors });
  try {
    await updateGoal(scope, patientId, goal, version, parsed.data);
  } catch (err) {
    if (err instanceof AppError && err.code === "conflict") return formPage(409, { conflict: err.message });
    throw err;
  }
  return seeOther(c, `${base(patientId)}?saved=goal`);
});

// ---------------------------------------------------------------------------------------------
// Lab values entered by hand

/** The lab value form; with errors (422) when a submission is refused. */
function labFormPage(c: Context<AppEnv>, header: ChartHeaderData, today: string, values: LabFormValues, errors?: Record<string, string>) {
  const patientId = patientIdOf(c);
  return page(
    c,
    `Add a lab value · ${header.name}`,
    <LabForm header={header} today={today} csrfToken={c.var.csrfToken} action={`${base(patientId)}/labs`} cancelHref={base(patientId)} values={values} errors={errors} />,
    errors ? 422 : 200,
  );
}

progressRoutes.get("/labs/new", async (c) => {
  const scope = staffScope(c);
  const patientId = patientIdOf(c);
  const header = await openLab(scope, patientId, "form");
  const today = clinicToday(c);
  return labFormPage(c, header, today, { observed_on: today });
});

// The permission and the patient (openLab) come before the form's own errors.
const labInput = formInput(
  (c) => fieldsForm(LAB_FIELDS, labSchema(clinicToday(c))),
  async (c, errors, raw) => {
    const header = await openLab(staffScope(c), patientIdOf(c), "submit");
    return labFormPage(c, header, clinicToday(c), typedFields(raw, LAB_FIELDS), errors);
  },
);

progressRoutes.post("/labs", labInput, async (c) => {
  const scope = staffScope(c);
  const patientId = patientIdOf(c);
  await openLab(scope, patientId, "submit");
  const today = clinicToday(c);
  await recordLab(scope, patientId, c.req.valid("form").data, today);
  return seeOther(c, `${base(patientId)}?saved=lab`);
});

progressRoutes.post("/labs/:lid/error", async (c) => {
  const scope = staffScope(c);
  const patientId = patientIdOf(c);
  await markLabInError(scope, patientId, c.req.param("lid"));
  return seeOther(c, `${base(patientId)}?saved=error`);
});
