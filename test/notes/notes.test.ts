import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { auditRows, Browser, clinicD1, registerPatient, signedIn, type ClinicKey } from "../helpers";
import { seedSchedule, tomorrowNY, nyInstant } from "../schedule-fixtures";

/** A template with required and optional text, a checkbox, vitals and a problems insert. */
const DEFINITION = {
  sections: [
    {
      key: "subjective",
      title: "Subjective",
      fields: [
        { key: "cc", type: "text", label: "Chief complaint", required: true },
        { key: "hpi", type: "text", label: "History of present illness" },
      ],
    },
    {
      key: "objective",
      title: "Objective",
      fields: [
        { key: "vitals", type: "vitals", label: "Vital signs" },
        { key: "problems", type: "chart_insert", label: "Active problems", source: "problems" },
      ],
    },
    {
      key: "plan",
      title: "Plan",
      fields: [
        { key: "plan", type: "text", label: "Plan" },
        { key: "followup", type: "checkbox", label: "Follow-up booked" },
      ],
    },
  ],
};

async function insertTemplate(clinic: ClinicKey = "north", name = "Office visit"): Promise<string> {
  const id = crypto.randomUUID();
  await clinicD1(clinic)
    .prepare("INSERT INTO note_templates (id, name, definition, shared) VALUES (?, ?, ?, 1)")
    .bind(id, name, JSON.stringify(DEFINITION))
    .run();
  return id;
}

let apptSeq = 0;
async function insertAppointment(patientId: string): Promise<string> {
  const w = await seedSchedule("north");
  const id = `appt-notes-${++apptSeq}`;
  const start = nyInstant(tomorrowNY(), `${String(8 + apptSeq).padStart(2, "0")}:00`);
  await clinicD1("north")
    .prepare(
      `INSERT INTO appointments (id, patient_id, provider_id, location_id, appointment_type_id, starts_at, ends_at, block_start, block_end, status, source, idempotency_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'arrived', 'staff', ?)`,
    )
    .bind(id, patientId, w.providers[0]!.id, w.locationId, w.typeId, start, start + 1_800_000, start - 300_000, start + 2_100_000, `idem-${id}`)
    .run();
  return id;
}

async function adHocEncounter(b: Browser, patientId: string): Promise<string> {
  const res = await b.post("/encounters", { patient_id: patientId });
  expect(res.status).toBe(303);
  return res.headers.get("location")!.match(/\/encounters\/([\w-]+)/)![1]!;
}

async function startNote(b: Browser, encounterId: string, templateId: string): Promise<string> {
  const res = await b.post(`/encounters/${encounterId}/notes`, { template_id: templateId });
  expect(res.status).toBe(303);
  return res.headers.get("location")!.match(/\/notes\/([\w-]+)/)![1]!;
}

let deskBrowser: Browser | null = null;
async function desk(): Promise<Browser> {
  deskBrowser ??= await signedIn("north", USERS.frontDesk.email);
  return deskBrowser;
}

/** A provider's draft note for a new patient with an active coded problem. */
async function draftNote(email: string = USERS.provider.email) {
  const b = await signedIn("north", email);
  const patientId = await registerPatient(await desk(), { given_name: `Pat${crypto.randomUUID().slice(0, 6)}`, family_name: "Notes" });
  await clinicD1("north")
    .prepare("INSERT INTO problems (id, patient_id, code, description, status) VALUES (?, ?, 'E11.9', 'Type 2 diabetes mellitus without complications', 'active')")
    .bind(crypto.randomUUID(), patientId)
    .run();
  const templateId = await insertTemplate();
  const encounterId = await adHocEncounter(b, patientId);
  const noteId = await startNote(b, encounterId, templateId);
  return { b, patientId, templateId, encounterId, noteId };
}

async function noteRow(id: string) {
  return (await clinicD1("north").prepare("SELECT * FROM notes WHERE id = ?").bind(id).first<Record<string, string | number | null>>())!;
}

async function sha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((x) => x.toString(16).padStart(2, "0")).join("");
}

