/** The clinic's workflow rules: the list (with how often each fired) and the rule form. */
import type { FieldErrors } from "../../src/platform/errors";
import { PLACEHOLDERS } from "../../src/workflows/messages";
import { MAX_ACTIONS, TRIGGERS, type Action, type Conditions, type Trigger } from "../../src/workflows/model";
import type { FormValues } from "../../src/workflows/input";
import type { RuleOptions, RuleView } from "../../src/workflows/service";
import { Alert, CsrfField, Field, SelectField, TextAreaField } from "../components/form";
import { formatInstant } from "../components/format";
import { DataTable, RowActions } from "../components/table";

export const WORKFLOWS = "/settings/workflows";

const ACTION_LABELS: Record<Action["type"], string> = {
  send: "Send a message",
  task: "Create a task for staff",
  tag: "Tag the patient",
  waitlist: "Offer the freed time to the waitlist",
};

/** `now`, `after 2 hours`, `after 182 days`. */
export function delayLabel(minutes: number): string {
  if (minutes === 0) return "now";
  const [n, unit] = minutes % 1440 === 0 ? [minutes / 1440, "day"] : minutes % 60 === 0 ? [minutes / 60, "hour"] : [minutes, "minute"];
  return `after ${n} ${unit}${n === 1 ? "" : "s"}`;
}

const nameOf = (list: { id: string; name: string }[], id: string) => list.find((x) => x.id === id)?.name ?? "(removed)";

export function conditionsSummary(trigger: Trigger, c: Conditions, o: RuleOptions): string {
  const parts: string[] = [];
  if (c.appointmentTypeId) parts.push(`visit type ${nameOf(o.types, c.appointmentTypeId)}`);
  if (c.providerId) parts.push(`with ${nameOf(o.providers, c.providerId)}`);
  if (c.locationId) parts.push(`at ${nameOf(o.locations, c.locationId)}`);
  if (c.patientTag) parts.push(`patient tagged “${c.patientTag}”`);
  if (trigger === "intake.missing" && c.hoursBefore) parts.push(`${c.hoursBefore} h before the visit`);
  return parts.join(", ");
}

export function actionSummary(a: Action, o: RuleOptions): string {
  const when = delayLabel(a.delayMinutes);
  switch (a.type) {
    case "send":
      return `${a.channel === "email" ? "Email" : "Text message"}${a.subject ? ` “${a.subject}”` : ""} ${when}${a.skipIfUpcoming ? " (unless already booked)" : ""}`;
    case "task":
      return `Task “${a.title}” for ${a.assigneeId ? nameOf(o.members, a.assigneeId) : "the shared inbox"}${a.dueHours !== undefined ? `, due in ${a.dueHours} h` : ""}, ${when}`;
    case "tag":
      return `Tag “${a.tag}” ${when}`;
    case "waitlist":
      return `Offer the time to the waitlist ${when}`;
  }
}

