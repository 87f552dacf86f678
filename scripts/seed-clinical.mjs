// Demo clinical records for the local demo clinics (never production): problem lists coded with
// ICD-10-CM, allergies, medications, immunizations, histories, alerts, a year of vitals, PHQ-9 and
// GAD-7 scores, HbA1c results and goals, so the chart, timeline and progress charts have something
// to show. The first patient of each clinic has the fullest record and is the one waiting in the
// demo's "now" visit (see seed.mjs). Fixed ids: a second run adds nothing.
import { prng, seedOf, stableUuid } from "./seed-data.mjs";

const DAY = 86_400_000;

/** Problems the demo draws from; every code is in the starter ICD-10-CM subset. */
const PROBLEMS = [
  ["E11.9", "Type 2 diabetes mellitus without complications"],
  ["I10", "Essential (primary) hypertension"],
  ["E78.5", "Hyperlipidemia, unspecified"],
  ["J45.909", "Unspecified asthma, uncomplicated"],
  ["K21.9", "Gastro-esophageal reflux disease without esophagitis"],
  ["M54.50", "Low back pain, unspecified"],
  ["F41.1", "Generalized anxiety disorder"],
  ["G43.909", "Migraine, unspecified, not intractable, without status migrainosus"],
  ["E03.9", "Hypothyroidism, unspecified"],
  ["M17.11", "Unilateral primary osteoarthritis, right knee"],
];

const ALLERGIES = [
  ["Penicillin", "medication", "Hives", "moderate"],
  ["Sulfonamide antibiotics", "medication", "Rash", "mild"],
  ["Peanuts", "food", "Anaphylaxis", "severe"],
  ["Latex", "environment", "Contact dermatitis", "mild"],
  ["Codeine", "medication", "Nausea and vomiting", "mild"],
  ["Shellfish", "food", "Swelling of lips", "moderate"],
];

const MEDICATIONS = {
  "E11.9": ["Metformin", "500 mg", "oral", "twice daily with meals"],
  I10: ["Lisinopril", "10 mg", "oral", "once daily"],
  "E78.5": ["Atorvastatin", "20 mg", "oral", "once daily at bedtime"],
  "J45.909": ["Albuterol HFA inhaler", "90 mcg, 2 puffs", "inhaled", "every 4–6 hours as needed"],
  "K21.9": ["Omeprazole", "20 mg", "oral", "once daily before breakfast"],
  "F41.1": ["Sertraline", "50 mg", "oral", "once daily"],
  "G43.909": ["Sumatriptan", "50 mg", "oral", "at migraine onset, may repeat once after 2 h"],
  "E03.9": ["Levothyroxine", "75 mcg", "oral", "once daily on an empty stomach"],
};

const OCCUPATIONS = ["Teacher", "Nurse", "Electrician", "Retired", "Software developer", "Warehouse associate", "Student", "Chef", "Accountant", "Bus driver"];

function isoDate(instant) {
  return new Date(instant).toISOString().slice(0, 10);
}

/**
 * Item points that add up to `score` (0–3 each; PHQ-9 item 9 kept at zero), stored as the
 * progress module does: `{"0": points, "1": points, ...}`.
 */
function answersFor(score, items) {
  return Object.fromEntries(pointsFor(score, items).map((p, i) => [String(i), p]));
}

function pointsFor(score, items) {
  const out = Array(items).fill(0);
  let left = score;
  for (let round = 0; left > 0 && round < 3; round++) {
    for (let i = 0; i < items && left > 0; i++) {
      if (items === 9 && i === 8) continue;
      out[i] += 1;
      left -= 1;
    }
  }
  return out;
}

const PHQ9_BANDS = [[4, "minimal"], [9, "mild"], [14, "moderate"], [19, "moderately severe"], [27, "severe"]];
const GAD7_BANDS = [[4, "minimal"], [9, "mild"], [14, "moderate"], [21, "severe"]];
const band = (bands, score) => bands.find(([max]) => score <= max)[1];