describe("starting a visit", () => {
  it("opens one encounter per appointment, however many times Start visit is pressed", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const patientId = await registerPatient(b, { given_name: "Vera", family_name: "Visit" });
    const apptId = await insertAppointment(patientId);

    const apptPage = await b.get(`/calendar/appointments/${apptId}`);
    expect(apptPage.status).toBe(200);
    const apptHtml = await apptPage.text();
    expect(apptHtml).toContain("Start visit");
    expect(apptHtml).toContain(`name="appointment_id" value="${apptId}"`);

    const first = await b.post("/encounters", { appointment_id: apptId });
    const second = await b.post("/encounters", { appointment_id: apptId });
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    expect(second.headers.get("location")).toBe(first.headers.get("location"));
    const rows = await clinicD1("north").prepare("SELECT * FROM encounters WHERE appointment_id = ?").bind(apptId).all<Record<string, unknown>>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]).toMatchObject({ patient_id: patientId, provider_staff_id: USERS.provider.id, provider_name: USERS.provider.name, kind: "appointment" });
    const encId = rows.results[0]!.id as string;
    expect(await auditRows("north", "event = 'encounter.create' AND entity_id = ?", encId)).toHaveLength(1);

    const page = await b.get(first.headers.get("location")!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Visit, Vera");
    expect(html).toContain("Check-up");
    expect(html).toContain(`/patients/${patientId}/chart/vitals/new?encounter=${encId}`);
    expect(html).toContain(`/patients/${patientId}/documents/new?encounter=${encId}`);
    expect(html).toContain('action="/encounters/' + encId + '/notes"');
    const view = await auditRows("north", "event = 'encounter.view' AND entity_id = ?", encId);
    expect(view).toHaveLength(1);
    expect(view[0]).toMatchObject({ action: "read", patient_id: patientId, outcome: "success" });
  });

  it("does not offer Start visit to the front desk, and refuses their post with 403", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const patientId = await registerPatient(b, { given_name: "Desk", family_name: "Visit" });
    const apptId = await insertAppointment(patientId);
    expect(await (await b.get(`/calendar/appointments/${apptId}`)).text()).not.toContain("Start visit");
    expect((await b.post("/encounters", { appointment_id: apptId })).status).toBe(403);
    const n = await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM encounters WHERE appointment_id = ?").bind(apptId).first<{ n: number }>();
    expect(n!.n).toBe(0);
  });

  it("refuses a post naming neither or both, and an unknown appointment, writing nothing", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const patientId = await registerPatient(b, { given_name: "Bad", family_name: "Input" });
    const before = await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM encounters").first<{ n: number }>();
    const none = await b.post("/encounters", {});
    expect(none.status).toBe(422);
    expect(await none.text()).toContain("Start a visit from an appointment or from a patient");
    expect((await b.post("/encounters", { patient_id: patientId, appointment_id: "appt-x" })).status).toBe(422);
    expect((await b.post("/encounters", { patient_id: "not a valid id!" })).status).toBe(422);
    expect((await b.post("/encounters", { appointment_id: "appt-does-not-exist" })).status).toBe(404);
    expect((await b.post("/encounters", { patient_id: "patient-does-not-exist" })).status).toBe(404);
    const after = await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM encounters").first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
    expect(await auditRows("north", "event = 'encounter.create' AND outcome = 'failure' AND entity_id = 'appt-does-not-exist'")).toHaveLength(1);
  });
});

