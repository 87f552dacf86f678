/**
 * The waitlist: patients who want a sooner time (a provider or any, a visit type, a date range,
 * times of day). When time frees up, the first matching patients (up to OFFER_FANOUT, in the order
 * they joined) are offered it: the calendar holds the time, each gets a signed claim link through
 * the outbox, and the first to claim gets the appointment; the others are told it is gone.
 */
import { nameForMessages } from "../patients/contact";
import { and, asc, eq, gt, isNull, notExists, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { audit, auditRow, auditStatementWhere, scheduleSeal } from "../audit/service";
import { bookHeldTime, holdTime, releaseHold } from "../appointments/service";
import { draftAt, placeFor } from "../calendar/intents";
import type { Clinic, Env } from "../platform/env";
import { AppError } from "../platform/errors";
import type { ClinicScope } from "../platform/scope";
import { signToken, verifyToken } from "../platform/tokens";
import { calendarOf, clinicRef, findType, loadSchedulingData } from "./data";
import { checkSlot } from "./slots";
import { localParts } from "../platform/time";
import { outbox, patientContactPrefs } from "../messaging/tables";
import { patients } from "../patients/tables";
import { appointmentTypes, locations, providers, TIMES_OF_DAY, waitlistEntries, waitlistOffers } from "./tables";
import { publicClinicOrigin } from "../platform/tenancy";
import { dateStyle } from "../messaging/template-values";
import { formatWhen } from "../platform/time";
import { localeOf } from "../messaging/template-catalogue";
import { render } from "../messaging/template-render";
import { templateFor } from "../messaging/template-repo";

export interface FreedTime {
  providerId: string;
  locationId: string;
  blockStart: number;
  blockEnd: number;
}

type Scope = ClinicScope & { env: Env };

/** How many waiting patients are offered the same freed time. */
export const OFFER_FANOUT = 3;
/** How long freed time is held for the waitlist before it returns to everyone. */
export const OFFER_HOLD_MINUTES = 60;
export const WAITLIST_HOLD_MS = OFFER_HOLD_MINUTES * 60_000;

export type TimeOfDay = (typeof TIMES_OF_DAY)[number];

/** morning: before 12:00; afternoon: 12:00–16:59; evening: from 17:00 (local time). */
export function timeOfDay(hhmm: string): TimeOfDay {
  const h = Number(hhmm.slice(0, 2));
  return h < 12 ? "morning" : h < 17 ? "afternoon" : "evening";
}

interface EntryRow {
  id: string;
  patientId: string;
  providerId: string | null;
  appointmentTypeId: string;
  fromDate: string;
  toDate: string;
  timesOfDay: string;
  email: string | null;
  phone: string | null;
  givenName: string;
  locale: string | null;
}

/**
 * Offers freed time to the first matching waitlist patients. Called after every cancellation;
 * returns how many patients were offered it.
 */
export async function offerFreedTime(
  scope: Scope,
  clinic: Clinic,
  freed: FreedTime,
  now = Date.now(),
  origin?: string,
  held?: { holdId: string; expiresAt: number },
): Promise<number> {
  let offered = 0;
  try {
    offered = await offer(scope, clinic, freed, now, origin, held);
    return offered;
  } finally {
    // Time held for the waitlist that nobody was offered goes back to everyone at once.
    if (held && offered === 0) await releaseHold({ ...scope, clinic }, held.holdId);
  }
}

/** How many waiting entries one freed time is matched against (the oldest first). */
const MATCH_LIMIT = 50;

async function offer(scope: Scope, clinic: Clinic, freed: FreedTime, now: number, origin: string | undefined, held: { holdId: string; expiresAt: number } | undefined): Promise<number> {
  const loc = await scope.db.select({ timezone: locations.timezone }).from(locations).where(eq(locations.id, freed.locationId)).get();
  if (!loc) return 0;
  const w = waitlistEntries;
  const o = waitlistOffers;
  const openOffer = scope.db
    .select({ one: o.id })
    .from(o)
    .where(and(eq(o.entryId, w.id), eq(o.status, "offered"), gt(o.expiresAt, now)));
  const waiting: EntryRow[] = await scope.db
    .select({
      id: w.id,
      patientId: w.patientId,
      providerId: w.providerId,
      appointmentTypeId: w.appointmentTypeId,
      fromDate: w.fromDate,
      toDate: w.toDate,
      timesOfDay: w.timesOfDay,
      email: patients.email,
      phone: patients.phone,
      // No name to a contact nobody confirmed (a record made online holds what its booker typed).
      givenName: nameForMessages(),
      locale: patientContactPrefs.locale,
    })
    .from(w)
    .innerJoin(patients, eq(patients.id, w.patientId))
    .leftJoin(patientContactPrefs, eq(patientContactPrefs.patientId, w.patientId))
    .where(
      and(
        or(isNull(w.providerId), eq(w.providerId, freed.providerId)),
        or(eq(w.status, "waiting"), and(eq(w.status, "offered"), notExists(openOffer))),
      ),
    )
    .orderBy(asc(w.createdAt), asc(w.id))
    .limit(MATCH_LIMIT);
  // An entry whose offer lapsed unclaimed is waiting again (above); each type is read once.
  const types = new Map<string, Awaited<ReturnType<typeof findType>>>();
  // Find the first entry whose visit fits the freed time; offer that time to it and the next
  // entries wanting the same visit type and a time that fits them too.
  for (const first of waiting) {
    if (!types.has(first.appointmentTypeId)) types.set(first.appointmentTypeId, await findType(scope.db, first.appointmentTypeId));
    const type = types.get(first.appointmentTypeId);
    if (!type) continue;
    const startsAt = freed.blockStart + type.bufferBeforeMinutes * 60_000;
    const local = localParts(startsAt, loc.timezone);
    const fits = (e: EntryRow) =>
      e.appointmentTypeId === type.id &&
      local.date >= e.fromDate &&
      local.date <= e.toDate &&
      e.timesOfDay.split(",").includes(timeOfDay(local.time));
    if (!fits(first)) continue;
    if (held) {
      // The time is already held for the waitlist (by the cancellation); the visit must fit in it.
      // (Offered as is: a visit whose block differs would need the hold resized; it is skipped.)
      const end = startsAt + (type.durationMinutes + type.bufferAfterMinutes) * 60_000;
      if (end !== freed.blockEnd) continue;
    } else {
      const data = await loadSchedulingData(scope, scope.env, clinic, { type, providerId: freed.providerId, fromDate: local.date, toDate: local.date });
      const check = checkSlot({ ...data.query, now }, { providerId: freed.providerId, locationId: freed.locationId, startsAt });
      if (!check.ok) continue;
      const got = await holdTime({ ...scope, clinic }, {
        providerId: check.slot.providerId,
        roomId: check.slot.roomId,
        resourceId: check.slot.resourceId,
        blockStart: check.slot.blockStart,
        blockEnd: check.slot.blockEnd,
        ttlMs: OFFER_HOLD_MINUTES * 60_000,
        now,
      });
      if (!got.ok) return 0;
      held = { holdId: got.holdId, expiresAt: got.expiresAt };
    }
    const chosen = waiting.filter(fits).slice(0, OFFER_FANOUT);
    const place = await scope.db
      .select({ provider: providers.displayName, location: locations.name })
      .from(providers)
      .innerJoin(locations, eq(locations.id, freed.locationId))
      .where(eq(providers.id, freed.providerId))
      .get();
    const statements: BatchItem<"sqlite">[] = [];
    // Local development serves plain http; everything else is https.
    const base = origin ?? publicClinicOrigin(scope.env, clinic);
    for (const e of chosen) {
      const offerId = crypto.randomUUID();
      const token = await signToken(scope.env, { use: "offer", subject: offerId, clinicSlug: clinic.slug, ttl: OFFER_HOLD_MINUTES * 60 });
      const link = `${base}/book/offer?o=${encodeURIComponent(token)}`;
      statements.push(
        scope.db.insert(waitlistOffers).values({
          id: offerId,
          entryId: e.id,
          holdId: held.holdId,
          providerId: freed.providerId,
          locationId: freed.locationId,
          startsAt,
          status: "offered",
          expiresAt: held.expiresAt,
        }),
        scope.db.update(waitlistEntries).set({ status: "offered" }).where(and(eq(waitlistEntries.id, e.id), eq(waitlistEntries.status, "waiting"))),
      );
      const channel = e.email ? "email" : e.phone ? "sms" : null;
      if (channel) {
        // The clinic's wording (template `waitlist.offer`) in the patient's language.
        const locale = localeOf(e.locale);
        const { date, time } = formatWhen(startsAt, loc.timezone, locale, dateStyle(channel));
        const message = render(
          await templateFor(scope.d1, "waitlist.offer", channel, locale),
          { first_name: e.givenName, clinic: clinic.name, provider: place?.provider ?? "", date, time, location: place?.location ?? "", link },
          { channel },
        );
        statements.push(
          scope.db
            .insert(outbox)
            .values({
              id: crypto.randomUUID(),
              channel,
              recipient: (channel === "email" ? e.email : e.phone) ?? "",
              template: "waitlist.offer",
              subject: message.subject ?? `An earlier time at ${clinic.name}`,
              body: message.body,
              idempotencyKey: `waitlist-offer:${offerId}`,
              patientId: e.patientId,
            })
            .onConflictDoNothing({ target: outbox.idempotencyKey }),
        );
      }
    }
    const [head, ...rest] = statements;
    if (head) await scope.db.batch([head, ...rest]);
    for (const e of chosen) {
      await audit(scope, { action: "execute", event: "waitlist.offer", entityType: "waitlist_entry", entityId: e.id, patientId: e.patientId, detail: `offered ${new Date(startsAt).toISOString()}` });
    }
    return chosen.length;
  }
  return 0;
}

export interface OfferView {
  offerId: string;
  entryId: string;
  patientId: string;
  holdId: string;
  providerId: string;
  providerName: string;
  locationId: string;
  timezone: string;
  typeId: string;
  typeName: string;
  startsAt: number;
  status: string;
  expiresAt: number;
  entryStatus: string;
}

export async function readOffer(scope: Scope, clinic: Clinic, token: string): Promise<OfferView> {
  const claims = await verifyToken(scope.env, token, "offer", clinic.slug);
  if (!claims) throw new AppError("gone", "This offer has expired. You are still on the waitlist if you have not been booked.");
  const o = waitlistOffers;
  const w = waitlistEntries;
  const row: OfferView | undefined = await scope.db
    .select({
      offerId: o.id,
      entryId: o.entryId,
      patientId: w.patientId,
      holdId: o.holdId,
      providerId: o.providerId,
      providerName: providers.displayName,
      locationId: locations.id,
      timezone: locations.timezone,
      typeId: appointmentTypes.id,
      typeName: appointmentTypes.name,
      startsAt: o.startsAt,
      status: o.status,
      expiresAt: o.expiresAt,
      entryStatus: w.status,
    })
    .from(o)
    .innerJoin(w, eq(w.id, o.entryId))
    .innerJoin(providers, eq(providers.id, o.providerId))
    .innerJoin(appointmentTypes, eq(appointmentTypes.id, w.appointmentTypeId))
    .innerJoin(locations, eq(locations.id, o.locationId))
    .where(eq(o.id, claims.sub))
    .get();
  if (!row) throw new AppError("not_found", "This offer could not be found.");
  return row;
}

/**
 * Claims an offer: the first claimant's confirmation turns the held time into their appointment;
 * any later claimant finds the hold gone and is refused (409), and goes back to waiting.
 */
export async function claimOffer(scope: Scope, clinic: Clinic, offer: OfferView, now = Date.now()): Promise<string> {
  if (offer.status === "claimed") throw new AppError("conflict", "You already claimed this time.");
  if (offer.entryStatus === "cancelled") throw new AppError("conflict", "This offer is no longer open: you were taken off the waitlist. Call the clinic to book.");
  if (offer.status !== "offered" || offer.expiresAt <= now) throw new AppError("conflict", "Sorry, this time has been taken or the offer ran out. You are still on the waitlist.");
  const type = await findType(scope.db, offer.typeId);
  if (!type) throw new AppError("not_found", "This offer could not be found.");
  const id = crypto.randomUUID();
  const draft = draftAt(placeFor(type, { providerId: offer.providerId, locationId: offer.locationId, roomId: null, startsAt: offer.startsAt }), {
    id,
    patientId: offer.patientId,
    appointmentTypeId: type.id,
    source: "waitlist",
    seriesId: null,
    createdBy: null,
  });
  const cal = calendarOf(scope.env, clinic);
  const live = await cal.liveClaims(clinicRef(clinic), draft.blockStart, draft.blockEnd, now);
  draft.roomId = live.find((l) => l.providerId === draft.providerId && l.blockStart === draft.blockStart)?.roomId ?? null;
  const result = await bookHeldTime({ ...scope, clinic }, {
    holdId: offer.holdId,
    idempotencyKey: `offer:${offer.offerId}`,
    appointment: draft,
    along: {
      claimsOffer: { offerId: offer.offerId, holdId: offer.holdId, entryId: offer.entryId },
      audit: [auditRow(scope, { action: "create", event: "appointment.create", entityType: "appointment", entityId: id, patientId: offer.patientId, detail: "claimed from the waitlist" })],
    },
    now,
  });
  if (!result.ok) {
    await audit(scope, { action: "create", event: "waitlist.claim", entityType: "waitlist_entry", entityId: offer.entryId, patientId: offer.patientId, outcome: "failure", detail: result.reason });
    if (result.reason === "unavailable") throw new AppError("internal", "We could not finish claiming this time just now. Nothing was booked; please try again in a moment.");
    throw new AppError("conflict", "Sorry, someone else claimed this time first. You are still on the waitlist.");
  }
  scheduleSeal(scope);
  return result.appointmentId;
}

// ---- staff side -----------------------------------------------------------------------------

export interface NewEntry {
  patientId: string;
  appointmentTypeId: string;
  providerId: string | null;
  fromDate: string;
  toDate: string;
  timesOfDay: TimeOfDay[];
}

export async function addToWaitlist(scope: Scope, e: NewEntry): Promise<string> {
  const id = crypto.randomUUID();
  await scope.db.batch([
    scope.db.insert(waitlistEntries).values({
      id,
      patientId: e.patientId,
      providerId: e.providerId,
      appointmentTypeId: e.appointmentTypeId,
      fromDate: e.fromDate,
      toDate: e.toDate,
      timesOfDay: e.timesOfDay.join(","),
      createdAt: Date.now(),
    }),
    auditStatementWhere(scope, { action: "create", event: "waitlist.add", entityType: "waitlist_entry", entityId: id, patientId: e.patientId }, sql`changes() = 1`),
  ]);
  scheduleSeal(scope);
  return id;
}
