// Setting up scheduling at a clinic: locations, rooms, appointment types, providers, weekly hours,
// overrides, time off, holidays and booking rules, through the Worker as a browser would.
import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { auditRows, Browser, clinicD1, fetchWorker, signedIn, type ClinicKey } from "../helpers";

const SETUP = "/settings/scheduling";
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

async function one<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T | null> {
  return clinicD1("north").prepare(sql).bind(...params).first<T>();
}

async function count(table: string, clinic: ClinicKey = "north"): Promise<number> {
  const row = await clinicD1(clinic).prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<{ n: number }>();
  return row!.n;
}

/** The id in a 303's Location header, e.g. /settings/scheduling/locations/<id>?saved=1. */
function idFrom(res: Response, kind: string): string {
  expect(res.status).toBe(303);
  const location = res.headers.get("location")!;
  const m = location.match(new RegExp(`^${SETUP}/${kind}/(${UUID.source})\\?saved=1$`));
  if (!m) throw new Error(`unexpected redirect ${location}`);
  return m[1]!;
}

/** Posts repeated fields (checkbox groups), which Browser.post's record cannot express. */
async function postPairs(b: Browser, path: string, pairs: [string, string][]): Promise<Response> {
  if (!b.cookies.has("__Host-csrf")) await b.get("/login");
  const body = new URLSearchParams([...pairs, ["_csrf", b.cookies.get("__Host-csrf")!]]);
  return fetchWorker(`${b.origin}${path}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/x-www-form-urlencoded", origin: b.origin, cookie: b.cookieHeader() },
  });
}

function locationForm(over: Record<string, string> = {}): Record<string, string> {
  return {
    name: "Main Street",
    address_line1: "100 Main St",
    city: "Springfield",
    region: "IL",
    postal_code: "62701",
    phone: "(555) 201-0000",
    timezone: "America/New_York",
    ...over,
  };
}

function typeForm(over: Record<string, string> = {}): Record<string, string> {
  return {
    name: "New patient visit",
    slug: "new-patient",
    duration_minutes: "60",
    buffer_before_minutes: "5",
    buffer_after_minutes: "10",
    price: "120.00",
    modality: "in_person",
    needs_room: "1",
    resource_id: "",
    bookable_online: "1",
    eligibility: "new",
    color: "#2F7D4F",
    active: "1",
    ...over,
  };
}

function providerPairs(over: Record<string, string>, locationIds: string[], typeIds: string[]): [string, string][] {
  const fields = { display_name: "Dr. Ana Lee", slug: "dr-lee", credentials: "MD", npi: "1234567893", color: "#0b5cad", user_id: "", ...over };
  return [...Object.entries(fields), ...locationIds.map((id): [string, string] => ["location_ids", id]), ...typeIds.map((id): [string, string] => ["type_ids", id])];
}

async function createLocation(b: Browser, over: Record<string, string> = {}): Promise<string> {
  return idFrom(await b.post(`${SETUP}/locations`, locationForm(over)), "locations");
}

async function createType(b: Browser, over: Record<string, string> = {}): Promise<string> {
  return idFrom(await b.post(`${SETUP}/types`, typeForm(over)), "types");
}

async function createProvider(b: Browser, over: Record<string, string>, locationIds: string[], typeIds: string[] = []): Promise<string> {
  return idFrom(await postPairs(b, `${SETUP}/providers`, providerPairs(over, locationIds, typeIds)), "providers");
}

async function gzipSize(body: string): Promise<number> {
  const stream = new Response(body).body!.pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

describe("who may set up scheduling", () => {
  it("refuses the front desk with 403, whatever it sends, and writes nothing", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    const before = await count("locations");
    expect((await desk.get(SETUP)).status).toBe(403);
    expect((await desk.get(`${SETUP}/locations/new`)).status).toBe(403);
    expect((await desk.post(`${SETUP}/locations`, locationForm())).status).toBe(403);
    expect((await desk.post(`${SETUP}/locations`, locationForm({ timezone: "Nowhere/Else" }))).status).toBe(403);
    expect((await desk.post(`${SETUP}/booking-rules`, { min_notice_minutes: "0" })).status).toBe(403);
    expect(await count("locations")).toBe(before);
    const html = await (await desk.get("/patients")).text();
    expect(html).not.toContain(`href="${SETUP}"`);
  });

  it("shows owners, administrators and chain administrators a light overview without inline styles or scripts", async () => {
    for (const user of [USERS.owner, USERS.admin, USERS.chainAdmin]) {
      const b = await signedIn("north", user.email);
      const res = await b.get(SETUP);
      expect(res.status, user.email).toBe(200);
      const html = await res.text();
      expect(html).toContain("Scheduling setup");
      expect(html).toContain(`href="${SETUP}/locations/new"`);
      expect(html).toContain("Booking rules");
      expect(html).not.toMatch(/\sstyle=/);
      expect(html).not.toMatch(/<script(?![^>]*\ssrc=)/);
      const gz = await gzipSize(html);
      expect(gz).toBeLessThan(4 * 1024);
    }
  });
});

describe("locations, rooms and equipment", () => {
  it("adds a location, redirects 303 with Saved., and audits the write", async () => {
    const b = await signedIn("north", USERS.owner.email);
    const form = await (await b.get(`${SETUP}/locations/new`)).text();
    expect(form).toContain('name="_csrf"');
    expect(form).toContain('value="America/New_York"');
    const res = await b.post(`${SETUP}/locations`, locationForm({ name: "Elm Clinic", timezone: "america/chicago" }));
    const id = idFrom(res, "locations");
    expect(await one("SELECT * FROM locations WHERE id = ?", id)).toMatchObject({
      name: "Elm Clinic",
      address_line1: "100 Main St",
      city: "Springfield",
      postal_code: "62701",
      phone: "(555) 201-0000",
      timezone: "America/Chicago",
      active: 1,
    });
    const audit = await auditRows("north", "event = 'scheduling.location.create' AND entity_id = ?", id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "create", entity_type: "location", user_id: USERS.owner.id, outcome: "success" });

    const page = await (await b.get(`${SETUP}/locations/${id}?saved=1`)).text();
    expect(page).toContain("Saved.");
    expect(page).toContain("Elm Clinic");
    expect(await (await b.get(SETUP)).text()).toContain(`href="${SETUP}/locations/${id}"`);
  });

  it("refuses an unknown timezone with 422 next to the field, keeps the input, and writes nothing", async () => {
    const b = await signedIn("north", USERS.owner.email);
    const before = await count("locations");
    const audits = (await auditRows("north", "event = 'scheduling.location.create'")).length;
    for (const tz of ["Mars/Olympus_Mons", "+05:00", ""]) {
      const res = await b.post(`${SETUP}/locations`, locationForm({ name: "Nowhere", timezone: tz, phone: "12" }));
      expect(res.status, tz).toBe(422);
      const html = await res.text();
      expect(html).toMatch(/id="f-timezone-error">Timezone (must be an IANA timezone name|is required)/);
      expect(html).toContain('id="f-phone-error">Phone must be a phone number');
      expect(html).toMatch(/id="f-timezone"[^>]*aria-invalid="true"/);
      expect(html).toContain('value="Nowhere"');
    }
    expect(await count("locations")).toBe(before);
    expect(await auditRows("north", "event = 'scheduling.location.create'")).toHaveLength(audits);
  });

  it("edits and deactivates a location, auditing the changed fields", async () => {
    const b = await signedIn("north", USERS.admin.email);
    const id = await createLocation(b, { name: "Oak Street" });
    const res = await b.post(`${SETUP}/locations/${id}`, locationForm({ name: "Oak Street Annex", phone: "" }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${SETUP}/locations/${id}?saved=1`);
    expect(await one("SELECT name, phone FROM locations WHERE id = ?", id)).toEqual({ name: "Oak Street Annex", phone: null });
    const upd = await auditRows("north", "event = 'scheduling.location.update' AND entity_id = ?", id);
    expect(upd).toHaveLength(1);
    expect(upd[0]).toMatchObject({ action: "update", detail: "changed: name, phone" });

    const bad = await b.post(`${SETUP}/locations/${id}`, locationForm({ name: "" }));
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('id="f-name-error">Name is required.');
    expect(await one("SELECT name FROM locations WHERE id = ?", id)).toEqual({ name: "Oak Street Annex" });

    expect((await b.post(`${SETUP}/locations/${id}/active`, { active: "0" })).status).toBe(303);
    expect(await one("SELECT active FROM locations WHERE id = ?", id)).toEqual({ active: 0 });
    expect(await auditRows("north", "event = 'scheduling.location.deactivate' AND entity_id = ?", id)).toHaveLength(1);
    const page = await (await b.get(`${SETUP}/locations/${id}`)).text();
    expect(page).toContain("Activate location");
    expect((await b.post(`${SETUP}/locations/${id}/active`, { active: "1" })).status).toBe(303);
    expect(await one("SELECT active FROM locations WHERE id = ?", id)).toEqual({ active: 1 });
  });

  it("adds rooms and equipment to a location and deactivates one", async () => {
    const b = await signedIn("north", USERS.owner.email);
    const loc = await createLocation(b, { name: "Birch Clinic" });
    const res = await b.post(`${SETUP}/locations/${loc}/resources`, { resource_name: "Exam room 1", resource_kind: "room" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${SETUP}/locations/${loc}?saved=1`);
    const room = await one<{ id: string; kind: string; active: number }>("SELECT id, kind, active FROM resources WHERE location_id = ? AND name = 'Exam room 1'", loc);
    expect(room).toMatchObject({ kind: "room", active: 1 });
    expect(await auditRows("north", "event = 'scheduling.resource.create' AND entity_id = ?", room!.id)).toHaveLength(1);

    const before = await count("resources");
    const bad = await b.post(`${SETUP}/locations/${loc}/resources`, { resource_name: "Closet", resource_kind: "cupboard" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('id="f-resource_kind-error">Choose room or equipment.');
    expect(await count("resources")).toBe(before);

    const off = await b.post(`${SETUP}/resources/${room!.id}/active`, { active: "0" });
    expect(off.status).toBe(303);
    expect(off.headers.get("location")).toBe(`${SETUP}/locations/${loc}?saved=1`);
    expect(await one("SELECT active FROM resources WHERE id = ?", room!.id)).toEqual({ active: 0 });
    expect(await auditRows("north", "event = 'scheduling.resource.deactivate' AND entity_id = ?", room!.id)).toHaveLength(1);
    const page = await (await b.get(`${SETUP}/locations/${loc}`)).text();
    expect(page).toContain("Exam room 1");
    expect(page).toContain("Inactive");
  });

  it("answers 404 for another clinic's location and for made-up ids, and writes nothing", async () => {
    const hill = await signedIn("hillcrest", USERS.hillOwner.email);
    const hillId = await createLocation(hill, { name: "Hillcrest Main" });
    const north = await signedIn("north", USERS.owner.email);
    const resources = await count("resources");
    expect((await north.get(`${SETUP}/locations/${hillId}`)).status).toBe(404);
    expect((await north.post(`${SETUP}/locations/${hillId}`, locationForm({ name: "Taken over" }))).status).toBe(404);
    expect((await north.post(`${SETUP}/locations/${hillId}`, locationForm({ timezone: "bad" }))).status).toBe(404);
    expect((await north.post(`${SETUP}/locations/${hillId}/active`, { active: "0" })).status).toBe(404);
    expect((await north.post(`${SETUP}/locations/${hillId}/resources`, { resource_name: "Sneaky", resource_kind: "room" })).status).toBe(404);
    expect((await north.get(`${SETUP}/locations/not-a-real-id`)).status).toBe(404);
    expect((await north.post(`${SETUP}/resources/not-a-real-id/active`, { active: "0" })).status).toBe(404);
    expect((await north.get(`${SETUP}/providers/not-a-real-id`)).status).toBe(404);
    expect((await north.get(`${SETUP}/types/not-a-real-id`)).status).toBe(404);
    expect(await count("resources")).toBe(resources);
    const still = await clinicD1("hillcrest").prepare("SELECT name, active FROM locations WHERE id = ?").bind(hillId).first();
    expect(still).toEqual({ name: "Hillcrest Main", active: 1 });
  });
});

describe("appointment types", () => {
  it("adds a type with the price in cents, its checkboxes and equipment, and audits it", async () => {
    const b = await signedIn("north", USERS.owner.email);
    const loc = await createLocation(b, { name: "Imaging Center" });
    await b.post(`${SETUP}/locations/${loc}/resources`, { resource_name: "Ultrasound", resource_kind: "equipment" });
    await b.post(`${SETUP}/locations/${loc}/resources`, { resource_name: "Room U", resource_kind: "room" });
    const eq = (await one<{ id: string }>("SELECT id FROM resources WHERE name = 'Ultrasound'"))!.id;
    const roomId = (await one<{ id: string }>("SELECT id FROM resources WHERE name = 'Room U'"))!.id;
    const form = await (await b.get(`${SETUP}/types/new`)).text();
    expect(form).toContain(`<option value="${eq}">Ultrasound (Imaging Center)</option>`);
    expect(form).not.toContain(roomId);
    expect(form).toMatch(/<label for="f-needs_room">/);

    const { needs_room: _n, ...noRoom } = typeForm();
    const created = await b.post(`${SETUP}/types`, { ...noRoom, slug: "ultrasound-30", name: "Ultrasound", price: "99.5", duration_minutes: "30", resource_id: eq });
    const id = idFrom(created, "types");
    expect(await one("SELECT * FROM appointment_types WHERE id = ?", id)).toMatchObject({
      name: "Ultrasound",
      slug: "ultrasound-30",
      duration_minutes: 30,
      buffer_before_minutes: 5,
      buffer_after_minutes: 10,
      price_cents: 9950,
      modality: "in_person",
      needs_room: 0,
      resource_id: eq,
      bookable_online: 1,
      eligibility: "new",
      color: "#2f7d4f",
      active: 1,
    });
    const audit = await auditRows("north", "event = 'scheduling.appointment_type.create' AND entity_id = ?", id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "create", entity_type: "appointment_type" });
    const page = await (await b.get(`${SETUP}/types/${id}?saved=1`)).text();
    expect(page).toContain("Saved.");
    expect(page).toContain('value="99.50"');

    const roomAsEquipment = await b.post(`${SETUP}/types`, typeForm({ slug: "room-as-eq", resource_id: roomId }));
    expect(roomAsEquipment.status).toBe(422);
    expect(await roomAsEquipment.text()).toContain('id="f-resource_id-error">Choose equipment from the list');
  });

  it("refuses a negative price, a duplicate slug and an out-of-range duration with 422 naming the field", async () => {
    const b = await signedIn("north", USERS.owner.email);
    await createType(b, { slug: "follow-up", name: "Follow-up", price: "120.00" });
    expect(await one("SELECT price_cents FROM appointment_types WHERE slug = 'follow-up'")).toEqual({ price_cents: 12000 });
    const before = await count("appointment_types");
    const audits = (await auditRows("north", "event = 'scheduling.appointment_type.create'")).length;

    const negative = await b.post(`${SETUP}/types`, typeForm({ slug: "free-ish", price: "-5.00" }));
    expect(negative.status).toBe(422);
    const nhtml = await negative.text();
    expect(nhtml).toContain('id="f-price-error">Price cannot be negative');
    expect(nhtml).toContain('value="-5.00"');

    const dup = await b.post(`${SETUP}/types`, typeForm({ slug: "follow-up", name: "Another follow-up" }));
    expect(dup.status).toBe(422);
    expect(await dup.text()).toContain('id="f-slug-error">Booking link name “follow-up” is already used by Follow-up');

    const bad = await b.post(`${SETUP}/types`, typeForm({ slug: "Bad Slug", duration_minutes: "4", buffer_after_minutes: "121", price: "12.345" }));
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('id="f-slug-error">Booking link name may contain only lowercase letters, digits and hyphens');
    expect(html).toContain('id="f-duration_minutes-error">Duration must be a whole number of minutes from 5 to 480.');
    expect(html).toContain('id="f-buffer_after_minutes-error">Buffer after must be a whole number of minutes from 0 to 120.');
    expect(html).toContain('id="f-price-error">Price must be an amount in dollars');

    expect(await count("appointment_types")).toBe(before);
    expect(await auditRows("north", "event = 'scheduling.appointment_type.create'")).toHaveLength(audits);
  });

  it("edits a type: unticked checkboxes turn off, and a slug may be kept", async () => {
    const b = await signedIn("north", USERS.admin.email);
    const id = await createType(b, { slug: "telehealth-15", name: "Telehealth check-in", modality: "telehealth", duration_minutes: "15" });
    const { active: _a, bookable_online: _b, ...unticked } = typeForm({ slug: "telehealth-15", name: "Telehealth check-in", modality: "telehealth", duration_minutes: "20" });
    const res = await b.post(`${SETUP}/types/${id}`, unticked);
    expect(res.status).toBe(303);
    expect(await one("SELECT duration_minutes, active, bookable_online, modality FROM appointment_types WHERE id = ?", id)).toEqual({
      duration_minutes: 20,
      active: 0,
      bookable_online: 0,
      modality: "telehealth",
    });
    const audit = await auditRows("north", "event = 'scheduling.appointment_type.update' AND entity_id = ?", id);
    expect(audit[0]!.detail).toBe("changed: durationMinutes, bookableOnline, active");
  });
});

describe("providers", () => {
  it("adds a provider with their locations, types and staff account in one batch, and audits it", async () => {
    const b = await signedIn("north", USERS.owner.email);
    const a = await createLocation(b, { name: "Provider Site A" });
    const c = await createLocation(b, { name: "Provider Site C" });
    const t = await createType(b, { slug: "annual-physical", name: "Annual physical" });
    const form = await (await b.get(`${SETUP}/providers/new`)).text();
    expect(form).toContain(`<option value="${USERS.provider.id}">${USERS.provider.name} (${USERS.provider.email})</option>`);
    expect(form).not.toContain(USERS.frontDesk.email);
    expect(form).toMatch(new RegExp(`<input type="checkbox" id="f-location_ids-\\d+" name="location_ids" value="${a}"`));
    expect(form).toMatch(/<label for="f-location_ids-0">/);

    const id = await createProvider(b, { slug: "dr-priya", display_name: "Dr. Priya Provider", user_id: USERS.provider.id }, [a, c], [t]);
    expect(await one("SELECT * FROM providers WHERE id = ?", id)).toMatchObject({
      display_name: "Dr. Priya Provider",
      slug: "dr-priya",
      credentials: "MD",
      npi: "1234567893",
      color: "#0b5cad",
      user_id: USERS.provider.id,
      active: 1,
    });
    const locs = await clinicD1("north").prepare("SELECT location_id FROM provider_locations WHERE provider_id = ? ORDER BY location_id").bind(id).all();
    expect(locs.results.map((r) => r.location_id)).toEqual([a, c].sort());
    const types = await clinicD1("north").prepare("SELECT appointment_type_id FROM provider_appointment_types WHERE provider_id = ?").bind(id).all();
    expect(types.results).toEqual([{ appointment_type_id: t }]);
    const audit = await auditRows("north", "event = 'scheduling.provider.create' AND entity_id = ?", id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "create", entity_type: "provider", detail: "Dr. Priya Provider: 2 location(s), 1 appointment type(s)" });

    const page = await (await b.get(`${SETUP}/providers/${id}?saved=1`)).text();
    expect(page).toContain("Saved.");
    expect(page).toMatch(new RegExp(`value="${a}" checked`));
    expect(await (await b.get(SETUP)).text()).toContain("/book/dr-priya");
  });

  it("refuses a bad NPI check digit, a taken slug, a non-provider account and unknown locations with 422", async () => {
    const b = await signedIn("north", USERS.owner.email);
    const loc = await createLocation(b, { name: "NPI Site" });
    await createProvider(b, { slug: "dr-taken", display_name: "Dr. Taken" }, [loc]);
    const before = { p: await count("providers"), l: await count("provider_locations"), t: await count("provider_appointment_types") };
    const audits = (await auditRows("north", "event = 'scheduling.provider.create'")).length;

    const npi = await postPairs(b, `${SETUP}/providers`, providerPairs({ slug: "dr-npi", npi: "1234567890" }, [loc], []));
    expect(npi.status).toBe(422);
    const nhtml = await npi.text();
    expect(nhtml).toContain('id="f-npi-error">NPI check digit does not match');
    expect(nhtml).toMatch(new RegExp(`value="${loc}" checked`));
    const short = await postPairs(b, `${SETUP}/providers`, providerPairs({ slug: "dr-npi", npi: "12345" }, [loc], []));
    expect(await short.text()).toContain('id="f-npi-error">NPI must be exactly 10 digits.');

    const dup = await postPairs(b, `${SETUP}/providers`, providerPairs({ slug: "dr-taken" }, [loc], []));
    expect(dup.status).toBe(422);
    expect(await dup.text()).toContain('id="f-slug-error">Booking link name “dr-taken” is already used by Dr. Taken');

    const notProvider = await postPairs(b, `${SETUP}/providers`, providerPairs({ slug: "dr-desk", user_id: USERS.frontDesk.id }, [loc], []));
    expect(notProvider.status).toBe(422);
    expect(await notProvider.text()).toContain('id="f-user_id-error">Choose a staff member with the provider role');

    const unknown = await postPairs(b, `${SETUP}/providers`, providerPairs({ slug: "dr-unknown" }, ["made-up-location"], ["made-up-type"]));
    expect(unknown.status).toBe(422);
    const uhtml = await unknown.text();
    expect(uhtml).toContain('id="f-location_ids-error">Choose locations from the list.');
    expect(uhtml).toContain('id="f-type_ids-error">Choose appointment types from the list.');

    const badColor = await postPairs(b, `${SETUP}/providers`, providerPairs({ slug: "dr-color", color: "blue" }, [loc], []));
    expect(await badColor.text()).toContain('id="f-color-error">Colour must be a colour like #0b5cad.');

    expect({ p: await count("providers"), l: await count("provider_locations"), t: await count("provider_appointment_types") }).toEqual(before);
    expect(await auditRows("north", "event = 'scheduling.provider.create'")).toHaveLength(audits);
  });

  it("edits a provider, replacing their locations and types, and deactivates them", async () => {
    const b = await signedIn("north", USERS.admin.email);
    const x = await createLocation(b, { name: "Edit Site X" });
    const y = await createLocation(b, { name: "Edit Site Y" });
    const t1 = await createType(b, { slug: "edit-type-1", name: "Edit type 1" });
    const t2 = await createType(b, { slug: "edit-type-2", name: "Edit type 2" });
    const id = await createProvider(b, { slug: "dr-edit", display_name: "Dr. Edit" }, [x], [t1]);
    const res = await postPairs(b, `${SETUP}/providers/${id}`, providerPairs({ slug: "dr-edited", display_name: "Dr. Edit", npi: "" }, [y], [t1, t2]));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${SETUP}/providers/${id}?saved=1`);
    expect(await one("SELECT slug, npi FROM providers WHERE id = ?", id)).toEqual({ slug: "dr-edited", npi: null });
    const locs = await clinicD1("north").prepare("SELECT location_id FROM provider_locations WHERE provider_id = ?").bind(id).all();
    expect(locs.results).toEqual([{ location_id: y }]);
    expect(await count("provider_appointment_types")).toBeGreaterThanOrEqual(2);
    const types = await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM provider_appointment_types WHERE provider_id = ?").bind(id).first();
    expect(types).toEqual({ n: 2 });
    const audit = await auditRows("north", "event = 'scheduling.provider.update' AND entity_id = ?", id);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toBe("changed: slug, npi, locations, appointment types");

    expect((await b.post(`${SETUP}/providers/${id}/active`, { active: "0" })).status).toBe(303);
    expect(await one("SELECT active FROM providers WHERE id = ?", id)).toEqual({ active: 0 });
    expect(await auditRows("north", "event = 'scheduling.provider.deactivate' AND entity_id = ?", id)).toHaveLength(1);
  });
});

