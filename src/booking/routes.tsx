/**
 * Public booking pages of a clinic (no account): /book, /book/<provider>, /book/<provider>/<type>,
 * then hold, details, confirmation, and the signed manage link. Every step works as a plain form;
 * with htmx, only the booking panel is swapped.
 */
import { asc, eq } from "drizzle-orm";
import { Hono, type Context } from "hono";
import { Booked, DetailsForm, Manage, SlotList, TypeList } from "../../views/booking/pages";
import { addDays, clinicToday, clockLabel, whenLabel, isIsoDate } from "../platform/time";
import { audit } from "../audit/service";
import type { AppEnv } from "../platform/env";
import { AppError } from "../platform/errors";
import { fragment, page } from "../platform/render";
import { clinicScope } from "../platform/scope";
import { formInput, queryInput } from "../platform/validation";

import { releaseHold } from "../appointments/service";
import { cancelByPatient } from "../messaging/respond";
import { patients } from "../patients/tables";
import { findType, forwardLiveSocket } from "../scheduling/data";
import { locations, providers } from "../scheduling/tables";
import { emitEvent } from "../workflows/engine";
import { changeableOnline, loadManaged, rescheduleOnline, type ManagedAppointment } from "./changes";
import { confirmBooking } from "./confirm";
import { bookingClient, bookingHits, countHits, holdClients, holdHits, type BookingClient, type Verdict } from "./abuse";
import { challengeFor, TURNSTILE_ORIGIN, type ChallengeWidget } from "./challenge";
import { holdSlot, TooManyHeld } from "./holds";
import { waitText } from "../platform/rate-limit";
import { icsFor } from "./ics";
import { cancelForm, confirmForm, detailsQuery, detailsValues, entryQuery, holdForm, holdOf, manageQuery } from "./input";
import { bookableType, findSlots, onlineTypes, providerBySlug, SlotUnavailable, type BookingScope } from "./slots";
import { readHold, readInvite, readManage, signHold, signManage } from "./tokens";

export const bookingRoutes = new Hono<AppEnv>();

const DAYS_SHOWN = 5;

function scopeOf(c: Context<AppEnv>): BookingScope {
  return { ...clinicScope(c), env: c.env };
}

type PanelStatus = 200 | 404 | 409 | 410 | 422 | 429 | 500 | 503;

// Where Turnstile is configured, booking pages (and only they) may load its widget: the page that
// asks for the check may be reached by an htmx swap, which runs under the policy the page loaded with.
bookingRoutes.use("*", async function challengePolicy(c, next) {
  if (challengeFor(c.env).widget.kind === "turnstile") c.set("cspWidgetOrigin", TURNSTILE_ORIGIN);
  await next();
});

/** What the limits let this request do: go on, show the human check, or refuse with a sentence. */
type Gate = { kind: "pass" } | { kind: "check"; widget: ChallengeWidget; message: string } | { kind: "refuse"; message: string; retryAfterSeconds: number };

async function gate(c: Context<AppEnv>, verdict: Verdict, client: BookingClient, token: string, what: "holds" | "bookings"): Promise<Gate> {
  if (verdict.kind === "ok") return { kind: "pass" };
  const wait = verdict.kind === "refuse" ? verdict.retryAfterSeconds : 600;
  const refuse: Gate = {
    kind: "refuse",
    retryAfterSeconds: wait,
    message:
      what === "holds"
        ? `Too many times were picked from this connection. Please wait ${waitText(wait)} and try again, or call the clinic to book.`
        : `Too many bookings were made from this connection or with these contact details. Please wait ${waitText(wait)} and try again, or call the clinic to book.`,
  };
  if (verdict.kind === "refuse") return refuse;
  const challenge = challengeFor(c.env);
  if (await challenge.verify(token || undefined, client.ip)) return { kind: "pass" };
  // No check can be shown (production without its configuration): the soft limit is a hard one.
  if (challenge.widget.kind === "none") return refuse;
  return {
    kind: "check",
    widget: challenge.widget,
    message: token ? "The check did not pass. Please try it again." : "Please confirm you are a person, then send the form again.",
  };
}

