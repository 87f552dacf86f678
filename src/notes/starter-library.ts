/**
 * The starter library: note templates every clinic can add in one click (or that install
 * themselves the first time someone starts a note from them). Installed copies are ordinary
 * shared templates marked with their `starter_key`; editing one changes only this clinic's copy.
 */
import type { TemplateDefinition, TemplateField } from "./model";

export interface StarterTemplate {
  key: string;
  name: string;
  description: string;
  definition: TemplateDefinition;
}

/** The systems of a general review of systems (the usual 14 of a comprehensive review). */
const ROS_SYSTEMS = [
  "Constitutional",
  "Eyes",
  "Ears, nose, mouth and throat",
  "Cardiovascular",
  "Respiratory",
  "Gastrointestinal",
  "Genitourinary",
  "Musculoskeletal",
  "Skin and breast",
  "Neurological",
  "Psychiatric",
  "Endocrine",
  "Hematologic and lymphatic",
  "Allergic and immunologic",
];

const text = (key: string, label: string, more: Partial<TemplateField> = {}): TemplateField => ({ key, type: "text", label, ...more });
const choice = (key: string, label: string, options: string[], more: Partial<TemplateField> = {}): TemplateField => ({
  key,
  type: "single_choice",
  label,
  options,
  ...more,
});

const generalVisit: StarterTemplate = {
  key: "general-visit",
  name: "General visit (SOAP)",
  description: "A complete problem-oriented visit: history, review of systems, vitals, examination, assessment and plan.",
  definition: {
    sections: [
      {
        key: "subjective",
        title: "Subjective",
        fields: [
          text("chief_complaint", "Chief complaint", { required: true, help: "In the patient's own words." }),
          text("hpi", "History of present illness", { help: "Onset, location, duration, character, aggravating and relieving factors, timing, severity." }),
          { key: "ros", type: "ros", label: "Review of systems", options: ROS_SYSTEMS },
        ],
      },
      {
        key: "objective",
        title: "Objective",
        fields: [
          { key: "vitals", type: "vitals", label: "Vital signs" },
          text("exam", "Physical examination"),
        ],
      },
      {
        key: "assessment",
        title: "Assessment",
        fields: [
          { key: "problems", type: "chart_insert", label: "Active problems", source: "problems" },
          text("assessment", "Assessment", { required: true, help: "Diagnoses and clinical reasoning." }),
        ],
      },
      {
        key: "plan",
        title: "Plan",
        fields: [
          text("plan", "Plan", { required: true, help: "Tests, treatment, prescriptions, referrals and patient education." }),
          { key: "follow_up_date", type: "date", label: "Follow-up date" },
        ],
      },
    ],
  },
};

const followUp: StarterTemplate = {
  key: "follow-up",
  name: "Follow-up visit",
  description: "A short visit reviewing progress on a known problem since the last visit.",
  definition: {
    sections: [
      {
        key: "subjective",
        title: "Subjective",
        fields: [
          text("reason", "Reason for follow-up", { required: true }),
          choice("since_last_visit", "Since the last visit", ["Improved", "Unchanged", "Worse", "Resolved"], { required: true }),
          text("interval_history", "Interval history", { help: "Symptoms, adherence to the plan, side effects, new concerns." }),
          { key: "medications", type: "chart_insert", label: "Current medications", source: "medications" },
        ],
      },
      {
        key: "objective",
        title: "Objective",
        fields: [
          { key: "vitals", type: "vitals", label: "Vital signs" },
          text("exam", "Focused examination"),
        ],
      },
      {
        key: "assessment",
        title: "Assessment",
        fields: [{ key: "problems", type: "chart_insert", label: "Active problems", source: "problems" }, text("assessment", "Assessment", { required: true })],
      },
      {
        key: "plan",
        title: "Plan",
        fields: [
          text("plan", "Plan", { required: true }),
          { key: "plan_changed", type: "checkbox", label: "Treatment plan changed at this visit" },
          { key: "follow_up_date", type: "date", label: "Next follow-up" },
        ],
      },
    ],
  },
};

const physicalTherapy: StarterTemplate = {
  key: "physical-therapy",
  name: "Physical therapy daily note",
  description: "Pain, range of motion and function, treatment provided, home exercises and the plan of care.",
  definition: {
    sections: [
      {
        key: "subjective",
        title: "Subjective",
        fields: [
          { key: "pain_score", type: "number", label: "Pain score", unit: "/10", min: 0, max: 10, required: true, help: "0 = no pain, 10 = worst pain imaginable." },
          text("patient_report", "Patient report", { help: "Response to the last session, function at home and work, new complaints." }),
        ],
      },
      {
        key: "objective",
        title: "Objective",
        fields: [
          text("rom", "Range of motion", { help: "Joint, movement, active and passive degrees, e.g. R shoulder flexion AROM 140°, PROM 155°." }),
          text("strength", "Strength and special tests"),
          {
            key: "treatment",
            type: "multi_choice",
            label: "Treatment provided",
            required: true,
            options: [
              "Therapeutic exercise",
              "Manual therapy",
              "Neuromuscular re-education",
              "Gait training",
              "Therapeutic activities",
              "Dry needling",
              "Ultrasound",
              "Electrical stimulation",
              "Heat or cold pack",
              "Patient education",
            ],
          },
          { key: "minutes", type: "number", label: "Treatment time", unit: "min", min: 0, max: 240 },
        ],
      },
      {
        key: "assessment",
        title: "Assessment",
        fields: [
          text("functional_goals", "Functional goals and progress", { help: "Each goal, with its target date and whether it is met, progressing or not met." }),
          choice("tolerance", "Tolerance of treatment", ["Good", "Fair", "Poor"]),
        ],
      },
      {
        key: "plan",
        title: "Plan",
        fields: [
          text("home_exercise_program", "Home exercise program", { help: "Exercises, sets, repetitions and frequency given to the patient." }),
          text("plan_of_care", "Plan of care", { required: true }),
          { key: "visits_remaining", type: "number", label: "Visits remaining in the plan of care", unit: "visits", min: 0, max: 100 },
        ],
      },
    ],
  },
};

