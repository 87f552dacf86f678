/**
 * The clinical record of one clinic: the coded problem list, allergies, medications,
 * immunizations, histories, alerts, vitals, encounters with their notes and addenda, note
 * templates, scored questionnaires and goals, lab values and attachment metadata (the bytes live
 * in R2). Instants are epoch milliseconds (UTC); calendar dates are ISO `YYYY-MM-DD` text.
 * Measurements are stored in one canonical unit (°C, kg, cm); the unit typed is converted at the edge.
 */
import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const now = sql`(unixepoch('subsec') * 1000)`;

/** Who and when, on every clinical row. */
const stamps = {
  createdAt: integer("created_at").notNull().default(now),
  createdBy: text("created_by"),
  updatedAt: integer("updated_at").notNull().default(now),
  updatedBy: text("updated_by"),
};

/**
 * ICD-10-CM codes the problem list can use. The migration ships a searchable subset of common
 * codes; `npm run icd10:load` loads the full public CMS order file into the same table.
 */
export const icd10Codes = sqliteTable(
  "icd10_codes",
  {
    /** With the dot, as written in charts: `E11.9`. */
    code: text("code").primaryKey(),
    description: text("description").notNull(),
    /** Code without the dot plus the description, lower-cased without diacritics, for search. */
    searchText: text("search_text").notNull(),
    /** 1 when the code is valid for a claim (a leaf of the tabular list), 0 for a header. */
    billable: integer("billable").notNull().default(1),
    /** Where the row came from: `starter` or the CMS release it was loaded from (e.g. `cms-2026`). */
    source: text("source").notNull().default("starter"),
  },
  (t) => [index("icd10_search_idx").on(t.searchText)],
);

export const PROBLEM_STATUSES = ["active", "inactive", "resolved", "entered_in_error"] as const;
export const problems = sqliteTable(
  "problems",
  {
    id: text("id").primaryKey(),
    patientId: text("patient_id").notNull(),
    /** ICD-10-CM code; null for a problem written in words only. */
    code: text("code"),
    description: text("description").notNull(),
    status: text("status", { enum: PROBLEM_STATUSES }).notNull().default("active"),
    onsetDate: text("onset_date"),
    resolvedDate: text("resolved_date"),
    note: text("note"),
    version: integer("version").notNull().default(1),
    ...stamps,
  },
  (t) => [index("problems_patient_idx").on(t.patientId, t.status)],
);

export const ALLERGY_CATEGORIES = ["medication", "food", "environment", "biologic", "other"] as const;
export const ALLERGY_SEVERITIES = ["mild", "moderate", "severe", "unknown"] as const;
export const ALLERGY_STATUSES = ["active", "inactive", "resolved", "entered_in_error"] as const;
export const allergies = sqliteTable(
  "allergies",
  {
    id: text("id").primaryKey(),
    patientId: text("patient_id").notNull(),
    substance: text("substance").notNull(),
    category: text("category", { enum: ALLERGY_CATEGORIES }).notNull(),
    reaction: text("reaction"),
    severity: text("severity", { enum: ALLERGY_SEVERITIES }).notNull().default("unknown"),
    status: text("status", { enum: ALLERGY_STATUSES }).notNull().default("active"),
    onsetDate: text("onset_date"),
    note: text("note"),
    version: integer("version").notNull().default(1),
    ...stamps,
  },
  (t) => [index("allergies_patient_idx").on(t.patientId, t.status)],
);

export const MEDICATION_STATUSES = ["active", "stopped", "entered_in_error"] as const;
export const medications = sqliteTable(
  "medications",
  {
    id: text("id").primaryKey(),
    patientId: text("patient_id").notNull(),
    name: text("name").notNull(),
    dose: text("dose"),
    route: text("route"),
    frequency: text("frequency"),
    startDate: text("start_date"),
    stopDate: text("stop_date"),
    status: text("status", { enum: MEDICATION_STATUSES }).notNull().default("active"),
    /** Prescriber's name as recorded; `prescriberStaffId` when they are staff here. */
    prescriber: text("prescriber"),
    prescriberStaffId: text("prescriber_staff_id"),
    /** `manual` (reconciled by hand) or `prescription` (written by e-prescribing). */
    source: text("source", { enum: ["manual", "prescription"] }).notNull().default("manual"),
    stopReason: text("stop_reason"),
    note: text("note"),
    version: integer("version").notNull().default(1),
    ...stamps,
  },
  (t) => [index("medications_patient_idx").on(t.patientId, t.status)],
);

