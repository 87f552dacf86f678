/**
 * Sets of vital signs as a table, each out-of-range value flagged in words ("High", "Fever") with a
 * class for emphasis, never by colour alone. Used by the chart's vitals page and the note editor.
 */
import type { ComponentChildren } from "preact";
import type { vitals } from "../../src/charting/tables";
import { cToF, flagVitals, LB_PER_KG, type VitalsFlags, type VitalsValues } from "../../src/charting/vitals";
import { formatInstant } from "../components/format";
import { type Column, DataTable } from "../components/table";

export type VitalsRow = Pick<typeof vitals.$inferSelect, "id" | "takenAt" | "note"> & VitalsValues;

/** One measurement as the chart writes it, e.g. `37.2 °C (99.0 °F)`; "—" when not taken. */
export function vitalText(key: keyof VitalsValues, v: VitalsValues): string {
  const n = v[key];
  if (key === "systolic" || key === "diastolic") return v.systolic !== null && v.diastolic !== null ? `${v.systolic}/${v.diastolic} mmHg` : "—";
  if (n === null) return "—";
  switch (key) {
    case "pulse":
      return `${n} /min`;
    case "temperatureC":
      return `${n.toFixed(1)} °C (${cToF(n).toFixed(1)} °F)`;
    case "respiratoryRate":
      return `${n} /min`;
    case "spo2":
      return `${n} %`;
    case "heightCm":
      return `${n.toFixed(1)} cm (${(n / 2.54).toFixed(1)} in)`;
    case "weightKg":
      return `${n.toFixed(1)} kg (${(n * LB_PER_KG).toFixed(1)} lb)`;
    case "bmi":
      return n.toFixed(1);
    case "painScore":
      return `${n}/10`;
  }
  return String(n);
}

/** The flag of a value as text with its class, or nothing. */
export function Flag({ flags, k }: { flags: VitalsFlags; k: keyof VitalsValues }) {
  const f = flags[k];
  return f ? <span class={`flag flag-${f.level}`}> {f.label}</span> : null;
}

/** Blood pressure's flag: the worse of the systolic and diastolic flags. */
export function bpFlags(flags: VitalsFlags): VitalsFlags {
  const rank = { critical: 3, high: 2, low: 1 } as const;
  const s = flags.systolic;
  const d = flags.diastolic;
  const worse = !s ? d : !d ? s : rank[d.level] > rank[s.level] ? d : s;
  return worse ? { systolic: worse } : {};
}

export const VITAL_COLUMNS: { key: keyof VitalsValues; label: string }[] = [
  { key: "systolic", label: "Blood pressure" },
  { key: "pulse", label: "Pulse" },
  { key: "temperatureC", label: "Temperature" },
  { key: "respiratoryRate", label: "Resp. rate" },
  { key: "spo2", label: "SpO2" },
  { key: "heightCm", label: "Height" },
  { key: "weightKg", label: "Weight" },
  { key: "bmi", label: "BMI" },
  { key: "painScore", label: "Pain" },
];

export function VitalsTable(p: { rows: VitalsRow[]; timezone: string; caption?: string; actions?: (row: VitalsRow) => ComponentChildren }) {
  return (
    <DataTable
      class="dense vitals-table"
      caption={p.caption || undefined}
      rows={p.rows}
      rowKey={(r) => r.id}
      columns={[
        {
          header: "Taken",
          class: "nowrap",
          cell: (r) => (
            <>
              {formatInstant(r.takenAt, p.timezone)}
              {r.note && <div class="hint">{r.note}</div>}
            </>
          ),
        },
        ...VITAL_COLUMNS.map(
          (c): Column<VitalsRow> => ({
            header: c.label,
            cell: (r) => {
              const flags = flagVitals(r);
              return (
                <>
                  {vitalText(c.key, r)}
                  <Flag flags={c.key === "systolic" ? bpFlags(flags) : flags} k={c.key} />
                </>
              );
            },
          }),
        ),
        p.actions && { header: "Actions", cell: p.actions },
      ]}
    />
  );
}