export function RulesPage(p: { csrfToken: string; rules: RuleView[]; options: RuleOptions; timezone: string; notice?: string }) {
  return (
    <>
      <div class="page-head">
        <h1>Workflows</h1>
        <a class="button" href={`${WORKFLOWS}/new`}>
          New rule
        </a>
      </div>
      {p.notice && <Alert kind="ok">{p.notice}</Alert>}
      <p class="hint">
        A rule does something when something happens: a message after a visit, a task for the front desk, a tag. Each rule fires once per
        event; delayed actions run when their time comes.
      </p>
      <DataTable
        class="rules"
        rows={p.rules}
        rowKey={({ row }) => row.id}
        empty="No rules yet."
        columns={[
          { header: "Rule", cell: ({ row }) => <a href={`${WORKFLOWS}/${row.id}`}>{row.name}</a> },
          {
            header: "When",
            cell: ({ row, input }) => (
              <>
                {TRIGGERS[row.trigger]?.label ?? row.trigger}
                {input && conditionsSummary(row.trigger, input.conditions, p.options) && (
                  <div class="hint">only if {conditionsSummary(row.trigger, input.conditions, p.options)}</div>
                )}
              </>
            ),
          },
          {
            header: "Then",
            cell: ({ input, pending }) => (
              <>
                {input ? (
                  <ul class="plain">
                    {input.actions.map((a) => (
                      <li>{actionSummary(a, p.options)}</li>
                    ))}
                  </ul>
                ) : (
                  <span class="error">This rule could not be read; edit it to fix it.</span>
                )}
                {pending > 0 && <div class="hint">{pending} waiting to run</div>}
              </>
            ),
          },
          {
            header: "Fired",
            class: "nowrap",
            cell: ({ row }) => (
              <>
                {row.firedCount} {row.firedCount === 1 ? "time" : "times"}
                {row.lastFiredAt && <div class="hint">last {formatInstant(row.lastFiredAt, p.timezone)}</div>}
              </>
            ),
          },
          {
            header: "Status",
            cell: ({ row }) => (
              <>
                <span class={row.paused ? "tag off" : "tag"}>{row.paused ? "Paused" : "Active"}</span>
                <div class="actions rule-actions">
                  <RowActions
                    csrfToken={p.csrfToken}
                    actions={[
                      { post: `${WORKFLOWS}/${row.id}/paused`, fields: { paused: row.paused ? "0" : "1" }, label: row.paused ? "Resume" : "Pause" },
                      { post: `${WORKFLOWS}/${row.id}/delete`, label: "Delete", look: "link-danger" },
                    ]}
                  />
                </div>
              </>
            ),
          },
        ]}
      />
      <section class="card standard" aria-labelledby="standard-head">
        <h2 id="standard-head">Standard follow-ups</h2>
        <p>
          A thank-you with a satisfaction question and a care instructions link two hours after a completed visit, a rebooking link an hour
          after a missed visit, and a recall (“due for a check-up”) six months after a visit unless the patient has booked again. You can
          change their texts afterwards.
        </p>
        <form method="post" action={`${WORKFLOWS}/standard`}>
          <CsrfField token={p.csrfToken} />
          <label class="check">
            <input type="checkbox" name="active" value="1" /> Switch them on now (otherwise they are added paused)
          </label>
          <button type="submit">Add the standard follow-ups</button>
        </form>
      </section>
    </>
  );
}

function Checkbox(p: { name: string; label: string; checked: boolean }) {
  return (
    <div class="field check">
      <input type="checkbox" id={`f-${p.name}`} name={p.name} value="1" checked={p.checked} />
      <label for={`f-${p.name}`}>{p.label}</label>
    </div>
  );
}

const options = (list: { id: string; name: string; active?: boolean }[], none: string) => [
  { value: "", label: none },
  ...list.map((x) => ({ value: x.id, label: x.active === false ? `${x.name} (inactive)` : x.name })),
];

function ActionFields(p: { i: number; values: FormValues; errors: FieldErrors; o: RuleOptions }) {
  const f = (name: string) => `a${p.i}_${name}`;
  const v = (name: string) => p.values[f(name)] ?? "";
  const e = (name: string) => p.errors[f(name)];
  const placeholders = PLACEHOLDERS.map((x) => `{{${x}}}`).join(", ");
  return (
    <fieldset class="action">
      <legend>Action {p.i}</legend>
      <div class="grid">
        <SelectField
          name={f("type")}
          label="Do"
          value={v("type")}
          error={e("type")}
          options={[{ value: "", label: p.i === 1 ? "Choose…" : "Nothing more" }, ...Object.entries(ACTION_LABELS).map(([value, label]) => ({ value, label }))]}
        />
        <Field name={f("delay")} label="After" type="number" value={v("delay") || "0"} error={e("delay")} hint="0 = right away" />
        <SelectField
          name={f("unit")}
          label="Unit"
          value={v("unit") || "minutes"}
          error={e("unit")}
          options={[
            { value: "minutes", label: "minutes" },
            { value: "hours", label: "hours" },
            { value: "days", label: "days" },
          ]}
        />
      </div>
      <details class="action-part" open={v("type") === "send" || (v("type") === "" && p.i === 1)}>
        <summary>Message (for “Send a message”)</summary>
        <div class="grid">
          <SelectField
            name={f("channel")}
            label="Channel"
            value={v("channel") || "email"}
            error={e("channel")}
            options={[
              { value: "email", label: "Email" },
              { value: "sms", label: "Text message" },
            ]}
          />
          <Field name={f("template")} label="Message key" value={v("template")} error={e("template")} hint="Optional, e.g. followup.completed" maxLength={60} />
        </div>
        <Field name={f("subject")} label="Subject (email)" value={v("subject")} error={e("subject")} maxLength={200} />
        <TextAreaField name={f("body")} label="Message" value={v("body")} error={e("body")} rows={5} hint={`You can use ${placeholders}.`} />
        <Field name={f("link")} label="Link for {{link}}" value={v("link")} error={e("link")} hint="e.g. your care instructions page; empty = your online booking page" maxLength={500} />
        <Checkbox name={f("skip_upcoming")} label="Skip if the patient already has an upcoming visit" checked={!!p.values[f("skip_upcoming")]} />
      </details>
      <details class="action-part" open={v("type") === "task"}>
        <summary>Task (for “Create a task”)</summary>
        <div class="grid">
          <Field name={f("title")} label="Task title" value={v("title")} error={e("title")} maxLength={200} />
          <SelectField name={f("assignee")} label="Assign to" value={v("assignee")} error={e("assignee")} options={options(p.o.members, "The shared inbox")} />
          <Field name={f("due_hours")} label="Due after (hours)" type="number" value={v("due_hours")} error={e("due_hours")} hint="Empty = no due date" />
        </div>
      </details>
      <details class="action-part" open={v("type") === "tag"}>
        <summary>Tag (for “Tag the patient”)</summary>
        <Field name={f("tag")} label="Tag" value={v("tag")} error={e("tag")} maxLength={40} />
      </details>
    </fieldset>
  );
}

