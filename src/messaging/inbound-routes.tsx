/**
 * How patients answer a reminder, on the clinic's host and without an account:
 *
 *   GET  /appointment/respond?t=<token>      the appointment, with Confirm and Cancel
 *   POST /appointment/respond/confirm        booked → confirmed
 *   POST /appointment/respond/cancel         cancel, within the clinic's online change window
 *   POST /webhooks/sms/inbound               an SMS reply, posted by the provider (Twilio's form)
 *
 * The link pages are authorized by their signed token (410 when tampered, expired or another
 * clinic's); the webhook by the provider's request signature: a missing or bad one is refused
 * (403) and audited, and nothing else is written.
 */
import { eq } from "drizzle-orm";
import { Hono, type Context } from "hono";
import * as z from "zod/mini";
import { RespondPage } from "../../views/messaging/respond";
import { whenLabel } from "../platform/time";
import { audit } from "../audit/service";
import { changeableOnline, loadManaged, type ManagedAppointment } from "../booking/changes";
import type { BookingScope } from "../booking/slots";
import type { AppEnv } from "../platform/env";
import { AppError } from "../platform/errors";
import { page } from "../platform/render";
import { clinicScope } from "../platform/scope";
import { formInput, queryInput, validate } from "../platform/validation";
import { appointments } from "../scheduling/tables";
import { receiveSms, twiml } from "./inbound";
import { signedTwilioForm } from "./status-routes";
import { cancelByPatient, confirmByPatient, readResponseToken, readShortResponseCode, signResponseToken } from "./respond";

// ---- the reminder's link ------------------------------------------------------------------

export const respondRoutes = new Hono<AppEnv>();

function scopeOf(c: Context<AppEnv>): BookingScope {
  return { ...clinicScope(c), env: c.env };
}

const NOTICES: Record<string, string> = {
  confirmed: "Thank you: your appointment is confirmed.",
  already: "Your appointment was already confirmed. See you then.",
  cancelled: "Your appointment was cancelled.",
};

function respondPage(c: Context<AppEnv>, a: ManagedAppointment, token: string, o: { notice?: string; error?: string; status?: 200 | 409 } = {}) {
  return page(
    c,
    "Your appointment",
    <RespondPage
      csrfToken={c.var.csrfToken}
      a={a}
      when={whenLabel(a.startsAt, a.timezone, { zone: true })}
      token={token}
      cancellable={changeableOnline(a, Date.now())}
      notice={o.notice}
      error={o.error}
    />,
    o.status ?? 200,
    { public: true },
  );
}

function doneUrl(token: string, done: keyof typeof NOTICES): string {
  return `/appointment/respond?t=${encodeURIComponent(token)}&done=${done}`;
}

/** The signed token, or "" when it is missing or not one (the token check then answers 410). */
const token = z.pipe(
  z.optional(z.union([z.string(), z.array(z.string())])),
  z.transform((v) => (typeof v === "string" && v.length >= 1 && v.length <= 2000 ? v : "")),
);

const tokenForm = z.object({ t: token });
const respondQuery = z.object({ t: token, done: z.optional(z.string()) });

/** The appointment a posted form's token names (410 when the token is not good here). */
async function postedAppointment(c: Context<AppEnv>, token: string): Promise<{ token: string; a: ManagedAppointment }> {
  const a = await loadManaged(scopeOf(c), await readResponseToken(c.env, c.var.clinic, token));
  return { token, a };
}

respondRoutes.get("/", queryInput(respondQuery), async (c) => {
  const { t: token, done } = c.req.valid("query");
  const scope = scopeOf(c);
  const a = await loadManaged(scope, await readResponseToken(c.env, c.var.clinic, token));
  await audit(scope, { action: "read", event: "appointment.view", entityType: "appointment", entityId: a.id, patientId: a.patientId, detail: "via the patient's reminder link" });
  return respondPage(c, a, token, { notice: NOTICES[done ?? ""] });
});

respondRoutes.post("/confirm", formInput(tokenForm), async (c) => {
  const { token, a } = await postedAppointment(c, c.req.valid("form").t);
  const result = await confirmByPatient(scopeOf(c), a, Date.now());
  return c.redirect(doneUrl(token, result === "confirmed" ? "confirmed" : "already"), 303);
});

respondRoutes.post("/cancel", formInput(tokenForm), async (c) => {
  const { token, a } = await postedAppointment(c, c.req.valid("form").t);
  try {
    await cancelByPatient(scopeOf(c), a, new URL(c.req.url).origin, Date.now());
  } catch (err) {
    // Outside the window (or changed meanwhile): the same page, saying why and to call.
    if (err instanceof AppError && err.code === "conflict") return respondPage(c, a, token, { error: err.message, status: 409 });
    throw err;
  }
  return c.redirect(doneUrl(token, "cancelled"), 303);
});

// ---- the SMS reply ------------------------------------------------------------------------

export const inboundSmsRoutes = new Hono<AppEnv>();

/** Twilio's incoming message: https://www.twilio.com/docs/messaging/guides/webhook-request */
const inboundSchema = z.object({
  MessageSid: z.string().check(z.minLength(1), z.maxLength(64)),
  From: z.string().check(z.minLength(1), z.maxLength(64)),
  To: z.optional(z.string().check(z.maxLength(64))),
  Body: z.optional(z.string().check(z.maxLength(5000))),
});

/**
 * A patient's SMS, signed in X-Twilio-Signature (base64 HMAC-SHA1 of the URL and the sorted form
 * fields, keyed with the clinic's SMS auth token). Answers TwiML: a short reply, or nothing.
 */
inboundSmsRoutes.post("/inbound", async (c) => {
  const scope = clinicScope(c);
  const params = await signedTwilioForm(c, scope);
  const parsed = validate(inboundSchema, Object.fromEntries(params));
  if (!parsed.ok) throw new AppError("bad_request", "An incoming message needs MessageSid and From.");
  const m = parsed.data;
  const result = await receiveSms(scope, { from: m.From, to: m.To ?? "", body: m.Body ?? "", providerId: m.MessageSid }, Date.now());
  return c.body(twiml(result.reply), 200, { "Content-Type": "text/xml; charset=utf-8", "Cache-Control": "no-store" });
});

/** `/r/<code>`: a reminder's short link; it forwards to the signed response page. */
export const shortLinkRoutes = new Hono<AppEnv>();

shortLinkRoutes.get("/:code", async (c) => {
  const id = await readShortResponseCode(c.env, c.var.clinic, c.req.param("code"));
  // The code itself does not expire: the link dies a week after the visit, as the full one does.
  const visit = id
    ? await clinicScope(c).db.select({ startsAt: appointments.startsAt }).from(appointments).where(eq(appointments.id, id)).get()
    : null;
  if (!id || !visit || visit.startsAt + 7 * 86_400_000 < Date.now()) {
    throw new AppError("gone", "This link is invalid or has expired. Call the clinic about your appointment.");
  }
  const token = await signResponseToken(c.env, c.var.clinic, id);
  return c.redirect(`/appointment/respond?t=${encodeURIComponent(token)}`, 302);
});
