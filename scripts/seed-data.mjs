// The demo world of `npm run db:seed`: one chain (Riverside Health, two clinics), one independent
// practice (Hillcrest), their staff, about fifty fictional patients per clinic, and what makes each
// clinic bookable (a location, rooms, its provider, appointment types, weekly hours, booking rules)
// with a week of appointments. Everything is deterministic: fixed ids, and patients drawn from a
// PRNG seeded by the clinic's slug; appointments from a PRNG seeded by the slug and the seed date.
import { createHash } from "node:crypto";

export const DEMO_PASSWORD = "demo-clinic-2026";

export const ORGANIZATIONS = [{ id: "5eed0000-0000-4000-8000-000000000001", slug: "riverside", name: "Riverside Health" }];

export const CLINICS = [
  {
    id: "5eed0000-0000-4000-8000-000000000101",
    slug: "riverside-north",
    name: "Riverside Health North",
    binding: "CLINIC_RIVERSIDE_NORTH",
    timezone: "America/New_York",
    org: "riverside",
    locale: { region: "NJ", cities: [["Riverside", "08075"], ["Delran", "08075"], ["Cinnaminson", "08077"], ["Moorestown", "08057"], ["Palmyra", "08065"]] },
    registrar: "frontdesk@riverside.example",
  },
  {
    id: "5eed0000-0000-4000-8000-000000000102",
    slug: "riverside-south",
    name: "Riverside Health South",
    binding: "CLINIC_RIVERSIDE_SOUTH",
    timezone: "America/New_York",
    org: "riverside",
    locale: { region: "NJ", cities: [["Mount Holly", "08060"], ["Burlington", "08016"], ["Lumberton", "08048"], ["Willingboro", "08046"], ["Riverside", "08075"]] },
    registrar: "owner@riverside.example",
  },
  {
    id: "5eed0000-0000-4000-8000-000000000103",
    slug: "hillcrest",
    name: "Hillcrest Family Practice",
    binding: "CLINIC_HILLCREST",
    timezone: "America/Denver",
    org: null,
    locale: { region: "CO", cities: [["Denver", "80220"], ["Denver", "80206"], ["Aurora", "80010"], ["Lakewood", "80226"], ["Englewood", "80113"], ["Littleton", "80120"]] },
    registrar: "frontdesk@hillcrest.example",
  },
];

/** Staff. `clinics` pairs a clinic slug with a clinic role; `orgs` an organization slug with an organization role. */
export const USERS = [
  { id: "5eed0000-0000-4000-8000-000000000201", email: "chain@riverside.example", name: "Cora Lindqvist", clinics: [], orgs: [["riverside", "chain_admin"]] },
  { id: "5eed0000-0000-4000-8000-000000000202", email: "owner@riverside.example", name: "Owen Marsh", clinics: [["riverside-north", "owner"], ["riverside-south", "owner"]] },
  { id: "5eed0000-0000-4000-8000-000000000203", email: "admin@riverside.example", name: "Ada Okafor", clinics: [["riverside-north", "admin"]] },
  { id: "5eed0000-0000-4000-8000-000000000204", email: "dr.patel@riverside.example", name: "Dr. Priya Patel", clinics: [["riverside-north", "provider"], ["riverside-south", "provider"]] },
  { id: "5eed0000-0000-4000-8000-000000000205", email: "frontdesk@riverside.example", name: "Frank Delgado", clinics: [["riverside-north", "front_desk"]] },
  { id: "5eed0000-0000-4000-8000-000000000207", email: "nurse@riverside.example", name: "Nadia Kowalski", clinics: [["riverside-north", "nurse"]] },
  { id: "5eed0000-0000-4000-8000-000000000208", email: "student@riverside.example", name: "Sam Ortega", clinics: [["riverside-north", "associate"]] },
  { id: "5eed0000-0000-4000-8000-000000000206", email: "billing@riverside.example", name: "Bianca Ruiz", clinics: [["riverside-north", "biller"], ["riverside-south", "biller"]] },
  { id: "5eed0000-0000-4000-8000-000000000211", email: "owner@hillcrest.example", name: "Hannah Hill", clinics: [["hillcrest", "owner"]] },
  { id: "5eed0000-0000-4000-8000-000000000212", email: "dr.nguyen@hillcrest.example", name: "Dr. Minh Nguyen", clinics: [["hillcrest", "provider"]] },
  { id: "5eed0000-0000-4000-8000-000000000213", email: "frontdesk@hillcrest.example", name: "Grace Whitfield", clinics: [["hillcrest", "front_desk"]] },
  { id: "5eed0000-0000-4000-8000-000000000214", email: "billing@hillcrest.example", name: "Tobias Clarke", clinics: [["hillcrest", "biller"]] },
  { id: "5eed0000-0000-4000-8000-000000000215", email: "admin@hillcrest.example", name: "Amara Osei", clinics: [["hillcrest", "admin"]] },
].map((u) => ({ orgs: [], ...u }));

