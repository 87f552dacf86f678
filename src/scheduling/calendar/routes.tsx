/**
 * /calendar: the staff calendar. The day across providers (GET /calendar, its grid alone for htmx
 * and the live refresh), one provider's week (/calendar/week), booking from a free slot
 * (/calendar/new, POST /calendar/appointments), an appointment's page and its changes
 * (/calendar/appointments/:id/...), and the live-update WebSocket (/calendar/live).
 * Viewing needs schedule:read, changing schedule:write; every form works without JavaScript.
 */
import { Hono, type Context } from "hono";
import { AppointmentPage, ReschedulePage } from "../../../views/scheduling/calendar/appointment";
import { BookForm, PatientPicks, PICKS_ID } from "../../../views/scheduling/calendar/book";
import { DAY_ID, DayGrid, DayPage } from "../../../views/scheduling/calendar/day";
import { dayLabel, timeLabel } from "../../platform/time";
import { WeekPage } from "../../../views/scheduling/calendar/week";
import type { AppEnv } from "../../platform/env";
import { AppError, type FieldErrors } from "../../platform/errors";
import { fragment, page, seeOther, wantsFragment } from "../../platform/render";
import { can, clinicToday, requirePermission, staffScope } from "../../platform/scope";
import { formInput, queryInput } from "../../platform/validation";
import { searchPatientList } from "../../patients/service";
import { forwardLiveSocket } from "../data";
import type { Slot } from "../slots";
import { localParts } from "../../platform/time";
import type { PatientBrief, ShownAppointment } from "./repo";
import {
  bookingForm,
  bookingValues,
  cancelForm,
  dayQuery,
  formKey,
  ID,
  idParam,
  instantParam,
  newQuery,
  noticeQuery,
  rescheduleForm,
  rescheduleQuery,
  statusForm,
  typedReason,
  weekQuery,
  type BookingValues,
  type NoticeQuery,
} from "./input";
import { bookAppointment, pickedPatient, PossibleDuplicate, SeriesRefused, slotContext, type Booked, type Skipped } from "./booking";
import { cancelAppointment, changeStatus, nextStatuses, rescheduleAppointment, rescheduleOptions } from "./changes";
import { SKIP_REASONS } from "./messages";
import { dayView, viewAppointment, weekView } from "./reads";
import { SlotRefused, type CalendarScope } from "./service";

export const calendarRoutes = new Hono<AppEnv>();

type Ctx = Context<AppEnv>;
type Status = 200 | 409 | 410 | 422 | 500;

function calScope(c: Ctx): CalendarScope {
  return { ...staffScope(c), env: c.env };
}

const statusOf = (err: AppError) => err.status as Status;

// ---- viewing ----------------------------------------------------------------------------------

calendarRoutes.get("/", queryInput(dayQuery), async (c) => {
  const scope = calScope(c);
  const q = c.req.valid("query");
  const m = await dayView(scope, { date: q.date, locationId: q.location, roomId: q.room, typeId: q.type }, Date.now());
  const canWrite = can(scope.staff, "schedule:write");
  if (wantsFragment(c, DAY_ID)) return fragment(c, <DayGrid m={m} canWrite={canWrite} />);
  return page(c, "Calendar", <DayPage m={m} canWrite={canWrite} />);
});

calendarRoutes.get("/week", queryInput(weekQuery), async (c) => {
  const scope = calScope(c);
  const q = c.req.valid("query");
  const m = await weekView(scope, { providerId: q.provider, date: q.date, locationId: q.location, typeId: q.type }, Date.now());
  return page(c, `${m.provider.displayName}: week`, <WeekPage m={m} canWrite={can(scope.staff, "schedule:write")} />);
});

/**
 * Live updates: an open day view's WebSocket, accepted by the clinic's calendar object, which
 * sends {type: "taken" | "freed", providerId, roomId, resourceId, blockStart, blockEnd}.
 */
calendarRoutes.get("/live", async (c) => {
  requirePermission(staffScope(c), "schedule:read");
  return forwardLiveSocket(c.env, c.var.clinic, c.req.raw, "the calendar's live updates");
});

// ---- booking ----------------------------------------------------------------------------------

function wantOf(v: Record<string, string | undefined>) {
  const providerId = idParam(v.provider);
  const locationId = idParam(v.location);
  const typeId = idParam(v.type);
  const startsAt = instantParam(v.start);
  if (!providerId || !locationId || !typeId || startsAt === null) {
    throw new AppError("bad_request", "Pick a free time on the calendar to book it.");
  }
  return { providerId, locationId, typeId, startsAt, roomId: idParam(v.room) };
}

function brief(p: { id: string; givenName: string; familyName: string; dateOfBirth: string; phone: string | null }): PatientBrief {
  return { id: p.id, givenName: p.givenName, familyName: p.familyName, dateOfBirth: p.dateOfBirth, phone: p.phone };
}

