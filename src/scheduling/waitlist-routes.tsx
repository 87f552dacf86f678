/** /waitlist (staff) and /book/offer (the patient's claim link). */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { Hono, type Context } from "hono";
import * as z from "zod/mini";
import { OfferPage, WaitlistPage } from "../../views/scheduling/waitlist/pages";
import { audit, auditMany } from "../audit/service";
import type { AppEnv } from "../platform/env";
import { AppError, notFound, type FieldErrors } from "../platform/errors";
import { page, seeOther } from "../platform/render";
import { can, clinicScope, requirePermission, staffScope } from "../platform/scope";
import { formInput, queryInput, type FormValues } from "../platform/validation";

import { patients } from "../patients/tables";
import { localParts, isIsoDate } from "../platform/time";
import { appointmentTypes, providers, TIMES_OF_DAY, waitlistEntries } from "./tables";
import { addToWaitlist, claimOffer, readOffer } from "./waitlist";

export const waitlistRoutes = new Hono<AppEnv>();
export const offerRoutes = new Hono<AppEnv>();

// A field left out of the form reads as blank, so it gets the field's own message.
const field = (s: z.ZodMiniString<string>) => z.prefault(s, "");

/** The times-of-day checkboxes: none, one (a single value) or several (repeated names). */
const timesField = z.pipe(
  z.pipe(
    z.prefault(z.union([z.string(), z.array(z.string())]), []),
    z.transform((v: string | string[]) => (Array.isArray(v) ? v : [v])),
  ),
  z.array(z.enum(TIMES_OF_DAY)).check(z.minLength(1, { error: "Choose at least one time of day." })),
);

const entrySchema = z
  .object({
    patient: field(z.string().check(z.minLength(1, { error: "Choose a patient." }))),
    type: field(z.string().check(z.minLength(1, { error: "Choose a visit type." }))),
    provider: field(z.string()),
    from: field(z.string().check(z.refine(isIsoDate, { error: "From must be a date." }))),
    to: field(z.string().check(z.refine(isIsoDate, { error: "To must be a date." }))),
    times: timesField,
  })
  .check(
    z.refine((v) => !isIsoDate(v.from) || !isIsoDate(v.to) || v.from <= v.to, { error: "To must be on or after From.", path: ["to"] }),
  );

/** The list page's address: the patient to add (from the patient page's link), and the saved notice. */
const listQuery = z.object({
  patient: z.pipe(z.optional(z.string()), z.transform((v) => (v ?? "").slice(0, 64))),
  saved: z.pipe(z.optional(z.string()), z.transform((v) => v === "1")),
});

async function renderWaitlist(
  c: Context<AppEnv>,
  status: 200 | 404 | 422 = 200,
  extra: { values?: Record<string, string>; times?: string[]; errors?: Record<string, string>; query?: z.output<typeof listQuery> } = {},
) {
  const scope = staffScope(c);
  requirePermission(scope, "schedule:read");
  const patientId = extra.values?.patient ?? extra.query?.patient ?? "";
  const db = scope.db;
  const w = waitlistEntries;
  const [list, types, providerList, patient] = await db.batch([
    db
      .select({
        id: w.id,
        patientId: w.patientId,
        patientName: sql<string>`${patients.familyName} || ', ' || ${patients.givenName}`.as("patient_name"),
        typeName: sql<string>`${appointmentTypes.name}`.as("type_name"),
        providerName: providers.displayName,
        fromDate: w.fromDate,
        toDate: w.toDate,
        timesOfDay: w.timesOfDay,
        status: w.status,
      })
      .from(w)
      .innerJoin(patients, eq(patients.id, w.patientId))
      .innerJoin(appointmentTypes, eq(appointmentTypes.id, w.appointmentTypeId))
      .leftJoin(providers, eq(providers.id, w.providerId))
      .where(inArray(w.status, ["waiting", "offered"]))
      .orderBy(asc(w.createdAt))
      .limit(200),
    db.select({ id: appointmentTypes.id, name: appointmentTypes.name }).from(appointmentTypes).where(eq(appointmentTypes.active, true)).orderBy(asc(appointmentTypes.name)),
    db.select({ id: providers.id, name: providers.displayName }).from(providers).where(eq(providers.active, true)).orderBy(asc(providers.displayName)),
    db
      .select({ id: patients.id, name: sql<string>`${patients.familyName} || ', ' || ${patients.givenName}`.as("name") })
      .from(patients)
      .where(eq(patients.id, patientId)),
  ]);
  const who = patient[0] ?? null;
  if (patientId && !who) throw notFound("This patient");
  await auditMany(scope, [
    ...list.map((r) => ({ action: "read" as const, event: "waitlist.view", entityType: "waitlist_entry", entityId: r.id, patientId: r.patientId })),
    ...(who ? [{ action: "read" as const, event: "waitlist.view", entityType: "patient", entityId: who.id, patientId: who.id }] : []),
  ]);
  return page(
    c,
    "Waitlist",
    <WaitlistPage
      csrfToken={c.var.csrfToken}
      rows={list}
      canWrite={can(scope.staff, "schedule:write")}
      patient={who}
      types={types}
      providers={providerList}
      values={extra.values ?? {}}
      times={extra.times ?? ["morning", "afternoon"]}
      errors={extra.errors}
      saved={extra.query?.saved ?? false}
    />,
    status,
  );
}

