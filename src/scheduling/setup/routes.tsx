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
import { formInput, queryInput } from "../../platform/validation";
import {
  activeForm,
  bookingRulesForm,
  holidayForm,
  locationForm,
  overrideForm,
  pickFields,
  providerForm,
  providerValues,
  resourceForm,
  ruleForm,
  savedQuery,
  timeOffForm,
  typeForm,
  BOOKING_RULE_FIELDS,
  HOLIDAY_FIELDS,
  LOCATION_FIELDS,
  OVERRIDE_FIELDS,
  RESOURCE_FIELDS,
  RULE_FIELDS,
  TIME_OFF_FIELDS,
  TYPE_CHECKBOXES,
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

setupRoutes.get("/", queryInput(savedQuery), async (c) => {
  const data = await setup.setupOverview(setupScope(c), clinicClock(c).today);
  return page(c, "Scheduling setup", <SetupOverview {...data} saved={c.req.valid("query").saved} />);
});

// ---------------------------------------------------------------------------------------------
// Locations, rooms and equipment

setupRoutes.get("/locations/new", (c) =>
  page(c, "New location", <NewLocationPage csrfToken={c.var.csrfToken} values={{ timezone: c.var.clinic.timezone }} />),
);

const newLocationInput = formInput(locationForm, (c, errors, raw) =>
  page(c, "New location", <NewLocationPage csrfToken={c.var.csrfToken} values={pickFields(raw, LOCATION_FIELDS)} errors={errors} />, 422),
);

setupRoutes.post("/locations", newLocationInput, async (c) => {
  const scope = setupScope(c);
  const id = await setup.createLocation(scope, c.req.valid("form").data);
  return seeOther(c, `${SETUP}/locations/${id}?saved=1`);
});

async function locationPage(c: Ctx, id: string, status: 200 | 422, extra: Partial<Parameters<typeof LocationPage>[0]> = {}) {
  const { location, resources } = await setup.viewLocation(setupScope(c), id);
  return page(c, location.name, <LocationPage csrfToken={c.var.csrfToken} location={location} resources={resources} {...extra} />, status);
}

setupRoutes.get("/locations/:id", queryInput(savedQuery), (c) => locationPage(c, c.req.param("id"), 200, { saved: c.req.valid("query").saved }));

// A location this clinic does not hold stays a 404, even when the form is bad.
const locationInput = formInput(locationForm, (c, errors, raw) =>
  locationPage(c, c.req.param("id") ?? "", 422, { values: pickFields(raw, LOCATION_FIELDS), errors }),
);

setupRoutes.post("/locations/:id", locationInput, async (c) => {
  const id = c.req.param("id");
  await setup.updateLocation(setupScope(c), id, c.req.valid("form").data);
  return seeOther(c, `${SETUP}/locations/${id}?saved=1`);
});

setupRoutes.post("/locations/:id/active", formInput(activeForm), async (c) => {
  const id = c.req.param("id");
  await setup.setLocationActive(setupScope(c), id, c.req.valid("form").active);
  return seeOther(c, `${SETUP}/locations/${id}?saved=1`);
});

const resourceInput = formInput(resourceForm, (c, errors, raw) =>
  locationPage(c, c.req.param("id") ?? "", 422, { resourceValues: pickFields(raw, RESOURCE_FIELDS), resourceErrors: errors }),
);

setupRoutes.post("/locations/:id/resources", resourceInput, async (c) => {
  const id = c.req.param("id");
  await setup.addResource(setupScope(c), id, c.req.valid("form").data);
  return seeOther(c, `${SETUP}/locations/${id}?saved=1`);
});

setupRoutes.post("/resources/:id/active", formInput(activeForm), async (c) => {
  const locationId = await setup.setResourceActive(setupScope(c), c.req.param("id"), c.req.valid("form").active);
  return seeOther(c, `${SETUP}/locations/${locationId}?saved=1`);
});

// ---------------------------------------------------------------------------------------------
// Providers

async function newProviderPage(c: Ctx, values: ProviderFormValues, errors?: FieldErrors) {
  const options = await setup.providerOptions(setupScope(c));
  return page(c, "New provider", <NewProviderPage csrfToken={c.var.csrfToken} values={values} errors={errors} options={options} />, errors ? 422 : 200);
}

setupRoutes.get("/providers/new", (c) => newProviderPage(c, NEW_PROVIDER));

const newProviderInput = formInput(providerForm, (c, errors, raw) => newProviderPage(c, providerValues(raw), errors));

setupRoutes.post("/providers", newProviderInput, async (c) => {
  const { values, data } = c.req.valid("form");
  const result = await attempt(() => setup.createProvider(setupScope(c), data));
  if (!result.ok) return newProviderPage(c, values, result.errors);
  return seeOther(c, `${SETUP}/providers/${result.value}?saved=1`);
});

async function providerPage(c: Ctx, id: string, failed?: { values: ProviderFormValues; errors: FieldErrors }, saved = false) {
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
      saved={saved}
    />,
    failed ? 422 : 200,
  );
}