/** Full page, or just the booking panel when htmx asked for it. */
function respond(c: Context<AppEnv>, title: string, body: preact.VNode, status: PanelStatus = 200) {
  if (c.req.header("HX-Request") === "true") return fragment(c, body, status);
  return page(c, title, body, status, { public: true });
}

async function firstZone(scope: BookingScope): Promise<string> {
  const row = await scope.db.select({ timezone: locations.timezone }).from(locations).where(eq(locations.active, true)).orderBy(asc(locations.name)).get();
  return row?.timezone ?? scope.clinic.timezone;
}

interface SlotPageOptions {
  typeSlug: string;
  providerSlug: string | null;
  from?: string;
  hidden?: Record<string, string>;
  message?: string;
  alternatives?: import("../scheduling/slots").Slot[];
  basePath: string;
  status?: 200 | 409 | 410 | 429 | 500;
  challenge?: ChallengeWidget;
}

async function slotPage(c: Context<AppEnv>, o: SlotPageOptions) {
  const scope = scopeOf(c);
  // The browser gets its booking id with the first list of times it sees (./abuse.ts).
  bookingClient(c);
  const type = await bookableType(scope, o.typeSlug);
  const provider = o.providerSlug ? await providerBySlug(scope, o.providerSlug) : null;
  if (o.providerSlug && !provider) throw new AppError("not_found", "This provider could not be found. Check the link, or book from the clinic's booking page.");
  const now = Date.now();
  const today = clinicToday(await firstZone(scope), now);
  const from = o.from && isIsoDate(o.from) && o.from >= today ? o.from : today;
  const result = await findSlots(scope, { type, providerId: provider?.id ?? null, fromDate: from, days: DAYS_SHOWN, now });
  const names = Object.fromEntries(result.data.providerRows.map((p) => [p.id, p.displayName]));
  const link = (d: string) => `${o.basePath}${o.basePath.includes("?") ? "&" : "?"}from=${d}`;
  const title = `${type.name}${provider ? ` with ${provider.displayName}` : ""}`;
  return respond(
    c,
    title,
    <SlotList
      csrfToken={c.var.csrfToken}
      title={title}
      typeSlug={type.slug}
      slots={result.slots}
      providerNames={names}
      nextAvailable={result.nextAvailable}
      fromDate={result.fromDate}
      toDate={result.toDate}
      prevHref={from > today ? link(addDays(from, -DAYS_SHOWN) < today ? today : addDays(from, -DAYS_SHOWN)) : null}
      nextHref={link(addDays(from, DAYS_SHOWN))}
      action="/book/hold"
      hidden={{ type: type.slug, provider: o.providerSlug ?? "", back: o.basePath, ...o.hidden }}
      message={o.message}
      alternatives={o.alternatives}
      self={o.from ? link(from) : o.basePath}
      challenge={o.challenge}
    />,
    o.status ?? 200,
  );
}

// ---- fixed paths first (they win over /book/:provider) -----------------------------------

/**
 * Live updates for open booking pages: a WebSocket to the clinic's calendar object, which says
 * when a time is taken or freed (provider and times only, nothing about patients).
 */
bookingRoutes.get("/live", (c) => forwardLiveSocket(c.env, c.var.clinic, c.req.raw, "live updates of open times"));

// A slot value that is not one of the offered times is a 400, before anything else is looked at.
const holdInput = formInput(holdForm, () => {
  throw new AppError("bad_request", "Pick one of the times shown.");
});

