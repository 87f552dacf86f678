import { describe, expect, it } from "vitest";
import { ACCESS } from "../../src/app";
import { isStreamed } from "../../src/platform/access";
import { upload } from "../attachments/support";
import { USERS } from "../fixtures";
import { auditRows, clinicD1, patientForm, registerPatient, signedIn } from "../helpers";

/** Query strings a route needs to reach the patient at all (without an instrument, the questionnaire form only redirects to the progress page). */
const QUERY: Record<string, string> = { "/patients/:id/progress/measures/new": "?instrument=phq9" };

describe("clinic isolation", () => {
  it("answers 404 at clinic B for a patient id of clinic A, on every route that names a patient, revealing nothing", async () => {
    const north = await signedIn("north", USERS.provider.email);
    const id = await registerPatient(north, { given_name: "Secret", family_name: "Northerner", date_of_birth: "1966-06-06" });
    // The same provider works at south too, so this is not about who they are.
    const south = await signedIn("south", USERS.provider.email);
    // Every route whose declaration names a patient parameter (src/mounts.ts), with the north
    // patient's id in it and made-up ids for the rest; posts carry a valid form of demographics.
    const scoped = ACCESS.routes.filter((r) => r.mount.patientParam && r.path.includes(`:${r.mount.patientParam}`));
    expect(scoped.length).toBeGreaterThan(30);
    const answers: string[] = [];
    for (const r of scoped) {
      const path = r.path.replace(/:(\w+)/g, (_, name: string) => (name === r.mount.patientParam ? id : "not-a-record")) + (QUERY[r.path] ?? "");
      const res =
        r.method === "GET"
          ? await south.get(path)
          : isStreamed(ACCESS.find(r.method, path.split("?")[0]!))
            ? await upload(south, id)
            : await south.post(path, patientForm({ version: "1" }));
      const body = await res.text();
      if (res.status !== 404 || body.includes("Northerner") || body.includes("Secret")) answers.push(`${r.method} ${path}: ${res.status}`);
    }
    expect(answers, "patient routes at south that did not answer a plain 404").toEqual([]);
    const post = await south.post(`/patients/${id}`, patientForm({ version: "1" }));
    expect(post.status).toBe(404);
    const bad = await south.post(`/patients/${id}`, patientForm({ version: "1", family_name: "" }));
    expect(bad.status).toBe(404);
    const search = await (await south.get("/patients?q=northerner")).text();
    expect(search).toContain("No patient matches");
    // Nothing was written at north, and south's audit shows the failed reads.
    const row = await clinicD1("north").prepare("SELECT family_name, version FROM patients WHERE id = ?").bind(id).first();
    expect(row).toEqual({ family_name: "Northerner", version: 1 });
    const failures = await auditRows("south", "entity_id = ? AND outcome = 'failure'", id);
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(await auditRows("north", "patient_id = ? AND user_id = ? AND event != 'patient.create' AND event != 'patient.view'", id, USERS.provider.id)).toHaveLength(0);
  });

  it("keeps each clinic's rows in its own database", async () => {
    const hill = await signedIn("hillcrest", USERS.hillOwner.email);
    const id = await registerPatient(hill, { given_name: "Only", family_name: "Hillcrest", date_of_birth: "1950-05-05" });
    expect(await clinicD1("hillcrest").prepare("SELECT id FROM patients WHERE id = ?").bind(id).first()).not.toBeNull();
    expect(await clinicD1("north").prepare("SELECT id FROM patients WHERE id = ?").bind(id).first()).toBeNull();
    expect(await clinicD1("south").prepare("SELECT id FROM patients WHERE id = ?").bind(id).first()).toBeNull();
  });

  it("answers 404 for a made-up patient id", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    expect((await b.get("/patients/not-a-real-id")).status).toBe(404);
  });
});

describe("roles and permissions", () => {
  it("lets billers read demographics but not edit them", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    const id = await registerPatient(desk, { given_name: "Billed", family_name: "Person", date_of_birth: "1977-07-07" });
    const biller = await signedIn("north", USERS.biller.email);
    const view = await biller.get(`/patients/${id}`);
    expect(view.status).toBe(200);
    expect(await view.text()).not.toContain("Edit demographics");
    expect((await biller.get(`/patients/${id}/edit`)).status).toBe(403);
    expect((await biller.post(`/patients/${id}`, patientForm({ version: "1" }))).status).toBe(403);
  });

  it("shows the audit log and staff pages only to owners and administrators", async () => {
    for (const [user, status] of [
      [USERS.owner, 200],
      [USERS.admin, 200],
      [USERS.provider, 403],
      [USERS.frontDesk, 403],
      [USERS.biller, 403],
    ] as const) {
      const b = await signedIn("north", user.email);
      expect((await b.get("/audit")).status, `${user.email} /audit`).toBe(status);
      expect((await b.get("/audit/export.csv")).status, `${user.email} export`).toBe(status);
      expect((await b.get("/staff")).status, `${user.email} /staff`).toBe(status);
    }
  });
});
