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
import { formOf } from "../platform/validation";
import { CHECKBOXES, RULE_FIELDS, parseRuleForm, ruleToForm, type FormValues } from "./input";
import * as rules from "./service";

export const workflowRoutes = new Hono<AppEnv>();

type Ctx = Context<AppEnv>;

function scopeOf(c: Ctx): rules.WorkflowScope {
  return { ...staffScope(c), env: c.env };
}

/** The rule form's fields as typed; an unticked checkbox stays undefined. */
function pick(form: Record<string, string>): FormValues {
  const out: FormValues = {};
  for (const f of RULE_FIELDS) out[f] = CHECKBOXES.some((cb) => f.endsWith(`_${cb}`)) ? form[f] : (form[f] ?? "");
  return out;
}

const NOTICES: Record<string, string> = {
  deleted: "The rule was deleted.",
  paused: "The rule is paused: it will not fire, and its waiting actions are skipped.",
  resumed: "The rule is active again.",
};

workflowRoutes.get("/", async (c) => {
  const data = await rules.listRules(scopeOf(c));
  const added = c.req.query("added");
  const notice =
    added !== undefined
      ? added === "0"
        ? "The standard follow-ups are already there."
        : `Added ${added} standard follow-up${added === "1" ? "" : "s"}.`
      : NOTICES[c.req.query("done") ?? ""];
  return page(c, "Workflows", <RulesPage csrfToken={c.var.csrfToken} rules={data.rules} options={data.options} timezone={c.var.clinic.timezone} notice={notice} />);
});

async function formPage(c: Ctx, rule: rules.RuleView | null, values: FormValues, errors?: FieldErrors) {
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
      saved={!errors && c.req.query("saved") === "1"}
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

workflowRoutes.post("/", async (c) => {
  const values = pick(await formOf(c));
  const parsed = parseRuleForm(values);
  if (!parsed.ok) return formPage(c, null, values, parsed.errors);
  const result = await attempt(() => rules.createRule(scopeOf(c), parsed.data));
  if (!result.ok) return formPage(c, null, values, result.errors);
  return seeOther(c, `${WORKFLOWS}/${result.value}?saved=1`);
});

workflowRoutes.post("/standard", async (c) => {
  const form = await formOf(c);
  const added = await rules.addStandardFollowUps(scopeOf(c), form.active === "1");
  return seeOther(c, `${WORKFLOWS}?added=${added}`);
});

workflowRoutes.get("/:id", async (c) => {
  const rule = await rules.viewRule(scopeOf(c), c.req.param("id"));
  return formPage(c, rule, rule.input ? ruleToForm(rule.input) : { name: rule.row.name, trigger: rule.row.trigger });
});

workflowRoutes.post("/:id", async (c) => {
  const id = c.req.param("id");
  const rule = await rules.viewRule(scopeOf(c), id);
  const values = pick(await formOf(c));
  const parsed = parseRuleForm(values);
  if (!parsed.ok) return formPage(c, rule, values, parsed.errors);
  const result = await attempt(() => rules.updateRule(scopeOf(c), id, parsed.data));
  if (!result.ok) return formPage(c, rule, values, result.errors);
  return seeOther(c, `${WORKFLOWS}/${id}?saved=1`);
});

workflowRoutes.post("/:id/paused", async (c) => {
  const form = await formOf(c);
  const paused = form.paused === "1";
  await rules.setPaused(scopeOf(c), c.req.param("id"), paused);
  return seeOther(c, `${WORKFLOWS}?done=${paused ? "paused" : "resumed"}`);
});

workflowRoutes.post("/:id/delete", async (c) => {
  await rules.deleteRule(scopeOf(c), c.req.param("id"));
  return seeOther(c, `${WORKFLOWS}?done=deleted`);
});