describe("weekly hours, overrides and time off", () => {
  async function providerAt(b: Browser, slug: string, tz = "America/New_York"): Promise<{ provider: string; location: string }> {
    const location = await createLocation(b, { name: `Hours site ${slug}`, timezone: tz });
    const provider = await createProvider(b, { slug, display_name: `Dr. ${slug}` }, [location]);
    return { provider, location };
  }

  it("adds weekly rules (one across midnight), lists them by weekday, and deletes one", async () => {
    const b = await signedIn("north", USERS.owner.email);
    const { provider, location } = await providerAt(b, "dr-hours");
    const base = `${SETUP}/providers/${provider}`;
    const res = await b.post(`${base}/rules`, { location_id: location, weekday: "1", kind: "work", start_time: "09:00", end_time: "17:00", valid_from: "", valid_until: "" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${base}/availability?saved=1`);
    const rule = await one<{ id: string }>("SELECT * FROM availability_rules WHERE provider_id = ? AND weekday = 1", provider);
    expect(rule).toMatchObject({ location_id: location, kind: "work", start_time: "09:00", end_time: "17:00", valid_from: null, valid_until: null });
    expect(await auditRows("north", "event = 'scheduling.availability_rule.create' AND entity_id = ?", rule!.id)).toHaveLength(1);

    const night = await b.post(`${base}/rules`, {
      location_id: location,
      weekday: "5",
      kind: "work",
      start_time: "22:00",
      end_time: "02:00",
      valid_from: "2030-01-01",
      valid_until: "2030-06-30",
    });
    expect(night.status).toBe(303);
    await b.post(`${base}/rules`, { location_id: location, weekday: "1", kind: "break", start_time: "12:00", end_time: "12:30", valid_from: "", valid_until: "" });

    const page = await (await b.get(`${base}/availability?saved=1`)).text();
    expect(page).toContain("Saved.");
    expect(page).toContain("<dt>Monday</dt>");
    expect(page).toContain("09:00–17:00");
    expect(page).toContain("Break 12:00–12:30");
    expect(page).toContain("<dt>Friday</dt>");
    expect(page).toContain("22:00–02:00 (next day)");
    expect(page).not.toContain("<dt>Tuesday</dt>");
    expect(page).not.toMatch(/\sstyle=/);

    const del = await b.post(`${SETUP}/rules/${rule!.id}/delete`, {});
    expect(del.status).toBe(303);
    expect(del.headers.get("location")).toBe(`${base}/availability?saved=1`);
    expect(await one("SELECT id FROM availability_rules WHERE id = ?", rule!.id)).toBeNull();
    const audit = await auditRows("north", "event = 'scheduling.availability_rule.delete' AND entity_id = ?", rule!.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "delete", entity_type: "availability_rule" });
    expect((await b.post(`${SETUP}/rules/${rule!.id}/delete`, {})).status).toBe(404);
  });

  it("refuses a malformed end time, a location the provider does not work at, and dates out of order with 422", async () => {
    const b = await signedIn("north", USERS.owner.email);
    const { provider, location } = await providerAt(b, "dr-malformed");
    const elsewhere = await createLocation(b, { name: "Not theirs" });
    const before = await count("availability_rules");
    const rule = { location_id: location, weekday: "2", kind: "work", start_time: "09:00", end_time: "17:00", valid_from: "", valid_until: "" };

    for (const end of ["25:00", "5pm", "9:00", ""]) {
      const res = await b.post(`${SETUP}/providers/${provider}/rules`, { ...rule, end_time: end });
      expect(res.status, end).toBe(422);
      const html = await res.text();
      expect(html, end).toContain('id="f-end_time-error">End time must be a time as HH:MM (24-hour)');
      expect(html).toMatch(/id="f-end_time"[^>]*aria-invalid="true"/);
    }
    const weekday = await b.post(`${SETUP}/providers/${provider}/rules`, { ...rule, weekday: "8" });
    expect(await weekday.text()).toContain('id="f-weekday-error">Choose a weekday.');
    const order = await b.post(`${SETUP}/providers/${provider}/rules`, { ...rule, valid_from: "2030-02-01", valid_until: "2030-01-01" });
    expect(order.status).toBe(422);
    expect(await order.text()).toContain('id="f-valid_until-error">Valid until must be on or after valid from.');
    const notTheirs = await b.post(`${SETUP}/providers/${provider}/rules`, { ...rule, location_id: elsewhere });
    expect(notTheirs.status).toBe(422);
    expect(await notTheirs.text()).toContain('id="f-location_id-error">Choose one of the locations where Dr. dr-malformed works.');
    expect(await count("availability_rules")).toBe(before);
  });

  it("adds and deletes date overrides", async () => {
    const b = await signedIn("north", USERS.admin.email);
    const { provider, location } = await providerAt(b, "dr-override");
    const base = `${SETUP}/providers/${provider}`;
    const off = await b.post(`${base}/overrides`, { override_date: "2030-07-04", override_location_id: location, override_kind: "unavailable", override_start: "", override_end: "" });
    expect(off.status).toBe(303);
    const on = await b.post(`${base}/overrides`, { override_date: "2030-07-05", override_location_id: location, override_kind: "available", override_start: "10:00", override_end: "14:00" });
    expect(on.status).toBe(303);
    const rows = await clinicD1("north").prepare("SELECT id, date, kind, start_time, end_time FROM availability_overrides WHERE provider_id = ? ORDER BY date").bind(provider).all();
    expect(rows.results.map(({ id: _id, ...r }) => r)).toEqual([
      { date: "2030-07-04", kind: "unavailable", start_time: null, end_time: null },
      { date: "2030-07-05", kind: "available", start_time: "10:00", end_time: "14:00" },
    ]);
    expect(await auditRows("north", "event = 'scheduling.availability_override.create' AND detail LIKE ?", `provider ${provider}%`)).toHaveLength(2);
    const page = await (await b.get(`${base}/availability`)).text();
    expect(page).toContain("Jul 4, 2030");
    expect(page).toContain("available 10:00–14:00");

    const before = await count("availability_overrides");
    const missing = await b.post(`${base}/overrides`, { override_date: "2030-07-06", override_location_id: location, override_kind: "available", override_start: "", override_end: "1pm" });
    expect(missing.status).toBe(422);
    const html = await missing.text();
    expect(html).toContain('id="f-override_end-error">End time must be a time as HH:MM');
    const noStart = await b.post(`${base}/overrides`, { override_date: "2030-07-06", override_location_id: location, override_kind: "available", override_start: "", override_end: "13:00" });
    expect(await noStart.text()).toContain('id="f-override_start-error">Start time is required when the provider is available that day.');
    const badDate = await b.post(`${base}/overrides`, { override_date: "2030-02-30", override_location_id: location, override_kind: "unavailable", override_start: "", override_end: "" });
    expect(await badDate.text()).toContain('id="f-override_date-error">Date must be a real date');
    expect(await count("availability_overrides")).toBe(before);

    const first = rows.results[0]!.id as string;
    const del = await b.post(`${SETUP}/overrides/${first}/delete`, {});
    expect(del.status).toBe(303);
    expect(await one("SELECT id FROM availability_overrides WHERE id = ?", first)).toBeNull();
    expect(await auditRows("north", "event = 'scheduling.availability_override.delete' AND entity_id = ?", first)).toHaveLength(1);
  });

  it("stores time off as instants read in the location's timezone, refuses an end before the start, and deletes it", async () => {
    const b = await signedIn("north", USERS.owner.email);
    const { provider, location } = await providerAt(b, "dr-berlin", "Europe/Berlin");
    const base = `${SETUP}/providers/${provider}`;
    const res = await b.post(`${base}/time-off`, {
      off_location_id: location,
      off_start_date: "2030-12-24",
      off_start_time: "09:00",
      off_end_date: "2030-12-26",
      off_end_time: "17:30",
      off_reason: "Holidays with family",
    });
    expect(res.status).toBe(303);
    const row = await one<{ id: string; starts_at: number; ends_at: number; reason: string }>("SELECT * FROM time_off WHERE provider_id = ?", provider);
    // Berlin is UTC+1 in December.
    expect(row).toMatchObject({ starts_at: Date.UTC(2030, 11, 24, 8, 0), ends_at: Date.UTC(2030, 11, 26, 16, 30), reason: "Holidays with family" });
    expect(await auditRows("north", "event = 'scheduling.time_off.create' AND entity_id = ?", row!.id)).toHaveLength(1);

    // No location: the clinic's timezone (America/New_York, UTC-4 in July).
    await b.post(`${base}/time-off`, { off_location_id: "", off_start_date: "2030-07-01", off_start_time: "00:00", off_end_date: "2030-07-01", off_end_time: "12:00", off_reason: "" });
    expect(await one("SELECT starts_at, ends_at, reason FROM time_off WHERE provider_id = ? AND starts_at < ?", provider, row!.starts_at)).toEqual({
      starts_at: Date.UTC(2030, 6, 1, 4, 0),
      ends_at: Date.UTC(2030, 6, 1, 16, 0),
      reason: null,
    });
    const page = await (await b.get(`${base}/availability`)).text();
    expect(page).toContain("2030-12-24 03:00 to 2030-12-26 11:30");
    expect(page).toContain("Holidays with family");

    const before = await count("time_off");
    const backwards = await b.post(`${base}/time-off`, { off_location_id: location, off_start_date: "2030-12-24", off_start_time: "09:00", off_end_date: "2030-12-24", off_end_time: "08:00", off_reason: "" });
    expect(backwards.status).toBe(422);
    expect(await backwards.text()).toContain('id="f-off_end_date-error">The end must be after the start.');
    const badTime = await b.post(`${base}/time-off`, { off_location_id: location, off_start_date: "2030-12-24", off_start_time: "9", off_end_date: "2030-12-24", off_end_time: "18:00", off_reason: "" });
    expect(await badTime.text()).toContain('id="f-off_start_time-error">Start time must be a time as HH:MM');
    expect(await count("time_off")).toBe(before);

    const del = await b.post(`${SETUP}/time-off/${row!.id}/delete`, {});
    expect(del.status).toBe(303);
    expect(await one("SELECT id FROM time_off WHERE id = ?", row!.id)).toBeNull();
    expect(await auditRows("north", "event = 'scheduling.time_off.delete' AND entity_id = ?", row!.id)).toHaveLength(1);
  });

  it("answers 404 for a made-up provider or another clinic's provider", async () => {
    const hill = await signedIn("hillcrest", USERS.hillOwner.email);
    const hillLoc = await createLocation(hill, { name: "Hill hours" });
    const hillProvider = await createProvider(hill, { slug: "dr-hill" }, [hillLoc]);
    const b = await signedIn("north", USERS.owner.email);
    const before = await count("availability_rules", "hillcrest");
    const rule = { location_id: hillLoc, weekday: "1", kind: "work", start_time: "09:00", end_time: "17:00", valid_from: "", valid_until: "" };
    expect((await b.get(`${SETUP}/providers/${hillProvider}/availability`)).status).toBe(404);
    expect((await b.post(`${SETUP}/providers/${hillProvider}/rules`, rule)).status).toBe(404);
    expect((await b.post(`${SETUP}/providers/${hillProvider}/rules`, { ...rule, end_time: "bad" })).status).toBe(404);
    expect((await b.post(`${SETUP}/providers/${hillProvider}`, { display_name: "x" })).status).toBe(404);
    expect((await b.get(`${SETUP}/providers/nope/availability`)).status).toBe(404);
    expect((await b.post(`${SETUP}/overrides/nope/delete`, {})).status).toBe(404);
    expect((await b.post(`${SETUP}/time-off/nope/delete`, {})).status).toBe(404);
    expect(await count("availability_rules", "hillcrest")).toBe(before);
  });
});

describe("clinic holidays", () => {
  it("adds a holiday for the clinic or one location, lists it, and deletes it", async () => {
    const b = await signedIn("north", USERS.owner.email);
    const loc = await createLocation(b, { name: "Holiday Site" });
    const res = await b.post(`${SETUP}/holidays`, { date: "2030-12-25", name: "Christmas Day", location_id: "" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${SETUP}/holidays?saved=1`);
    await b.post(`${SETUP}/holidays`, { date: "2030-11-28", name: "Thanksgiving", location_id: loc });
    const xmas = await one<{ id: string; location_id: string | null }>("SELECT id, location_id FROM holidays WHERE name = 'Christmas Day'");
    expect(xmas!.location_id).toBeNull();
    expect(await one("SELECT location_id FROM holidays WHERE name = 'Thanksgiving'")).toEqual({ location_id: loc });
    expect(await auditRows("north", "event = 'scheduling.holiday.create' AND entity_id = ?", xmas!.id)).toHaveLength(1);
    const page = await (await b.get(`${SETUP}/holidays?saved=1`)).text();
    expect(page).toContain("Saved.");
    expect(page).toContain("Dec 25, 2030");
    expect(page).toContain("Whole clinic");
    expect(page.indexOf("Thanksgiving")).toBeLessThan(page.indexOf("Christmas Day"));

    const before = await count("holidays");
    const bad = await b.post(`${SETUP}/holidays`, { date: "25/12/2030", name: "", location_id: "made-up" });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('id="f-date-error">Date must be a real date, as YYYY-MM-DD.');
    expect(html).toContain('id="f-name-error">Name is required.');
    const unknownLocation = await b.post(`${SETUP}/holidays`, { date: "2030-01-01", name: "New Year", location_id: "made-up" });
    expect(unknownLocation.status).toBe(422);
    expect(await unknownLocation.text()).toContain('id="f-location_id-error">Choose a location from the list');
    expect(await count("holidays")).toBe(before);

    expect((await b.post(`${SETUP}/holidays/${xmas!.id}/delete`, {})).status).toBe(303);
    expect(await one("SELECT id FROM holidays WHERE id = ?", xmas!.id)).toBeNull();
    expect(await auditRows("north", "event = 'scheduling.holiday.delete' AND entity_id = ?", xmas!.id)).toHaveLength(1);
    expect((await b.post(`${SETUP}/holidays/${xmas!.id}/delete`, {})).status).toBe(404);
  });
});

describe("booking rules", () => {
  const rules = {
    min_notice_minutes: "240",
    max_days_ahead: "90",
    cancel_window_hours: "48",
    max_upcoming_per_patient: "5",
    hold_minutes: "10",
    slot_step_minutes: "30",
  };

  it("shows the defaults, saves new rules into the single row, and audits the change", async () => {
    const b = await signedIn("north", USERS.admin.email);
    const form = await (await b.get(`${SETUP}/booking-rules`)).text();
    expect(form).toMatch(/id="f-min_notice_minutes"[^>]*value="120"/);
    const res = await b.post(`${SETUP}/booking-rules`, rules);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${SETUP}/booking-rules?saved=1`);
    const all = await clinicD1("north").prepare("SELECT * FROM booking_rules").all();
    expect(all.results).toEqual([
      { id: 1, min_notice_minutes: 240, max_days_ahead: 90, cancel_window_hours: 48, max_upcoming_per_patient: 5, hold_minutes: 10, slot_step_minutes: 30 },
    ]);
    const audit = await auditRows("north", "event = 'scheduling.booking_rules.update'");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: "update",
      entity_type: "booking_rules",
      entity_id: "1",
      detail: "changed: minNoticeMinutes, maxDaysAhead, cancelWindowHours, maxUpcomingPerPatient, holdMinutes, slotStepMinutes",
    });
    expect(await (await b.get(`${SETUP}/booking-rules?saved=1`)).text()).toContain("Saved.");
    expect(await (await b.get(SETUP)).text()).toContain("240 minutes");
  });

  it("refuses values out of range with 422 naming each field, and keeps the saved rules", async () => {
    const b = await signedIn("north", USERS.owner.email);
    const before = await one("SELECT * FROM booking_rules WHERE id = 1");
    const res = await b.post(`${SETUP}/booking-rules`, {
      min_notice_minutes: "10081",
      max_days_ahead: "0",
      cancel_window_hours: "-1",
      max_upcoming_per_patient: "51",
      hold_minutes: "31",
      slot_step_minutes: "7",
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('id="f-min_notice_minutes-error">Minimum notice must be a whole number of minutes from 0 to 10080.');
    expect(html).toContain('id="f-max_days_ahead-error">Booking horizon must be a whole number of days from 1 to 365.');
    expect(html).toContain('id="f-cancel_window_hours-error">Cancellation window must be a whole number of hours from 0 to 720.');
    expect(html).toContain('id="f-max_upcoming_per_patient-error">Upcoming bookings per patient must be a whole number of bookings from 1 to 50.');
    expect(html).toContain('id="f-hold_minutes-error">Hold time must be a whole number of minutes from 1 to 30.');
    expect(html).toContain('id="f-slot_step_minutes-error">Slot step must be 5, 10, 15, 20, 30 or 60 minutes.');
    expect(html).toContain("6 fields need attention");
    expect(await one("SELECT * FROM booking_rules WHERE id = 1")).toEqual(before);
  });

  it("reads a field sent twice as its last value, and answers a bad form for a location it does not hold with 404", async () => {
    const b = await signedIn("north", USERS.owner.email);
    const before = await one("SELECT * FROM booking_rules WHERE id = 1");
    const res = await postPairs(b, `${SETUP}/booking-rules`, [
      ["min_notice_minutes", "60"],
      ["max_days_ahead", "30"],
      ["cancel_window_hours", "24"],
      ["max_upcoming_per_patient", "3"],
      ["hold_minutes", "10"],
      ["hold_minutes", "31"],
      ["slot_step_minutes", "15"],
    ]);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('id="f-hold_minutes-error">Hold time must be a whole number of minutes from 1 to 30.');
    expect(html).toContain('value="31"');
    expect(await one("SELECT * FROM booking_rules WHERE id = 1")).toEqual(before);
    const missing = await b.post(`${SETUP}/locations/${crypto.randomUUID()}`, locationForm({ name: "", timezone: "Mars/Olympus_Mons" }));
    expect(missing.status).toBe(404);
  });
});