const mentalHealthProgress: StarterTemplate = {
  key: "mental-health-progress",
  name: "Mental health progress note",
  description: "PHQ-9 and GAD-7, mental status examination, risk assessment, interventions and plan.",
  definition: {
    sections: [
      {
        key: "subjective",
        title: "Subjective",
        fields: [
          text("presentation", "Presentation and interval history", { required: true, help: "Mood, sleep, appetite, stressors and progress toward goals since the last session." }),
          { key: "phq9", type: "questionnaire", label: "PHQ-9", instrument: "phq9" },
          { key: "gad7", type: "questionnaire", label: "GAD-7", instrument: "gad7" },
        ],
      },
      {
        key: "mental_status",
        title: "Mental status examination",
        fields: [
          choice("appearance", "Appearance", ["Well groomed", "Casually dressed", "Disheveled", "Inappropriately dressed"]),
          choice("behavior", "Behavior", ["Cooperative", "Guarded", "Agitated", "Withdrawn", "Restless"]),
          choice("speech", "Speech", ["Normal rate and volume", "Pressured", "Slow", "Soft", "Loud"]),
          choice("mood", "Mood (reported)", ["Euthymic", "Depressed", "Anxious", "Irritable", "Elevated"]),
          choice("affect", "Affect", ["Congruent", "Constricted", "Flat", "Labile", "Incongruent"]),
          choice("thought_process", "Thought process", ["Linear and goal-directed", "Circumstantial", "Tangential", "Disorganized"]),
          choice("insight", "Insight and judgment", ["Good", "Fair", "Poor"]),
        ],
      },
      {
        key: "risk",
        title: "Risk assessment",
        fields: [
          choice("suicidal_ideation", "Suicidal ideation", ["Denied", "Passive, without plan or intent", "Active, without plan", "Active, with plan or intent"], { required: true }),
          choice("homicidal_ideation", "Homicidal ideation", ["Denied", "Present"], { required: true }),
          choice("risk_level", "Overall risk", ["Low", "Moderate", "High"], { required: true }),
          text("safety_plan", "Safety plan and protective factors", { help: "Required when any risk is present: steps agreed, crisis contacts, means restriction." }),
        ],
      },
      {
        key: "interventions",
        title: "Interventions",
        fields: [
          {
            key: "interventions",
            type: "multi_choice",
            label: "Interventions used",
            options: ["Cognitive behavioral therapy", "Behavioral activation", "Motivational interviewing", "Mindfulness", "Psychoeducation", "Supportive therapy", "Safety planning", "Medication review"],
          },
          text("response", "Patient response"),
        ],
      },
      {
        key: "plan",
        title: "Plan",
        fields: [text("plan", "Plan", { required: true }), { key: "next_session", type: "date", label: "Next session" }],
      },
    ],
  },
};

const integrativeIntake: StarterTemplate = {
  key: "integrative-intake",
  name: "Naturopathic / integrative intake",
  description: "A first visit covering health history, diet, sleep, stress, current supplements and the patient's goals.",
  definition: {
    sections: [
      {
        key: "history",
        title: "Health history",
        fields: [
          text("main_concerns", "Main health concerns", { required: true, help: "In order of priority for the patient." }),
          text("history", "History of concerns", { help: "When each began, what was tried, what helped." }),
          { key: "allergies", type: "chart_insert", label: "Allergies", source: "allergies" },
          { key: "supplements", type: "chart_insert", label: "Medications and supplements", source: "medications" },
        ],
      },
      {
        key: "lifestyle",
        title: "Lifestyle",
        fields: [
          choice("diet", "Usual diet", ["Omnivore", "Vegetarian", "Vegan", "Pescatarian", "Gluten-free", "Low-carbohydrate", "Other"]),
          text("diet_detail", "Typical day of eating", { help: "Breakfast, lunch, dinner, snacks, drinks, caffeine and alcohol." }),
          { key: "water", type: "number", label: "Water per day", unit: "L", min: 0, max: 10 },
          { key: "sleep_hours", type: "number", label: "Sleep per night", unit: "h", min: 0, max: 24 },
          choice("sleep_quality", "Sleep quality", ["Restful", "Difficulty falling asleep", "Waking during the night", "Waking unrefreshed"]),
          { key: "stress", type: "number", label: "Stress level", unit: "/10", min: 0, max: 10 },
          text("stressors", "Main stressors and coping"),
          text("exercise", "Physical activity"),
        ],
      },
      {
        key: "objective",
        title: "Objective",
        fields: [{ key: "vitals", type: "vitals", label: "Vital signs" }, text("exam", "Examination")],
      },
      {
        key: "goals_plan",
        title: "Goals and plan",
        fields: [
          text("goals", "Patient's goals", { required: true }),
          text("assessment", "Assessment"),
          text("plan", "Treatment plan", { required: true, help: "Diet and lifestyle changes, supplements, botanicals, referrals and tests." }),
          { key: "follow_up_date", type: "date", label: "Follow-up date" },
        ],
      },
    ],
  },
};

/** The library, in the order it is offered. */
export const STARTER_TEMPLATES: readonly StarterTemplate[] = [generalVisit, followUp, physicalTherapy, mentalHealthProgress, integrativeIntake];

export function starterTemplate(key: string): StarterTemplate | undefined {
  return STARTER_TEMPLATES.find((t) => t.key === key);
}
