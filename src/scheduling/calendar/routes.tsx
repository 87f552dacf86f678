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
import { formOf, validate } from "../../platform/validation";
import { searchPatientList } from "../../patients/service";
import { forwardLiveSocket } from "../data";
import type { Slot } from "../slots";
import { localParts } from "../../platform/time";
import type { PatientBrief, ShownAppointment } from "./repo";
import { BOOKING_FIELDS, cancelSchema, dateParam, formKey, ID, idParam, instantParam, parseBookingForm, rescheduleSchema, statusSchema } from "./input";
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

calendarRoutes.get("/", async (c) => {
  const scope = calScope(c);
  const m = await dayView(
    scope,
    { date: dateParam(c.req.query("date")), locationId: idParam(c.req.query("location")), roomId: idParam(c.req.query("room")), typeId: idParam(c.req.query("type")) },
    Date.now(),
  );
  const canWrite = can(scope.staff, "schedule:write");
  if (wantsFragment(c, DAY_ID)) return fragment(c, <DayGrid m={m} canWrite={canWrite} />);
  return page(c, "Calendar", <DayPage m={m} canWrite={canWrite} />);
});

calendarRoutes.get("/week", async (c) => {
  const scope = calScope(c);
  const m = await weekView(
    scope,
    { providerId: idParam(c.req.query("provider")), date: dateParam(c.req.query("date")), locationId: idParam(c.req.query("location")), typeId: idParam(c.req.query("type")) },
    Date.now(),
  );
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

calendarRoutes.get("/new", async (c) => {
  const scope = calScope(c);
  requirePermission(scope, "schedule:write");
  const query = c.req.query();
  const want = wantOf(query);
  const q = (query.q ?? "").trim().slice(0, 100);
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

calendarRoutes.post("/appointments", async (c) => {
  const scope = calScope(c);
  requirePermission(scope, "schedule:write");
  const form = await formOf(c);
  // "Nearest open times" buttons send the same form for another start (maybe another provider).
  const alt = /^([\w-]{1,64})\|(\d{10,15})$/.exec(form.alt ?? "");
  if (alt) {
    form.provider = alt[1]!;
    form.start = alt[2]!;
  }
  const values: Record<string, string> = {};
  for (const f of BOOKING_FIELDS) values[f] = form[f] ?? "";
  const now = Date.now();
  const again = async (status: Status, extra: { errors?: FieldErrors; message?: string; alternatives?: Slot[]; duplicates?: PatientBrief[]; skipped?: Skipped[] }) => {
    const ctx = await slotContext(scope, wantOf(values), now);
    const picked = !extra.duplicates && ID.test(values.patient_id ?? "") ? await pickedPatient(scope, values.patient_id!) : null;
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
  };
  const parsed = parseBookingForm(values, clinicToday(c), c.var.clinic.country);
  if (!parsed.ok) return again(422, { errors: parsed.errors, message: "Nothing was booked yet: check the fields marked below." });
  try {
    const done = await bookAppointment(scope, parsed.data, now);
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
function noticeOf(c: Ctx, a: ShownAppointment): string | undefined {
  const q = c.req.query();
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

async function appointmentPage(c: Ctx, id: string, extra: { status?: Status; message?: string; errors?: FieldErrors; reason?: string } = {}) {
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
      notice={extra.message ? undefined : noticeOf(c, a)}
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

calendarRoutes.get("/appointments/:id", (c) => appointmentPage(c, c.req.param("id")));

calendarRoutes.post("/appointments/:id/status", async (c) => {
  const scope = calScope(c);
  requirePermission(scope, "schedule:write");
  const id = c.req.param("id");
  const form = await formOf(c);
  const parsed = validate(statusSchema, { status: form.status ?? "", version: form.version ?? "" });
  if (!parsed.ok) return appointmentPage(c, id, { status: 422, message: Object.values(parsed.errors)[0] });
  return change(c, id, async () => {
    await changeStatus(scope, id, parsed.data.status, parsed.data.version, Date.now());
    return `/calendar/appointments/${id}?saved=status`;
  });
});

calendarRoutes.post("/appointments/:id/cancel", async (c) => {
  const scope = calScope(c);
  requirePermission(scope, "schedule:write");
  const id = c.req.param("id");
  const form = await formOf(c);
  const parsed = validate(cancelSchema, { reason: form.reason ?? "", version: form.version ?? "", which: form.which || "this" });
  if (!parsed.ok) return appointmentPage(c, id, { status: 422, message: "Nothing was cancelled.", errors: parsed.errors, reason: form.reason });
  return change(
    c,
    id,
    async () => {
      const n = await cancelAppointment(scope, id, parsed.data, Date.now());
      return `/calendar/appointments/${id}?cancelled=${n}`;
    },
    { reason: form.reason },
  );
});

calendarRoutes.get("/appointments/:id/reschedule", async (c) => {
  const scope = calScope(c);
  const m = await rescheduleOptions(scope, c.req.param("id"), { date: dateParam(c.req.query("date")), at: null, providerId: idParam(c.req.query("provider")) }, Date.now());
  return page(c, "Reschedule", <ReschedulePage csrfToken={c.var.csrfToken} m={m} />);
});

calendarRoutes.post("/appointments/:id/reschedule", async (c) => {
  const scope = calScope(c);
  requirePermission(scope, "schedule:write");
  const id = c.req.param("id");
  const form = await formOf(c);
  const parsed = validate(rescheduleSchema, { slot: form.slot ?? "", version: form.version ?? "" });
  const optionsPage = async (status: Status, message: string, alternatives: Slot[], at: number | null) => {
    const m = await rescheduleOptions(scope, id, { date: null, at, providerId: null }, Date.now());
    return page(c, "Reschedule", <ReschedulePage csrfToken={c.var.csrfToken} m={m} message={message} alternatives={alternatives} />, status);
  };
  if (!parsed.ok) return optionsPage(422, Object.values(parsed.errors)[0] ?? "Pick one of the times shown.", [], null);
  try {
    await rescheduleAppointment(scope, id, parsed.data, Date.now());
  } catch (err) {
    if (err instanceof SlotRefused) return optionsPage(statusOf(err), err.message, err.alternatives, parsed.data.slot.startsAt);
    if (err instanceof AppError && (err.code === "validation" || err.code === "conflict")) {
      return appointmentPage(c, id, { status: statusOf(err), message: err.message });
    }
    throw err;
  }
  return seeOther(c, `/calendar/appointments/${id}?moved=1`);
});