describe("starting a note", () => {
  it("copies the template into a new draft and opens the editor", async () => {
    const { b, noteId, templateId, encounterId, patientId } = await draftNote();
    const row = await noteRow(noteId);
    expect(row).toMatchObject({ status: "draft", version: 1, title: "Office visit", template_id: templateId, encounter_id: encounterId, patient_id: patientId, author_staff_id: USERS.provider.id });
    expect(JSON.parse(row.definition as string)).toEqual(DEFINITION);
    const audit = await auditRows("north", "event = 'note.create' AND entity_id = ?", noteId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "create", patient_id: patientId, outcome: "success" });

    // A later change to the template does not change the note.
    await clinicD1("north").prepare("UPDATE note_templates SET definition = '{\"sections\":[]}' WHERE id = ?").bind(templateId).run();
    const page = await b.get(`/notes/${noteId}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`action="/notes/${noteId}"`);
    expect(html).toContain(`data-autosave="/notes/${noteId}/autosave"`);
    expect(html).toContain('name="f.cc"');
    expect(html).toContain("Chief complaint");
    expect(html).toMatch(/<script src="\/assets\/autosave\.[0-9a-f]+\.js"/);
    expect(html).toContain("E11.9");
    expect(html).toContain("a snapshot is taken when you sign");
    // "Record vitals" and "Open the problems list" are buttons of the form: they save the draft, then go on.
    const vitalsNew = `/patients/${patientId}/chart/vitals/new?encounter=${encounterId}&return=${encodeURIComponent(`/notes/${noteId}`)}`;
    expect(html).toContain(`<button type="submit" class="secondary" formaction="/notes/${noteId}?next=${encodeURIComponent(vitalsNew)}">Record vitals</button>`);
    expect(html).toContain(`formaction="/notes/${noteId}?next=${encodeURIComponent(`/patients/${patientId}/chart/problems`)}"`);
    // Enter in a field is "Save draft": the form's first submit button posts to the form's own action.
    const editorForm = html.slice(html.indexOf('class="note-editor"'));
    expect(editorForm.match(/<button type="submit"[^>]*>/)![0]).toBe('<button type="submit" hidden tabindex="-1" aria-hidden="true">');
    expect(await auditRows("north", "event = 'note.view' AND entity_id = ?", noteId)).toHaveLength(1);
  });

  it("refuses a missing template with 422 and an unknown one with 404", async () => {
    const { b, encounterId } = await draftNote();
    const before = await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM notes WHERE encounter_id = ?").bind(encounterId).first<{ n: number }>();
    const res = await b.post(`/encounters/${encounterId}/notes`, { template_id: "" });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('id="f-template_id-error">Template is required.');
    expect((await b.post(`/encounters/${encounterId}/notes`, { template_id: "nope" })).status).toBe(404);
    const after = await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM notes WHERE encounter_id = ?").bind(encounterId).first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
  });
});

describe("a note from the starter library", () => {
  it("installs the starter template, embeds the encounter's questionnaire and freezes its score when signed", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const patientId = await registerPatient(await desk(), { given_name: "Mona", family_name: "Mood" });
    const encounterId = await adHocEncounter(b, patientId);
    const encounter = await (await b.get(`/encounters/${encounterId}`)).text();
    expect(encounter).toContain('<option value="starter:mental-health-progress">Mental health progress note (starter library)</option>');
    const noteId = await startNote(b, encounterId, "starter:mental-health-progress");
    const row = await noteRow(noteId);
    expect(row.title).toBe("Mental health progress note");
    const installed = await clinicD1("north").prepare("SELECT id FROM note_templates WHERE starter_key = 'mental-health-progress'").first<{ id: string }>();
    expect(row.template_id).toBe(installed!.id);

    await clinicD1("north")
      .prepare(
        `INSERT INTO measure_responses (id, patient_id, encounter_id, instrument, instrument_name, answers, score, severity, flags, taken_at)
         VALUES (?, ?, ?, 'phq9', 'PHQ-9', '[1,1,2,1,1,1,1,1,1]', 10, 'Moderate', '["thoughts of self-harm — assess safety today"]', ?)`,
      )
      .bind(crypto.randomUUID(), patientId, encounterId, Date.now())
      .run();
    const res = await b.get(`/notes/${noteId}`);
    const html = await res.text();
    expect(html).toContain("PHQ-9</strong>: 10 points, Moderate");
    expect(html).toContain("thoughts of self-harm");
    const administer = `/patients/${patientId}/progress/measures/new?instrument=phq9&encounter=${encounterId}&return=${encodeURIComponent(`/notes/${noteId}`)}`;
    expect(html).toContain(`formaction="/notes/${noteId}?next=${encodeURIComponent(administer)}">Administer</button>`);
    // The editor page stays well inside the staff page budget (60 KB compressed, with CSS and htmx).
    const gz = await new Response(new Blob([html]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
    console.log(`note editor (mental health template): ${html.length} bytes, ${gz.byteLength} gzipped`);
    expect(gz.byteLength).toBeLessThan(15_000);
    expect(await (await b.get(`/encounters/${encounterId}`)).text()).toContain("PHQ-9</strong>: 10 points, Moderate");

    const sign = await b.post(`/notes/${noteId}/sign`, {
      version: "1",
      editor: "1",
      "f.presentation": "Sleeping better",
      "f.suicidal_ideation": "Denied",
      "f.homicidal_ideation": "Denied",
      "f.risk_level": "Low",
      "f.interventions.0": "on",
      "f.plan": "Continue weekly sessions",
    });
    expect(sign.status).toBe(303);
    const signed = JSON.parse((await noteRow(noteId)).signed_content as string);
    expect(signed.values.interventions).toEqual(["Cognitive behavioral therapy"]);
    expect(signed.blocks.questionnaires).toEqual([
      expect.objectContaining({ instrument: "phq9", score: 10, severity: "Moderate", flags: ["thoughts of self-harm — assess safety today"], answers: [1, 1, 2, 1, 1, 1, 1, 1, 1] }),
    ]);
    expect(signed.blocks.vitals).toBeUndefined();
  });
});

describe("autosave and conflicts", () => {
  it("saves with a response under 2 KB, bumps the version and audits field names only", async () => {
    const { b, noteId } = await draftNote();
    const res = await b.post(`/notes/${noteId}/autosave`, { version: "1", "f.cc": "Cough for three weeks", "f.followup": "on" });
    expect(res.status).toBe(200);
    const bytes = (await res.clone().arrayBuffer()).byteLength;
    expect(bytes).toBeLessThanOrEqual(2048);
    console.log(`autosave response: ${bytes} bytes (budget 2048)`);
    const body = (await res.json()) as { version: number; savedAt: string };
    expect(body.version).toBe(2);
    expect(body.savedAt).toMatch(/^\d{2}:\d{2}$/);
    const row = await noteRow(noteId);
    expect(row.version).toBe(2);
    expect(JSON.parse(row.content as string)).toEqual({ cc: "Cough for three weeks", followup: true });
    const audit = await auditRows("north", "event = 'note.autosave' AND entity_id = ? AND outcome = 'success'", noteId);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toBe("changed: cc, followup");
    expect(String(audit[0]!.detail)).not.toContain("Cough");
  });

  it("refuses a bad value with 422 naming the field, and writes nothing", async () => {
    const { b, noteId } = await draftNote();
    const res = await b.post(`/notes/${noteId}/autosave`, { version: "1", "f.cc": "x".repeat(20_001) });
    expect(res.status).toBe(422);
    const j = (await res.json()) as { message: string; fields: Record<string, string> };
    expect(j.fields["f.cc"]).toContain("Chief complaint must be at most");
    expect((await b.post(`/notes/${noteId}/autosave`, { "f.cc": "x" })).status).toBe(422);
    expect((await noteRow(noteId)).version).toBe(1);
  });

  it("answers a save sent again after it landed (a flaky line retrying) with the saved version, not a conflict", async () => {
    const { b, noteId } = await draftNote();
    const fields = { version: "1", "f.cc": "Sore throat", "f.plan": "Fluids" };
    expect((await b.post(`/notes/${noteId}/autosave`, fields)).status).toBe(200);
    const again = await b.post(`/notes/${noteId}/autosave`, fields);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { version: number }).version).toBe(2);
    const row = await noteRow(noteId);
    expect(row.version).toBe(2);
    expect(JSON.parse(row.content as string).cc).toBe("Sore throat");
    const trail = await auditRows("north", "event = 'note.autosave' AND entity_id = ?", noteId);
    expect(trail.map((r) => r.detail)).toEqual([expect.stringMatching(/^changed: cc, .*plan$/), "already saved (sent version 1, saved 2); no changes"]);
    // A different text on the stale version is still a conflict.
    expect((await b.post(`/notes/${noteId}/autosave`, { ...fields, "f.cc": "Sore throat and fever" })).status).toBe(409);
  });

  it("never lets a second tab overwrite the first silently; keeping one's version is explicit", async () => {
    const { b, noteId } = await draftNote();
    // Tab A and tab B both opened the note at version 1.
    const tabA = await b.post(`/notes/${noteId}/autosave`, { version: "1", "f.cc": "Headache", "f.plan": "Rest" });
    expect(tabA.status).toBe(200);
    const tabB = await b.post(`/notes/${noteId}/autosave`, { version: "1", "f.cc": "Migraine", "f.plan": "Rest" });
    expect(tabB.status).toBe(409);
    const html = await tabB.text();
    expect(html).toContain("This note was saved elsewhere");
    expect(html).toContain(`Saved by <strong>${USERS.provider.name}`);
    expect(html).toContain("Headache");
    expect(html).toContain("Migraine");
    expect(html).toContain("One field differs");
    expect(html).toContain("Keep my version");
    expect(html).toContain("Use the saved version");
    expect(html).toContain('name="version" value="2"');
    expect(html).toContain('name="f.cc" value="Migraine"');
    // The saved note is tab A's.
    let row = await noteRow(noteId);
    expect(row.version).toBe(2);
    expect(JSON.parse(row.content as string).cc).toBe("Headache");
    const conflict = await auditRows("north", "event = 'note.autosave' AND entity_id = ? AND outcome = 'failure'", noteId);
    expect(conflict).toHaveLength(1);
    expect(conflict[0]!.detail).toBe("version conflict: sent 1, saved 2");

    // A plain "Save draft" from the stale tab is a 409 page too.
    const stale = await b.post(`/notes/${noteId}`, { version: "1", editor: "1", "f.cc": "Migraine" });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain("This note was saved elsewhere");

    // "Keep my version": the same values, posted with the current version.
    const keep = await b.post(`/notes/${noteId}`, { version: "2", overwrite: "1", editor: "1", "f.cc": "Migraine", "f.plan": "Rest" });
    expect(keep.status).toBe(303);
    expect(keep.headers.get("location")).toBe(`/notes/${noteId}?done=saved`);
    row = await noteRow(noteId);
    expect(row.version).toBe(3);
    expect(JSON.parse(row.content as string).cc).toBe("Migraine");
    const kept = await auditRows("north", "event = 'note.save' AND entity_id = ? AND outcome = 'success'", noteId);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.detail).toBe("kept this tab's version over a newer save; changed: cc");
  });

  it("lets only the author edit a draft: others read it, and their autosave is refused", async () => {
    const { noteId } = await draftNote();
    const nurse = await signedIn("north", USERS.nurse.email);
    const read = await nurse.get(`/notes/${noteId}`);
    expect(read.status).toBe(200);
    const html = await read.text();
    expect(html).toContain("Only the author can edit it");
    expect(html).not.toContain("data-autosave");
    expect((await nurse.post(`/notes/${noteId}/autosave`, { version: "1", "f.cc": "x" })).status).toBe(403);
    const associate = await signedIn("north", USERS.associate.email);
    const res = await associate.post(`/notes/${noteId}/autosave`, { version: "1", "f.cc": "x" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(`Only the author of this note, ${USERS.provider.name}`);
    expect((await noteRow(noteId)).version).toBe(1);
    expect(await auditRows("north", "event = 'note.autosave' AND entity_id = ? AND outcome = 'failure' AND user_id = ?", noteId, USERS.associate.id)).toHaveLength(1);
    const desk = await signedIn("north", USERS.frontDesk.email);
    expect((await desk.get(`/notes/${noteId}`)).status).toBe(403);
  });
});

describe("leaving the editor through a block (Record vitals, Administer, Open the … list)", () => {
  it("saves what was typed, then goes on to next", async () => {
    const { b, noteId, patientId, encounterId } = await draftNote();
    const next = `/patients/${patientId}/chart/vitals/new?encounter=${encounterId}&return=${encodeURIComponent(`/notes/${noteId}`)}`;
    const res = await b.post(`/notes/${noteId}?next=${encodeURIComponent(next)}`, { version: "1", editor: "1", "f.cc": "Chest tightness", "f.plan": "ECG" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(next);
    const row = await noteRow(noteId);
    expect(row.version).toBe(2);
    expect(JSON.parse(row.content as string)).toMatchObject({ cc: "Chest tightness", plan: "ECG" });
    expect(await auditRows("north", "event = 'note.save' AND entity_id = ? AND outcome = 'success'", noteId)).toHaveLength(1);
  });

  it("comes back to the note when next is not a path on this site", async () => {
    const { b, noteId } = await draftNote();
    let version = 1;
    for (const next of ["//evil.example", "https://evil.example", "/\\evil.example", "evil.example", ""]) {
      const res = await b.post(`/notes/${noteId}?next=${encodeURIComponent(next)}`, { version: String(version), editor: "1", "f.cc": `Try ${version}` });
      expect(res.status, next).toBe(303);
      expect(res.headers.get("location"), next).toBe(`/notes/${noteId}?done=saved`);
      version++;
    }
    const row = await noteRow(noteId);
    expect(row.version).toBe(version);
    expect(JSON.parse(row.content as string).cc).toBe(`Try ${version - 1}`);
  });

  it("answers a stale version with the 409 conflict page and goes nowhere", async () => {
    const { b, noteId, patientId } = await draftNote();
    expect((await b.post(`/notes/${noteId}/autosave`, { version: "1", "f.cc": "Saved in another tab" })).status).toBe(200);
    const res = await b.post(`/notes/${noteId}?next=${encodeURIComponent(`/patients/${patientId}/chart/problems`)}`, { version: "1", editor: "1", "f.cc": "This tab" });
    expect(res.status).toBe(409);
    expect(res.headers.get("location")).toBeNull();
    const html = await res.text();
    expect(html).toContain("This note was saved elsewhere");
    expect(html).toContain("This tab");
    const row = await noteRow(noteId);
    expect(row.version).toBe(2);
    expect(JSON.parse(row.content as string).cc).toBe("Saved in another tab");
  });

  it("offers no such buttons on a signed note", async () => {
    const { b, noteId } = await draftNote();
    expect((await b.post(`/notes/${noteId}/sign`, { version: "1", editor: "1", "f.cc": "Cough" })).status).toBe(303);
    const html = await (await b.get(`/notes/${noteId}`)).text();
    expect(html).not.toContain("formaction");
    expect(html).not.toContain("?next=");
    expect(html).not.toContain("Record vitals");
    expect(html).not.toContain("Open the problems list");
  });
});

describe("signing", () => {
  it("refuses to sign with a required field empty, listing it, and changes nothing", async () => {
    const { b, noteId } = await draftNote();
    const res = await b.post(`/notes/${noteId}/sign`, { version: "1", editor: "1", "f.plan": "Walk daily" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("Fill in the required fields first: Chief complaint");
    expect(html).toContain('id="nf-cc-error">Chief complaint is required before signing.');
    expect(html).toContain("Walk daily");
    const row = await noteRow(noteId);
    expect(row).toMatchObject({ status: "draft", version: 1, signed_at: null, content: "{}" });
  });

  it("signs what is on screen, stores the canonical content and its SHA-256, then locks the note", async () => {
    const { b, noteId, patientId, encounterId } = await draftNote();
    await clinicD1("north")
      .prepare("INSERT INTO vitals (id, patient_id, encounter_id, taken_at, systolic, diastolic, pulse) VALUES (?, ?, ?, ?, 128, 82, 71)")
      .bind(crypto.randomUUID(), patientId, encounterId, Date.now())
      .run();
    const res = await b.post(`/notes/${noteId}/sign`, { version: "1", editor: "1", "f.cc": "Sore throat", "f.plan": "Fluids" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/notes/${noteId}?done=signed`);
    const row = await noteRow(noteId);
    expect(row).toMatchObject({ status: "signed", version: 2, signed_by: USERS.provider.id, signed_by_name: USERS.provider.name, cosigner_staff_id: null });
    const signed = row.signed_content as string;
    expect(row.content_hash).toBe(await sha256(signed));
    const parsed = JSON.parse(signed);
    // Canonical: keys sorted at every level, no whitespace.
    expect(signed).not.toMatch(/\s"|":\s/);
    expect(Object.keys(parsed)).toEqual([...Object.keys(parsed)].sort());
    expect(parsed).toMatchObject({
      format: "note/1",
      noteId,
      patientId,
      encounterId,
      title: "Office visit",
      values: { cc: "Sore throat", plan: "Fluids", followup: false },
      author: { id: USERS.provider.id, name: USERS.provider.name },
      signedAt: new Date(row.signed_at as number).toISOString(),
    });
    expect(parsed.blocks.problems).toEqual([{ code: "E11.9", description: "Type 2 diabetes mellitus without complications", onsetDate: null }]);
    expect(parsed.blocks.vitals[0]).toMatchObject({ systolic: 128, diastolic: 82, pulse: 71 });
    expect(parsed.definition).toEqual(DEFINITION);

    const page = await (await b.get(`/notes/${noteId}?done=signed`)).text();
    expect(page).toContain(`Signed by <strong>${USERS.provider.name}</strong>`);
    expect(page).toContain(row.content_hash as string);
    expect(page).toContain("128/82");
    expect(page).not.toContain("data-autosave");
    expect(await (await b.get(`/notes/${noteId}?verify=1`)).text()).toContain("Verified: the stored content");

    // Locked: saving, autosaving and signing again are refused with 423, and nothing changes.
    const save = await b.post(`/notes/${noteId}`, { version: "2", editor: "1", "f.cc": "Changed" });
    expect(save.status).toBe(423);
    expect(await save.text()).toContain("This note is signed. Add an addendum to correct it.");
    const auto = await b.post(`/notes/${noteId}/autosave`, { version: "2", "f.cc": "Changed" });
    expect(auto.status).toBe(423);
    expect(((await auto.json()) as { message: string }).message).toBe("This note is signed. Add an addendum to correct it.");
    expect((await b.post(`/notes/${noteId}/sign`, { version: "2", editor: "1", "f.cc": "Changed" })).status).toBe(423);
    const after = await noteRow(noteId);
    expect(after.signed_content).toBe(signed);
    expect(after.content).toBe(row.content);
    expect(after.version).toBe(2);

    // And the database itself refuses, whoever asks.
    await expect(clinicD1("north").prepare("UPDATE notes SET content = '{}' WHERE id = ?").bind(noteId).run()).rejects.toThrow(/signed note is locked/);
    await expect(clinicD1("north").prepare("UPDATE notes SET status = 'draft' WHERE id = ?").bind(noteId).run()).rejects.toThrow(/signed note is locked/);
    await expect(clinicD1("north").prepare("DELETE FROM notes WHERE id = ?").bind(noteId).run()).rejects.toThrow(/signed note is locked/);

    expect(await auditRows("north", "event = 'note.sign' AND entity_id = ? AND outcome = 'success'", noteId)).toHaveLength(1);
    expect(await auditRows("north", "event IN ('note.save', 'note.autosave', 'note.sign') AND entity_id = ? AND outcome = 'failure' AND detail = 'note is signed'", noteId)).toHaveLength(3);
  });

  it("appends signed addenda below a signed note, and only there", async () => {
    const { b, noteId } = await draftNote();
    const early = await b.post(`/notes/${noteId}/addenda`, { body: "Too early" });
    expect(early.status).toBe(409);
    await b.post(`/notes/${noteId}/sign`, { version: "1", editor: "1", "f.cc": "Back pain" });
    const empty = await b.post(`/notes/${noteId}/addenda`, { body: "   " });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('id="f-body-error">Addendum text is required.');
    expect(await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM note_addenda WHERE note_id = ?").bind(noteId).first("n")).toBe(0);

    expect((await b.post(`/notes/${noteId}/addenda`, { body: "X-ray reviewed: no fracture." })).status).toBe(303);
    expect((await b.post(`/notes/${noteId}/addenda`, { body: "Patient called: pain better." })).status).toBe(303);
    const note = await noteRow(noteId);
    const { results } = await clinicD1("north").prepare("SELECT * FROM note_addenda WHERE note_id = ? ORDER BY created_at").bind(noteId).all<Record<string, string | number>>();
    expect(results).toHaveLength(2);
    const a = results[0]!;
    expect(a).toMatchObject({ body: "X-ray reviewed: no fracture.", author_staff_id: USERS.provider.id, author_name: USERS.provider.name });
    const canonical = `{"author":{"id":"${USERS.provider.id}","name":"${USERS.provider.name}"},"body":"X-ray reviewed: no fracture.","createdAt":"${new Date(a.created_at as number).toISOString()}","noteHash":"${note.content_hash}"}`;
    expect(a.content_hash).toBe(await sha256(canonical));

    const html = await (await b.get(`/notes/${noteId}`)).text();
    expect(html.indexOf("X-ray reviewed")).toBeGreaterThan(html.indexOf("Signed by"));
    expect(html.indexOf("Patient called")).toBeGreaterThan(html.indexOf("X-ray reviewed"));
    expect(html).toContain(a.content_hash as string);
    expect(await (await b.get(`/notes/${noteId}?verify=1`)).text()).toContain("Verified");

    await expect(clinicD1("north").prepare("UPDATE note_addenda SET body = 'x' WHERE id = ?").bind(a.id).run()).rejects.toThrow(/append-only/);
    await expect(clinicD1("north").prepare("DELETE FROM note_addenda WHERE id = ?").bind(a.id).run()).rejects.toThrow(/append-only/);
    expect(await auditRows("north", "event = 'note.addendum' AND entity_id = ? AND outcome = 'success'", noteId)).toHaveLength(2);
  });
});