export const PATIENTS_PER_CLINIC = 50;

// --- deterministic randomness ------------------------------------------------------------------

export function seedOf(text) {
  const h = createHash("sha256").update(text).digest();
  return h.readUInt32LE(0);
}

/** mulberry32: small, fast and good enough for demo data. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  const digits = (n) => Array.from({ length: n }, () => int(0, 9)).join("");
  const weighted = (pairs) => {
    const total = pairs.reduce((s, [, w]) => s + w, 0);
    let r = next() * total;
    for (const [v, w] of pairs) if ((r -= w) < 0) return v;
    return pairs[pairs.length - 1][0];
  };
  return { next, int, pick, chance, digits, weighted };
}

/** A stable UUID (v4 layout) for the n-th patient of a clinic, independent of the generator's draws. */
export function stableUuid(text) {
  const b = createHash("sha256").update(text).digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// --- name pools ---------------------------------------------------------------------------------

/** Surnames given as [masculine, feminine] take the form of the person's sex (Polish). */
const CULTURES = [
  {
    weight: 30,
    female: ["Emily", "Sarah", "Margaret", "Elizabeth", "Jennifer", "Katherine", "Rebecca", "Abigail", "Dorothy", "Hannah", "Olivia", "Chloe", "Patricia", "Susan", "Madison", "Evelyn"],
    male: ["James", "William", "Robert", "Michael", "Thomas", "Daniel", "Benjamin", "Christopher", "Joseph", "Henry", "Samuel", "Ethan", "Richard", "Gerald", "Nathan", "Owen"],
    family: ["Thompson", "Walker", "Bennett", "Hughes", "Sullivan", "Foster", "Brooks", "Campbell", "Murphy", "O'Connor", "Fitzgerald", "Coleman", "Harper", "Reynolds", "Schneider", "Mueller", "Russo", "Lindgren"],
    languages: [],
  },
  {
    weight: 12,
    female: ["Aaliyah", "Imani", "Keisha", "Monique", "Latoya", "Jasmine", "Gloria", "Denise"],
    male: ["Darnell", "Marcus", "Andre", "Terrence", "Jamal", "Malik", "Cedric", "Reginald"],
    family: ["Washington", "Jefferson", "Robinson", "Jackson", "Banks", "Freeman", "Gaines", "Coleman", "Mitchell"],
    languages: [],
  },
  {
    weight: 20,
    female: ["María", "Guadalupe", "Sofía", "Valeria", "Ana", "Lucía", "Rosa", "Camila", "Isabel", "Ximena"],
    male: ["José", "Juan", "Carlos", "Luis", "Miguel", "Alejandro", "Jorge", "Mateo", "Francisco", "Santiago"],
    family: ["García", "Hernández", "Martínez", "López", "González", "Rodríguez", "Ramírez", "Flores", "Torres", "Castillo", "Morales", "Vargas"],
    languages: [["Spanish", 0.5]],
  },
  {
    weight: 8,
    female: ["Linh", "Thu", "Mai", "Ngoc", "Hoa", "Lan", "Trang"],
    male: ["Minh", "Duc", "Quang", "Tuan", "Huy", "Khanh", "Bao"],
    family: ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui"],
    languages: [["Vietnamese", 0.45]],
  },
  {
    weight: 7,
    female: ["Fatima", "Layla", "Mariam", "Noor", "Yasmin", "Amira", "Huda"],
    male: ["Omar", "Ahmed", "Youssef", "Khalid", "Hassan", "Karim", "Tariq"],
    family: ["Haddad", "Khalil", "Nasser", "Mansour", "Saleh", "Aziz", "Darwish"],
    languages: [["Arabic", 0.4]],
  },
  {
    weight: 6,
    female: ["Agnieszka", "Katarzyna", "Małgorzata", "Zofia", "Magdalena", "Ewa"],
    male: ["Piotr", "Krzysztof", "Tomasz", "Paweł", "Marek", "Jan"],
    family: [["Kowalski", "Kowalska"], ["Nowak", "Nowak"], ["Wiśniewski", "Wiśniewska"], ["Zieliński", "Zielińska"], ["Wójcik", "Wójcik"], ["Kamiński", "Kamińska"]],
    languages: [["Polish", 0.4]],
  },
  {
    weight: 7,
    female: ["Ananya", "Priyanka", "Deepa", "Kavya", "Sunita", "Meera"],
    male: ["Arjun", "Rohan", "Vikram", "Sanjay", "Rahul", "Anil"],
    family: ["Sharma", "Iyer", "Reddy", "Gupta", "Desai", "Menon", "Chatterjee"],
    languages: [],
  },
  {
    weight: 6,
    female: ["Mei", "Yuki", "Ji-woo", "Hana", "Xiu", "Sakura"],
    male: ["Wei", "Hiroshi", "Min-jun", "Kenji", "Jun", "Haruto"],
    family: ["Chen", "Wang", "Kim", "Park", "Tanaka", "Li", "Watanabe", "Zhou"],
    languages: [],
  },
  {
    weight: 4,
    female: ["Adaeze", "Abena", "Folake", "Ngozi"],
    male: ["Chinedu", "Kwame", "Oluwaseun", "Kofi"],
    family: ["Okonkwo", "Mensah", "Adeyemi", "Boateng", "Eze"],
    languages: [],
  },
];

const NICKNAMES = {
  Elizabeth: ["Liz", "Beth"], Margaret: ["Peggy", "Maggie"], Katherine: ["Kate", "Katie"], Patricia: ["Pat", "Trish"],
  Rebecca: ["Becky"], Abigail: ["Abby"], Dorothy: ["Dot"], Susan: ["Sue"], Jennifer: ["Jen"],
  Robert: ["Bob", "Rob"], William: ["Bill", "Will"], Michael: ["Mike"], Christopher: ["Chris"], Benjamin: ["Ben"],
  Thomas: ["Tom"], Joseph: ["Joe"], Daniel: ["Dan"], Richard: ["Rick"], Samuel: ["Sam"], Gerald: ["Jerry"], Nathan: ["Nate"],
  Reginald: ["Reggie"], Terrence: ["Terry"], Alejandro: ["Alex"], Guadalupe: ["Lupe"], Francisco: ["Paco"], José: ["Pepe"],
  Santiago: ["Santi"], Ngoc: ["Amy"], Huy: ["Henry"], Thu: ["Tina"], Quang: ["Kevin"], Youssef: ["Joe"],
  Małgorzata: ["Gosia"], Katarzyna: ["Kasia"], Krzysztof: ["Chris"], Oluwaseun: ["Seun"], Chinedu: ["Chinny"],
  "Min-jun": ["Justin"], "Ji-woo": ["Julie"], Priyanka: ["Priya"], Hiroshi: ["Hiro"], Adaeze: ["Ada"],
};

const STREETS = ["Maple Ave", "Oak St", "River Rd", "Elm St", "Cedar Ln", "Park Blvd", "Willow Dr", "Lakeview Ter", "Chestnut St", "Highland Ave", "Main St", "Church St", "Mill Rd", "Spruce Ct", "Orchard Way", "Bridge St", "Fairview Ave", "Sycamore Pl"];

const COMMERCIAL = [
  ["Blue Cross Blue Shield", 30],
  ["Aetna", 20],
  ["United Healthcare", 22],
  ["Cigna", 14],
  ["Humana", 6],
];

const REFERENCE_YEAR = 2026;

const ascii = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/ł/g, "l").replace(/Ł/g, "L");
const emailPart = (s) => ascii(s).toLowerCase().replace(/[^a-z]/g, "");