waitlistRoutes.get("/", queryInput(listQuery), (c) => renderWaitlist(c, 200, { query: c.req.valid("query") }));

/** The form again with its field messages (422), as it was submitted. */
function invalidEntry(c: Context<AppEnv>, errors: FieldErrors, raw: FormValues) {
  const text = (k: string) => (typeof raw[k] === "string" ? (raw[k] as string) : "");
  const times = raw.times === undefined ? [] : Array.isArray(raw.times) ? raw.times : [raw.times];
  return renderWaitlist(c, 422, { values: { patient: text("patient"), type: text("type"), provider: text("provider"), from: text("from"), to: text("to") }, times, errors });
}

waitlistRoutes.post("/", formInput(entrySchema, invalidEntry), async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "schedule:write");
  const input = c.req.valid("form");
  const values = { patient: input.patient, type: input.type, provider: input.provider, from: input.from, to: input.to };
  const db = scope.db;
  const [patientRows, typeRows, providerRows] = await db.batch([
    db.select({ id: patients.id }).from(patients).where(eq(patients.id, input.patient)),
    db.select({ id: appointmentTypes.id }).from(appointmentTypes).where(and(eq(appointmentTypes.id, input.type), eq(appointmentTypes.active, true))),
    db.select({ id: providers.id }).from(providers).where(and(eq(providers.id, input.provider), eq(providers.active, true))),
  ]);
  if (patientRows.length === 0) throw notFound("This patient");
  const errors: Record<string, string> = {};
  if (typeRows.length === 0) errors.type = "Choose a visit type from the list.";
  if (input.provider && providerRows.length === 0) errors.provider = "Choose a provider from the list.";
  if (Object.keys(errors).length) return renderWaitlist(c, 422, { values, times: input.times, errors });
  await addToWaitlist(
    { ...scope, env: c.env },
    { patientId: input.patient, appointmentTypeId: input.type, providerId: input.provider || null, fromDate: input.from, toDate: input.to, timesOfDay: input.times },
  );
  return seeOther(c, "/waitlist?saved=1");
});

waitlistRoutes.post("/:id/remove", async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "schedule:write");
  const id = c.req.param("id");
  const row = await scope.db.select({ patientId: waitlistEntries.patientId }).from(waitlistEntries).where(eq(waitlistEntries.id, id)).get();
  if (!row) throw notFound("This waitlist entry");
  await scope.db.update(waitlistEntries).set({ status: "cancelled" }).where(eq(waitlistEntries.id, id));
  await audit(scope, { action: "update", event: "waitlist.remove", entityType: "waitlist_entry", entityId: id, patientId: row.patientId });
  return seeOther(c, "/waitlist");
});

// ---- the patient's claim link -----------------------------------------------------------------

async function offerPage(c: Context<AppEnv>, token: string, status: 200 | 409 = 200, message?: string, booked = false) {
  const scope = { ...clinicScope(c), env: c.env };
  const offer = await readOffer(scope, c.var.clinic, token);
  await audit(scope, { action: "read", event: "waitlist.offer_view", entityType: "waitlist_entry", entityId: offer.entryId, patientId: offer.patientId, detail: "via the offer link" });
  const open = !booked && offer.status === "offered" && offer.expiresAt > Date.now();
  return page(
    c,
    "An earlier time",
    <OfferPage
      csrfToken={c.var.csrfToken}
      token={token}
      when={localParts(offer.startsAt, offer.timezone)}
      providerName={offer.providerName}
      typeName={offer.typeName}
      open={open}
      booked={booked}
      message={message ?? (!open && !booked ? (offer.status === "claimed" ? "You claimed this time." : "Sorry, this time has been taken or the offer ran out. You are still on the waitlist.") : undefined)}
    />,
    status,
    { public: true },
  );
}

/** The offer link's signed token (`o`); a missing one reads as "", which the token check refuses. */
const offerToken = z.object({ o: z.pipe(z.optional(z.string()), z.transform((v) => v ?? "")) });

offerRoutes.get("/", queryInput(offerToken), (c) => offerPage(c, c.req.valid("query").o));

offerRoutes.post("/claim", formInput(offerToken), async (c) => {
  const token = c.req.valid("form").o;
  const scope = { ...clinicScope(c), env: c.env };
  const offer = await readOffer(scope, c.var.clinic, token);
  try {
    await claimOffer(scope, c.var.clinic, offer);
  } catch (err) {
    if (err instanceof AppError && err.code === "conflict") return offerPage(c, token, 409, err.message);
    throw err;
  }
  return offerPage(c, token, 200, "The time is yours. We will send you a confirmation.", true);
});
