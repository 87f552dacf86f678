/**
 * Common lab tests a clinic enters by hand (the lab interface writes the same table later): LOINC
 * code, name, the unit results are entered in, a typical adult reference range, and the range of
 * values that can be real at all (anything outside is a typing error, refused).
 *
 * Reference ranges differ between laboratories, and several by sex and age; these are typical adult
 * values for flagging, and a result that comes with its own range (HL7) keeps that one.
 * Codes: LOINC (https://loinc.org), each the serum/plasma or whole-blood quantitative test.
 */

export interface LabTest {
  /** LOINC code. */
  code: string;
  /** Short name shown in charts and lists. */
  name: string;
  unit: string;
  /** Reference range; a missing end means the range is open on that side (e.g. HDL ≥ 40). */
  low?: number;
  high?: number;
  /** Values outside this interval are refused as impossible. */
  plausible: [number, number];
}

export const LAB_TESTS: readonly LabTest[] = [
  { code: "4548-4", name: "Hemoglobin A1c", unit: "%", low: 4.0, high: 5.6, plausible: [2, 25] },
  { code: "2345-7", name: "Glucose", unit: "mg/dL", low: 70, high: 99, plausible: [10, 2000] },
  { code: "1558-6", name: "Glucose, fasting", unit: "mg/dL", low: 70, high: 99, plausible: [10, 2000] },
  { code: "2093-3", name: "Cholesterol, total", unit: "mg/dL", high: 199, plausible: [30, 1500] },
  { code: "13457-7", name: "LDL cholesterol (calculated)", unit: "mg/dL", high: 99, plausible: [1, 1000] },
  { code: "18262-6", name: "LDL cholesterol (direct)", unit: "mg/dL", high: 99, plausible: [1, 1000] },
  { code: "2085-9", name: "HDL cholesterol", unit: "mg/dL", low: 40, plausible: [1, 250] },
  { code: "2571-8", name: "Triglycerides", unit: "mg/dL", high: 149, plausible: [5, 10000] },
  { code: "2160-0", name: "Creatinine", unit: "mg/dL", low: 0.6, high: 1.3, plausible: [0.05, 30] },
  { code: "98979-8", name: "eGFR (CKD-EPI 2021)", unit: "mL/min/1.73 m²", low: 60, plausible: [1, 200] },
  { code: "33914-3", name: "eGFR (MDRD)", unit: "mL/min/1.73 m²", low: 60, plausible: [1, 200] },
  { code: "3094-0", name: "Urea nitrogen (BUN)", unit: "mg/dL", low: 7, high: 20, plausible: [1, 300] },
  { code: "2951-2", name: "Sodium", unit: "mmol/L", low: 135, high: 145, plausible: [90, 200] },
  { code: "2823-3", name: "Potassium", unit: "mmol/L", low: 3.5, high: 5.0, plausible: [1, 12] },
  { code: "2075-0", name: "Chloride", unit: "mmol/L", low: 98, high: 107, plausible: [50, 160] },
  { code: "2028-9", name: "Carbon dioxide (bicarbonate)", unit: "mmol/L", low: 22, high: 29, plausible: [2, 60] },
  { code: "17861-6", name: "Calcium", unit: "mg/dL", low: 8.6, high: 10.3, plausible: [2, 25] },
  { code: "1751-7", name: "Albumin", unit: "g/dL", low: 3.5, high: 5.0, plausible: [0.5, 8] },
  { code: "1742-6", name: "ALT", unit: "U/L", low: 7, high: 56, plausible: [0, 20000] },
  { code: "1920-8", name: "AST", unit: "U/L", low: 10, high: 40, plausible: [0, 20000] },
  { code: "6768-6", name: "Alkaline phosphatase", unit: "U/L", low: 44, high: 147, plausible: [0, 5000] },
  { code: "1975-2", name: "Bilirubin, total", unit: "mg/dL", low: 0.1, high: 1.2, plausible: [0, 60] },
  { code: "3016-3", name: "TSH", unit: "mIU/L", low: 0.4, high: 4.5, plausible: [0, 500] },
  { code: "3024-7", name: "Free T4", unit: "ng/dL", low: 0.8, high: 1.8, plausible: [0, 20] },
  { code: "1989-3", name: "Vitamin D, 25-OH", unit: "ng/mL", low: 30, high: 100, plausible: [1, 300] },
  { code: "2132-9", name: "Vitamin B12", unit: "pg/mL", low: 200, high: 900, plausible: [10, 20000] },
  { code: "2276-4", name: "Ferritin", unit: "ng/mL", low: 15, high: 300, plausible: [0, 100000] },
  { code: "718-7", name: "Hemoglobin", unit: "g/dL", low: 12.0, high: 17.5, plausible: [2, 25] },
  { code: "4544-3", name: "Hematocrit", unit: "%", low: 36, high: 50, plausible: [5, 75] },
  { code: "6690-2", name: "White blood cells", unit: "10³/µL", low: 4.5, high: 11.0, plausible: [0, 500] },
  { code: "777-3", name: "Platelets", unit: "10³/µL", low: 150, high: 400, plausible: [1, 3000] },
  { code: "9318-7", name: "Urine albumin/creatinine ratio", unit: "mg/g", high: 29, plausible: [0, 10000] },
  { code: "2857-1", name: "PSA", unit: "ng/mL", high: 4.0, plausible: [0, 10000] },
];

const BY_CODE = new Map(LAB_TESTS.map((t) => [t.code, t]));

export function findLabTest(code: string): LabTest | undefined {
  return BY_CODE.get(code);
}

/** L below the range, H above it, N within; null when there is no range to compare with. */
export function labFlag(value: number, low: number | null | undefined, high: number | null | undefined): "L" | "H" | "N" | null {
  const hasLow = low !== null && low !== undefined;
  const hasHigh = high !== null && high !== undefined;
  if (!hasLow && !hasHigh) return null;
  if (hasLow && value < low) return "L";
  if (hasHigh && value > high) return "H";
  return "N";
}

/** "4.0–5.6", "≥ 40", "≤ 199", or "" when there is no range. */
export function rangeText(low: number | null | undefined, high: number | null | undefined): string {
  const hasLow = low !== null && low !== undefined;
  const hasHigh = high !== null && high !== undefined;
  if (hasLow && hasHigh) return `${low}–${high}`;
  if (hasLow) return `≥ ${low}`;
  if (hasHigh) return `≤ ${high}`;
  return "";
}
