/**
 * /settings/scheduling: locations, rooms, providers, appointment types, hours and booking rules.
 * Plain forms with post/redirect/get; a failed form is re-rendered with its errors (422) and
 * nothing is written; ids this clinic does not hold are 404.
 */
import { Hono, type Context } from "hono";
import { AppointmentTypePage, NEW_TYPE, typeToForm } from "../../../views/scheduling/setup/appointment-types";
import { AvailabilityPage, type AvailabilityForm } from "../../../views/scheduling/setup/availability";
import { BookingRulesPage, bookingRulesToForm } from "../../../views/scheduling/setup/booking-rules";
import { HolidaysPage } from "../../../views/scheduling/setup/holidays";
import { LocationPage, NewLocationPage } from "../../../views/scheduling/setup/locations";
import { SetupOverview } from "../../../views/scheduling/setup/overview";
import { SETUP } from "../../../views/scheduling/setup/parts";
import { NEW_PROVIDER, NewProviderPage, ProviderPage, providerToForm, type ProviderFormValues } from "../../../views/scheduling/setup/providers";
import type { AppEnv } from "../../platform/env";
import { AppError, type FieldErrors } from "../../platform/errors";
import { page, seeOther } from "../../platform/render";
import { clinicToday, staffScope } from "../../platform/scope";
import { formOf, validate } from "../../platform/validation";
import {
  appointmentTypeSchema,
  BOOKING_RULE_FIELDS,
  bookingRulesSchema,
  HOLIDAY_FIELDS,
  holidaySchema,
  LOCATION_FIELDS,
  locationSchema,
  OVERRIDE_FIELDS,
  overrideSchema,
  PROVIDER_FIELDS,
  providerSchema,
  RESOURCE_FIELDS,
  resourceSchema,
  RULE_FIELDS,
  ruleSchema,
  TIME_OFF_FIELDS,
  timeOffSchema,
  TYPE_FIELDS,
  type FormValues,
} from "./input";
import * as setup from "./service";

export const setupRoutes = new Hono<AppEnv>();

type Ctx = Context<AppEnv>;

function setupScope(c: Ctx): setup.SetupScope {
  return { ...staffScope(c), env: c.env };
}

/** Today in the clinic's timezone, and now: the clock is read here, never in the service. */
function clinicClock(c: Ctx): { today: string; now: number } {
  const now = Date.now();
  return { today: clinicToday(c, now), now };
}

const saved = (c: Ctx) => c.req.query("saved") === "1";

/** The named fields of a form as typed; a missing checkbox stays undefined (unticked). */
function pick(form: Record<string, string>, fields: readonly string[], checkboxes: readonly string[] = []): FormValues {
  const out: FormValues = {};
  for (const f of fields) out[f] = checkboxes.includes(f) ? form[f] : (form[f] ?? "");
  return out;
}

/** Every value of repeated fields (checkbox groups). */
async function listsOf(c: Ctx, names: string[]): Promise<Record<string, string[]>> {
  const body = await c.req.parseBody({ all: true });
  const out: Record<string, string[]> = {};
  for (const n of names) out[n] = [body[n] ?? []].flat().filter((x): x is string => typeof x === "string");
  return out;
}

