/**
 * /patients/:id/contact: one patient's contact preferences for staff with `patients:write`:
 * consent per channel, preferred channel and language, and the SMS opt-out (STOP) state, which
 * only the patient changes. Viewing is audited as a read of the patient, saving as an update in
 * the same batch. A patient this clinic does not hold is a 404.
 */
import { Hono, type Context } from "hono";
import * as z from "zod/mini";
import { ContactPrefsPage, type ContactFormValues, type ContactPrefsView } from "../../views/messaging/preferences";
import { eq, sql } from "drizzle-orm";
import { audit, auditStatementWhere, scheduleSeal } from "../audit/service";
import { patients } from "../patients/tables";
import type { AppEnv } from "../platform/env";
import { notFound, type FieldErrors } from "../platform/errors";
import { page, seeOther } from "../platform/render";
import { staffScope, type StaffScope } from "../platform/scope";
import { formInput, queryInput, type FormValues } from "../platform/validation";
import { LOCALES, patientContactPrefs } from "./tables";

export const contactPrefsRoutes = new Hono<AppEnv>();

type Ctx = Context<AppEnv>;

const checkbox = z.pipe(z.optional(z.string()), z.transform((v: string | undefined) => v !== undefined && v !== ""));

const prefsSchema = z.object({
  email_consent: checkbox,
  sms_consent: checkbox,
  preferred_channel: z.enum(["both", "email", "sms"], { error: "Choose a preferred channel from the list." }),
  locale: z.enum(LOCALES, { error: "Choose a language from the list." }),
});

/** The patient and their preferences (null columns when they have none yet). */
const prefsColumns = {
  patientId: patients.id,
  givenName: patients.givenName,
  familyName: patients.familyName,
  email: patients.email,
  phone: patients.phone,
  emailConsent: patientContactPrefs.emailConsent,
  smsConsent: patientContactPrefs.smsConsent,
  smsOptedOutAt: patientContactPrefs.smsOptedOutAt,
  preferredChannel: patientContactPrefs.preferredChannel,
  locale: patientContactPrefs.locale,
};

type PrefsRow = {
  patientId: string;
  givenName: string;
  familyName: string;
  email: string | null;
  phone: string | null;
  emailConsent: boolean | null;
  smsConsent: boolean | null;
  smsOptedOutAt: number | null;
  preferredChannel: string | null;
  locale: string | null;
};

/** The patient and their preferences (defaults when they have none yet); null if not here. */
async function readPrefs(scope: StaffScope, id: string): Promise<PrefsRow | null> {
  const row = await scope.db
    .select(prefsColumns)
    .from(patients)
    .leftJoin(patientContactPrefs, eq(patientContactPrefs.patientId, patients.id))
    .where(eq(patients.id, id))
    .get();
  return row ?? null;
}

function toView(r: PrefsRow): ContactPrefsView {
  return { patientId: r.patientId, name: `${r.givenName} ${r.familyName}`, email: r.email, phone: r.phone, smsOptedOutAt: r.smsOptedOutAt };
}

function toForm(r: PrefsRow): ContactFormValues {
  return {
    email_consent: r.emailConsent === false ? undefined : "1",
    sms_consent: r.smsConsent === false ? undefined : "1",
    preferred_channel: r.preferredChannel ?? "both",
    locale: r.locale ?? "en",
  };
}

async function found(scope: StaffScope, id: string, event: string): Promise<PrefsRow> {
  const row = await readPrefs(scope, id);
  if (!row) {
    await audit(scope, { action: "read", event, entityType: "patient", entityId: id.slice(0, 64), outcome: "failure", detail: "not found" });
    throw notFound("This patient");
  }
  return row;
}

function prefsPage(c: Ctx, row: PrefsRow, status: 200 | 422, values: ContactFormValues, errors?: FieldErrors, saved = false) {
  return page(
    c,
    "Contact preferences",
    <ContactPrefsPage csrfToken={c.var.csrfToken} patient={toView(row)} values={values} errors={errors} saved={saved} timezone={c.var.clinic.timezone} />,
    status,
  );
}

/** The form as typed, to show it again with its errors. */
function formValues(form: FormValues): ContactFormValues {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v);
  return {
    email_consent: one(form.email_consent),
    sms_consent: one(form.sms_consent),
    preferred_channel: one(form.preferred_channel) ?? "",
    locale: one(form.locale) ?? "",
  };
}

const savedQuery = z.object({ saved: z.pipe(z.optional(z.string()), z.transform((v) => v === "1")) });

function patientId(c: Ctx): string {
  return c.req.param("id") ?? "";
}

contactPrefsRoutes.get("/", queryInput(savedQuery), async (c) => {
  const scope = staffScope(c);
  const id = patientId(c);
  const row = await found(scope, id, "patient.contact_prefs.view");
  await audit(scope, { action: "read", event: "patient.contact_prefs.view", entityType: "patient", entityId: id, patientId: id });
  return prefsPage(c, row, 200, toForm(row), undefined, c.req.valid("query").saved);
});

/** A form with errors: the patient's page again (a patient this clinic does not hold is still a 404). */
async function invalidPrefs(c: Ctx, errors: FieldErrors, raw: FormValues) {
  const row = await found(staffScope(c), patientId(c), "patient.contact_prefs.update");
  return prefsPage(c, row, 422, formValues(raw), errors);
}

contactPrefsRoutes.post("/", formInput(prefsSchema, invalidPrefs), async (c) => {
  const scope = staffScope(c);
  const id = patientId(c);
  const row = await found(scope, id, "patient.contact_prefs.update");
  const input = c.req.valid("form");
  const next = {
    email_consent: input.email_consent ? 1 : 0,
    sms_consent: input.sms_consent ? 1 : 0,
    preferred_channel: input.preferred_channel,
    locale: input.locale,
  };
  const before = {
    email_consent: row.emailConsent === false ? 0 : 1,
    sms_consent: row.smsConsent === false ? 0 : 1,
    preferred_channel: row.preferredChannel ?? "both",
    locale: row.locale ?? "en",
  };
  const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => before[k] !== next[k]);
  // The opt-out (STOP) is the patient's and is never touched here. One batch: the row and its audit.
  const set = {
    emailConsent: input.email_consent,
    smsConsent: input.sms_consent,
    preferredChannel: input.preferred_channel,
    locale: input.locale,
    updatedAt: Date.now(),
  };
  await scope.db.batch([
    scope.db
      .insert(patientContactPrefs)
      .values({ patientId: id, ...set })
      .onConflictDoUpdate({ target: patientContactPrefs.patientId, set }),
    auditStatementWhere(scope, {
      action: "update",
      event: "patient.contact_prefs.update",
      entityType: "patient",
      entityId: id,
      patientId: id,
      detail: changed.length ? `changed: ${changed.map((k) => `${k} = ${next[k]}`).join(", ")}` : "no changes",
    }, sql`changes() = 1`),
  ]);
  scheduleSeal(scope);
  return seeOther(c, `/patients/${encodeURIComponent(id)}/contact?saved=1`);
});