export function RuleFormPage(p: { csrfToken: string; rule: RuleView | null; values: FormValues; errors?: FieldErrors; options: RuleOptions; timezone: string; saved?: boolean }) {
  const e = p.errors ?? {};
  const count = Object.keys(e).length;
  const action = p.rule ? `${WORKFLOWS}/${p.rule.row.id}` : WORKFLOWS;
  return (
    <>
      <p class="crumb">
        <a href={WORKFLOWS}>← Workflows</a>
      </p>
      <h1>{p.rule ? p.rule.row.name : "New rule"}</h1>
      {p.saved && <Alert kind="ok">Saved.</Alert>}
      {count > 0 && <Alert kind="error">{count === 1 ? "One field needs attention" : `${count} fields need attention`}: nothing was saved yet.</Alert>}
      {p.rule && (
        <p class="hint">
          {p.rule.row.paused ? "Paused. " : "Active. "}Fired {p.rule.row.firedCount} {p.rule.row.firedCount === 1 ? "time" : "times"}
          {p.rule.row.lastFiredAt ? `, last ${formatInstant(p.rule.row.lastFiredAt, p.timezone)}` : ""}. Changes apply to later events; actions
          already waiting keep what they were.
        </p>
      )}
      <form method="post" action={action} novalidate class="rule-form">
        <CsrfField token={p.csrfToken} />
        <div class="grid">
          <Field name="name" label="Name" value={p.values.name} error={e.name} required maxLength={100} />
          <SelectField
            name="trigger"
            label="When"
            value={p.values.trigger}
            error={e.trigger}
            required
            options={[{ value: "", label: "Choose…" }, ...Object.entries(TRIGGERS).map(([value, t]) => ({ value, label: t.label }))]}
          />
        </div>
        <fieldset>
          <legend>Only if (optional)</legend>
          <div class="grid">
            <SelectField name="cond_type" label="Visit type" value={p.values.cond_type} error={e.cond_type} options={options(p.options.types, "Any visit type")} />
            <SelectField name="cond_provider" label="Provider" value={p.values.cond_provider} error={e.cond_provider} options={options(p.options.providers, "Any provider")} />
            <SelectField name="cond_location" label="Location" value={p.values.cond_location} error={e.cond_location} options={options(p.options.locations, "Any location")} />
            <Field name="cond_tag" label="Patient has tag" value={p.values.cond_tag} error={e.cond_tag} maxLength={40} />
            <Field
              name="hours_before"
              label="Hours before the visit"
              type="number"
              value={p.values.hours_before}
              error={e.hours_before}
              hint="Only for “Intake form still missing”; empty = 48"
            />
          </div>
        </fieldset>
        {Array.from({ length: MAX_ACTIONS }, (_, i) => (
          <ActionFields i={i + 1} values={p.values} errors={e} o={p.options} />
        ))}
        <div class="actions">
          <button type="submit">{p.rule ? "Save rule" : "Create rule"}</button>
          <a href={WORKFLOWS}>Cancel</a>
        </div>
      </form>
    </>
  );
}
