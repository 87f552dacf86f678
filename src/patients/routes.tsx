/** /patients: list and search, register, view and edit demographics. */
import { Hono, type Context } from "hono";
import { PatientDetail } from "../../views/patients/detail";
import { PatientForm, patientToForm } from "../../views/patients/form";
import { PatientResults, PatientsPage, RESULTS_ID } from "../../views/patients/list";
import type { AppEnv } from "../platform/env";
import { AppError } from "../platform/errors";
import { fragment, page, seeOther } from "../platform/render";
import { can, clinicToday, requirePermission, staffScope } from "../platform/scope";
import { findSentInvitation, sendInvitation, type SentInvitation } from "../booking/invitations";
import * as z from "zod/mini";
import { clampedInt, formInput, queryInput, type FormValues, lastText } from "../platform/validation";
import { PATIENT_FIELDS, patientInputSchema, type PatientField, type PatientFormValues } from "./input";
import { phonesToFix } from "./phones";
import { createPatient, searchPatientList, updatePatient, viewPatient } from "./service";

export const patientRoutes = new Hono<AppEnv>();


/** The patient fields as typed, each blank when left out. */
function pickFields(raw: FormValues): Record<PatientField, string> {
  return Object.fromEntries(PATIENT_FIELDS.map((f) => [f, lastText(raw[f])])) as Record<PatientField, string>;
}

/**
 * The patient form read by the patient input rules, plus the fields as typed (`submitted`, to
 * show the form again after a duplicate warning or a conflict), `confirm_duplicate` and `version`.
 */
function patientForm(c: Context<AppEnv>) {
  return z.pipe(
    z.transform((raw: FormValues) => ({
      ...pickFields(raw),
      submitted: pickFields(raw),
      confirm_duplicate: lastText(raw.confirm_duplicate),
      version: lastText(raw.version),
    })),
    z.extend(patientInputSchema(clinicToday(c), c.var.clinic.country), {
      submitted: z.record(z.string(), z.string()),
      confirm_duplicate: z.string(),
      version: z.string(),
    }),
  );
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
  if (wantsResults(c)) return fragment(c, <PatientResults rows={rows} q={q} page={pageNo} more={more} today={today} country={c.var.clinic.country} />);
  return page(
    c,
    "Patients",
    <PatientsPage
      rows={rows}
      q={q}
      page={pageNo}
      more={more}
      today={today}
      country={c.var.clinic.country}
      canWrite={can(scope.staff, "patients:write")}
      // On the start page only: a search stays one batch of reads.
      phonesToFix={q === "" && pageNo === 1 && can(scope.staff, "patients:write") ? await phonesToFix(scope) : []}
    />,
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

function mayRegister(c: Context<AppEnv>) {
  const scope = staffScope(c);
  if (!can(scope.staff, "patients:write")) throw new AppError("forbidden", "Your role cannot register patients.");
  return scope;
}

function newPatientPage(
  c: Context<AppEnv>,
  values: PatientFormValues,
  status: 409 | 422,
  extra: { errors?: Record<string, string>; duplicates?: Awaited<ReturnType<typeof createPatient>> },
) {
  return page(
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
}

// The permission comes before the form's own errors.
const newPatientInput = formInput(patientForm, (c, errors, raw) => {
  mayRegister(c);
  return newPatientPage(c, pickFields(raw), 422, { errors });
});

patientRoutes.post("/", newPatientInput, async (c) => {
  const scope = mayRegister(c);
  const { submitted, confirm_duplicate, version: _version, ...input } = c.req.valid("form");
  const result = await createPatient(scope, input, confirm_duplicate === "yes");
  if ("duplicates" in result) return newPatientPage(c, submitted, 409, { duplicates: result });
  return seeOther(c, `/patients/${result.created.id}?saved=1`);
});

const detailQuery = z.object({ saved: z.optional(z.string()), invited: z.optional(z.string()) });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function detailPage(c: Context<AppEnv>, id: string, o: { saved?: boolean; invitation?: SentInvitation | null } = {}) {
  const scope = staffScope(c);
  const patient = await viewPatient(scope, id);
  return page(
    c,
    `${patient.familyName}, ${patient.givenName}`,
    <PatientDetail
      patient={patient}
      today={clinicToday(c)}
      timezone={c.var.clinic.timezone}
      country={c.var.clinic.country}
      canWrite={can(scope.staff, "patients:write")}
      saved={o.saved}
      invitation={o.invitation ?? undefined}
      canSchedule={can(scope.staff, "schedule:write")}
      csrfToken={c.var.csrfToken}
      chartLink={can(scope.staff, "chart:read") ? "chart" : can(scope.staff, "attachments:read_admin") ? "documents" : null}
    />,
  );
}

// `invited` names the outbox message the server queued; the page shows that message's link and
// recipient, never text from the address.
patientRoutes.get("/:id", queryInput(detailQuery), async (c) => {
  const { saved, invited } = c.req.valid("query");
  const id = c.req.param("id");
  const scope = staffScope(c);
  const invitation = invited && UUID.test(invited) && can(scope.staff, "schedule:write") ? await findSentInvitation(scope, id, invited.toLowerCase()) : null;
  return detailPage(c, id, { saved: saved === "1", invitation });
});

patientRoutes.post("/:id/booking-invite", async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "schedule:write");
  const id = c.req.param("id");
  await viewPatient(scope, id);
  const sent = await sendInvitation({ ...scope, env: c.env }, id, new URL(c.req.url).origin);
  if (sent.messageId) return seeOther(c, `/patients/${id}?invited=${sent.messageId}`);
  // Nothing was queued (no email or phone on file): the link is shown once, on this answer.
  return detailPage(c, id, { invitation: sent });
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
        values={patientToForm(patient, c.var.clinic.country)}
        version={patient.version}
        submitLabel="Save changes"
        cancelHref={`/patients/${patient.id}`}
      />
    </>,
  );
});