bookingRoutes.post("/hold", holdInput, async (c) => {
  const form = c.req.valid("form");
  const scope = scopeOf(c);
  const { back } = form;
  const { providerId, locationId, startsAt } = form.slot;
  const type = await bookableType(scope, form.type);
  const manageToken = form.m || null;
  const now = Date.now();
  const client = bookingClient(c);
  const again = (over: Partial<SlotPageOptions>) =>
    slotPage(c, { typeSlug: type.slug, providerSlug: form.provider || null, from: form.from, basePath: back, hidden: { ...(manageToken ? { m: manageToken } : {}), ...(form.invite ? { invite: form.invite } : {}) }, ...over });
  let managed: ManagedAppointment | null = null;
  if (manageToken) {
    managed = await loadManaged(scope, await readManage(c.env, c.var.clinic, manageToken));
    const allowed = changeableOnline(managed, now);
    if (!allowed.ok) throw new AppError("conflict", allowed.why);
    if (managed.typeId !== type.id) throw new AppError("conflict", "A booking keeps its kind of visit when it moves. Pick a time from your booking's own link.");
  } else {
    // A new hold counts against the client's holds per window (a move through a manage link holds nothing for long).
    const allowed = await gate(c, await countHits(c.env, holdHits(client)), client, form.challenge, "holds");
    if (allowed.kind === "refuse") {
      c.header("Retry-After", String(allowed.retryAfterSeconds));
      return again({ message: allowed.message, status: 429 });
    }
    if (allowed.kind === "check") return again({ message: allowed.message, status: 429, challenge: allowed.widget });
  }
  try {
    const held = await holdSlot(scope, { type, providerId, locationId, startsAt, now, anyProvider: !form.provider, clients: managed ? undefined : await holdClients(client) });
    const invited = form.invite ? await readInvite(c.env, c.var.clinic, form.invite).catch(() => undefined) : undefined;
    const token = await signHold(c.env, c.var.clinic, {
      holdId: held.holdId,
      typeId: type.id,
      providerId,
      locationId,
      startsAt: held.slot.startsAt,
      expiresAt: held.expiresAt,
      appointmentId: managed?.id,
      invitedPatientId: invited,
    });
    if (managed) {
      let moved: { endsAt: number };
      try {
        moved = await rescheduleOnline(scope, managed, token, now);
      } catch (err) {
        // The move did not happen: the time held for it goes back to everyone.
        await releaseHold(scope, held.holdId);
        throw err;
      }
      // The link's life follows the visit: a new link for the new time.
      const renewed = await signManage(c.env, c.var.clinic, managed.id, moved.endsAt);
      return redirect(c, `/book/manage?m=${encodeURIComponent(renewed)}&moved=1`);
    }
    return redirect(c, `/book/details?h=${encodeURIComponent(token)}`);
  } catch (err) {
    if (err instanceof TooManyHeld) {
      const wait = Math.max(1, Math.ceil((err.freeAt - now) / 1000));
      c.header("Retry-After", String(wait));
      return again({ message: `${err.message} The first is released in ${waitText(wait)}.`, status: 429 });
    }
    if (!(err instanceof SlotUnavailable)) throw err;
    return slotPage(c, {
      typeSlug: type.slug,
      providerSlug: form.provider || null,
      from: form.from,
      basePath: back,
      hidden: manageToken ? { m: manageToken } : {},
      message: err.message,
      alternatives: err.alternatives,
      status: err.status as 409 | 410 | 500,
    });
  }
});

/** After a POST: 303 for plain forms; for htmx, load the next step in place. */
function redirect(c: Context<AppEnv>, location: string) {
  if (c.req.header("HX-Request") === "true") {
    c.header("HX-Location", JSON.stringify({ path: location, target: "#booking", swap: "outerHTML" }));
    return c.body(null, 204);
  }
  return c.redirect(location, 303);
}

async function detailsPage(
  c: Context<AppEnv>,
  token: string,
  extra: { values?: Record<string, string>; errors?: Record<string, string>; message?: string; status?: 200 | 409 | 422 | 429 | 503; challenge?: ChallengeWidget } = {},
) {
  const scope = scopeOf(c);
  const hold = await readHold(c.env, c.var.clinic, token);
  const now = Date.now();
  const type = await findType(scope.db, hold.typeId);
  const provider = await scope.db.select({ name: providers.displayName, slug: providers.slug }).from(providers).where(eq(providers.id, hold.providerId)).get();
  const loc = await scope.db.select({ timezone: locations.timezone }).from(locations).where(eq(locations.id, hold.locationId)).get();
  if (!type || !provider || !loc) throw new SlotUnavailable("mismatch", []);
  if (hold.expiresAt <= now) {
    return slotPage(c, { typeSlug: type.slug, providerSlug: provider.slug, basePath: `/book/${provider.slug}/${type.slug}`, message: "Your hold on that time ran out and the time was released. Pick a time again.", status: 410 });
  }
  let values = extra.values ?? {};
  if (!extra.values && hold.invitedPatientId) {
    // A forwarded invitation must not reveal more than a name: the patient types the rest.
    const p = await scope.db
      .select({ given_name: patients.givenName, family_name: patients.familyName })
      .from(patients)
      .where(eq(patients.id, hold.invitedPatientId))
      .get();
    if (p) {
      values = p;
      await audit(scope, { action: "read", event: "patient.invite_prefill", entityType: "patient", entityId: hold.invitedPatientId, patientId: hold.invitedPatientId, detail: "booking invitation" });
    }
  }
  return respond(
    c,
    "Your details",
    <DetailsForm
      csrfToken={c.var.csrfToken}
      hold={token}
      summary={`${type.name} with ${provider.name}, ${whenLabel(hold.startsAt, loc.timezone, { zone: true })}`}
      heldUntil={clockLabel(hold.expiresAt, loc.timezone)}
      holdMinutes={Math.max(1, Math.round((hold.expiresAt - now) / 60_000))}
      values={values}
      errors={extra.errors}
      message={extra.message}
      backHref={`/book/${provider.slug}/${type.slug}`}
      challenge={extra.challenge}
    />,
    extra.status ?? 200,
  );
}