setupRoutes.get("/providers/:id", queryInput(savedQuery), (c) => providerPage(c, c.req.param("id"), undefined, c.req.valid("query").saved));

const providerInput = formInput(providerForm, (c, errors, raw) => providerPage(c, c.req.param("id") ?? "", { values: providerValues(raw), errors }));

setupRoutes.post("/providers/:id", providerInput, async (c) => {
  const id = c.req.param("id");
  const { values, data } = c.req.valid("form");
  const result = await attempt(() => setup.updateProvider(setupScope(c), id, data));
  if (!result.ok) return providerPage(c, id, { values, errors: result.errors });
  return seeOther(c, `${SETUP}/providers/${id}?saved=1`);
});

setupRoutes.post("/providers/:id/active", formInput(activeForm), async (c) => {
  const id = c.req.param("id");
  await setup.setProviderActive(setupScope(c), id, c.req.valid("form").active);
  return seeOther(c, `${SETUP}/providers/${id}?saved=1`);
});

// ---------------------------------------------------------------------------------------------
// Weekly hours, date overrides and time off

async function availabilityPage(c: Ctx, providerId: string, failed?: { form: AvailabilityForm; values: FormValues; errors: FieldErrors }, saved = false) {
  const { today, now } = clinicClock(c);
  const data = await setup.viewAvailability(setupScope(c), providerId, today, now);
  return page(
    c,
    `Hours: ${data.provider.displayName}`,
    <AvailabilityPage csrfToken={c.var.csrfToken} {...data} clinicTimezone={c.var.clinic.timezone} saved={saved} failed={failed} />,
    failed ? 422 : 200,
  );
}

const availabilityPath = (providerId: string) => `${SETUP}/providers/${providerId}/availability?saved=1`;

setupRoutes.get("/providers/:id/availability", queryInput(savedQuery), (c) => availabilityPage(c, c.req.param("id"), undefined, c.req.valid("query").saved));

const ruleInput = formInput(ruleForm, (c, errors, raw) =>
  availabilityPage(c, c.req.param("id") ?? "", { form: "rule", values: pickFields(raw, RULE_FIELDS), errors }),
);

setupRoutes.post("/providers/:id/rules", ruleInput, async (c) => {
  const id = c.req.param("id");
  const { values, data } = c.req.valid("form");
  const result = await attempt(() => setup.addRule(setupScope(c), id, data));
  if (!result.ok) return availabilityPage(c, id, { form: "rule", values, errors: result.errors });
  return seeOther(c, availabilityPath(id));
});

setupRoutes.post("/rules/:id/delete", async (c) => {
  const providerId = await setup.deleteRule(setupScope(c), c.req.param("id"));
  return seeOther(c, availabilityPath(providerId));
});

const overrideInput = formInput(overrideForm, (c, errors, raw) =>
  availabilityPage(c, c.req.param("id") ?? "", { form: "override", values: pickFields(raw, OVERRIDE_FIELDS), errors }),
);

setupRoutes.post("/providers/:id/overrides", overrideInput, async (c) => {
  const id = c.req.param("id");
  const { values, data } = c.req.valid("form");
  const result = await attempt(() => setup.addOverride(setupScope(c), id, data));
  if (!result.ok) return availabilityPage(c, id, { form: "override", values, errors: result.errors });
  return seeOther(c, availabilityPath(id));
});

setupRoutes.post("/overrides/:id/delete", async (c) => {
  const providerId = await setup.deleteOverride(setupScope(c), c.req.param("id"));
  return seeOther(c, availabilityPath(providerId));
});

const timeOffInput = formInput(timeOffForm, (c, errors, raw) =>
  availabilityPage(c, c.req.param("id") ?? "", { form: "time_off", values: pickFields(raw, TIME_OFF_FIELDS), errors }),
);

