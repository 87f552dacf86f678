/** /waitlist (staff) and /book/offer (the patient's claim link). */
import { Hono, type Context } from "hono";
import * as z from "zod/mini";
import { OfferPage, WaitlistPage, type WaitlistRow } from "../../views/scheduling/waitlist/pages";
import { audit, auditMany } from "../audit/service";
import type { AppEnv } from "../platform/env";
import { AppError, notFound } from "../platform/errors";
import { page, seeOther } from "../platform/render";
import { can, clinicScope, requirePermission, staffScope } from "../platform/scope";
import { formOf, validate } from "../platform/validation";
import { isValidIsoDate } from "../patients/input";
import { localParts } from "../platform/time";
import { TIMES_OF_DAY } from "./tables";
import { addToWaitlist, claimOffer, readOffer } from "./waitlist";

export const waitlistRoutes = new Hono<AppEnv>();
export const offerRoutes = new Hono<AppEnv>();

const entrySchema = z
  .object({
    patient: z.string().check(z.minLength(1, { error: "Choose a patient." })),
    type: z.string().check(z.minLength(1, { error: "Choose a visit type." })),
    provider: z.string(),
    from: z.string().check(z.refine(isValidIsoDate, { error: "From must be a date." })),
    to: z.string().check(z.refine(isValidIsoDate, { error: "To must be a date." })),
    times: z.array(z.enum(TIMES_OF_DAY)).check(z.minLength(1, { error: "Choose at least one time of day." })),
  })
  .check(
    z.refine((v) => !isValidIsoDate(v.from) || !isValidIsoDate(v.to) || v.from <= v.to, { error: "To must be on or after From.", path: ["to"] }),
  );

async function renderWaitlist(c: Context<AppEnv>, status: 200 | 404 | 422 = 200, extra: { values?: Record<string, string>; times?: string[]; errors?: Record<string, string> } = {}) {
  const scope = staffScope(c);
  requirePermission(scope, "schedule:read");
  const patientId = extra.values?.patient ?? c.req.query("patient") ?? "";
  const d1 = scope.d1;
  const [rows, types, providers, patient] = await d1.batch([
    d1.prepare(
      `SELECT w.id, w.patient_id AS patientId, p.family_name || ', ' || p.given_name AS patientName, t.name AS typeName,
         pr.display_name AS providerName, w.from_date AS fromDate, w.to_date AS toDate, w.times_of_day AS timesOfDay, w.status
       FROM waitlist_entries w JOIN patients p ON p.id = w.patient_id JOIN appointment_types t ON t.id = w.appointment_type_id
         LEFT JOIN providers pr ON pr.id = w.provider_id
       WHERE w.status IN ('waiting', 'offered') ORDER BY w.created_at LIMIT 200`,
    ),
    d1.prepare("SELECT id, name FROM appointment_types WHERE active = 1 ORDER BY name"),
    d1.prepare("SELECT id, display_name AS name FROM providers WHERE active = 1 ORDER BY display_name"),
    d1.prepare("SELECT id, family_name || ', ' || given_name AS name FROM patients WHERE id = ?").bind(patientId),
  ]);
  const list = (rows?.results ?? []) as WaitlistRow[];
  const who = (patient?.results[0] as { id: string; name: string } | undefined) ?? null;
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
      types={(types?.results ?? []) as { id: string; name: string }[]}
      providers={(providers?.results ?? []) as { id: string; name: string }[]}
      values={extra.values ?? {}}
      times={extra.times ?? ["morning", "afternoon"]}
      errors={extra.errors}
      saved={c.req.query("saved") === "1"}
    />,
    status,
  );
}

waitlistRoutes.get("/", (c) => renderWaitlist(c));

waitlistRoutes.post("/", async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "schedule:write");
  const form = await formOf(c);
  // Checkboxes repeat the name; the parsed form keeps only one value, the raw form data all of them.
  const times = (await c.req.formData()).getAll("times").filter((t): t is string => typeof t === "string");
  const values = { patient: form.patient ?? "", type: form.type ?? "", provider: form.provider ?? "", from: form.from ?? "", to: form.to ?? "" };
  const parsed = validate(entrySchema, { ...values, times });
  if (!parsed.ok) return renderWaitlist(c, 422, { values, times, errors: parsed.errors });
  const known = await scope.d1.batch([
    scope.d1.prepare("SELECT 1 FROM patients WHERE id = ?").bind(parsed.data.patient),
    scope.d1.prepare("SELECT 1 FROM appointment_types WHERE id = ? AND active = 1").bind(parsed.data.type),
    scope.d1.prepare("SELECT 1 FROM providers WHERE id = ? AND active = 1").bind(parsed.data.provider),
  ]);
  if (!known[0]?.results.length) throw notFound("This patient");
  const errors: Record<string, string> = {};
  if (!known[1]?.results.length) errors.type = "Choose a visit type from the list.";
  if (parsed.data.provider && !known[2]?.results.length) errors.provider = "Choose a provider from the list.";
  if (Object.keys(errors).length) return renderWaitlist(c, 422, { values, times, errors });
  await addToWaitlist(
    { ...scope, env: c.env },
    { patientId: parsed.data.patient, appointmentTypeId: parsed.data.type, providerId: parsed.data.provider || null, fromDate: parsed.data.from, toDate: parsed.data.to, timesOfDay: parsed.data.times },
  );
  return seeOther(c, "/waitlist?saved=1");
});

waitlistRoutes.post("/:id/remove", async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "schedule:write");
  const id = c.req.param("id");
  const row = await scope.d1.prepare("SELECT patient_id AS patientId FROM waitlist_entries WHERE id = ?").bind(id).first<{ patientId: string }>();
  if (!row) throw notFound("This waitlist entry");
  await scope.d1.prepare("UPDATE waitlist_entries SET status = 'cancelled' WHERE id = ?").bind(id).run();
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

offerRoutes.get("/", (c) => offerPage(c, c.req.query("o") ?? ""));

offerRoutes.post("/claim", async (c) => {
  const form = await formOf(c);
  const token = form.o ?? "";
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