export const immunizations = sqliteTable(
  "immunizations",
  {
    id: text("id").primaryKey(),
    patientId: text("patient_id").notNull(),
    /** CDC CVX vaccine code. */
    cvxCode: text("cvx_code").notNull(),
    vaccine: text("vaccine").notNull(),
    administeredOn: text("administered_on").notNull(),
    lotNumber: text("lot_number"),
    manufacturer: text("manufacturer"),
    site: text("site"),
    route: text("route"),
    doseNumber: integer("dose_number"),
    note: text("note"),
    status: text("status", { enum: ["completed", "entered_in_error"] }).notNull().default("completed"),
    ...stamps,
  },
  (t) => [index("immunizations_patient_idx").on(t.patientId, t.administeredOn)],
);

export const SMOKING_STATUSES = ["never", "former", "current_every_day", "current_some_day", "unknown"] as const;
/** Medical, surgical, family and social history: one row per patient, edited with a version check. */
export const histories = sqliteTable("histories", {
  patientId: text("patient_id").primaryKey(),
  medical: text("medical"),
  surgical: text("surgical"),
  family: text("family"),
  smokingStatus: text("smoking_status", { enum: SMOKING_STATUSES }).notNull().default("unknown"),
  alcoholUse: text("alcohol_use"),
  occupation: text("occupation"),
  socialNote: text("social_note"),
  version: integer("version").notNull().default(1),
  ...stamps,
});

/** Alerts shown in the chart header (fall risk, interpreter needed, ...). */
export const chartAlerts = sqliteTable(
  "chart_alerts",
  {
    id: text("id").primaryKey(),
    patientId: text("patient_id").notNull(),
    text: text("text").notNull(),
    severity: text("severity", { enum: ["info", "warning", "critical"] }).notNull().default("warning"),
    active: integer("active").notNull().default(1),
    ...stamps,
  },
  (t) => [index("chart_alerts_patient_idx").on(t.patientId, t.active)],
);

/** One set of vital signs, in canonical units; any field may be missing. */
export const vitals = sqliteTable(
  "vitals",
  {
    id: text("id").primaryKey(),
    patientId: text("patient_id").notNull(),
    encounterId: text("encounter_id"),
    takenAt: integer("taken_at").notNull(),
    systolic: integer("systolic"),
    diastolic: integer("diastolic"),
    pulse: integer("pulse"),
    temperatureC: real("temperature_c"),
    respiratoryRate: integer("respiratory_rate"),
    spo2: integer("spo2"),
    heightCm: real("height_cm"),
    weightKg: real("weight_kg"),
    /** Computed from height and weight (the latest height when none was taken with this set). */
    bmi: real("bmi"),
    painScore: integer("pain_score"),
    note: text("note"),
    status: text("status", { enum: ["final", "entered_in_error"] }).notNull().default("final"),
    ...stamps,
  },
  (t) => [index("vitals_patient_idx").on(t.patientId, t.takenAt), index("vitals_encounter_idx").on(t.encounterId)],
);

/** A visit: opened from an appointment (at most one encounter each) or ad hoc. */
export const encounters = sqliteTable(
  "encounters",
  {
    id: text("id").primaryKey(),
    patientId: text("patient_id").notNull(),
    appointmentId: text("appointment_id"),
    /** The staff member (directory user id) responsible for the visit, and their name then. */
    providerStaffId: text("provider_staff_id").notNull(),
    providerName: text("provider_name").notNull(),
    kind: text("kind", { enum: ["appointment", "ad_hoc"] }).notNull(),
    reason: text("reason"),
    startedAt: integer("started_at").notNull(),
    status: text("status", { enum: ["open", "closed"] }).notNull().default("open"),
    ...stamps,
  },
  (t) => [uniqueIndex("encounters_appointment_uq").on(t.appointmentId), index("encounters_patient_idx").on(t.patientId, t.startedAt)],
);