/** The version the edit form was opened on; NaN when it is missing or not a number. */
const versionOf = (v: string) => Number.parseInt(v, 10);
const badVersion = (version: number) => !Number.isInteger(version) || version < 1;

function editPatientPage(c: Context<AppEnv>, values: PatientFormValues, version: number, status: 409 | 422, extra: { errors?: Record<string, string>; conflict?: string }) {
  const id = c.req.param("id") ?? "";
  return page(
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
}

const MISSING_VERSION = "The form is missing its version; reopen the record and try again.";

const editPatientInput = formInput(patientForm, async (c, errors, raw) => {
  // A record of another clinic (or none) stays a 404, and a role without write access a 403,
  // even when the input is bad.
  await viewPatient(staffScope(c), c.req.param("id") ?? "", "edit");
  const version = versionOf(lastText(raw.version));
  if (badVersion(version)) return editPatientPage(c, pickFields(raw), version, 409, { conflict: MISSING_VERSION });
  return editPatientPage(c, pickFields(raw), version, 422, { errors });
});

patientRoutes.post("/:id", editPatientInput, async (c) => {
  const scope = staffScope(c);
  const id = c.req.param("id");
  const { submitted, confirm_duplicate: _confirm, version: sentVersion, ...input } = c.req.valid("form");
  const version = versionOf(sentVersion);
  if (badVersion(version)) {
    await viewPatient(scope, id, "edit");
    return editPatientPage(c, submitted, version, 409, { conflict: MISSING_VERSION });
  }
  try {
    await updatePatient(scope, id, version, input);
  } catch (err) {
    if (err instanceof AppError && err.code === "conflict") return editPatientPage(c, submitted, version, 409, { conflict: err.message });
    throw err;
  }
  return seeOther(c, `/patients/${id}?saved=1`);
});
