/** Chart alerts: the active ones (shown in the header), the deactivated ones, and the add form. */
import type { ChartAlert } from "../../src/charting/alerts";
import { ALERT_SEVERITIES } from "../../src/charting/input";
import { CsrfField, Field, PostButton, SelectField } from "../components/form";
import { Empty, FormProblems, label, type ListViewProps, options, Section, shortInstant } from "./parts";

export const ALERT_FIELDS = ["text", "severity"] as const;

export function AlertsPage(p: ListViewProps<ChartAlert>) {
  const base = `/patients/${p.pid}/chart/alerts`;
  const active = p.rows.filter((r) => r.active === 1);
  const inactive = p.rows.filter((r) => r.active !== 1);
  const e = p.errors ?? {};
  return (
    <>
      {p.saved && <p class="alert ok" role="status">Saved.</p>}
      <Section id="alerts" title="Active alerts">
        {active.length ? (
          <ul class="plain">
            {active.map((a) => (
              <li class={`alert-row alert-${a.severity}`}>
                <strong>{label(a.severity)}:</strong> {a.text} <span class="hint">since {shortInstant(a.createdAt, p.timezone)}</span>
                {p.canWrite && <PostButton action={`${base}/${a.id}/deactivate`} csrfToken={p.csrf} label="Deactivate" />}
              </li>
            ))}
          </ul>
        ) : (
          <Empty>No active alerts.</Empty>
        )}
        {inactive.length > 0 && (
          <details>
            <summary>Deactivated ({inactive.length})</summary>
            <ul class="plain">
              {inactive.map((a) => (
                <li>
                  {a.text} <span class="hint">{label(a.severity)}, deactivated {shortInstant(a.updatedAt, p.timezone)}</span>
                </li>
              ))}
            </ul>
          </details>
        )}
      </Section>
      {p.canWrite && (
        <Section id="add-alert" title="Add an alert">
          <form method="post" action={base} novalidate>
            <CsrfField token={p.csrf} />
            <FormProblems errors={e} />
            <div class="grid">
              <Field name="text" label="Alert" value={p.values.text} error={e.text} required maxLength={200} hint="e.g. Fall risk, interpreter needed (Spanish)" />
              <SelectField name="severity" label="Severity" value={p.values.severity || "warning"} error={e.severity} options={options(ALERT_SEVERITIES)} />
            </div>
            <button type="submit">Add alert</button>
          </form>
        </Section>
      )}
    </>
  );
}
