/**
 * Turns the progress page's rows into trends (one per measure with data: each questionnaire, blood
 * pressure, weight, BMI, each lab test) and tells, for each goal, the latest value of what it
 * tracks and whether the target is reached. Pure: the timezone is a parameter.
 */
import { localParts } from "../platform/time";
import type { Instrument } from "./instruments";
import { LAB_TESTS, rangeText } from "./labs";
import { VITAL_MEASURES } from "./measures";
import type { Goal, LabResult, MeasureResponse, VitalsPoint } from "./repo";

/** Points drawn per chart: the latest ones (the table says how many older ones are left out). */
export const MAX_POINTS = 50;

export interface TrendRow {
  /** Local calendar date, YYYY-MM-DD. */
  date: string;
  /** One value per series (null when that series has none on this row). */
  values: (number | null)[];
  /** Severity band, lab flag or BMI category. */
  note: string | null;
  /** Outside the reference range or flagged. */
  alert: boolean;
}

export interface TrendBand {
  from: number;
  to: number;
  label: string;
  /** CSS class: `b0` (mildest) … `b4` (most severe), or `ref` for a reference range. */
  tone: string;
}

export interface Trend {
  /** Unique on the page, for element ids. */
  id: string;
  title: string;
  unit: string;
  series: string[];
  /** Oldest first. */
  rows: TrendRow[];
  bands: TrendBand[];
  /** Fixed y range (an instrument's possible scores); otherwise fitted to the data. */
  domain: [number, number] | null;
  targets: { value: number; label: string }[];
  /** Heading of the table's note column, or null when there is none. */
  noteLabel: string | null;
  decimals: number;
  /** Older rows left out of the chart and table. */
  omitted: number;
  /** One sentence for the chart's description. */
  summary: string;
}

/** Local date of an instant in a timezone. */
export function dateIn(timeZone: string): (ms: number) => string {
  return (ms) => localParts(ms, timeZone).date;
}

