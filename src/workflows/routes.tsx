/**
 * /settings/workflows: the clinic's workflow rules. Plain forms with post/redirect/get; a failed
 * form is re-rendered with its errors (422) and nothing is written; a rule id this clinic does
 * not hold is 404.
 */
import { Hono, type Context } from "hono";
import { RuleFormPage, RulesPage, WORKFLOWS } from "../../views/workflows/rules";
import type { AppEnv } from "../platform/env";
import { AppError, type FieldErrors } from "../platform/errors";
import { page, seeOther } from "../platform/render";
import { staffScope } from "../platform/scope";
import * as z from "zod/mini";
import { formInput, queryInput } from "../platform/validation";
import { flagForm, ruleForm, ruleFormValues, ruleToForm, type FormValues } from "./input";
import * as rules from "./service";

export const workflowRoutes = new Hono<AppEnv>();

type Ctx = Context<AppEnv>;

function scopeOf(c: Ctx): rules.WorkflowScope {
  return { ...staffScope(c), env: c.env };
}

/** What the list page's address may say: how many standard follow-ups were added, or what was done. */
const listQuery = z.object({ added: z.optional(z.string()), done: z.optional(z.string()) });
/** The rule page's address: `saved=1` after a save. */
const savedQuery = z.object({ saved: z.pipe(z.optional(z.string()), z.transform((v) => v === "1")) });

const NOTICES: Record<string, string> = {
  deleted: "The rule was deleted.",
  paused: "The rule is paused: it will not fire, and its waiting actions are skipped.",
  resumed: "The rule is active again.",
};

workflowRoutes.get("/", queryInput(listQuery), async (c) => {
  const data = await rules.listRules(scopeOf(c));
  const { added, done } = c.req.valid("query");
  const notice =
    added !== undefined
      ? added === "0"
        ? "The standard follow-ups are already there."
        : `Added ${added} standard follow-up${added === "1" ? "" : "s"}.`
      : NOTICES[done ?? ""];
  return page(c, "Workflows", <RulesPage csrfToken={c.var.csrfToken} rules={data.rules} options={data.options} timezone={c.var.clinic.timezone} notice={notice} />);
});

async function formPage(c: Ctx, rule: rules.RuleView | null, values: FormValues, errors?: FieldErrors, saved = false) {
  const options = await rules.ruleOptions(scopeOf(c));
  return page(
    c,
    rule ? rule.row.name : "New rule",
    <RuleFormPage
      csrfToken={c.var.csrfToken}
      rule={rule}
      values={values}
      errors={errors}
      options={options}
      timezone={c.var.clinic.timezone}
      saved={!errors && saved}
    />,
    errors ? 422 : 200,
  );
}

/** Runs a write; field errors found by the service come back as errors, anything else rethrows. */
async function attempt<T>(write: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; errors: FieldErrors }> {
  try {
    return { ok: true, value: await write() };
  } catch (err) {
    if (err instanceof AppError && err.code === "validation" && Object.keys(err.fields).length) return { ok: false, errors: err.fields };
    throw err;
  }
}

workflowRoutes.get("/new", (c) => formPage(c, null, { trigger: "", a1_unit: "minutes", a1_channel: "email" }));

workflowRoutes.post(
  "/",
  formInput(ruleForm, (c, errors, raw) => formPage(c, null, ruleFormValues(raw), errors)),
  async (c) => {
    const { rule, values } = c.req.valid("form");
    const result = await attempt(() => rules.createRule(scopeOf(c), rule));
    if (!result.ok) return formPage(c, null, values, result.errors);
    return seeOther(c, `${WORKFLOWS}/${result.value}?saved=1`);
  },
);

workflowRoutes.post("/standard", formInput(flagForm("active")), async (c) => {
  const added = await rules.addStandardFollowUps(scopeOf(c), c.req.valid("form"));
  return seeOther(c, `${WORKFLOWS}?added=${added}`);
});

workflowRoutes.get("/:id", queryInput(savedQuery), async (c) => {
  const rule = await rules.viewRule(scopeOf(c), c.req.param("id"));
  return formPage(c, rule, rule.input ? ruleToForm(rule.input) : { name: rule.row.name, trigger: rule.row.trigger }, undefined, c.req.valid("query").saved);
});

workflowRoutes.post(
  "/:id",
  // A rule this clinic does not hold is a 404 before its form is judged.
  formInput(ruleForm, async (c, errors, raw) => formPage(c, await rules.viewRule(scopeOf(c), c.req.param("id") ?? ""), ruleFormValues(raw), errors)),
  async (c) => {
    const id = c.req.param("id");
    const rule = await rules.viewRule(scopeOf(c), id);
    const { rule: input, values } = c.req.valid("form");
    const result = await attempt(() => rules.updateRule(scopeOf(c), id, input));
    if (!result.ok) return formPage(c, rule, values, result.errors);
    return seeOther(c, `${WORKFLOWS}/${id}?saved=1`);
  },
);

workflowRoutes.post("/:id/paused", formInput(flagForm("paused")), async (c) => {
  const paused = c.req.valid("form");
  await rules.setPaused(scopeOf(c), c.req.param("id"), paused);
  return seeOther(c, `${WORKFLOWS}?done=${paused ? "paused" : "resumed"}`);
});

workflowRoutes.post("/:id/delete", async (c) => {
  await rules.deleteRule(scopeOf(c), c.req.param("id"));
  return seeOther(c, `${WORKFLOWS}?done=deleted`);
});