/**
 * A note template: an ordered list of sections, each with fields (see src/notes/model.ts for the
 * definition's shape). Private to its owner unless shared with the clinic.
 */
export const noteTemplates = sqliteTable(
  "note_templates",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    description: text("description"),
    /** JSON: TemplateDefinition. */
    definition: text("definition").notNull(),
    ownerStaffId: text("owner_staff_id"),
    shared: integer("shared").notNull().default(0),
    /** Set on the clinic's copy of a starter-library template. */
    starterKey: text("starter_key"),
    archived: integer("archived").notNull().default(0),
    version: integer("version").notNull().default(1),
    ...stamps,
  },
  (t) => [index("note_templates_owner_idx").on(t.ownerStaffId), uniqueIndex("note_templates_starter_uq").on(t.starterKey)],
);

export const NOTE_STATUSES = ["draft", "awaiting_cosign", "signed"] as const;
/**
 * A clinical note of an encounter. While a draft, `content` (JSON: field key -> value) changes
 * under a version check. Signing stores the canonical signed text and its SHA-256; from then on a
 * trigger refuses any change to the content, and corrections are addenda.
 */
export const notes = sqliteTable(
  "notes",
  {
    id: text("id").primaryKey(),
    encounterId: text("encounter_id").notNull(),
    patientId: text("patient_id").notNull(),
    templateId: text("template_id"),
    title: text("title").notNull(),
    /** JSON: the template definition as it was when the note was started. */
    definition: text("definition").notNull(),
    /** JSON: field values. */
    content: text("content").notNull().default("{}"),
    version: integer("version").notNull().default(1),
    status: text("status", { enum: NOTE_STATUSES }).notNull().default("draft"),
    authorStaffId: text("author_staff_id").notNull(),
    authorName: text("author_name").notNull(),
    signedAt: integer("signed_at"),
    signedBy: text("signed_by"),
    signedByName: text("signed_by_name"),
    /** Canonical JSON of what was signed (definition, values, chart data inserted), and its SHA-256 hex. */
    signedContent: text("signed_content"),
    contentHash: text("content_hash"),
    /** Supervisor who must co-sign (for students and associates), and when they did. */
    cosignerStaffId: text("cosigner_staff_id"),
    cosignerName: text("cosigner_name"),
    cosignedAt: integer("cosigned_at"),
    cosignHash: text("cosign_hash"),
    ...stamps,
  },
  (t) => [index("notes_encounter_idx").on(t.encounterId), index("notes_patient_idx").on(t.patientId, t.createdAt), index("notes_cosigner_idx").on(t.cosignerStaffId, t.status)],
);

/** A signed correction appended below a signed note. Append-only (triggers). */
export const noteAddenda = sqliteTable(
  "note_addenda",
  {
    id: text("id").primaryKey(),
    noteId: text("note_id").notNull(),
    patientId: text("patient_id").notNull(),
    body: text("body").notNull(),
    authorStaffId: text("author_staff_id").notNull(),
    authorName: text("author_name").notNull(),
    createdAt: integer("created_at").notNull(),
    /** SHA-256 hex of the canonical addendum (note hash, body, author, time). */
    contentHash: text("content_hash").notNull(),
  },
  (t) => [index("note_addenda_note_idx").on(t.noteId, t.createdAt)],
);

/**
 * A clinic's own scored questionnaire (PHQ-9 and GAD-7 are built in, in src/progress). `definition`
 * is JSON: items, answer options with points, and severity bands.
 */
export const questionnaires = sqliteTable("questionnaires", {
  id: text("id").primaryKey(),
  /** Short code used in charts and goals, unique in the clinic, e.g. `sleep-5`. */
  code: text("code").notNull().unique(),
  name: text("name").notNull(),
  definition: text("definition").notNull(),
  archived: integer("archived").notNull().default(0),
  version: integer("version").notNull().default(1),
  ...stamps,
});

