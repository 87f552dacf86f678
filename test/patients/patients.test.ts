import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { auditRows, Browser, clinicD1, patientForm, registerPatient, signedIn } from "../helpers";

async function patientCount(clinic: "north" | "south" | "hillcrest" = "north"): Promise<number> {
  const row = await clinicD1(clinic).prepare("SELECT COUNT(*) AS n FROM patients").first<{ n: number }>();
  return row!.n;
}

describe("registering a patient", () => {
  it("creates the patient, redirects 303 to the record and audits the write", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const res = await b.post("/patients", patientForm({ given_name: "Amara", family_name: "Okonkwo", date_of_birth: "1990-07-04" }));
    expect(res.status).toBe(303);
    const id = res.headers.get("location")!.match(/\/patients\/([0-9a-f-]{36})/)![1]!;
    const row = await clinicD1("north").prepare("SELECT * FROM patients WHERE id = ?").bind(id).first<Record<string, unknown>>();
    expect(row).toMatchObject({
      given_name: "Amara",
      family_name: "Okonkwo",
      date_of_birth: "1990-07-04",
      phone_digits: "5552013344",
      email: "maria.rivera@example.org",
      insurance_member_id: "XQ123456",
      created_by: USERS.frontDesk.id,
    });
    const audit = await auditRows("north", "event = 'patient.create' AND patient_id = ?", id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: "create",
      entity_type: "patient",
      entity_id: id,
      user_id: USERS.frontDesk.id,
      user_email: USERS.frontDesk.email,
      clinic_slug: "riverside-north",
      outcome: "success",
    });
    expect(audit[0]!.request_id).toBeTruthy();
    expect(audit[0]!.occurred_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

    const page = await b.get(`/patients/${id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Okonkwo, Amara");
    expect(html).toContain("Jul 4, 1990");
    expect(html).toContain("Blue Cross");
    const read = await auditRows("north", "event = 'patient.view' AND patient_id = ?", id);
    expect(read).toHaveLength(1);
    expect(read[0]).toMatchObject({ action: "read", outcome: "success", entity_id: id });
  });

  it("refuses invalid input with 422, names each field next to it, and writes nothing", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const before = await patientCount();
    const res = await b.post(
      "/patients",
      patientForm({ given_name: "  ", date_of_birth: "2999-01-01", email: "not-an-email", phone: "12", sex_at_birth: "robot" }),
    );
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('id="f-given_name-error">Legal first name is required.');
    expect(html).toContain('id="f-date_of_birth-error">Date of birth cannot be in the future.');
    expect(html).toContain('id="f-email-error">Email must be a valid address');
    expect(html).toContain('id="f-phone-error">Phone must be a phone number with 7 to 15 digits');
    expect(html).toContain('id="f-sex_at_birth-error">Choose the sex assigned at birth');
    expect(html).toMatch(/id="f-given_name"[^>]*aria-invalid="true"/);
    // What the user typed is kept.
    expect(html).toContain('value="not-an-email"');
    expect(await patientCount()).toBe(before);
    expect(await auditRows("north", "event = 'patient.create' AND user_id = ? AND outcome = 'success'", USERS.frontDesk.id)).toHaveLength(1);
  });

  it("rejects impossible dates of birth", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const res = await b.post("/patients", patientForm({ date_of_birth: "2001-02-30" }));
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("Date of birth must be a real date");
  });

  it("warns about a duplicate name and date of birth and writes only when confirmed", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const first = await registerPatient(b, { given_name: "Dup", family_name: "Licate", date_of_birth: "1971-01-01" });
    const before = await patientCount();
    const warn = await b.post("/patients", patientForm({ given_name: "dup", family_name: "LICATE", date_of_birth: "1971-01-01", phone: "" }));
    expect(warn.status).toBe(409);
    const html = await warn.text();
    expect(html).toContain("Possible duplicate");
    expect(html).toContain(`href="/patients/${first}"`);
    expect(await patientCount()).toBe(before);
    expect(await auditRows("north", "event = 'patient.duplicate_warning' AND patient_id = ?", first)).toHaveLength(1);
    const confirmed = await b.post(
      "/patients",
      patientForm({ given_name: "dup", family_name: "LICATE", date_of_birth: "1971-01-01", confirm_duplicate: "yes" }),
    );
    expect(confirmed.status).toBe(303);
    expect(await patientCount()).toBe(before + 1);
  });

  it("does not let a biller register patients", async () => {
    const b = await signedIn("north", USERS.biller.email);
    const before = await patientCount();
    expect((await b.get("/patients/new")).status).toBe(403);
    expect((await b.post("/patients", patientForm())).status).toBe(403);
    expect(await patientCount()).toBe(before);
  });
});

describe("searching patients", () => {
  it("finds by name, date of birth (ISO or US) and phone, full page and htmx fragment", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const id = await registerPatient(b, {
      given_name: "Tomasz",
      family_name: "Wiśniewski",
      date_of_birth: "1955-11-23",
      phone: "+1 (555) 019-8877",
    });
    await registerPatient(b, { given_name: "Other", family_name: "Person", date_of_birth: "1960-01-01", phone: "555 444 1111" });

    for (const q of ["tomasz", "wiśniewski tomasz", "wisniewski", "WIŚNIEWSKI", "1955-11-23", "11/23/1955", "019-8877", "5550198877"]) {
      const res = await b.get(`/patients?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      const html = await res.text();
      expect(html, q).toContain(`href="/patients/${id}"`);
      expect(html, q).not.toContain("Person, Other");
      expect(html, q).toContain("<html");
    }
    const frag = await b.get("/patients?q=tomasz", { "HX-Request": "true", "HX-Target": "div#patient-results" });
    expect(frag.status).toBe(200);
    const fhtml = await frag.text();
    expect(fhtml.startsWith('<div id="patient-results"')).toBe(true);
    expect(fhtml).not.toContain("<html");
    expect(fhtml).toContain(`href="/patients/${id}"`);

    const none = await b.get("/patients?q=zzzznotaname");
    expect(await none.text()).toContain("No patient matches");
    const searches = await auditRows("north", "event = 'patient.search' AND user_id = ?", USERS.frontDesk.id);
    expect(searches.every((r) => r.action === "read")).toBe(true);
    // Every search that showed Tomasz left a row naming him.
    expect(searches.filter((r) => r.patient_id === id).length).toBeGreaterThanOrEqual(9);
  });

  it("treats % and _ in a query as plain characters", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    await registerPatient(b, { given_name: "Plain", family_name: "Name", date_of_birth: "1999-09-09" });
    const html = await (await b.get("/patients?q=%25")).text();
    expect(html).toContain("No patient matches");
  });
});