describe("co-signature", () => {
  it("holds an associate's signed note for the named supervisor, who alone co-signs it", async () => {
    const { b, noteId } = await draftNote(USERS.associate.email);
    const editor = await (await b.get(`/notes/${noteId}`)).text();
    expect(editor).toContain("Supervisor who will co-sign");
    expect(editor).toContain(`<option value="${USERS.provider.id}">${USERS.provider.name}</option>`);
    expect(editor).not.toContain(`<option value="${USERS.owner.id}"`);

    const nobody = await b.post(`/notes/${noteId}/sign`, { version: "1", editor: "1", "f.cc": "Rash" });
    expect(nobody.status).toBe(422);
    expect(await nobody.text()).toContain("Choose the supervisor who will co-sign this note.");
    expect((await b.post(`/notes/${noteId}/sign`, { version: "1", editor: "1", "f.cc": "Rash", cosigner: USERS.owner.id })).status).toBe(422);
    expect((await noteRow(noteId)).status).toBe("draft");

    const res = await b.post(`/notes/${noteId}/sign`, { version: "1", editor: "1", "f.cc": "Rash", cosigner: USERS.provider.id });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/notes/${noteId}?done=awaiting`);
    let row = await noteRow(noteId);
    expect(row).toMatchObject({ status: "awaiting_cosign", cosigner_staff_id: USERS.provider.id, cosigner_name: USERS.provider.name, cosigned_at: null });
    expect(row.content_hash).toBe(await sha256(row.signed_content as string));
    // Already locked while it waits.
    expect((await b.post(`/notes/${noteId}/autosave`, { version: "2", "f.cc": "x" })).status).toBe(423);

    const provider = await signedIn("north", USERS.provider.email);
    const waiting = await (await provider.get("/encounters?cosign=1")).text();
    expect(waiting).toContain(`/notes/${noteId}`);
    expect(await (await provider.get(`/notes/${noteId}`)).text()).toContain("Co-sign note");

    const other = await signedIn("north", USERS.lockTarget.email);
    expect(await (await other.get("/encounters?cosign=1")).text()).not.toContain(`/notes/${noteId}`);
    expect((await other.post(`/notes/${noteId}/cosign`, {})).status).toBe(403);
    const owner = await signedIn("north", USERS.owner.email);
    expect((await owner.post(`/notes/${noteId}/cosign`, {})).status).toBe(403);
    expect((await b.post(`/notes/${noteId}/cosign`, {})).status).toBe(403);
    expect((await noteRow(noteId)).status).toBe("awaiting_cosign");

    const done = await provider.post(`/notes/${noteId}/cosign`, {});
    expect(done.status).toBe(303);
    row = await noteRow(noteId);
    expect(row.status).toBe("signed");
    expect(row.cosigned_at).toBeTypeOf("number");
    const canonical = `{"contentHash":"${row.content_hash}","cosignedAt":"${new Date(row.cosigned_at as number).toISOString()}","cosigner":{"id":"${USERS.provider.id}","name":"${USERS.provider.name}"}}`;
    expect(row.cosign_hash).toBe(await sha256(canonical));
    expect((await provider.post(`/notes/${noteId}/cosign`, {})).status).toBe(409);
    const page = await (await provider.get(`/notes/${noteId}?verify=1`)).text();
    expect(page).toContain(`Co-signed by <strong>${USERS.provider.name}</strong>`);
    expect(page).toContain("Verified");

    expect(await auditRows("north", "event = 'note.sign' AND entity_id = ? AND outcome = 'success'", noteId)).toHaveLength(1);
    expect(await auditRows("north", "event = 'note.cosign' AND entity_id = ? AND outcome = 'success' AND user_id = ?", noteId, USERS.provider.id)).toHaveLength(1);
    expect(await auditRows("north", "event = 'note.cosign' AND entity_id = ? AND outcome = 'failure' AND user_id = ?", noteId, USERS.lockTarget.id)).toHaveLength(1);
  });
});

describe("printing", () => {
  it("prints a standalone page with the patient, the encounter, the note and a draft watermark", async () => {
    const { b, noteId } = await draftNote();
    await b.post(`/notes/${noteId}/autosave`, { version: "1", "f.cc": "Dizziness" });
    const res = await b.get(`/notes/${noteId}/print`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Riverside North");
    expect(html).toMatch(/Notes, Pat\w+, born Mar 12, 1984/);
    expect(html).toContain("Dizziness");
    expect(html).toContain("Draft — not signed");
    expect(html).not.toContain('aria-label="Main"');
    expect(html).not.toContain("chart-tabs");
    expect(html).toContain(USERS.provider.name);
    const audit = await auditRows("north", "event = 'note.print' AND entity_id = ?", noteId);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.action).toBe("print");

    await b.post(`/notes/${noteId}/sign`, { version: "2" });
    const signed = await (await b.get(`/notes/${noteId}/print`)).text();
    expect(signed).not.toContain("Draft — not signed");
    expect(signed).toContain(`Signed by <strong>${USERS.provider.name}</strong>`);
    // Signing without the editor's fields signs the saved values.
    expect(JSON.parse((await noteRow(noteId)).signed_content as string).values.cc).toBe("Dizziness");
  });
});

describe("who sees what", () => {
  it("shows billers encounters with diagnosis codes of signed notes and no note text; the note itself is refused", async () => {
    const { b, noteId, encounterId } = await draftNote();
    await b.post(`/notes/${noteId}/sign`, { version: "1", editor: "1", "f.cc": "Polyuria and thirst", "f.plan": "HbA1c" });
    const biller = await signedIn("north", USERS.biller.email);
    const res = await biller.get("/encounters");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("E11.9");
    expect(html).toContain("Signed");
    expect(html).not.toContain("Polyuria");
    expect(html).not.toContain("Type 2 diabetes");
    expect(html).not.toContain("Office visit");
    expect(html).not.toContain(`/notes/${noteId}`);
    expect((await biller.get(`/notes/${noteId}`)).status).toBe(403);
    expect((await biller.get(`/notes/${noteId}/print`)).status).toBe(403);
    expect((await biller.get(`/encounters/${encounterId}`)).status).toBe(403);
    const list = await auditRows("north", "event = 'encounter.list' AND user_id = ? AND entity_id = ?", USERS.biller.id, encounterId);
    expect(list).toHaveLength(1);
    expect(list[0]!.detail).toBe("billing view");

    const desk = await signedIn("north", USERS.frontDesk.email);
    expect((await desk.get("/encounters")).status).toBe(403);
  });

  it("answers 404 for another clinic's note and encounter, with an audit row there", async () => {
    const { noteId, encounterId } = await draftNote();
    const south = await signedIn("south", USERS.provider.email);
    expect((await south.get(`/notes/${noteId}`)).status).toBe(404);
    expect((await south.get(`/notes/${noteId}/print`)).status).toBe(404);
    expect((await south.post(`/notes/${noteId}/autosave`, { version: "1", "f.cc": "x" })).status).toBe(404);
    expect((await south.post(`/notes/${noteId}/sign`, { version: "1" })).status).toBe(404);
    expect((await south.post(`/notes/${noteId}/addenda`, { body: "x" })).status).toBe(404);
    expect((await south.get(`/encounters/${encounterId}`)).status).toBe(404);
    expect((await south.post(`/encounters/${encounterId}/notes`, { template_id: await insertTemplate("south") })).status).toBe(404);
    expect((await noteRow(noteId)).version).toBe(1);
    expect(await auditRows("south", "event = 'note.view' AND entity_id = ? AND outcome = 'failure'", noteId)).toHaveLength(1);
    expect(await auditRows("south", "event = 'encounter.view' AND entity_id = ? AND outcome = 'failure'", encounterId)).toHaveLength(1);
  });
});