/**
 * The clinical rows of one demo clinic, by table. `patients` are the seeded patients (the first
 * gets the full record), `clinician` the staff id that recorded them.
 */
export function demoClinical(clinic, { patients, clinician, clinicianName, now = Date.now() }) {
  const r = prng(seedOf(`clinic-demo-clinical:${clinic.slug}`));
  const id = (what) => stableUuid(`clinic-demo-clinical:${clinic.slug}:${what}`);
  const stamp = (at) => ({ created_at: at, created_by: clinician, updated_at: at, updated_by: clinician });
  const t = { problems: [], allergies: [], medications: [], immunizations: [], histories: [], chart_alerts: [], vitals: [], measure_responses: [], lab_results: [], goals: [] };
  const charted = patients.slice(0, 12);

  charted.forEach((p, n) => {
    const rich = n === 0;
    const since = now - (rich ? 330 : r.int(60, 300)) * DAY;
    const problems = rich ? [PROBLEMS[0], PROBLEMS[1], PROBLEMS[6]] : [r.pick(PROBLEMS), ...(r.chance(0.5) ? [r.pick(PROBLEMS)] : [])];
    const seen = new Set();
    for (const [code, description] of problems) {
      if (seen.has(code)) continue;
      seen.add(code);
      t.problems.push({ id: id(`problem:${p.id}:${code}`), patient_id: p.id, code, description, status: "active", onset_date: isoDate(since - r.int(100, 2000) * DAY), version: 1, ...stamp(since) });
      const med = MEDICATIONS[code];
      if (med) {
        t.medications.push({
          id: id(`med:${p.id}:${code}`), patient_id: p.id, name: med[0], dose: med[1], route: med[2], frequency: med[3],
          start_date: isoDate(since), status: "active", prescriber: clinicianName, prescriber_staff_id: clinician, source: "manual", version: 1, ...stamp(since),
        });
      }
    }
    const allergies = rich ? [ALLERGIES[0], ALLERGIES[2]] : r.chance(0.6) ? [r.pick(ALLERGIES)] : [];
    for (const [substance, category, reaction, severity] of allergies) {
      t.allergies.push({ id: id(`allergy:${p.id}:${substance}`), patient_id: p.id, substance, category, reaction, severity, status: "active", version: 1, ...stamp(since) });
    }
    t.immunizations.push({
      id: id(`imm:${p.id}:flu`), patient_id: p.id, cvx_code: "150", vaccine: "Influenza, injectable, quadrivalent, preservative free",
      administered_on: isoDate(now - r.int(20, 60) * DAY), lot_number: `FL${r.digits(5)}`, manufacturer: "Sanofi Pasteur", site: "Left deltoid", route: "Intramuscular", dose_number: 1, status: "completed", ...stamp(since),
    });
    if (rich) {
      t.immunizations.push({
        id: id(`imm:${p.id}:tdap`), patient_id: p.id, cvx_code: "115", vaccine: "Tdap", administered_on: isoDate(now - 900 * DAY),
        lot_number: "TD48213", manufacturer: "GlaxoSmithKline", site: "Right deltoid", route: "Intramuscular", dose_number: 1, status: "completed", ...stamp(since),
      });
    }
    t.histories.push({
      patient_id: p.id,
      medical: rich ? "Gestational diabetes (2009). Childhood asthma, resolved." : "No significant past medical history.",
      surgical: rich ? "Appendectomy (2004). Cesarean section (2010)." : r.chance(0.3) ? "Tonsillectomy in childhood." : "None.",
      family: rich ? "Mother: type 2 diabetes, hypertension. Father: myocardial infarction at 61." : "Non-contributory.",
      smoking_status: rich ? "former" : r.pick(["never", "never", "former", "current_some_day"]),
      alcohol_use: rich ? "1–2 drinks per week" : r.pick(["None", "Social", "2–3 drinks per week"]),
      occupation: r.pick(OCCUPATIONS),
      social_note: rich ? "Lives with partner and two children. Walks 20 minutes most days." : null,
      version: 1,
      ...stamp(since),
    });
    if (rich) {
      t.chart_alerts.push({ id: id(`alert:${p.id}:needle`), patient_id: p.id, text: "Needle anxiety: offer numbing cream before injections", severity: "info", active: 1, ...stamp(since) });
    }

    // Vitals: monthly for the rich record (weight and blood pressure improving), a single set otherwise.
    const visits = rich ? 11 : 1;
    for (let v = 0; v < visits; v++) {
      const at = rich ? since + v * 30 * DAY : now - r.int(10, 90) * DAY;
      const weight = rich ? 98.4 - v * 0.7 + (v % 3) * 0.2 : 55 + r.int(0, 45);
      const height = rich ? 171 : 155 + r.int(0, 35);
      const bmi = Math.round((weight / (height / 100) ** 2) * 10) / 10;
      t.vitals.push({
        id: id(`vitals:${p.id}:${v}`), patient_id: p.id, taken_at: at,
        systolic: rich ? 152 - v * 2 : r.int(108, 146), diastolic: rich ? 96 - v : r.int(66, 92), pulse: r.int(62, 88),
        temperature_c: 36.4 + r.int(0, 5) / 10, respiratory_rate: r.int(12, 18), spo2: r.int(96, 99),
        height_cm: height, weight_kg: Math.round(weight * 10) / 10, bmi, pain_score: rich ? 0 : r.int(0, 4), status: "final", ...stamp(at),
      });
    }
  });

  // The rich record: depression and anxiety scores improving, HbA1c coming down, and goals.
  const p0 = charted[0];
  if (p0) {
    const since = now - 330 * DAY;
    [18, 16, 13, 11, 8, 6].forEach((score, i) => {
      const at = since + i * 60 * DAY;
      t.measure_responses.push({
        id: id(`phq9:${i}`), patient_id: p0.id, instrument: "phq9", instrument_name: "PHQ-9", answers: JSON.stringify(answersFor(score, 9)),
        score, severity: band(PHQ9_BANDS, score), flags: null, taken_at: at, status: "final", ...stamp(at),
      });
    });
    [15, 12, 10, 7, 5].forEach((score, i) => {
      const at = since + i * 70 * DAY;
      t.measure_responses.push({
        id: id(`gad7:${i}`), patient_id: p0.id, instrument: "gad7", instrument_name: "GAD-7", answers: JSON.stringify(answersFor(score, 7)),
        score, severity: band(GAD7_BANDS, score), flags: null, taken_at: at, status: "final", ...stamp(at),
      });
    });
    [8.6, 8.1, 7.6, 7.2].forEach((value, i) => {
      const at = since + i * 90 * DAY;
      t.lab_results.push({
        id: id(`a1c:${i}`), patient_id: p0.id, code: "4548-4", name: "Hemoglobin A1c", value_num: value, unit: "%", ref_low: 4.0, ref_high: 5.6,
        flag: "H", observed_at: at, source: "manual", status: "final", ...stamp(at),
      });
    });
    const goal = (key, description, measure, target_value, target_direction, days) => ({
      id: id(`goal:${key}`), patient_id: p0.id, description, measure, target_value, target_direction, target_date: isoDate(now + days * DAY),
      status: "active", version: 1, ...stamp(since),
    });
    t.goals.push(goal("phq9", "Remission of depressive symptoms (PHQ-9 below 5)", "phq9", 4, "below", 90));
    t.goals.push(goal("a1c", "HbA1c at or below 7.0%", "4548-4", 7.0, "below", 120));
    t.goals.push(goal("weight", "Weight at or below 90 kg", "weight", 90, "below", 180));
  }
  return t;
}