describe("editing a patient", () => {
  it("saves changes with a version check, audits the changed field names, and refuses a stale form with 409", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const id = await registerPatient(b, { given_name: "Edit", family_name: "Me", date_of_birth: "1980-05-05" });
    const form = await (await b.get(`/patients/${id}/edit`)).text();
    expect(form).toContain('name="version" value="1"');
    const res = await b.post(`/patients/${id}`, patientForm({ given_name: "Edit", family_name: "Me", date_of_birth: "1980-05-05", phone: "555-777-0000", version: "1" }));
    expect(res.status).toBe(303);
    const row = await clinicD1("north").prepare("SELECT phone, version FROM patients WHERE id = ?").bind(id).first();
    // Stored in E.164, read with the clinic's country (US).
    expect(row).toEqual({ phone: "+15557770000", version: 2 });
    const audit = await auditRows("north", "event = 'patient.update' AND patient_id = ?", id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "update", outcome: "success", detail: "changed: phone, phoneDigits".replace(", phoneDigits", "") });

    // A second tab still holding version 1 cannot overwrite.
    const stale = await b.post(`/patients/${id}`, patientForm({ given_name: "Edit", family_name: "Me", date_of_birth: "1980-05-05", phone: "555-000-9999", version: "1" }));
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain("Someone else saved changes");
    const after = await clinicD1("north").prepare("SELECT phone, version FROM patients WHERE id = ?").bind(id).first();
    expect(after).toEqual({ phone: "+15557770000", version: 2 });
    expect(await auditRows("north", "event = 'patient.update' AND patient_id = ? AND outcome = 'success'", id)).toHaveLength(1);
  });

  it("refuses invalid edits with 422 and leaves the record as it was", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const id = await registerPatient(b, { given_name: "Keep", family_name: "Intact", date_of_birth: "1970-01-01" });
    const res = await b.post(`/patients/${id}`, patientForm({ given_name: "Keep", family_name: "", date_of_birth: "1970-01-01", version: "1" }));
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("Legal last name is required.");
    const row = await clinicD1("north").prepare("SELECT family_name, version FROM patients WHERE id = ?").bind(id).first();
    expect(row).toEqual({ family_name: "Intact", version: 1 });
  });
});

describe("escaping", () => {
  it("shows a patient named <script> as text", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const id = await registerPatient(b, { given_name: "<script>alert(1)</script>", family_name: "Tag", date_of_birth: "1990-01-01" });
    const html = await (await b.get(`/patients/${id}`)).text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&lt;script>alert(1)&lt;/script>");
  });
});

describe("signed out", () => {
  it("sends anonymous visitors to sign in, and refuses anonymous writes", async () => {
    const b = Browser.at("north");
    const res = await b.get("/patients/00000000-0000-0000-0000-000000000000");
    expect(res.status).toBe(303);
    const post = await b.post("/patients", patientForm());
    expect(post.status).toBe(401);
  });
});
