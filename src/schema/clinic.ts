/**
 * The schema of every clinic's own D1 database. Each domain owns its tables; this module gathers
 * them so drizzle-kit generates one migration stream for all clinic databases.
 */
export { patients } from "../patients/tables";
export { auditLog } from "../audit/tables";
export {
  outbox,
  messageTemplates,
  reminderSettings,
  patientContactPrefs,
  inboundMessages,
} from "../messaging/tables";
export { workflowRules, workflowRuns, scheduledActions, tasks, patientTags } from "../workflows/tables";
export {
  locations,
  resources,
  providers,
  providerLocations,
  appointmentTypes,
  providerAppointmentTypes,
  availabilityRules,
  availabilityOverrides,
  timeOff,
  holidays,
  bookingRules,
  appointments,
  appointmentSeries,
  waitlistEntries,
  waitlistOffers,
} from "../scheduling/tables";
export {
  icd10Codes,
  problems,
  allergies,
  medications,
  immunizations,
  histories,
  chartAlerts,
  vitals,
  encounters,
  noteTemplates,
  notes,
  noteAddenda,
  questionnaires,
  measureResponses,
  goals,
  labResults,
  attachments,
} from "../charting/tables";
export { emergencyAccess } from "../emergency/tables";
