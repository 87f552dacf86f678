/**
 * What a goal can track: a questionnaire score, a vital sign (canonical units) or a lab value.
 * One list of choices, so the goal form, its validation and the progress page agree.
 */
import { type Instrument, scoreRange } from "./instruments";
import { LAB_TESTS } from "./labs";

export interface MeasureChoice {
  /** `phq9`, a clinic questionnaire code, `weight`, `bmi`, `systolic`, `diastolic`, or a LOINC code. */
  code: string;
  name: string;
  unit: string;
  kind: "instrument" | "vital" | "lab";
  /** Values a target can take. */
  range: [number, number];
}

export const VITAL_MEASURES: readonly MeasureChoice[] = [
  { code: "weight", name: "Weight", unit: "kg", kind: "vital", range: [0.5, 650] },
  { code: "bmi", name: "BMI", unit: "kg/m²", kind: "vital", range: [5, 150] },
  { code: "systolic", name: "Systolic pressure", unit: "mmHg", kind: "vital", range: [50, 300] },
  { code: "diastolic", name: "Diastolic pressure", unit: "mmHg", kind: "vital", range: [20, 200] },
];

/** Every measure a goal may track here: the instruments given (built-in and the clinic's), vitals, labs. */
export function measureChoices(instruments: readonly Instrument[]): MeasureChoice[] {
  return [
    ...instruments.map((i): MeasureChoice => {
      const r = scoreRange(i);
      return { code: i.code, name: i.name, unit: "points", kind: "instrument", range: [r.min, r.max] };
    }),
    ...VITAL_MEASURES,
    ...LAB_TESTS.map((t): MeasureChoice => ({ code: t.code, name: t.name, unit: t.unit, kind: "lab", range: t.plausible })),
  ];
}