bookingRoutes.get("/details", queryInput(detailsQuery), (c) => detailsPage(c, c.req.valid("query").h));

// Bad details show the form again (the hold token is checked there first, as for the page itself).
const confirmInput = formInput(
  (c) => confirmForm(clinicToday(c.var.clinic.timezone, Date.now()), c.var.clinic.country),
  (c, errors, raw) => detailsPage(c, holdOf(raw), { values: detailsValues(raw), errors, status: 422 }),
);

bookingRoutes.post("/confirm", confirmInput, async (c) => {
  const { hold: token, submitted: values, challenge: challengeToken, ...details } = c.req.valid("form");
  const scope = scopeOf(c);
  const client = bookingClient(c);
  try {
    // Only a real hold counts against the contact, so a stranger cannot use up someone's bookings.
    await readHold(c.env, c.var.clinic, token);
    // Counted before anything is booked or any message queued.
    const allowed = await gate(c, await countHits(c.env, bookingHits(client, details)), client, challengeToken, "bookings");
    if (allowed.kind === "refuse") {
      c.header("Retry-After", String(allowed.retryAfterSeconds));
      return detailsPage(c, token, { values, message: allowed.message, status: 429 });
    }
    if (allowed.kind === "check") return detailsPage(c, token, { values, message: allowed.message, status: 429, challenge: allowed.widget });
    const done = await confirmBooking(scope, token, details, new URL(c.req.url).origin);
    await emitEvent(scope, c.env, { trigger: "appointment.booked", key: `appointment.booked:${done.appointmentId}`, patientId: null, appointmentId: done.appointmentId, at: Date.now() }).catch((err) =>
      console.error("workflow event failed", err),
    );
    return redirect(c, `/book/done?m=${encodeURIComponent(done.manageToken)}`);
  } catch (err) {
    if (err instanceof SlotUnavailable && err.reason === "unavailable") {
      // Nothing was booked and the time is still held: the same form can simply be sent again.
      return detailsPage(c, token, { values, message: err.message, status: 503 });
    }
    if (err instanceof SlotUnavailable) {
      const hold = await readHold(c.env, c.var.clinic, token).catch(() => null);
      const type = hold ? await findType(scope.db, hold.typeId) : null;
      if (!type) throw err;
      return slotPage(c, { typeSlug: type.slug, providerSlug: null, basePath: `/book?type=${type.slug}`, message: err.message, alternatives: err.alternatives, status: err.status as 409 | 410 | 500 });
    }
    if (err instanceof AppError && (err.code === "validation" || err.code === "conflict")) {
      return detailsPage(c, token, { values, message: err.message, status: err.status as 409 | 422 });
    }
    throw err;
  }
});

async function managed(c: Context<AppEnv>, token: string): Promise<ManagedAppointment> {
  const scope = scopeOf(c);
  const a = await loadManaged(scope, await readManage(c.env, c.var.clinic, token));
  await audit(scope, { action: "read", event: "appointment.view", entityType: "appointment", entityId: a.id, patientId: a.patientId, detail: "via the patient's booking link" });
  return a;
}

