/**
 * Vital signs without a database: reading the form (units typed → canonical °C, kg, cm), refusing
 * impossible values with the field named, computing BMI and flagging values outside the usual
 * adult ranges. Pure, so the note editor, the chart and the tests share one set of rules.
 */
import * as z from "zod/mini";
import type { FieldErrors } from "../platform/errors";
import type { Parsed } from "../platform/validation";

export const TEMPERATURE_UNITS = ["C", "F"] as const;
export const WEIGHT_UNITS = ["kg", "lb"] as const;
export const HEIGHT_UNITS = ["cm", "in"] as const;

/** One set of measurements in canonical units; null when not taken. */
export interface VitalsValues {
  systolic: number | null;
  diastolic: number | null;
  pulse: number | null;
  temperatureC: number | null;
  respiratoryRate: number | null;
  spo2: number | null;
  heightCm: number | null;
  weightKg: number | null;
  bmi: number | null;
  painScore: number | null;
}

/** A set's measurements alone, from a row that holds them among other columns (in this order). */
export function vitalsValuesOf(r: VitalsValues): VitalsValues {
  return {
    systolic: r.systolic,
    diastolic: r.diastolic,
    pulse: r.pulse,
    temperatureC: r.temperatureC,
    respiratoryRate: r.respiratoryRate,
    spo2: r.spo2,
    heightCm: r.heightCm,
    weightKg: r.weightKg,
    bmi: r.bmi,
    painScore: r.painScore,
  };
}

export type VitalsInput = Omit<VitalsValues, "bmi"> & { note: string | null; takenAt: { date: string; time: string } | null };

/** The form's fields: what the user typed, and the unit chosen beside it. */
export const VITALS_FIELDS = [
  "systolic",
  "diastolic",
  "pulse",
  "temperature",
  "temperature_unit",
  "respiratory_rate",
  "spo2",
  "height",
  "height_unit",
  "weight",
  "weight_unit",
  "pain_score",
  "taken_date",
  "taken_time",
  "note",
] as const;
export type VitalsForm = Partial<Record<(typeof VITALS_FIELDS)[number], string>>;

const text = (max: number, label: string) => z.string().check(z.trim(), z.maxLength(max, { error: `${label} must be at most ${max} characters.` }));

const formShape = z.object({
  systolic: text(10, "Systolic pressure"),
  diastolic: text(10, "Diastolic pressure"),
  pulse: text(10, "Pulse"),
  temperature: text(10, "Temperature"),
  temperature_unit: z.enum(TEMPERATURE_UNITS, { error: "Temperature unit must be °C or °F." }),
  respiratory_rate: text(10, "Respiratory rate"),
  spo2: text(10, "Oxygen saturation"),
  height: text(10, "Height"),
  height_unit: z.enum(HEIGHT_UNITS, { error: "Height unit must be cm or in." }),
  weight: text(10, "Weight"),
  weight_unit: z.enum(WEIGHT_UNITS, { error: "Weight unit must be kg or lb." }),
  pain_score: text(10, "Pain score"),
  taken_date: z.string().check(z.trim(), z.refine((v) => v === "" || /^\d{4}-\d{2}-\d{2}$/.test(v), { error: "Date taken must be a date, as YYYY-MM-DD." })),
  taken_time: z.string().check(z.trim(), z.refine((v) => v === "" || /^([01]\d|2[0-3]):[0-5]\d$/.test(v), { error: "Time taken must be a time, as HH:MM." })),
  note: text(500, "Note"),
});

const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;

export const fToC = (f: number) => ((f - 32) * 5) / 9;
export const cToF = (c: number) => (c * 9) / 5 + 32;
export const LB_PER_KG = 2.20462262;
export const CM_PER_IN = 2.54;

/** Body-mass index, kg/m², to one decimal. */
export function bmiOf(kg: number, cm: number): number {
  const m = cm / 100;
  return round(kg / (m * m), 1);
}

function num(raw: string | undefined): number | null | "nan" {
  const s = (raw ?? "").trim();
  if (s === "") return null;
  if (!/^-?\d+(\.\d+)?$/.test(s)) return "nan";
  return Number(s);
}

/**
 * Reads a vitals form. Every number is checked against what a living person can measure; the
 * message names the field and the range in the unit the user typed. At least one measurement is
 * needed (`_form` otherwise).
 */
