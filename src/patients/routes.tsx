/** /patients: list and search, register, view and edit demographics. */
import { Hono, type Context } from "hono";
import { PatientDetail } from "../../views/patients/detail";
import { PatientForm, patientToForm } from "../../views/patients/form";
import { PatientResults, PatientsPage, RESULTS_ID } from "../../views/patients/list";
import type { AppEnv } from "../platform/env";
import { AppError } from "../platform/errors";
import { fragment, page, seeOther } from "../platform/render";
import { can, clinicToday, requirePermission, staffScope } from "../platform/scope";
import { sendInvitation } from "../booking/invitations";
import * as z from "zod/mini";
import { clampedInt, formOf, queryInput, validate } from "../platform/validation";
import { isoToday, PATIENT_FIELDS, patientInputSchema, type PatientFormValues } from "./input";
import { createPatient, searchPatientList, updatePatient, viewPatient } from "./service";

export const patientRoutes = new Hono<AppEnv>();

function pickFields(form: Record<string, string>): PatientFormValues {
  const out: PatientFormValues = {};
  for (const f of PATIENT_FIELDS) out[f] = form[f] ?? "";
  return out;
}

const listQuery = z.object({
  q: z.pipe(z.optional(z.string()), z.transform((v) => (v ?? "").slice(0, 100))),
  page: clampedInt(1, 1000, 1),
});

patientRoutes.get("/", queryInput(listQuery), async (c) => {
  const scope = staffScope(c);
  const { q, page: pageNo } = c.req.valid("query");
  const { rows, more } = await searchPatientList(scope, q, pageNo);
  const today = clinicToday(c);
  if (wantsResults(c)) return fragment(c, <PatientResults rows={rows} q={q} page={pageNo} more={more} today={today} />);
  return page(
    c,
    "Patients",
    <PatientsPage rows={rows} q={q} page={pageNo} more={more} today={today} canWrite={can(scope.staff, "patients:write")} />,
  );
});

function wantsResults(c: Context<AppEnv>): boolean {
  return c.req.header("HX-Request") === "true" && (c.req.header("HX-Target") ?? "").endsWith(`#${RESULTS_ID}`);
}

patientRoutes.get("/new", (c) => {
  const scope = staffScope(c);
  if (!can(scope.staff, "patients:write")) throw new AppError("forbidden", "Your role cannot register patients.");
  return page(
    c,
    "New patient",
    <>
      <h1>New patient</h1>
      <PatientForm csrfToken={c.var.csrfToken} action="/patients" values={{}} submitLabel="Register patient" cancelHref="/patients" />
    </>,
  );
});

patientRoutes.post("/", async (c) => {
  const scope = staffScope(c);
  if (!can(scope.staff, "patients:write")) throw new AppError("forbidden", "Your role cannot register patients.");
  const form = await formOf(c);
  const values = pickFields(form);
  const parsed = validate(patientInputSchema(isoToday()), values);
  const formPage = (status: 409 | 422, extra: { errors?: Record<string, string>; duplicates?: Awaited<ReturnType<typeof createPatient>> }) =>
    page(
      c,
      "New patient",
      <>
        <h1>New patient</h1>
        <PatientForm
          csrfToken={c.var.csrfToken}
          action="/patients"
          values={values}
          errors={extra.errors}
          duplicates={extra.duplicates && "duplicates" in extra.duplicates ? extra.duplicates.duplicates : undefined}
          submitLabel="Register patient"
          cancelHref="/patients"
        />
      </>,
      status,
    );
  if (!parsed.ok) return formPage(422, { errors: parsed.errors });
  const result = await createPatient(scope, parsed.data, form.confirm_duplicate === "yes");
  if ("duplicates" in result) return formPage(409, { duplicates: result });
  return seeOther(c, `/patients/${result.created.id}?saved=1`);
});

patientRoutes.get("/:id", async (c) => {
  const scope = staffScope(c);
  const patient = await viewPatient(scope, c.req.param("id"));
  return page(
    c,
    `${patient.familyName}, ${patient.givenName}`,
    <PatientDetail
      patient={patient}
      today={clinicToday(c)}
      timezone={c.var.clinic.timezone}
      canWrite={can(scope.staff, "patients:write")}
      saved={c.req.query("saved") === "1"}
      invited={c.req.query("invited")}
      canSchedule={can(scope.staff, "schedule:write")}
      csrfToken={c.var.csrfToken}
      chartLink={can(scope.staff, "chart:read") ? "chart" : can(scope.staff, "attachments:read_admin") ? "documents" : null}
    />,
  );
});

patientRoutes.post("/:id/booking-invite", async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "schedule:write");
  const id = c.req.param("id");
  await viewPatient(scope, id);
  const link = await sendInvitation({ ...scope, env: c.env }, id, new URL(c.req.url).origin);
  return seeOther(c, `/patients/${id}?invited=${encodeURIComponent(link)}`);
});

patientRoutes.get("/:id/edit", async (c) => {
  const scope = staffScope(c);
  const patient = await viewPatient(scope, c.req.param("id"), "edit");
  return page(
    c,
    "Edit patient",
    <>
      <h1>
        Edit {patient.familyName}, {patient.givenName}
      </h1>
      <PatientForm
        csrfToken={c.var.csrfToken}
        action={`/patients/${patient.id}`}
        values={patientToForm(patient)}
        version={patient.version}
        submitLabel="Save changes"
        cancelHref={`/patients/${patient.id}`}
      />
    </>,
  );
});

patientRoutes.post("/:id", async (c) => {
  const scope = staffScope(c);
  const id = c.req.param("id");
  const form = await formOf(c);
  const values = pickFields(form);
  const version = Number.parseInt(form.version ?? "", 10);
  const editPage = (status: 409 | 422, extra: { errors?: Record<string, string>; conflict?: string }) =>
    page(
      c,
      "Edit patient",
      <>
        <h1>Edit patient</h1>
        <PatientForm
          csrfToken={c.var.csrfToken}
          action={`/patients/${id}`}
          values={values}
          version={Number.isFinite(version) ? version : undefined}
          errors={extra.errors}
          conflict={extra.conflict}
          submitLabel="Save changes"
          cancelHref={`/patients/${id}`}
        />
      </>,
      status,
    );
  const parsed = validate(patientInputSchema(isoToday()), values);
  const badVersion = !Number.isInteger(version) || version < 1;
  if (!parsed.ok || badVersion) {
    // A record of another clinic (or none) stays a 404, and a role without write access a 403,
    // even when the input is bad.
    await viewPatient(scope, id, "edit");
    if (badVersion) return editPage(409, { conflict: "The form is missing its version; reopen the record and try again." });
    return editPage(422, { errors: parsed.ok ? {} : parsed.errors });
  }
  try {
    await updatePatient(scope, id, version, parsed.data);
  } catch (err) {
    if (err instanceof AppError && err.code === "conflict") return editPage(409, { conflict: err.message });
    throw err;
  }
  return seeOther(c, `/patients/${id}?saved=1`);
});