calendarRoutes.get("/new", queryInput(newQuery), async (c) => {
  const scope = calScope(c);
  requirePermission(scope, "schedule:write");
  const query = c.req.valid("query");
  const want = wantOf(query);
  const { q } = query;
  const results = q ? (await searchPatientList(scope, q, 1)).rows.map(brief) : null;
  if (wantsFragment(c, PICKS_ID)) return fragment(c, <PatientPicks q={q} results={results} picked={null} />);
  const ctx = await slotContext(scope, want, Date.now());
  return page(
    c,
    "Book an appointment",
    <BookForm csrfToken={c.var.csrfToken} ctx={ctx} formKey={formKey(query.key)} q={q} results={results} values={{}} canAddPatient={can(scope.staff, "patients:write")} />,
  );
});

/** Where a booking lands: the (first) appointment, with what was booked and skipped. */
function bookedHref(done: Booked): string {
  const base = `/calendar/appointments/${done.appointmentId}`;
  if (!done.series) return `${base}?booked=1`;
  const skipped = done.series.skipped.map((s) => `${s.startsAt}.${s.reason}`).join(",");
  return `${base}?series=${done.series.booked}-${done.series.total}${skipped ? `&skipped=${skipped}` : ""}`;
}

type Again = { errors?: FieldErrors; message?: string; alternatives?: Slot[]; duplicates?: PatientBrief[]; skipped?: Skipped[] };

/** The booking form again, as sent, with what went wrong. */
async function bookAgain(c: Ctx, scope: CalendarScope, values: BookingValues, now: number, status: Status, extra: Again) {
  const ctx = await slotContext(scope, wantOf(values), now);
  const picked = !extra.duplicates && ID.test(values.patient_id) ? await pickedPatient(scope, values.patient_id) : null;
  return page(
    c,
    "Book an appointment",
    <BookForm
      csrfToken={c.var.csrfToken}
      ctx={ctx}
      formKey={formKey(values.key)}
      q=""
      results={extra.duplicates ?? (picked ? [picked] : null)}
      values={values}
      errors={extra.errors}
      message={extra.message}
      alternatives={extra.alternatives}
      duplicates={!!extra.duplicates}
      skipped={extra.skipped}
      canAddPatient={can(scope.staff, "patients:write")}
    />,
    status,
  );
}

// The permission comes before the form's own errors.
const bookingInput = formInput(
  (c) => bookingForm(clinicToday(c), c.var.clinic.country),
  (c, errors, raw) => {
    const scope = calScope(c);
    requirePermission(scope, "schedule:write");
    return bookAgain(c, scope, bookingValues(raw), Date.now(), 422, { errors, message: "Nothing was booked yet: check the fields marked below." });
  },
);

calendarRoutes.post("/appointments", bookingInput, async (c) => {
  const scope = calScope(c);
  requirePermission(scope, "schedule:write");
  const { values, input } = c.req.valid("form");
  const now = Date.now();
  const again = (status: Status, extra: Again) => bookAgain(c, scope, values, now, status, extra);
  try {
    const done = await bookAppointment(scope, input, now);
    return seeOther(c, bookedHref(done));
  } catch (err) {
    if (err instanceof SlotRefused) return again(statusOf(err), { message: err.message, alternatives: err.alternatives });
    if (err instanceof PossibleDuplicate) return again(409, { message: err.message, duplicates: err.duplicates });
    if (err instanceof SeriesRefused) return again(409, { message: err.message, skipped: err.skipped });
    if (err instanceof AppError && err.code === "validation") return again(422, { message: err.message, errors: err.fields });
    throw err;
  }
});

// ---- one appointment ----------------------------------------------------------------------


/** The one-line notice after a change (from the redirect's query; display only). */
function noticeOf(q: NoticeQuery, a: ShownAppointment): string | undefined {
  if (q.booked === "1") return "Booked.";
  const series = /^(\d{1,2})-(\d{1,2})$/.exec(q.series ?? "");
  if (series) {
    const skipped = (q.skipped ?? "")
      .split(",")
      .slice(0, 52)
      .map((s) => /^(\d{10,15})\.(\w+)$/.exec(s))
      .filter((m): m is RegExpExecArray => !!m && Object.hasOwn(SKIP_REASONS, m[2]!))
      .map((m) => {
        const p = localParts(Number(m[1]), a.timezone);
        return `${dayLabel(p.date)} ${timeLabel(p.time)}: ${SKIP_REASONS[m[2] as keyof typeof SKIP_REASONS]}`;
      });
    return `Booked ${series[1]} of ${series[2]} visits.${skipped.length ? ` Skipped ${skipped.join("; ")}.` : ""}`;
  }
  if (q.saved === "status") return "Status saved.";
  if (q.moved === "1") return "Moved.";
  const cancelled = /^\d{1,2}$/.exec(q.cancelled ?? "");
  if (cancelled) return cancelled[0] === "1" ? "Cancelled." : `Cancelled ${cancelled[0]} visits.`;
  return undefined;
}