export function parseVitals(form: VitalsForm): Parsed<VitalsInput> {
  const shape = formShape.safeParse({
    ...Object.fromEntries(VITALS_FIELDS.map((f) => [f, form[f] ?? ""])),
    temperature_unit: form.temperature_unit || "C",
    height_unit: form.height_unit || "cm",
    weight_unit: form.weight_unit || "kg",
  });
  const errors: FieldErrors = {};
  if (!shape.success) {
    for (const issue of shape.error.issues) {
      const key = issue.path.map(String).join(".") || "_form";
      errors[key] ??= issue.message;
    }
    return { ok: false, errors };
  }
  const f = shape.data;

  /** A measurement in [min, max] (canonical unit); `toCanonical` converts what was typed. */
  const measure = (
    key: string,
    label: string,
    o: { min: number; max: number; unit: string; integer?: boolean; toCanonical?: (v: number) => number; typedRange?: string; places?: number },
  ): number | null => {
    const v = num(f[key as keyof typeof f]);
    if (v === null) return null;
    const range = `between ${o.min} and ${o.max} ${o.unit}${o.typedRange ? ` (${o.typedRange})` : ""}`;
    if (v === "nan") {
      errors[key] = `${label} must be a number ${range}.`;
      return null;
    }
    if (o.integer && !Number.isInteger(v)) {
      errors[key] = `${label} must be a whole number ${range}.`;
      return null;
    }
    const canonical = o.toCanonical ? o.toCanonical(v) : v;
    if (canonical < o.min || canonical > o.max) {
      errors[key] = `${label} must be ${range}.`;
      return null;
    }
    return o.places === undefined ? canonical : round(canonical, o.places);
  };

  const systolic = measure("systolic", "Systolic pressure", { min: 50, max: 300, unit: "mmHg", integer: true });
  const diastolic = measure("diastolic", "Diastolic pressure", { min: 20, max: 200, unit: "mmHg", integer: true });
  const pulse = measure("pulse", "Pulse", { min: 20, max: 300, unit: "beats/min", integer: true });
  const fahrenheit = f.temperature_unit === "F";
  const temperatureC = measure("temperature", "Temperature", {
    min: 25,
    max: 45,
    unit: "°C",
    toCanonical: fahrenheit ? fToC : undefined,
    typedRange: fahrenheit ? "77 and 113 °F" : undefined,
    places: 1,
  });
  const respiratoryRate = measure("respiratory_rate", "Respiratory rate", { min: 4, max: 80, unit: "breaths/min", integer: true });
  const spo2 = measure("spo2", "Oxygen saturation (SpO2)", { min: 50, max: 100, unit: "%", integer: true });
  const inches = f.height_unit === "in";
  const heightCm = measure("height", "Height", {
    min: 30,
    max: 272,
    unit: "cm",
    toCanonical: inches ? (v) => v * CM_PER_IN : undefined,
    typedRange: inches ? "11.8 and 107 in" : undefined,
    places: 1,
  });
  const pounds = f.weight_unit === "lb";
  const weightKg = measure("weight", "Weight", {
    min: 0.5,
    max: 650,
    unit: "kg",
    toCanonical: pounds ? (v) => v / LB_PER_KG : undefined,
    typedRange: pounds ? "1.1 and 1433 lb" : undefined,
    places: 2,
  });
  const painScore = measure("pain_score", "Pain score", { min: 0, max: 10, unit: "", integer: true });

  if (systolic !== null && diastolic === null && !errors.diastolic) errors.diastolic = "Diastolic pressure is needed with the systolic pressure.";
  if (diastolic !== null && systolic === null && !errors.systolic) errors.systolic = "Systolic pressure is needed with the diastolic pressure.";
  if (systolic !== null && diastolic !== null && diastolic >= systolic) errors.diastolic = "Diastolic pressure must be below the systolic pressure.";
  if ((f.taken_date === "") !== (f.taken_time === "")) errors[f.taken_date === "" ? "taken_date" : "taken_time"] = "Give both the date and the time taken, or neither.";

  const values = { systolic, diastolic, pulse, temperatureC, respiratoryRate, spo2, heightCm, weightKg, painScore };
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  if (Object.values(values).every((v) => v === null)) {
    return { ok: false, errors: { _form: "Enter at least one measurement (blood pressure, pulse, temperature, respiratory rate, SpO2, height, weight or pain score)." } };
  }
  return {
    ok: true,
    data: { ...values, note: f.note || null, takenAt: f.taken_date ? { date: f.taken_date, time: f.taken_time } : null },
  };
}

export type FlagLevel = "low" | "high" | "critical";
export interface VitalFlag {
  level: FlagLevel;
  /** Shown as text next to the value, so the flag never depends on colour alone. */
  label: string;
}
export type VitalsFlags = Partial<Record<keyof VitalsValues, VitalFlag>>;

const HIGH: VitalFlag = { level: "high", label: "High" };
const LOW: VitalFlag = { level: "low", label: "Low" };

/**
 * Flags values outside the usual adult ranges: blood pressure ≥ 140/90 high (≥ 180/120 critical),
 * systolic < 90 low; pulse < 50 or > 100; temperature ≥ 38.0 °C fever, < 35 °C low; respiratory
 * rate < 12 or > 20; SpO2 < 95 % low, < 90 % critical; BMI < 18.5 underweight, ≥ 25 overweight,
 * ≥ 30 obese.
 */
export function flagVitals(v: Partial<VitalsValues>): VitalsFlags {
  const out: VitalsFlags = {};
  const { systolic: sys, diastolic: dia, pulse, temperatureC: t, respiratoryRate: rr, spo2, bmi } = v;
  if (sys != null) {
    if (sys >= 180) out.systolic = { level: "critical", label: "Critical" };
    else if (sys >= 140) out.systolic = HIGH;
    else if (sys < 90) out.systolic = LOW;
  }
  if (dia != null) {
    if (dia >= 120) out.diastolic = { level: "critical", label: "Critical" };
    else if (dia >= 90) out.diastolic = HIGH;
  }
  if (pulse != null) {
    if (pulse > 100) out.pulse = HIGH;
    else if (pulse < 50) out.pulse = LOW;
  }
  if (t != null) {
    if (t >= 38) out.temperatureC = { level: "high", label: "Fever" };
    else if (t < 35) out.temperatureC = LOW;
  }
  if (rr != null) {
    if (rr > 20) out.respiratoryRate = HIGH;
    else if (rr < 12) out.respiratoryRate = LOW;
  }
  if (spo2 != null) {
    if (spo2 < 90) out.spo2 = { level: "critical", label: "Critical" };
    else if (spo2 < 95) out.spo2 = LOW;
  }
  if (bmi != null) {
    if (bmi >= 30) out.bmi = { level: "high", label: "Obese" };
    else if (bmi >= 25) out.bmi = { level: "high", label: "Overweight" };
    else if (bmi < 18.5) out.bmi = { level: "low", label: "Underweight" };
  }
  return out;
}
