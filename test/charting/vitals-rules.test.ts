// The pure vitals rules (src/charting/vitals.ts): unit conversion to °C, kg and cm, BMI, the
// impossible values refused with the field named, and the adult out-of-range flags.
import { describe, expect, it } from "vitest";
import { bmiOf, flagVitals, parseVitals } from "../../src/charting/vitals";

const ok = (form: Record<string, string>) => {
  const r = parseVitals(form);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.data;
};
const errorsOf = (form: Record<string, string>) => {
  const r = parseVitals(form);
  if (r.ok) throw new Error("expected errors");
  return r.errors;
};

describe("parseVitals", () => {
  it("converts °F, lb and in to the canonical °C, kg and cm", () => {
    const v = ok({ temperature: "98.6", temperature_unit: "F", weight: "154", weight_unit: "lb", height: "70", height_unit: "in" });
    expect(v.temperatureC).toBe(37);
    expect(v.weightKg).toBeCloseTo(69.85, 2);
    expect(v.heightCm).toBe(177.8);
    expect(ok({ temperature: "101.3", temperature_unit: "F" }).temperatureC).toBe(38.5);
  });

  it("keeps metric values as typed and reads nothing into empty fields", () => {
    const v = ok({ systolic: "120", diastolic: "80", temperature: "36.6", weight: "70", height: "175" });
    expect(v).toMatchObject({ systolic: 120, diastolic: 80, temperatureC: 36.6, weightKg: 70, heightCm: 175, pulse: null, spo2: null, painScore: null, takenAt: null });
  });

  it("refuses impossible values naming the field and its range in the unit typed", () => {
    expect(errorsOf({ systolic: "400", diastolic: "80" }).systolic).toBe("Systolic pressure must be between 50 and 300 mmHg.");
    expect(errorsOf({ systolic: "120", diastolic: "130" }).diastolic).toBe("Diastolic pressure must be below the systolic pressure.");
    expect(errorsOf({ systolic: "120" }).diastolic).toBe("Diastolic pressure is needed with the systolic pressure.");
    expect(errorsOf({ pulse: "-5" }).pulse).toBe("Pulse must be between 20 and 300 beats/min.");
    expect(errorsOf({ pulse: "72.5" }).pulse).toBe("Pulse must be a whole number between 20 and 300 beats/min.");
    expect(errorsOf({ temperature: "120", temperature_unit: "F" }).temperature).toBe("Temperature must be between 25 and 45 °C (77 and 113 °F).");
    expect(errorsOf({ temperature: "98.6" }).temperature).toBe("Temperature must be between 25 and 45 °C.");
    expect(errorsOf({ respiratory_rate: "200" }).respiratory_rate).toMatch(/^Respiratory rate must be between 4 and 80/);
    expect(errorsOf({ spo2: "101" }).spo2).toBe("Oxygen saturation (SpO2) must be between 50 and 100 %.");
    expect(errorsOf({ height: "300" }).height).toBe("Height must be between 30 and 272 cm.");
    expect(errorsOf({ weight: "2000", weight_unit: "lb" }).weight).toBe("Weight must be between 0.5 and 650 kg (1.1 and 1433 lb).");
    expect(errorsOf({ pain_score: "11" }).pain_score).toMatch(/^Pain score must be between 0 and 10/);
    expect(errorsOf({ weight: "seventy" }).weight).toMatch(/^Weight must be a number/);
    expect(errorsOf({ weight: "70", weight_unit: "stone" }).weight_unit).toBe("Weight unit must be kg or lb.");
  });

  it("needs at least one measurement", () => {
    expect(errorsOf({ note: "patient refused" })._form).toMatch(/at least one measurement/);
  });
});

describe("bmiOf and flagVitals", () => {
  it("computes BMI to one decimal", () => {
    expect(bmiOf(70, 175)).toBe(22.9);
    expect(bmiOf(69.85, 177.8)).toBe(22.1);
  });

  it("flags adult out-of-range values in words", () => {
    expect(flagVitals({ systolic: 150, diastolic: 95 })).toEqual({ systolic: { level: "high", label: "High" }, diastolic: { level: "high", label: "High" } });
    expect(flagVitals({ systolic: 185, diastolic: 100 }).systolic).toEqual({ level: "critical", label: "Critical" });
    expect(flagVitals({ systolic: 85, diastolic: 55 }).systolic?.label).toBe("Low");
    expect(flagVitals({ pulse: 45 }).pulse?.label).toBe("Low");
    expect(flagVitals({ pulse: 110 }).pulse?.label).toBe("High");
    expect(flagVitals({ temperatureC: 38 }).temperatureC?.label).toBe("Fever");
    expect(flagVitals({ temperatureC: 34.5 }).temperatureC?.label).toBe("Low");
    expect(flagVitals({ respiratoryRate: 24 }).respiratoryRate?.label).toBe("High");
    expect(flagVitals({ spo2: 93 }).spo2).toEqual({ level: "low", label: "Low" });
    expect(flagVitals({ spo2: 88 }).spo2).toEqual({ level: "critical", label: "Critical" });
    expect(flagVitals({ bmi: 17 }).bmi?.label).toBe("Underweight");
    expect(flagVitals({ bmi: 27 }).bmi?.label).toBe("Overweight");
    expect(flagVitals({ bmi: 31 }).bmi?.label).toBe("Obese");
    expect(flagVitals({ systolic: 120, diastolic: 80, pulse: 70, temperatureC: 36.8, respiratoryRate: 16, spo2: 98, bmi: 22 })).toEqual({});
  });
});