bookingRoutes.get("/done", queryInput(manageQuery), async (c) => {
  const { m: token } = c.req.valid("query");
  const a = await managed(c, token);
  const q = `m=${encodeURIComponent(token)}`;
  return respond(
    c,
    "Booked",
    <Booked a={a} when={whenLabel(a.startsAt, a.timezone, { zone: true })} manageHref={`/book/manage?${q}`} icsHref={`/book/ics?${q}`} headline="You're booked" />,
  );
});

bookingRoutes.get("/manage", queryInput(manageQuery), async (c) => {
  const { m: token, moved, cancelled } = c.req.valid("query");
  const a = await managed(c, token);
  const notice = moved ? "Your appointment was moved." : cancelled ? "Your appointment was cancelled." : undefined;
  return respond(
    c,
    "Your appointment",
    <Manage csrfToken={c.var.csrfToken} a={a} when={whenLabel(a.startsAt, a.timezone, { zone: true })} token={token} changeable={changeableOnline(a, Date.now())} notice={notice} />,
  );
});

bookingRoutes.post("/manage/cancel", formInput(cancelForm), async (c) => {
  const { m: token } = c.req.valid("form");
  const scope = scopeOf(c);
  const a = await loadManaged(scope, await readManage(c.env, c.var.clinic, token));
  // The freed time goes to the waitlist first; a failure there does not undo the cancellation.
  await cancelByPatient(scope, a, new URL(c.req.url).origin, Date.now());
  return redirect(c, `/book/manage?m=${encodeURIComponent(token)}&cancelled=1`);
});

bookingRoutes.get("/manage/reschedule", queryInput(manageQuery), async (c) => {
  const { m: token, from } = c.req.valid("query");
  const a = await managed(c, token);
  const allowed = changeableOnline(a, Date.now());
  if (!allowed.ok) throw new AppError("conflict", allowed.why);
  const provider = await scopeOf(c).db.select({ slug: providers.slug }).from(providers).where(eq(providers.id, a.providerId)).get();
  return slotPage(c, {
    typeSlug: a.typeSlug,
    providerSlug: provider?.slug ?? null,
    from,
    basePath: `/book/manage/reschedule?m=${encodeURIComponent(token)}`,
    hidden: { m: token },
  });
});

bookingRoutes.get("/ics", queryInput(manageQuery), async (c) => {
  const { m: token } = c.req.valid("query");
  const a = await managed(c, token);
  const origin = new URL(c.req.url).origin;
  const body = icsFor(a, c.var.clinic, `${origin}/book/manage?m=${encodeURIComponent(token)}`, Date.now());
  return c.body(body, 200, {
    "Content-Type": "text/calendar; charset=utf-8",
    "Content-Disposition": 'attachment; filename="appointment.ics"',
    "Cache-Control": "private, no-store",
  });
});

// ---- entry links --------------------------------------------------------------------------

bookingRoutes.get("/", queryInput(entryQuery), async (c) => {
  const { type, invite, from } = c.req.valid("query");
  if (type) return slotPage(c, { typeSlug: type, providerSlug: null, from, basePath: `/book?type=${encodeURIComponent(type)}`, hidden: invite ? { invite } : {} });
  const types = await onlineTypes(scopeOf(c), null);
  return respond(c, "Book a visit", <TypeList types={types} base="/book" invite={invite} />);
});

bookingRoutes.get("/:provider", queryInput(entryQuery), async (c) => {
  const scope = scopeOf(c);
  const provider = await providerBySlug(scope, c.req.param("provider"));
  if (!provider) throw new AppError("not_found", "This provider could not be found. Check the link, or book from the clinic's booking page.");
  const types = await onlineTypes(scope, provider.id);
  return respond(c, `Book with ${provider.displayName}`, <TypeList types={types} base={`/book/${provider.slug}`} invite={c.req.valid("query").invite} />);
});

bookingRoutes.get("/:provider/:type", queryInput(entryQuery), (c) => {
  const { invite, from } = c.req.valid("query");
  const base = `/book/${c.req.param("provider")}/${c.req.param("type")}`;
  return slotPage(c, {
    typeSlug: c.req.param("type"),
    providerSlug: c.req.param("provider"),
    from,
    basePath: invite ? `${base}?invite=${encodeURIComponent(invite)}` : base,
    hidden: invite ? { invite } : {},
  });
});