function personName(r, culture, sex) {
  const given = r.pick(sex === "female" ? culture.female : culture.male);
  const fam = r.pick(culture.family);
  const family = Array.isArray(fam) ? (sex === "female" ? fam[1] : fam[0]) : fam;
  return { given, family, fam };
}

/** A fictional US mobile number in E.164, as the app stores phones: +1 555 01x xxxx. */
function phone(r) {
  return `+155501${r.int(0, 9)}${r.digits(4)}`;
}

function dateOfBirth(r) {
  // More adults than children or the very old, as in a family practice.
  const year = r.weighted([
    [r.int(1940, 1955), 14],
    [r.int(1956, 1975), 26],
    [r.int(1976, 1995), 30],
    [r.int(1996, 2007), 16],
    [r.int(2008, 2023), 14],
  ]);
  const month = r.int(1, 12);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, "0")}-${String(r.int(1, days)).padStart(2, "0")}`;
}

function insurance(r, age) {
  let payer;
  if (age >= 65) payer = r.weighted([["Medicare", 75], ["Blue Cross Blue Shield", 10], ["Aetna", 8], ["Humana", 7]]);
  else if (age < 18) payer = r.weighted([["Medicaid", 35], ...COMMERCIAL.map(([p, w]) => [p, w * 0.6])]);
  else payer = r.weighted([...COMMERCIAL, ["Medicaid", 16], ["Self-pay", 9]]);
  if (payer === "Self-pay") return { payer, memberId: null, group: null };
  const letters = "ACDEFGHJKMNPQRTUVWXY";
  const L = () => letters[r.int(0, letters.length - 1)];
  switch (payer) {
    case "Medicare": // the shape of a Medicare Beneficiary Identifier
      return { payer, memberId: `${r.int(1, 9)}${L()}${L()}${r.int(0, 9)}-${L()}${L()}${r.int(0, 9)}-${L()}${L()}${r.digits(2)}`, group: null };
    case "Medicaid":
      return { payer, memberId: `MC${r.digits(9)}`, group: null };
    case "Blue Cross Blue Shield":
      return { payer, memberId: `${L()}${L()}${L()}${r.digits(9)}`, group: String(r.int(100000, 999999)) };
    case "Aetna":
      return { payer, memberId: `W${r.digits(9)}`, group: String(r.int(10000000, 99999999)) };
    case "United Healthcare":
      return { payer, memberId: r.digits(9), group: String(r.int(700000, 799999)) };
    case "Cigna":
      return { payer, memberId: `U${r.digits(8)}`, group: String(r.int(3000000, 3999999)) };
    default:
      return { payer, memberId: `H${r.digits(8)}`, group: `X${r.digits(4)}` };
  }
}

/** The patients of one clinic, as rows of the patients table (snake_case columns). */
export function demoPatients(clinic, { count = PATIENTS_PER_CLINIC, createdBy = null } = {}) {
  const r = prng(seedOf(`clinic-demo-patients:${clinic.slug}`));
  const seen = new Set();
  const rows = [];
  const baseMs = Date.UTC(2024, 0, 8, 14, 0, 0);
  for (let i = 0; rows.length < count; i++) {
    const culture = r.weighted(CULTURES.map((c) => [c, c.weight]));
    const sex = r.weighted([["female", 51], ["male", 48], ["intersex", 0.5], ["unknown", 0.5]]);
    const nameSex = sex === "female" || sex === "male" ? sex : r.pick(["female", "male"]);
    const { given, family, fam } = personName(r, culture, nameSex);
    const dob = dateOfBirth(r);
    const identityKey = `${given.toLowerCase()}|${family.toLowerCase()}|${dob}`;
    if (seen.has(identityKey)) continue;
    seen.add(identityKey);
    const age = REFERENCE_YEAR - Number(dob.slice(0, 4));

    const nicks = NICKNAMES[given];
    const preferred = nicks && r.chance(0.55) ? r.pick(nicks) : null;
    const genderDraw = r.weighted([
      [null, 60],
      [nameSex === "female" ? "Woman" : "Man", 37],
      ["Non-binary", 3],
    ]);
    const gender = age < 13 ? null : genderDraw;

    const ph = phone(r);
    const emailDomain = r.chance(0.6) ? "example.org" : "example.net";
    const email =
      age >= 16 && r.chance(0.85)
        ? `${emailPart(given)}${r.chance(0.5) ? "." : ""}${emailPart(family)}${r.chance(0.3) ? r.int(1, 99) : ""}@${emailDomain}`
        : null;

    const [city, postal] = r.pick(clinic.locale.cities);
    const line2 = r.chance(0.25) ? r.pick([`Apt ${r.int(1, 9)}${r.pick(["A", "B", "C", "D"])}`, `Unit ${r.int(101, 420)}`, `Apt ${r.int(2, 30)}`]) : null;

    const langs = culture.languages;
    let language = "English";
    for (const [lang, p] of langs) if (r.chance(age >= 60 ? Math.min(0.9, p + 0.25) : age < 18 ? p * 0.4 : p)) language = lang;

    // Emergency contact: a parent for children, a spouse, sibling, adult child or friend otherwise.
    let relationship;
    if (age < 18) relationship = r.pick(["Mother", "Father", "Parent", "Guardian"]);
    else if (age >= 70) relationship = r.weighted([["Daughter", 35], ["Son", 30], ["Spouse", 25], ["Friend", 10]]);
    else relationship = r.weighted([["Spouse", 40], ["Partner", 12], ["Sibling", 18], ["Mother", 10], ["Father", 6], ["Friend", 14]]);
    const contactSex = ["Mother", "Daughter"].includes(relationship) ? "female" : ["Father", "Son"].includes(relationship) ? "male" : r.pick(["female", "male"]);
    let contact = personName(r, relationship === "Friend" ? r.weighted(CULTURES.map((c) => [c, c.weight])) : culture, contactSex);
    if (contact.given === given) contact = personName(r, culture, contactSex);
    if (contact.given === given) contact = { ...contact, given: contactSex === "female" ? "Rose" : "Paul" };
    const sameFamily = relationship !== "Friend" && (relationship !== "Spouse" || r.chance(0.7));
    const contactFamily = sameFamily ? (Array.isArray(fam) ? (contactSex === "female" ? fam[1] : fam[0]) : family) : contact.family;

    const ins = insurance(r, age);
    const createdAt = baseMs + r.int(0, 640) * 86_400_000 + r.int(0, 8 * 3600) * 1000;

    rows.push({
      id: stableUuid(`clinic-demo-patient:${clinic.slug}:${rows.length}`),
      given_name: given,
      family_name: family,
      preferred_name: preferred,
      date_of_birth: dob,
      sex_at_birth: sex,
      gender_identity: gender,
      phone: ph,
      // The national number (no country code), as the app writes it for search.
      phone_digits: ph.slice(2),
      email,
      address_line1: `${r.int(12, 9850)} ${r.pick(STREETS)}`,
      address_line2: line2,
      city,
      region: clinic.locale.region,
      postal_code: postal,
      country: "United States",
      preferred_language: language,
      emergency_name: `${contact.given} ${contactFamily}`,
      emergency_relationship: relationship,
      emergency_phone: relationship === "Spouse" && r.chance(0.3) ? ph : phone(r),
      insurance_payer: ins.payer,
      insurance_member_id: ins.memberId,
      insurance_group: ins.group,
      // Same folding as foldForSearch in src/patients/repo.ts.
      search_name: [given, family, preferred ?? ""].join(" ").trim().normalize("NFD").replace(/\p{M}/gu, "").toLowerCase(),
      identity_key: identityKey,
      version: 1,
      created_at: createdAt,
      updated_at: createdAt,
      created_by: createdBy,
      updated_by: createdBy,
    });
  }
  return rows;
}

// --- scheduling: what makes each demo clinic bookable ------------------------------------------

/**
 * A valid NPI for a 9-digit base: the Luhn check digit over the card-issuer prefix 80840 followed
 * by the base (as isValidNpi in src/scheduling/setup/schemas.ts checks it). npi("123456789") is
 * "1234567893", the worked example of the CMS specification.
 */
export function npi(base9) {
  if (!/^\d{9}$/.test(base9)) throw new Error(`an NPI base has 9 digits: ${base9}`);
  const digits = `80840${base9}`;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // From the right, the digit left of the (missing) check digit doubles, then every second one.
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return `${base9}${(10 - (sum % 10)) % 10}`;
}

const userId = (email) => {
  const u = USERS.find((x) => x.email === email);
  if (!u) throw new Error(`no demo user ${email}`);
  return u.id;
};

/** The appointment types every demo clinic offers (slugs are used in booking links). */
const DEMO_TYPES = [
  { key: "new", slug: "new-patient", name: "New patient visit", duration: 45, bufferAfter: 10, priceCents: 18500, modality: "in_person", needsRoom: true, eligibility: "new", color: "#7a3fb0" },
  { key: "follow", slug: "follow-up", name: "Follow-up visit", duration: 20, bufferAfter: 5, priceCents: 9500, modality: "in_person", needsRoom: true, eligibility: "existing", color: "#2f7d4f" },
  { key: "physical", slug: "annual-physical", name: "Annual physical", duration: 40, bufferAfter: 5, priceCents: 0, modality: "in_person", needsRoom: true, eligibility: "all", color: "#0b5cad" },
  { key: "video", slug: "video-visit", name: "Video visit", duration: 20, bufferAfter: 0, priceCents: 7500, modality: "telehealth", needsRoom: false, eligibility: "all", color: "#b05a00" },
];

/** Weekly hours of every demo provider: Monday to Friday 8:00-17:00, lunch 12:00-13:00. */
const DEMO_HOURS = { weekdays: [1, 2, 3, 4, 5], work: ["08:00", "17:00"], break: ["12:00", "13:00"] };

/** Booking rules of the demo clinics (applied only while the row still has the defaults). */
export const DEMO_BOOKING_RULES = { minNoticeMinutes: 60, maxDaysAhead: 60 };

const SCHEDULING = {
  "riverside-north": {
    location: { name: "Riverside North — Main Street", address: "210 Main Street", city: "Riverside", region: "NJ", postal: "08075", phone: "(555) 010-1100", timezone: "America/New_York" },
    rooms: ["Exam room 1", "Exam room 2", "Exam room 3"],
    providers: [{ slug: "dr-patel", name: "Dr. Priya Patel", credentials: "MD", npi: npi("123456789"), email: "dr.patel@riverside.example", color: "#0b5cad" }],
  },
  "riverside-south": {
    location: { name: "Riverside South — Mount Holly", address: "45 High Street", city: "Mount Holly", region: "NJ", postal: "08060", phone: "(555) 010-1200", timezone: "America/New_York" },
    rooms: ["Exam room A", "Exam room B"],
    providers: [{ slug: "dr-patel", name: "Dr. Priya Patel", credentials: "MD", npi: npi("123456789"), email: "dr.patel@riverside.example", color: "#0b5cad" }],
  },
  hillcrest: {
    location: { name: "Hillcrest — Colfax Avenue", address: "5120 E Colfax Avenue", city: "Denver", region: "CO", postal: "80220", phone: "(555) 010-1300", timezone: "America/Denver" },
    rooms: ["Exam room 1", "Exam room 2", "Procedure room"],
    providers: [{ slug: "dr-nguyen", name: "Dr. Minh Nguyen", credentials: "DO", npi: null, email: "dr.nguyen@hillcrest.example", color: "#2f7d4f" }],
  },
};

/**
 * The bookable setup of one demo clinic, with fixed ids: location, rooms (ids sort in room order,
 * as the slot engine takes the first free room by id), providers (linked to their staff accounts),
 * appointment types, which provider offers which type where, and weekly hours.
 */
export function demoScheduling(clinic) {
  const s = SCHEDULING[clinic.slug];
  if (!s) return null;
  const id = (what) => stableUuid(`clinic-demo-scheduling:${clinic.slug}:${what}`);
  const location = { id: id("location"), ...s.location };
  const rooms = s.rooms.map((name, i) => ({ id: `${id("location").slice(0, 8)}-room-${i + 1}`, name }));
  const providers = s.providers.map((p) => ({ ...p, id: id(`provider:${p.slug}`), userId: userId(p.email) }));
  const types = DEMO_TYPES.map((t) => ({ ...t, id: id(`type:${t.slug}`) }));
  const rules = [];
  for (const p of providers) {
    for (const weekday of DEMO_HOURS.weekdays) {
      rules.push({ id: id(`hours:${p.slug}:${weekday}:work`), providerSlug: p.slug, weekday, kind: "work", start: DEMO_HOURS.work[0], end: DEMO_HOURS.work[1] });
      rules.push({ id: id(`hours:${p.slug}:${weekday}:break`), providerSlug: p.slug, weekday, kind: "break", start: DEMO_HOURS.break[0], end: DEMO_HOURS.break[1] });
    }
  }
  return { location, rooms, providers, types, rules };
}

const MINUTE = 60_000;

// Wall clocks in a timezone with Intl (plain JavaScript, so this file loads on every Node the
// scripts accept; src/scheduling/slots.ts has the full DST-aware version the app uses).
const wallFormats = new Map();
function wallParts(instant, timezone) {
  let f = wallFormats.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: timezone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    wallFormats.set(timezone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, utcOfWall: Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) };
}

/** The local date (YYYY-MM-DD) of an instant in a timezone. */
export function localDate(instant, timezone) {
  return wallParts(instant, timezone).date;
}

/**
 * The instant of a wall time on a date in a timezone. Two passes settle the offset on either
 * side of a DST change; the demo hours (8:00-17:00) never fall into a skipped or repeated hour.
 */
export function zonedInstant(date, time, timezone) {
  const wall = Date.parse(`${date}T${time}:00Z`);
  let t = wall;
  for (let i = 0; i < 2; i++) t = wall - (wallParts(t, timezone).utcOfWall - t);
  return t;
}

function addDays(date, n) {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

const hhmm = (minutes) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
const minutesOf = (time) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

const CANCEL_REASONS = ["Patient called to cancel", "Feeling better", "Schedule conflict", "Transportation problem"];

/**
 * About a week of appointments (3 to 5 on each working day from today, in the location's timezone)
 * for the clinic's seeded patients, none overlapping. Ids and idempotency keys derive from the clinic
 * and the seed date (`seed:<date>:<slug>:<n>`), so a second run the same day adds nothing. Statuses
 * follow the clock: earlier today completed (a few no-shows, a few cancelled), under way in the
 * room, about to start arrived, later booked or confirmed (a few cancelled).
 */
export function demoAppointments(clinic, { now = Date.now(), patients = demoPatients(clinic), createdBy = null } = {}) {
  const setup = demoScheduling(clinic);
  if (!setup) return { today: null, rows: [] };
  const tz = setup.location.timezone;
  const today = localDate(now, tz);
  const r = prng(seedOf(`clinic-demo-appointments:${clinic.slug}:${today}`));
  const order = patients.map((p) => p.id);
  for (let i = order.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const [workFrom, workTo] = DEMO_HOURS.work.map(minutesOf);
  const [breakFrom, breakTo] = DEMO_HOURS.break.map(minutesOf);
  const rows = [];
  for (let d = 0; d < 7; d++) {
    const date = addDays(today, d);
    const weekday = new Date(`${date}T12:00:00Z`).getUTCDay() || 7;
    if (!DEMO_HOURS.weekdays.includes(weekday)) continue;
    for (const provider of setup.providers) {
      const taken = []; // [blockStart, blockEnd] in minutes of the day, this provider
      const want = r.int(3, 5);
      for (let tries = 0; taken.length < want && tries < 60; tries++) {
        const type = r.weighted(setup.types.map((t) => [t, t.key === "follow" ? 4 : t.key === "physical" ? 3 : 2]));
        const start = workFrom + 15 * r.int(0, (workTo - workFrom) / 15 - 1);
        const end = start + type.duration;
        const [bs, be] = [start, end + type.bufferAfter];
        const inHours = end <= workTo && (end <= breakFrom || start >= breakTo);
        if (!inHours || taken.some(([s, e]) => s < be && e > bs)) continue;
        taken.push([bs, be]);
        const startsAt = zonedInstant(date, hhmm(start), tz);
        const endsAt = startsAt + type.duration * MINUTE;
        let status;
        if (endsAt <= now) status = r.weighted([["completed", 80], ["no_show", 10], ["cancelled", 10]]);
        else if (startsAt <= now) status = "in_room";
        else if (startsAt - now <= 15 * MINUTE) status = "arrived";
        else status = r.weighted([["booked", 50], ["confirmed", 35], ["cancelled", 15]]);
        const n = rows.length;
        rows.push({
          id: stableUuid(`clinic-demo-appointment:${clinic.slug}:${today}:${n}`),
          patient_id: order[n % order.length],
          provider_slug: provider.slug,
          location_id: setup.location.id,
          type_slug: type.slug,
          // Every demo appointment of a clinic is one provider's, so they never share a room: the first one.
          room_id: type.needsRoom ? setup.rooms[0].id : null,
          starts_at: startsAt,
          ends_at: endsAt,
          block_start: startsAt,
          block_end: endsAt + type.bufferAfter * MINUTE,
          status,
          source: "staff",
          cancel_reason: status === "cancelled" ? r.pick(CANCEL_REASONS) : null,
          idempotency_key: `seed:${today}:${clinic.slug}:${n}`,
          created_by: createdBy,
          created_at: Math.min(now, startsAt) - r.int(1, 20) * 86_400_000,
        });
      }
    }
  }
  rows.sort((a, b) => a.starts_at - b.starts_at);
  return { today, rows };
}
