/**
 * The simple chart lists, each a `recordRoutes` sub-app: allergies, medications (plus stop),
 * immunizations, and alerts (add and deactivate only).
 */
import { AlertsPage, ALERT_FIELDS } from "../../views/charting/alerts";
import { ALLERGY_FIELDS, AllergiesPage, allergyToForm, EditAllergyPage } from "../../views/charting/allergies";
import { EditImmunizationPage, IMMUNIZATION_FIELDS, ImmunizationsPage, immunizationToForm } from "../../views/charting/immunizations";
import { EditMedicationPage, MEDICATION_FIELDS, MedicationsPage, medicationToForm } from "../../views/charting/medications";
import { seeOther } from "../platform/render";
import { can, clinicToday, requirePermission, staffScope } from "../platform/scope";
import type { Context } from "hono";
import type { AppEnv } from "../platform/env";
import type { FieldErrors } from "../platform/errors";
import { formInput } from "../platform/validation";
import { alertList, createAlert, deactivateAlert } from "./alerts";
import { allergyForEdit, allergyList, createAllergy, markAllergyInError, updateAllergy } from "./allergies";
import { chartPage, conflictOr, patientIdOf, recordIdOf } from "./http";
import { createImmunization, immunizationForEdit, immunizationList, markImmunizationInError, updateImmunization } from "./immunizations";
import { createMedication, markMedicationInError, medicationForEdit, medicationList, stopMedication, updateMedication } from "./medications";
import { recordRoutes } from "./record-routes";
import { alertSchema, allergySchema, fieldsForm, immunizationSchema, medicationSchema, sentVersion, stopSchema, typedFields } from "./input";

/** Versioned tables always get a version from recordRoutes; this narrows the type for their services. */
const v = (version: number | null) => version ?? 0;

export const allergyRoutes = recordRoutes({
  path: "allergies",
  tab: "allergies",
  title: "Allergies",
  fields: ALLERGY_FIELDS,
  schema: allergySchema,
  list: allergyList,
  create: (scope, pid, input) => createAllergy(scope, pid, input),
  ListView: AllergiesPage,
  edit: {
    load: allergyForEdit,
    toForm: allergyToForm,
    versioned: true,
    versionOf: (r) => r.version,
    update: (scope, pid, id, version, input) => updateAllergy(scope, pid, id, v(version), input),
    EditView: EditAllergyPage,
  },
  markInError: (scope, pid, id, version) => markAllergyInError(scope, pid, id, v(version)),
});

export const medicationRoutes = recordRoutes({
  path: "medications",
  tab: "medications",
  title: "Medications",
  fields: MEDICATION_FIELDS,
  schema: medicationSchema,
  list: medicationList,
  create: (scope, pid, input) => createMedication(scope, pid, input),
  // The signed-in clinician is the usual prescriber of what they record.
  defaults: (scope) => ({ prescriber: can(scope.staff, "notes:sign") ? scope.staff.name : "" }),
  ListView: MedicationsPage,
  edit: {
    load: medicationForEdit,
    toForm: medicationToForm,
    versioned: true,
    versionOf: (r) => r.version,
    update: (scope, pid, id, version, input) => updateMedication(scope, pid, id, v(version), input),
    EditView: EditMedicationPage,
  },
  markInError: (scope, pid, id, version) => markMedicationInError(scope, pid, id, v(version)),
});

/**
 * Stopping keeps the medication in the list, stopped, with the date and the reason. A stop without
 * a reason opens the edit form set to "stopped", with the reason asked for (422).
 */
const STOP_FIELDS = ["stop_date", "stop_reason"] as const;

/** The edit form after a refused stop: what is saved now after a conflict (409), else set to "stopped" with the stop's errors (422). */
async function stopPage(c: Context<AppEnv>, typed: Record<string, string>, conflict: string | null, errors?: FieldErrors) {
  const scope = staffScope(c);
  const pid = patientIdOf(c);
  const id = recordIdOf(c);
  const { header, row } = await medicationForEdit(scope, pid, id);
  const values = conflict ? medicationToForm(row) : { ...medicationToForm(row), status: "stopped", ...typed };
  return chartPage(
    c,
    { title: "Edit medication", header, active: "medications", status: conflict ? 409 : 422 },
    <EditMedicationPage pid={pid} id={id} csrf={c.var.csrfToken} version={row.version} values={values} errors={errors} conflict={conflict} />,
  );
}

const STOP_MISSING_VERSION = "The form is missing its version; reload the list and try again.";

// The permission, then the page of the medication (a 404 when there is none), with the stop's errors.
const stopInput = formInput(
  (c) => fieldsForm(STOP_FIELDS, stopSchema(clinicToday(c))),
  (c, errors, raw) => {
    requirePermission(staffScope(c), "chart:write");
    return stopPage(c, typedFields(raw, STOP_FIELDS), sentVersion(raw) === null ? STOP_MISSING_VERSION : null, errors);
  },
);

medicationRoutes.post("/:rid/stop", stopInput, async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "chart:write");
  const pid = patientIdOf(c);
  const id = recordIdOf(c);
  const { values, data, version } = c.req.valid("form");
  const conflict =
    version === null ? STOP_MISSING_VERSION : await conflictOr(() => stopMedication(scope, pid, id, version, { stopDate: data.stop_date, stopReason: data.stop_reason }));
  if (!conflict) return seeOther(c, `/patients/${pid}/chart/medications?saved=1`);
  return stopPage(c, values, conflict);
});

export const immunizationRoutes = recordRoutes({
  path: "immunizations",
  tab: "immunizations",
  title: "Immunizations",
  fields: IMMUNIZATION_FIELDS,
  schema: immunizationSchema,
  list: immunizationList,
  create: (scope, pid, input) => createImmunization(scope, pid, input),
  ListView: ImmunizationsPage,
  edit: {
    load: immunizationForEdit,
    toForm: immunizationToForm,
    versioned: false,
    versionOf: () => null,
    update: (scope, pid, id, _version, input) => updateImmunization(scope, pid, id, input),
    EditView: EditImmunizationPage,
  },
  markInError: (scope, pid, id) => markImmunizationInError(scope, pid, id),
});

export const alertRoutes = recordRoutes({
  path: "alerts",
  tab: "alerts",
  title: "Alerts",
  fields: ALERT_FIELDS,
  schema: () => alertSchema,
  list: alertList,
  create: (scope, pid, input) => createAlert(scope, pid, input),
  ListView: AlertsPage,
});

alertRoutes.post("/:rid/deactivate", async (c) => {
  const scope = staffScope(c);
  const pid = patientIdOf(c);
  await deactivateAlert(scope, pid, recordIdOf(c));
  return seeOther(c, `/patients/${pid}/chart/alerts?saved=1`);
});