/** Runs a write; a field error found by the service comes back as errors, anything else rethrows. */
async function attempt<T>(write: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; errors: FieldErrors }> {
  try {
    return { ok: true, value: await write() };
  } catch (err) {
    if (err instanceof AppError && err.code === "validation" && Object.keys(err.fields).length) return { ok: false, errors: err.fields };
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Overview

setupRoutes.get("/", async (c) => {
  const data = await setup.setupOverview(setupScope(c), clinicClock(c).today);
  return page(c, "Scheduling setup", <SetupOverview {...data} saved={saved(c)} />);
});

// ---------------------------------------------------------------------------------------------
// Locations, rooms and equipment

setupRoutes.get("/locations/new", (c) =>
  page(c, "New location", <NewLocationPage csrfToken={c.var.csrfToken} values={{ timezone: c.var.clinic.timezone }} />),
);

setupRoutes.post("/locations", async (c) => {
  const scope = setupScope(c);
  const values = pick(await formOf(c), LOCATION_FIELDS);
  const parsed = validate(locationSchema, values);
  if (!parsed.ok) return page(c, "New location", <NewLocationPage csrfToken={c.var.csrfToken} values={values} errors={parsed.errors} />, 422);
  const id = await setup.createLocation(scope, parsed.data);
  return seeOther(c, `${SETUP}/locations/${id}?saved=1`);
});

async function locationPage(c: Ctx, id: string, status: 200 | 422, extra: Partial<Parameters<typeof LocationPage>[0]> = {}) {
  const { location, resources } = await setup.viewLocation(setupScope(c), id);
  return page(c, location.name, <LocationPage csrfToken={c.var.csrfToken} location={location} resources={resources} saved={saved(c)} {...extra} />, status);
}

setupRoutes.get("/locations/:id", (c) => locationPage(c, c.req.param("id"), 200));

setupRoutes.post("/locations/:id", async (c) => {
  const id = c.req.param("id");
  const values = pick(await formOf(c), LOCATION_FIELDS);
  const parsed = validate(locationSchema, values);
  if (!parsed.ok) return locationPage(c, id, 422, { values, errors: parsed.errors });
  await setup.updateLocation(setupScope(c), id, parsed.data);
  return seeOther(c, `${SETUP}/locations/${id}?saved=1`);
});

setupRoutes.post("/locations/:id/active", async (c) => {
  const id = c.req.param("id");
  const form = await formOf(c);
  await setup.setLocationActive(setupScope(c), id, form.active === "1");
  return seeOther(c, `${SETUP}/locations/${id}?saved=1`);
});

setupRoutes.post("/locations/:id/resources", async (c) => {
  const id = c.req.param("id");
  const values = pick(await formOf(c), RESOURCE_FIELDS);
  const parsed = validate(resourceSchema, values);
  if (!parsed.ok) return locationPage(c, id, 422, { resourceValues: values, resourceErrors: parsed.errors });
  await setup.addResource(setupScope(c), id, parsed.data);
  return seeOther(c, `${SETUP}/locations/${id}?saved=1`);
});

setupRoutes.post("/resources/:id/active", async (c) => {
  const form = await formOf(c);
  const locationId = await setup.setResourceActive(setupScope(c), c.req.param("id"), form.active === "1");
  return seeOther(c, `${SETUP}/locations/${locationId}?saved=1`);
});

// ---------------------------------------------------------------------------------------------
// Providers

async function providerFormOf(c: Ctx): Promise<ProviderFormValues> {
  const form = await formOf(c);
  const lists = await listsOf(c, ["location_ids", "type_ids"]);
  return { fields: pick(form, PROVIDER_FIELDS), locationIds: lists.location_ids ?? [], typeIds: lists.type_ids ?? [] };
}

function parseProvider(v: ProviderFormValues) {
  return validate(providerSchema, { ...v.fields, location_ids: v.locationIds, type_ids: v.typeIds });
}

async function newProviderPage(c: Ctx, values: ProviderFormValues, errors?: FieldErrors) {
  const options = await setup.providerOptions(setupScope(c));
  return page(c, "New provider", <NewProviderPage csrfToken={c.var.csrfToken} values={values} errors={errors} options={options} />, errors ? 422 : 200);
}

setupRoutes.get("/providers/new", (c) => newProviderPage(c, NEW_PROVIDER));

setupRoutes.post("/providers", async (c) => {
  const values = await providerFormOf(c);
  const parsed = parseProvider(values);
  if (!parsed.ok) return newProviderPage(c, values, parsed.errors);
  const result = await attempt(() => setup.createProvider(setupScope(c), parsed.data));
  if (!result.ok) return newProviderPage(c, values, result.errors);
  return seeOther(c, `${SETUP}/providers/${result.value}?saved=1`);
});

async function providerPage(c: Ctx, id: string, failed?: { values: ProviderFormValues; errors: FieldErrors }) {
  const scope = setupScope(c);
  const [found, options] = await Promise.all([setup.viewProvider(scope, id), setup.providerOptions(scope)]);
  return page(
    c,
    found.provider.displayName,
    <ProviderPage
      csrfToken={c.var.csrfToken}
      provider={found.provider}
      values={failed?.values ?? providerToForm(found.provider, found.locationIds, found.typeIds)}
      errors={failed?.errors}
      options={options}
      saved={saved(c)}
    />,
    failed ? 422 : 200,
  );
}

setupRoutes.get("/providers/:id", (c) => providerPage(c, c.req.param("id")));

setupRoutes.post("/providers/:id", async (c) => {
  const id = c.req.param("id");
  const values = await providerFormOf(c);
  const parsed = parseProvider(values);
  if (!parsed.ok) return providerPage(c, id, { values, errors: parsed.errors });
  const result = await attempt(() => setup.updateProvider(setupScope(c), id, parsed.data));
  if (!result.ok) return providerPage(c, id, { values, errors: result.errors });
  return seeOther(c, `${SETUP}/providers/${id}?saved=1`);
});

setupRoutes.post("/providers/:id/active", async (c) => {
  const id = c.req.param("id");
  const form = await formOf(c);
  await setup.setProviderActive(setupScope(c), id, form.active === "1");
  return seeOther(c, `${SETUP}/providers/${id}?saved=1`);
});

// ---------------------------------------------------------------------------------------------
// Weekly hours, date overrides and time off

async function availabilityPage(c: Ctx, providerId: string, failed?: { form: AvailabilityForm; values: FormValues; errors: FieldErrors }) {
  const { today, now } = clinicClock(c);
  const data = await setup.viewAvailability(setupScope(c), providerId, today, now);
  return page(
    c,
    `Hours: ${data.provider.displayName}`,
    <AvailabilityPage csrfToken={c.var.csrfToken} {...data} clinicTimezone={c.var.clinic.timezone} saved={saved(c)} failed={failed} />,
    failed ? 422 : 200,
  );
}

const availabilityPath = (providerId: string) => `${SETUP}/providers/${providerId}/availability?saved=1`;

setupRoutes.get("/providers/:id/availability", (c) => availabilityPage(c, c.req.param("id")));

setupRoutes.post("/providers/:id/rules", async (c) => {
  const id = c.req.param("id");
  const values = pick(await formOf(c), RULE_FIELDS);
  const parsed = validate(ruleSchema, values);
  if (!parsed.ok) return availabilityPage(c, id, { form: "rule", values, errors: parsed.errors });
  const result = await attempt(() => setup.addRule(setupScope(c), id, parsed.data));
  if (!result.ok) return availabilityPage(c, id, { form: "rule", values, errors: result.errors });
  return seeOther(c, availabilityPath(id));
});

setupRoutes.post("/rules/:id/delete", async (c) => {
  const providerId = await setup.deleteRule(setupScope(c), c.req.param("id"));
  return seeOther(c, availabilityPath(providerId));
});

setupRoutes.post("/providers/:id/overrides", async (c) => {
  const id = c.req.param("id");
  const values = pick(await formOf(c), OVERRIDE_FIELDS);
  const parsed = validate(overrideSchema, values);
  if (!parsed.ok) return availabilityPage(c, id, { form: "override", values, errors: parsed.errors });
  const result = await attempt(() => setup.addOverride(setupScope(c), id, parsed.data));
  if (!result.ok) return availabilityPage(c, id, { form: "override", values, errors: result.errors });
  return seeOther(c, availabilityPath(id));
});

setupRoutes.post("/overrides/:id/delete", async (c) => {
  const providerId = await setup.deleteOverride(setupScope(c), c.req.param("id"));
  return seeOther(c, availabilityPath(providerId));
});

setupRoutes.post("/providers/:id/time-off", async (c) => {
  const id = c.req.param("id");
  const values = pick(await formOf(c), TIME_OFF_FIELDS);
  const parsed = validate(timeOffSchema, values);
  if (!parsed.ok) return availabilityPage(c, id, { form: "time_off", values, errors: parsed.errors });
  const result = await attempt(() => setup.addTimeOff(setupScope(c), id, parsed.data));
  if (!result.ok) return availabilityPage(c, id, { form: "time_off", values, errors: result.errors });
  return seeOther(c, availabilityPath(id));
});

setupRoutes.post("/time-off/:id/delete", async (c) => {
  const providerId = await setup.deleteTimeOff(setupScope(c), c.req.param("id"));
  return seeOther(c, availabilityPath(providerId));
});

// ---------------------------------------------------------------------------------------------
// Appointment types

const TYPE_CHECKBOXES = ["needs_room", "bookable_online", "active"] as const;

async function typePage(c: Ctx, id: string | null, failed?: { values: FormValues; errors: FieldErrors }) {
  const scope = setupScope(c);
  const [type, { equipment }] = await Promise.all([id ? setup.viewAppointmentType(scope, id) : undefined, setup.typeOptions(scope)]);
  return page(
    c,
    type ? type.name : "New appointment type",
    <AppointmentTypePage
      csrfToken={c.var.csrfToken}
      type={type}
      values={failed?.values ?? (type ? typeToForm(type) : NEW_TYPE)}
      errors={failed?.errors}
      equipment={equipment}
      saved={saved(c)}
    />,
    failed ? 422 : 200,
  );
}

setupRoutes.get("/types/new", (c) => typePage(c, null));

setupRoutes.post("/types", async (c) => {
  const values = pick(await formOf(c), TYPE_FIELDS, TYPE_CHECKBOXES);
  const parsed = validate(appointmentTypeSchema, values);
  if (!parsed.ok) return typePage(c, null, { values, errors: parsed.errors });
  const result = await attempt(() => setup.createAppointmentType(setupScope(c), parsed.data));
  if (!result.ok) return typePage(c, null, { values, errors: result.errors });
  return seeOther(c, `${SETUP}/types/${result.value}?saved=1`);
});

setupRoutes.get("/types/:id", (c) => typePage(c, c.req.param("id")));

setupRoutes.post("/types/:id", async (c) => {
  const id = c.req.param("id");
  const values = pick(await formOf(c), TYPE_FIELDS, TYPE_CHECKBOXES);
  const parsed = validate(appointmentTypeSchema, values);
  if (!parsed.ok) return typePage(c, id, { values, errors: parsed.errors });
  const result = await attempt(() => setup.updateAppointmentType(setupScope(c), id, parsed.data));
  if (!result.ok) return typePage(c, id, { values, errors: result.errors });
  return seeOther(c, `${SETUP}/types/${id}?saved=1`);
});

// ---------------------------------------------------------------------------------------------
// Holidays

async function holidaysPage(c: Ctx, failed?: { values: FormValues; errors: FieldErrors }) {
  const data = await setup.viewHolidays(setupScope(c), clinicClock(c).today);
  return page(
    c,
    "Clinic holidays",
    <HolidaysPage csrfToken={c.var.csrfToken} {...data} values={failed?.values} errors={failed?.errors} saved={saved(c)} />,
    failed ? 422 : 200,
  );
}

setupRoutes.get("/holidays", (c) => holidaysPage(c));

setupRoutes.post("/holidays", async (c) => {
  const values = pick(await formOf(c), HOLIDAY_FIELDS);
  const parsed = validate(holidaySchema, values);
  if (!parsed.ok) return holidaysPage(c, { values, errors: parsed.errors });
  const result = await attempt(() => setup.addHoliday(setupScope(c), parsed.data));
  if (!result.ok) return holidaysPage(c, { values, errors: result.errors });
  return seeOther(c, `${SETUP}/holidays?saved=1`);
});

setupRoutes.post("/holidays/:id/delete", async (c) => {
  await setup.deleteHoliday(setupScope(c), c.req.param("id"));
  return seeOther(c, `${SETUP}/holidays?saved=1`);
});

// ---------------------------------------------------------------------------------------------
// Booking rules

setupRoutes.get("/booking-rules", async (c) => {
  const rules = await setup.viewBookingRules(setupScope(c));
  return page(c, "Booking rules", <BookingRulesPage csrfToken={c.var.csrfToken} values={bookingRulesToForm(rules)} saved={saved(c)} />);
});

setupRoutes.post("/booking-rules", async (c) => {
  const values = pick(await formOf(c), BOOKING_RULE_FIELDS);
  const parsed = validate(bookingRulesSchema, values);
  if (!parsed.ok) return page(c, "Booking rules", <BookingRulesPage csrfToken={c.var.csrfToken} values={values} errors={parsed.errors} />, 422);
  await setup.saveBookingRules(setupScope(c), parsed.data);
  return seeOther(c, `${SETUP}/booking-rules?saved=1`);
});