setupRoutes.post("/providers/:id/time-off", timeOffInput, async (c) => {
  const id = c.req.param("id");
  const { values, data } = c.req.valid("form");
  const result = await attempt(() => setup.addTimeOff(setupScope(c), id, data));
  if (!result.ok) return availabilityPage(c, id, { form: "time_off", values, errors: result.errors });
  return seeOther(c, availabilityPath(id));
});

setupRoutes.post("/time-off/:id/delete", async (c) => {
  const providerId = await setup.deleteTimeOff(setupScope(c), c.req.param("id"));
  return seeOther(c, availabilityPath(providerId));
});

// ---------------------------------------------------------------------------------------------
// Appointment types

async function typePage(c: Ctx, id: string | null, failed?: { values: FormValues; errors: FieldErrors }, saved = false) {
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
      saved={saved}
    />,
    failed ? 422 : 200,
  );
}

setupRoutes.get("/types/new", (c) => typePage(c, null));

const typeValues = (raw: Parameters<typeof pickFields>[0]) => pickFields(raw, TYPE_FIELDS, TYPE_CHECKBOXES);

setupRoutes.post("/types", formInput(typeForm, (c, errors, raw) => typePage(c, null, { values: typeValues(raw), errors })), async (c) => {
  const { values, data } = c.req.valid("form");
  const result = await attempt(() => setup.createAppointmentType(setupScope(c), data));
  if (!result.ok) return typePage(c, null, { values, errors: result.errors });
  return seeOther(c, `${SETUP}/types/${result.value}?saved=1`);
});

setupRoutes.get("/types/:id", queryInput(savedQuery), (c) => typePage(c, c.req.param("id"), undefined, c.req.valid("query").saved));

const typeInput = formInput(typeForm, (c, errors, raw) => typePage(c, c.req.param("id") ?? "", { values: typeValues(raw), errors }));

setupRoutes.post("/types/:id", typeInput, async (c) => {
  const id = c.req.param("id");
  const { values, data } = c.req.valid("form");
  const result = await attempt(() => setup.updateAppointmentType(setupScope(c), id, data));
  if (!result.ok) return typePage(c, id, { values, errors: result.errors });
  return seeOther(c, `${SETUP}/types/${id}?saved=1`);
});

// ---------------------------------------------------------------------------------------------
// Holidays

async function holidaysPage(c: Ctx, failed?: { values: FormValues; errors: FieldErrors }, saved = false) {
  const data = await setup.viewHolidays(setupScope(c), clinicClock(c).today);
  return page(
    c,
    "Clinic holidays",
    <HolidaysPage csrfToken={c.var.csrfToken} {...data} values={failed?.values} errors={failed?.errors} saved={saved} />,
    failed ? 422 : 200,
  );
}

setupRoutes.get("/holidays", queryInput(savedQuery), (c) => holidaysPage(c, undefined, c.req.valid("query").saved));

const holidayInput = formInput(holidayForm, (c, errors, raw) => holidaysPage(c, { values: pickFields(raw, HOLIDAY_FIELDS), errors }));

setupRoutes.post("/holidays", holidayInput, async (c) => {
  const { values, data } = c.req.valid("form");
  const result = await attempt(() => setup.addHoliday(setupScope(c), data));
  if (!result.ok) return holidaysPage(c, { values, errors: result.errors });
  return seeOther(c, `${SETUP}/holidays?saved=1`);
});

setupRoutes.post("/holidays/:id/delete", async (c) => {
  await setup.deleteHoliday(setupScope(c), c.req.param("id"));
  return seeOther(c, `${SETUP}/holidays?saved=1`);
});

// ---------------------------------------------------------------------------------------------
// Booking rules

setupRoutes.get("/booking-rules", queryInput(savedQuery), async (c) => {
  const rules = await setup.viewBookingRules(setupScope(c));
  return page(c, "Booking rules", <BookingRulesPage csrfToken={c.var.csrfToken} values={bookingRulesToForm(rules)} saved={c.req.valid("query").saved} />);
});

const bookingRulesInput = formInput(bookingRulesForm, (c, errors, raw) =>
  page(c, "Booking rules", <BookingRulesPage csrfToken={c.var.csrfToken} values={pickFields(raw, BOOKING_RULE_FIELDS)} errors={errors} />, 422),
);

setupRoutes.post("/booking-rules", bookingRulesInput, async (c) => {
  await setup.saveBookingRules(setupScope(c), c.req.valid("form").data);
  return seeOther(c, `${SETUP}/booking-rules?saved=1`);
});