export function formatNumber(v: number, decimals: number): string {
  return String(Number(v.toFixed(decimals)));
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** `2026-03-03` → `Mar 3, 2026`. */
export function shortDate(iso: string): string {
  const [y, m, d] = iso.split("-").map(Number);
  return `${MONTHS[(m ?? 1) - 1]} ${d}, ${y}`;
}

function rowText(t: Pick<Trend, "unit" | "decimals">, r: TrendRow): string {
  const v = r.values.map((x) => (x === null ? "–" : formatNumber(x, t.decimals))).join("/");
  return `${v}${t.unit ? ` ${t.unit}` : ""}${r.note ? ` (${r.note})` : ""}`;
}

/** "PHQ-9 from 18 (moderately severe) on Mar 3, 2026 to 7 (mild) on Jun 2, 2026; 5 results." */
export function summarize(t: Pick<Trend, "title" | "unit" | "decimals" | "rows" | "omitted">, noun: [string, string] = ["result", "results"]): string {
  const first = t.rows[0];
  const last = t.rows[t.rows.length - 1];
  const n = t.rows.length + t.omitted;
  const count = `${n} ${n === 1 ? noun[0] : noun[1]}`;
  if (!first || !last) return `${t.title}: no values recorded.`;
  if (t.rows.length === 1) return `${t.title}: ${rowText(t, first)} on ${shortDate(first.date)}; ${count}.`;
  return `${t.title} from ${rowText(t, first)} on ${shortDate(first.date)} to ${rowText(t, last)} on ${shortDate(last.date)}; ${count}.`;
}

/** Keeps the latest MAX_POINTS rows, oldest first. Input is newest first. */
function latest<T>(newestFirst: T[]): { rows: T[]; omitted: number } {
  const kept = newestFirst.slice(0, MAX_POINTS);
  return { rows: kept.reverse(), omitted: newestFirst.length - kept.length };
}

function targetsFor(goals: Goal[], measure: string, prefix = ""): Trend["targets"] {
  return goals
    .filter((g) => g.status === "active" && g.measure === measure && g.targetValue !== null)
    .map((g) => ({ value: g.targetValue!, label: `${prefix}target ${g.targetDirection === "above" ? "≥" : "≤"} ${g.targetValue}` }));
}

/** Severity bands of an instrument as chart bands, toned mildest to most severe. */
function instrumentBands(i: Instrument): TrendBand[] {
  const n = i.bands.length;
  return i.bands.map((b, k) => ({ from: b.min, to: b.max, label: b.label, tone: `b${n <= 1 ? 0 : Math.round((k * 4) / (n - 1))}` }));
}

function bmiCategory(v: number): string {
  return v < 18.5 ? "underweight" : v < 25 ? "healthy" : v < 30 ? "overweight" : "obesity";
}

function idOf(s: string): string {
  return `t-${s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/-+$/, "")}`;
}

export interface TrendInput {
  responses: MeasureResponse[];
  vitals: VitalsPoint[];
  labs: LabResult[];
  goals: Goal[];
  instruments: Instrument[];
}

/** One trend per measure with data, in a stable order: questionnaires, blood pressure, weight, BMI, labs. */
export function buildTrends(data: TrendInput, timeZone: string): Trend[] {
  const dateOf = dateIn(timeZone);
  const trends: Trend[] = [];
  const add = (t: Omit<Trend, "summary">, noun?: [string, string]) => trends.push({ ...t, summary: summarize(t, noun) });

  const final = data.responses.filter((r) => r.status === "final");
  const codes = [...new Set(final.map((r) => r.instrument))];
  const known = new Map(data.instruments.map((i) => [i.code, i]));
  const rank = (c: string) => (c === "phq9" ? 0 : c === "gad7" ? 1 : 2);
  codes.sort((a, b) => rank(a) - rank(b) || (known.get(a)?.name ?? a).localeCompare(known.get(b)?.name ?? b));
  for (const code of codes) {
    const inst = known.get(code);
    const mine = final.filter((r) => r.instrument === code);
    const { rows, omitted } = latest(mine);
    const range = inst ? { min: Math.min(...inst.bands.map((b) => b.min)), max: Math.max(...inst.bands.map((b) => b.max)) } : null;
    add({
      id: idOf(code),
      title: inst?.name ?? mine[0]!.instrumentName,
      unit: "",
      series: ["Score"],
      rows: rows.map((r) => ({ date: dateOf(r.takenAt), values: [r.score], note: r.severity, alert: !!r.flags })),
      bands: inst ? instrumentBands(inst) : [],
      domain: range ? [range.min, range.max] : null,
      targets: targetsFor(data.goals, code),
      noteLabel: "Severity",
      decimals: 0,
      omitted,
    });
  }

  const bp = data.vitals.filter((v) => v.systolic !== null || v.diastolic !== null);
  if (bp.length) {
    const { rows, omitted } = latest(bp);
    add(
      {
        id: "t-bp",
        title: "Blood pressure",
        unit: "mmHg",
        series: ["Systolic", "Diastolic"],
        rows: rows.map((v) => {
          const high = (v.systolic ?? 0) >= 140 || (v.diastolic ?? 0) >= 90;
          const low = v.systolic !== null && v.systolic < 90;
          return { date: dateOf(v.takenAt), values: [v.systolic, v.diastolic], note: high ? "high" : low ? "low" : null, alert: high || low };
        }),
        bands: [],
        domain: null,
        targets: [...targetsFor(data.goals, "systolic", "systolic "), ...targetsFor(data.goals, "diastolic", "diastolic ")],
        noteLabel: "Flag",
        decimals: 0,
        omitted,
      },
      ["reading", "readings"],
    );
  }

  for (const m of VITAL_MEASURES.filter((x) => x.code === "weight" || x.code === "bmi")) {
    const pick = (v: VitalsPoint) => (m.code === "weight" ? v.weightKg : v.bmi);
    const withValue = data.vitals.filter((v) => pick(v) !== null);
    if (!withValue.length) continue;
    const { rows, omitted } = latest(withValue);
    const isBmi = m.code === "bmi";
    add(
      {
        id: `t-${m.code}`,
        title: m.name,
        unit: m.unit,
        series: [m.name],
        rows: rows.map((v) => {
          const value = pick(v)!;
          return { date: dateOf(v.takenAt), values: [value], note: isBmi ? bmiCategory(value) : null, alert: isBmi && (value < 18.5 || value >= 30) };
        }),
        bands: isBmi ? [{ from: 18.5, to: 24.9, label: "healthy range", tone: "ref" }] : [],
        domain: null,
        targets: targetsFor(data.goals, m.code),
        noteLabel: isBmi ? "Category" : null,
        decimals: 1,
        omitted,
      },
      ["measurement", "measurements"],
    );
  }

  const labs = data.labs.filter((l) => l.status === "final" && l.valueNum !== null);
  const order = new Map(LAB_TESTS.map((t, i) => [t.code, i]));
  const keys = [...new Set(labs.map((l) => `${l.code}|${l.unit ?? ""}`))];
  keys.sort((a, b) => (order.get(a.split("|")[0]!) ?? 999) - (order.get(b.split("|")[0]!) ?? 999) || a.localeCompare(b));
  for (const key of keys) {
    const mine = labs.filter((l) => `${l.code}|${l.unit ?? ""}` === key);
    const newest = mine[0]!;
    const { rows, omitted } = latest(mine);
    const hasRange = newest.refLow !== null || newest.refHigh !== null;
    add({
      id: idOf(`lab-${key}`),
      title: newest.name,
      unit: newest.unit ?? "",
      series: [newest.name],
      rows: rows.map((l) => ({ date: dateOf(l.observedAt), values: [l.valueNum], note: l.flag, alert: l.flag === "H" || l.flag === "L" || l.flag === "A" })),
      bands: hasRange
        ? [{ from: newest.refLow ?? Number.NEGATIVE_INFINITY, to: newest.refHigh ?? Number.POSITIVE_INFINITY, label: `reference ${rangeText(newest.refLow, newest.refHigh)}`, tone: "ref" }]
        : [],
      domain: null,
      targets: targetsFor(data.goals, newest.code),
      noteLabel: "Flag",
      decimals: 2,
      omitted,
    });
  }
  return trends;
}

export interface GoalProgress {
  /** Name and unit of what the goal tracks (null for a goal in words only). */
  measureName: string | null;
  unit: string;
  latest: { value: number; date: string } | null;
  /** Whether the latest value meets the target; null when there is nothing to compare. */
  reached: boolean | null;
}

/** The latest value of what a goal tracks, from the rows the page loaded, and whether it meets the target. */
export function goalProgress(goal: Goal, data: TrendInput, timeZone: string): GoalProgress {
  const dateOf = dateIn(timeZone);
  const m = goal.measure;
  if (!m) return { measureName: null, unit: "", latest: null, reached: null };
  let name = m;
  let unit = "";
  let latestRow: { value: number; at: number } | null = null;
  const inst = data.instruments.find((i) => i.code === m);
  const vital = VITAL_MEASURES.find((v) => v.code === m);
  if (inst || data.responses.some((r) => r.instrument === m)) {
    const r = data.responses.find((x) => x.instrument === m && x.status === "final");
    name = inst?.name ?? r?.instrumentName ?? m;
    if (r) latestRow = { value: r.score, at: r.takenAt };
  } else if (vital) {
    name = vital.name;
    unit = vital.unit;
    const key = ({ weight: "weightKg", bmi: "bmi", systolic: "systolic", diastolic: "diastolic" } as const)[vital.code as "weight"];
    const v = data.vitals.find((x) => x[key] !== null);
    if (v) latestRow = { value: v[key]!, at: v.takenAt };
  } else {
    const test = LAB_TESTS.find((t) => t.code === m);
    const l = data.labs.find((x) => x.code === m && x.status === "final" && x.valueNum !== null);
    name = test?.name ?? l?.name ?? m;
    unit = test?.unit ?? l?.unit ?? "";
    if (l) latestRow = { value: l.valueNum!, at: l.observedAt };
  }
  const latestValue = latestRow ? { value: latestRow.value, date: dateOf(latestRow.at) } : null;
  let reached: boolean | null = null;
  if (latestValue && goal.targetValue !== null && goal.targetDirection) {
    reached = goal.targetDirection === "below" ? latestValue.value <= goal.targetValue : latestValue.value >= goal.targetValue;
  }
  return { measureName: name, unit, latest: latestValue, reached };
}