/** One administration of a scored questionnaire, with its score as computed when recorded. */
export const measureResponses = sqliteTable(
  "measure_responses",
  {
    id: text("id").primaryKey(),
    patientId: text("patient_id").notNull(),
    encounterId: text("encounter_id"),
    /** `phq9`, `gad7`, or a clinic questionnaire's code. */
    instrument: text("instrument").notNull(),
    instrumentName: text("instrument_name").notNull(),
    /** JSON: item index -> points chosen. */
    answers: text("answers").notNull(),
    score: integer("score").notNull(),
    severity: text("severity").notNull(),
    /** Items needing attention, e.g. PHQ-9 item 9 (thoughts of self-harm) answered above zero. */
    flags: text("flags"),
    takenAt: integer("taken_at").notNull(),
    status: text("status", { enum: ["final", "entered_in_error"] }).notNull().default("final"),
    ...stamps,
  },
  (t) => [index("measure_responses_patient_idx").on(t.patientId, t.instrument, t.takenAt), index("measure_responses_encounter_idx").on(t.encounterId)],
);

export const GOAL_STATUSES = ["active", "met", "not_met", "cancelled"] as const;
export const goals = sqliteTable(
  "goals",
  {
    id: text("id").primaryKey(),
    patientId: text("patient_id").notNull(),
    description: text("description").notNull(),
    /** What is tracked: an instrument code, a vital (`weight`, `bmi`, `systolic`, ...) or a lab code; null for a goal in words only. */
    measure: text("measure"),
    targetValue: real("target_value"),
    /** Whether the target is reached at or below (`below`) or at or above (`above`) the value. */
    targetDirection: text("target_direction", { enum: ["below", "above"] }),
    targetDate: text("target_date"),
    status: text("status", { enum: GOAL_STATUSES }).notNull().default("active"),
    note: text("note"),
    version: integer("version").notNull().default(1),
    ...stamps,
  },
  (t) => [index("goals_patient_idx").on(t.patientId, t.status)],
);

/** A lab value: entered by hand now, written by the lab interface later. */
export const labResults = sqliteTable(
  "lab_results",
  {
    id: text("id").primaryKey(),
    patientId: text("patient_id").notNull(),
    encounterId: text("encounter_id"),
    /** LOINC code. */
    code: text("code").notNull(),
    name: text("name").notNull(),
    valueNum: real("value_num"),
    valueText: text("value_text"),
    unit: text("unit"),
    refLow: real("ref_low"),
    refHigh: real("ref_high"),
    /** L, H, N (normal) or A (abnormal), from the range or as reported. */
    flag: text("flag"),
    observedAt: integer("observed_at").notNull(),
    source: text("source", { enum: ["manual", "hl7"] }).notNull().default("manual"),
    status: text("status", { enum: ["final", "entered_in_error"] }).notNull().default("final"),
    ...stamps,
  },
  (t) => [index("lab_results_patient_idx").on(t.patientId, t.code, t.observedAt)],
);

export const ATTACHMENT_CATEGORIES = ["clinical", "lab", "imaging", "correspondence", "administrative"] as const;
/**
 * Metadata of a file in R2 (key `clinics/<slug>/patients/<patient id>/<uuid>`). The row is written
 * only after the object is complete, so an interrupted upload leaves neither. Deletion is soft.
 */
export const attachments = sqliteTable(
  "attachments",
  {
    id: text("id").primaryKey(),
    patientId: text("patient_id").notNull(),
    encounterId: text("encounter_id"),
    r2Key: text("r2_key").notNull().unique(),
    filename: text("filename").notNull(),
    /** The type detected from the file's bytes, not the one the browser claimed. */
    contentType: text("content_type").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    sha256: text("sha256").notNull(),
    category: text("category", { enum: ATTACHMENT_CATEGORIES }).notNull().default("clinical"),
    title: text("title"),
    uploadedAt: integer("uploaded_at").notNull(),
    uploadedBy: text("uploaded_by").notNull(),
    uploadedByName: text("uploaded_by_name").notNull(),
    deletedAt: integer("deleted_at"),
    deletedBy: text("deleted_by"),
    deleteReason: text("delete_reason"),
  },
  (t) => [index("attachments_patient_idx").on(t.patientId, t.uploadedAt), index("attachments_encounter_idx").on(t.encounterId)],
);