/** An appointment's page; `notice` is the query of a redirect after a change (GET only). */
async function appointmentPage(c: Ctx, id: string, extra: { status?: Status; message?: string; errors?: FieldErrors; reason?: string; notice?: NoticeQuery } = {}) {
  const scope = calScope(c);
  const { a, series } = await viewAppointment(scope, id);
  return page(
    c,
    `${a.familyName}, ${a.givenName}`,
    <AppointmentPage
      csrfToken={c.var.csrfToken}
      a={a}
      series={series}
      canWrite={can(scope.staff, "schedule:write")}
      canStartVisit={can(scope.staff, "notes:write")}
      next={nextStatuses(a, Date.now())}
      notice={extra.message || !extra.notice ? undefined : noticeOf(extra.notice, a)}
      message={extra.message}
      errors={extra.errors}
      reason={extra.reason}
    />,
    extra.status ?? 200,
  );
}

/** Runs a change; a refusal the user can act on re-renders the appointment with the reason. */
async function change(c: Ctx, id: string, run: () => Promise<string>, onError: { reason?: string } = {}) {
  try {
    return seeOther(c, await run());
  } catch (err) {
    if (err instanceof AppError && (err.code === "validation" || err.code === "conflict")) {
      return appointmentPage(c, id, { status: statusOf(err), message: err.message, errors: err.fields, reason: onError.reason });
    }
    throw err;
  }
}

calendarRoutes.get("/appointments/:id", queryInput(noticeQuery), (c) => appointmentPage(c, c.req.param("id"), { notice: c.req.valid("query") }));

/** Changing an appointment needs schedule:write, checked before the form's own errors. */
function mayChange(c: Ctx): CalendarScope {
  const scope = calScope(c);
  requirePermission(scope, "schedule:write");
  return scope;
}

const statusInput = formInput(statusForm, (c, errors) => {
  mayChange(c);
  return appointmentPage(c, c.req.param("id") ?? "", { status: 422, message: Object.values(errors)[0] });
});

calendarRoutes.post("/appointments/:id/status", statusInput, async (c) => {
  const scope = mayChange(c);
  const id = c.req.param("id");
  const form = c.req.valid("form");
  return change(c, id, async () => {
    await changeStatus(scope, id, form.status, form.version, Date.now());
    return `/calendar/appointments/${id}?saved=status`;
  });
});

const cancelInput = formInput(cancelForm, (c, errors, raw) => {
  mayChange(c);
  return appointmentPage(c, c.req.param("id") ?? "", { status: 422, message: "Nothing was cancelled.", errors, reason: typedReason(raw) });
});

calendarRoutes.post("/appointments/:id/cancel", cancelInput, async (c) => {
  const scope = mayChange(c);
  const id = c.req.param("id");
  const { typed_reason, ...form } = c.req.valid("form");
  return change(
    c,
    id,
    async () => {
      const n = await cancelAppointment(scope, id, form, Date.now());
      return `/calendar/appointments/${id}?cancelled=${n}`;
    },
    { reason: typed_reason },
  );
});

calendarRoutes.get("/appointments/:id/reschedule", queryInput(rescheduleQuery), async (c) => {
  const scope = calScope(c);
  const q = c.req.valid("query");
  const m = await rescheduleOptions(scope, c.req.param("id"), { date: q.date, at: null, providerId: q.provider }, Date.now());
  return page(c, "Reschedule", <ReschedulePage csrfToken={c.var.csrfToken} m={m} />);
});

/** The reschedule options again, with why the move did not happen. */
async function optionsPage(c: Ctx, scope: CalendarScope, id: string, status: Status, message: string, alternatives: Slot[], at: number | null) {
  const m = await rescheduleOptions(scope, id, { date: null, at, providerId: null }, Date.now());
  return page(c, "Reschedule", <ReschedulePage csrfToken={c.var.csrfToken} m={m} message={message} alternatives={alternatives} />, status);
}

const rescheduleInput = formInput(rescheduleForm, (c, errors) =>
  optionsPage(c, mayChange(c), c.req.param("id") ?? "", 422, Object.values(errors)[0] ?? "Pick one of the times shown.", [], null),
);

calendarRoutes.post("/appointments/:id/reschedule", rescheduleInput, async (c) => {
  const scope = mayChange(c);
  const id = c.req.param("id");
  const form = c.req.valid("form");
  try {
    await rescheduleAppointment(scope, id, form, Date.now());
  } catch (err) {
    if (err instanceof SlotRefused) return optionsPage(c, scope, id, statusOf(err), err.message, err.alternatives, form.slot.startsAt);
    if (err instanceof AppError && (err.code === "validation" || err.code === "conflict")) {
      return appointmentPage(c, id, { status: statusOf(err), message: err.message });
    }
    throw err;
  }
  return seeOther(c, `/calendar/appointments/${id}?moved=1`);
});
