import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { h } from "preact";
import { render } from "preact-render-to-string";
import { describe, expect, it } from "vitest";
import { parseDefinition, validateDefinition, type NoteContent, type TemplateDefinition, type TemplateField } from "../../src/notes/model";
import { STARTER_TEMPLATES } from "../../src/notes/starter-library";
import { listUsableTemplates, resolveTemplateForNote } from "../../src/notes/templates";
import { AppError } from "../../src/platform/errors";
import type { Permission } from "../../src/platform/permissions";
import type { StaffScope } from "../../src/platform/scope";
import * as clinicSchema from "../../src/schema/clinic";
import { FieldInput, FieldView, readNoteForm } from "../../views/notes/fields";
import { missingRequired } from "../../src/notes/required";
import { CLINICS, USERS } from "../fixtures";
import { auditRows, clinicD1, signedIn, type Browser, type ClinicKey } from "../helpers";

const T = "/settings/templates";

type Row = { id: string; name: string; description: string | null; definition: string; owner_staff_id: string | null; shared: number; starter_key: string | null; archived: number; version: number };

async function templateRow(id: string, clinic: ClinicKey = "north"): Promise<Row | null> {
  return clinicD1(clinic).prepare("SELECT * FROM note_templates WHERE id = ?").bind(id).first<Row>();
}

async function templateCount(clinic: ClinicKey = "north"): Promise<number> {
  return (await clinicD1(clinic).prepare("SELECT COUNT(*) AS n FROM note_templates").first<{ n: number }>())!.n;
}

function idFrom(res: Response): string {
  const m = res.headers.get("location")?.match(/\/settings\/templates\/([0-9a-f-]{36})/);
  if (!m) throw new Error(`no template in location ${res.headers.get("location")} (status ${res.status})`);
  return m[1]!;
}

async function createTemplate(b: Browser, name: string, start: "blank" | "soap" = "blank"): Promise<string> {
  const res = await b.post(T, { name, description: `${name} description`, start });
  expect(res.status).toBe(303);
  return idFrom(res);
}

/** Posts one builder operation with the template's current version; expects the redirect back. */
async function op(b: Browser, id: string, path: string, fields: Record<string, string> = {}): Promise<void> {
  const version = (await templateRow(id))!.version;
  const res = await b.post(`${T}/${id}${path}`, { version: String(version), ...fields });
  if (res.status !== 303) throw new Error(`${path}: ${res.status} ${(await res.text()).slice(0, 2000)}`);
  expect(res.headers.get("location")).toBe(`${T}/${id}?saved=1`);
}

/** A service scope for a fixture user, with their real permissions from the directory. */
async function scopeOf(user: (typeof USERS)[keyof typeof USERS], role: string, clinic: ClinicKey = "north"): Promise<StaffScope> {
  const perms = await env.DIRECTORY.prepare("SELECT permission FROM role_permissions WHERE role = ?").bind(role).all<{ permission: Permission }>();
  const d1 = clinicD1(clinic);
  const c = CLINICS[clinic];
  return {
    db: drizzle(d1, { schema: clinicSchema }),
    d1,
    clinic: { id: c.id, slug: c.slug, name: c.name, timezone: "America/New_York", country: "US", status: "active", dbBinding: c.binding, organizationId: c.org, idleTimeoutMinutes: 30, sessionMaxHours: 12, careTeamOnly: false },
    staff: { id: user.id, email: user.email, name: user.name, sessionId: "test", role, permissions: new Set(perms.results.map((r) => r.permission)), otherClinics: [] },
    meta: { requestId: `test:${crypto.randomUUID()}`, ip: null, userAgent: null },
    auditKeys: env.AUDIT_KEYS,
    waitUntil: (p) => void p,
  };
}

// ------------------------------------------------------------------------------------------------

describe("the starter library", () => {
  it("has the five templates, each a valid definition already in its clean form", () => {
    expect(STARTER_TEMPLATES.map((s) => s.key)).toEqual(["general-visit", "follow-up", "physical-therapy", "mental-health-progress", "integrative-intake"]);
    for (const s of STARTER_TEMPLATES) {
      const r = validateDefinition(s.definition);
      expect(r.ok ? null : r.errors, s.key).toBeNull();
      if (r.ok) expect(r.def).toEqual(s.definition);
    }
    const fields = (key: string) => STARTER_TEMPLATES.find((s) => s.key === key)!.definition.sections.flatMap((s) => s.fields);
    const types = (key: string) => new Set(fields(key).map((f) => f.type));
    for (const t of ["text", "ros", "vitals", "chart_insert", "date"] as const) expect(types("general-visit").has(t)).toBe(true);
    expect(fields("general-visit").find((f) => f.type === "chart_insert")!.source).toBe("problems");
    const pain = fields("physical-therapy").find((f) => f.key === "pain_score")!;
    expect(pain).toMatchObject({ type: "number", min: 0, max: 10 });
    expect(fields("physical-therapy").find((f) => f.key === "treatment")!.type).toBe("multi_choice");
    expect(fields("mental-health-progress").filter((f) => f.type === "questionnaire").map((f) => f.instrument)).toEqual(["phq9", "gad7"]);
    expect(fields("integrative-intake").filter((f) => f.type === "chart_insert").map((f) => f.source).sort()).toEqual(["allergies", "medications"]);
  });

  it("installs a starter once into the clinic, however often it is added, and audits the one install", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const list = await (await b.get(T)).text();
    expect(list).toContain("Follow-up visit");
    expect(list).toContain(`${T}/starter/follow-up/preview`);

    const first = await b.post(`${T}/starter/follow-up/install`, {});
    const second = await b.post(`${T}/starter/follow-up/install`, {});
    expect(first.status).toBe(303);
    expect(idFrom(second)).toBe(idFrom(first));
    const rows = await clinicD1("north").prepare("SELECT * FROM note_templates WHERE starter_key = 'follow-up'").all<Row>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]).toMatchObject({ shared: 1, owner_staff_id: null, name: "Follow-up visit", archived: 0 });
    expect(JSON.parse(rows.results[0]!.definition)).toEqual(STARTER_TEMPLATES[1]!.definition);
    const audit = await auditRows("north", "event = 'template.install' AND entity_id = ?", rows.results[0]!.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "create", entity_type: "note_template", patient_id: null, outcome: "success" });
    // Installed: no longer offered as a starter, listed with the clinic's shared templates.
    const after = await (await b.get(T)).text();
    expect(after).not.toContain(`${T}/starter/follow-up/install`);
    expect(after).toContain(`${T}/${rows.results[0]!.id}`);
  });

  it("previews a starter template with every field disabled", async () => {
    const b = await signedIn("north", USERS.associate.email);
    const res = await b.get(`${T}/starter/mental-health-progress/preview`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Mental status examination");
    expect(html).toContain("The PHQ-9 (depression) questionnaire is given and scored here.");
    expect(html).not.toMatch(/<(input|textarea|select)(?![^>]*disabled)[^>]*name="f\./);
    expect((await b.get(`${T}/starter/no-such-thing/preview`)).status).toBe(404);
  });

  it("is offered to note writers until installed, and a note started from it installs it once under concurrency", async () => {
    const scope = await scopeOf(USERS.provider, "provider");
    const before = await listUsableTemplates(scope);
    expect(before.find((t) => t.id === "starter:physical-therapy")).toMatchObject({ starter: true, shared: true, mine: false, name: "Physical therapy daily note" });
    const names = before.map((t) => t.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, "en", { sensitivity: "base" })));

    const [a, b] = await Promise.all([resolveTemplateForNote(scope, "starter:physical-therapy"), resolveTemplateForNote(await scopeOf(USERS.associate, "associate"), "starter:physical-therapy")]);
    expect(a.id).toBe(b.id);
    expect(a.definition).toEqual(STARTER_TEMPLATES[2]!.definition);
    const n = await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM note_templates WHERE starter_key = 'physical-therapy'").first<{ n: number }>();
    expect(n!.n).toBe(1);
    expect(await auditRows("north", "event = 'template.install' AND entity_id = ?", a.id)).toHaveLength(1);

    const after = await listUsableTemplates(scope);
    expect(after.find((t) => t.id === "starter:physical-therapy")).toBeUndefined();
    expect(after.find((t) => t.id === a.id)).toMatchObject({ starter: false, shared: true });
    // The same id resolves again without a second install.
    expect((await resolveTemplateForNote(scope, "starter:physical-therapy")).id).toBe(a.id);
  });

  it("refuses unknown templates and roles that write no notes", async () => {
    const scope = await scopeOf(USERS.provider, "provider");
    await expect(resolveTemplateForNote(scope, "starter:nope")).rejects.toMatchObject({ code: "not_found" });
    await expect(resolveTemplateForNote(scope, crypto.randomUUID())).rejects.toMatchObject({ code: "not_found" });
    await expect(listUsableTemplates(await scopeOf(USERS.frontDesk, "front_desk"))).rejects.toMatchObject({ code: "forbidden" });
  });
});

// ------------------------------------------------------------------------------------------------

describe("the template builder", () => {
  it("builds a template with one field of every type, reorders and edits it, and reloads what was built", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const id = await createTemplate(b, "Knee rehab visit");
    expect(await templateRow(id)).toMatchObject({ owner_staff_id: USERS.provider.id, shared: 0, definition: '{"sections":[]}' });

    for (const title of ["Subjective", "Objective", "Plan", "Scratch"]) await op(b, id, "/sections", { title });
    const add = (section: string, fields: Record<string, string>) => op(b, id, `/sections/${section}/fields`, fields);
    await add("subjective", { type: "text", label: "Chief complaint", help: "In the patient's words.", required: "1" });
    await add("subjective", { type: "single_choice", label: "Since the last visit", options: "Better\nSame\r\nWorse\n\n" });
    await add("subjective", { type: "multi_choice", label: "Symptoms", options: "Pain\nStiffness" });
    await add("subjective", { type: "checkbox", label: "Consent obtained", required: "1" });
    await add("objective", { type: "number", label: "Pain score", unit: "/10", min: "0", max: "10" });
    await add("objective", { type: "vitals", label: "Vital signs" });
    await add("objective", { type: "ros", label: "Review of systems", options: "Musculoskeletal\nSkin\nNeurological" });
    await add("objective", { type: "questionnaire", label: "PHQ-9", key: "phq9_today", instrument: "phq9" });
    await add("objective", { type: "chart_insert", label: "Active problems", source: "problems" });
    await add("plan", { type: "date", label: "Follow-up date", unit: "ignored for a date" });
    await add("scratch", { type: "text", label: "Temporary" });

    await op(b, id, "/sections/objective/move", { direction: "up" });
    await op(b, id, "/fields/consent_obtained/move", { direction: "up" });
    // Up from the top of a section moves a field to the end of the section above.
    await op(b, id, "/fields/chief_complaint/move", { direction: "up" });
    await op(b, id, "/fields/symptoms", { type: "multi_choice", label: "Presenting symptoms", key: "", options: "Pain\nStiffness\nSwelling" });
    await op(b, id, "/sections/plan", { title: "Plan of care" });
    await op(b, id, "/fields/temporary/remove");
    await op(b, id, "/sections/scratch/remove");
    await op(b, id, "/meta", { name: "Knee rehabilitation visit", description: "" });

    const expected: TemplateDefinition = {
      sections: [
        {
          key: "objective",
          title: "Objective",
          fields: [
            { key: "pain_score", type: "number", label: "Pain score", unit: "/10", min: 0, max: 10 },
            { key: "vital_signs", type: "vitals", label: "Vital signs" },
            { key: "review_of_systems", type: "ros", label: "Review of systems", options: ["Musculoskeletal", "Skin", "Neurological"] },
            { key: "phq9_today", type: "questionnaire", label: "PHQ-9", instrument: "phq9" },
            { key: "active_problems", type: "chart_insert", label: "Active problems", source: "problems" },
            { key: "chief_complaint", type: "text", label: "Chief complaint", help: "In the patient's words.", required: true },
          ],
        },
        {
          key: "subjective",
          title: "Subjective",
          fields: [
            { key: "since_the_last_visit", type: "single_choice", label: "Since the last visit", options: ["Better", "Same", "Worse"] },
            { key: "consent_obtained", type: "checkbox", label: "Consent obtained", required: true },
            { key: "symptoms", type: "multi_choice", label: "Presenting symptoms", options: ["Pain", "Stiffness", "Swelling"] },
          ],
        },
        { key: "plan", title: "Plan of care", fields: [{ key: "follow_up_date", type: "date", label: "Follow-up date" }] },
      ],
    };
    const row = (await templateRow(id))!;
    expect(JSON.parse(row.definition)).toEqual(expected);
    expect(row).toMatchObject({ name: "Knee rehabilitation visit", description: null, version: 24 });

    // Reloading the builder shows what was built.
    const page = await b.get(`${T}/${id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const label of ["Plan of care", "Presenting symptoms", "Review of systems", "Active problems"]) expect(html).toContain(label);
    expect(html).not.toContain("Temporary");
    expect(html).toContain(`name="version" value="24"`);

    // The preview renders every field as the note form, disabled.
    const preview = await (await b.get(`${T}/${id}/preview`)).text();
    for (const f of expected.sections.flatMap((s) => s.fields)) expect(preview).toContain(f.label);
    for (const name of ["f.pain_score", "f.chief_complaint", "f.since_the_last_visit", "f.symptoms.2", "f.consent_obtained", "f.follow_up_date", "f.review_of_systems.1.status", "f.review_of_systems.1.comment"]) {
      expect(preview).toMatch(new RegExp(`<(input|textarea|select)[^>]*name="${name.replace(/\./g, "\\.")}"[^>]*disabled`));
    }
    expect(preview).toContain("The vital signs recorded in the encounter are shown here.");
    expect(preview).toContain("The patient's active problems are inserted here");

    // Export, then import: the same definition, as a new private template of the importer.
    const exported = await b.get(`${T}/${id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-type")).toContain("application/json");
    expect(exported.headers.get("content-disposition")).toBe('attachment; filename="knee-rehabilitation-visit.template.json"');
    const json = await exported.text();
    expect(JSON.parse(json)).toMatchObject({ format: "note-template", name: "Knee rehabilitation visit", definition: expected });
    const imported = await b.post(`${T}/import`, { json, name: "" });
    expect(imported.status).toBe(303);
    const copy = (await templateRow(idFrom(imported)))!;
    expect(copy.id).not.toBe(id);
    expect(JSON.parse(copy.definition)).toEqual(expected);
    expect(copy).toMatchObject({ name: "Knee rehabilitation visit", owner_staff_id: USERS.provider.id, shared: 0 });

    const events = (await auditRows("north", "entity_id IN (?, ?) AND outcome = 'success'", id, copy.id)).map((r) => r.event);
    expect(events.filter((e) => e === "template.create")).toHaveLength(1);
    expect(events.filter((e) => e === "template.update")).toHaveLength(23);
    expect(events).toContain("template.export");
    expect(events).toContain("template.import");
    const anyPatient = await auditRows("north", "entity_type = 'note_template' AND patient_id IS NOT NULL");
    expect(anyPatient).toHaveLength(0);
  });

  it("swaps just the builder fragment for htmx, on success and on bad input", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const id = await createTemplate(b, "Fragment test", "soap");
    const hx = { "HX-Request": "true", "HX-Target": "div#template-builder" };
    const ok = await b.post(`${T}/${id}/sections/plan/fields`, { version: "1", type: "text", label: "Plan" }, { headers: hx });
    expect(ok.status).toBe(200);
    const html = await ok.text();
    expect(html).toMatch(/^<div id="template-builder"/);
    expect(html).not.toContain("<html");
    expect(html).toContain("Saved.");
    expect(html).toContain(`name="version" value="2"`);

    const bad = await b.post(`${T}/${id}/sections/plan/fields`, { version: "2", type: "number", label: "Weight" }, { headers: hx });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toMatch(/^<div id="template-builder"/);
    expect(badHtml).toContain('id="add-plan-unit-error">The unit of “Weight” (Plan) is required');
    expect((await templateRow(id))!.version).toBe(2);
  });

  it("refuses bad field input with 422, names the field, and writes nothing", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const id = await createTemplate(b, "Validation test", "soap");
    await op(b, id, "/sections/subjective/fields", { type: "text", label: "Mood notes", key: "mood" });
    const before = (await templateRow(id))!;
    const post = (path: string, fields: Record<string, string>) => b.post(`${T}/${id}${path}`, { version: String(before.version), ...fields });

    const cases: [string, Record<string, string>, string][] = [
      ["/sections/subjective/fields", { type: "single_choice", label: "Mood", options: "" }, "Options of “Mood” (Subjective) are required: enter at least two, one per line."],
      ["/sections/subjective/fields", { type: "multi_choice", label: "Mood", options: "Low\nlow" }, "The options of “Mood” (Subjective) must all be different."],
      ["/sections/subjective/fields", { type: "ros", label: "Systems" }, "Body systems of “Systems” (Subjective) are required"],
      ["/sections/subjective/fields", { type: "number", label: "Weight", unit: "kg", min: "10", max: "5" }, "The maximum of “Weight” (Subjective) must be greater than its minimum."],
      ["/sections/subjective/fields", { type: "number", label: "Weight", unit: "kg", min: "ten" }, "Minimum must be a number"],
      ["/sections/subjective/fields", { type: "questionnaire", label: "Sleep", instrument: "sleep-99" }, "Choose the questionnaire of “Sleep” from the list."],
      ["/sections/subjective/fields", { type: "questionnaire", label: "Sleep" }, "Choose the questionnaire of “Sleep” (Subjective)"],
      ["/sections/subjective/fields", { type: "chart_insert", label: "Meds", source: "labs" }, "Choose what “Meds” (Subjective) inserts from the chart"],
      ["/sections/subjective/fields", { type: "text", label: "   " }, "Label is required."],
      ["/sections/subjective/fields", { type: "text", label: "Other", key: "mood" }, "Key “mood” is already used by the field “Mood notes”"],
      ["/sections/subjective/fields", { type: "text", label: "Other", key: "Bad Key!" }, "Key must be 1 to 40 lowercase letters"],
      ["/sections/subjective/fields", { type: "essay", label: "Other" }, "Choose the kind of field."],
      ["/sections", { title: "" }, "Section title is required."],
      ["/sections/objective", { title: "x".repeat(201) }, "Section title must be at most 200 characters."],
      ["/meta", { name: "" }, "Name is required."],
    ];
    for (const [path, fields, message] of cases) {
      const res = await post(path, fields);
      const html = await res.text();
      expect(res.status, `${path} ${JSON.stringify(fields)}`).toBe(422);
      expect(html).toContain(message);
      expect(html).toContain("nothing was saved");
    }
    const after = (await templateRow(id))!;
    expect(after.definition).toBe(before.definition);
    expect(after.version).toBe(before.version);
    expect(after.name).toBe(before.name);
  });

  it("refuses a stale edit with 409, shows the latest version and overwrites nothing", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const id = await createTemplate(b, "Two tabs", "soap");
    // Tab one adds a field; tab two still shows version 1.
    await op(b, id, "/sections/plan/fields", { type: "text", label: "Plan" });
    const saved = (await templateRow(id))!;
    const stale = await b.post(`${T}/${id}/sections/plan/fields`, { version: "1", type: "text", label: "Other plan" });
    expect(stale.status).toBe(409);
    const html = await stale.text();
    expect(html).toContain("Someone else changed this template after you opened it. Your change was not saved");
    expect(html).toContain(`name="version" value="${saved.version}"`);
    const staleMove = await b.post(`${T}/${id}/sections/plan/move`, { version: "1", direction: "up" });
    expect(staleMove.status).toBe(409);
    const missing = await b.post(`${T}/${id}/sections/plan/move`, { direction: "up" });
    expect(missing.status).toBe(409);
    const after = (await templateRow(id))!;
    expect(after.definition).toBe(saved.definition);
    expect(after.version).toBe(saved.version);
    const failures = await auditRows("north", "event = 'template.update' AND entity_id = ? AND outcome = 'failure'", id);
    expect(failures.length).toBeGreaterThanOrEqual(2);
  });

  it("offers the clinic's own questionnaires beside PHQ-9 and GAD-7", async () => {
    await clinicD1("north").prepare("INSERT INTO questionnaires (id, code, name, definition) VALUES (?, 'sleep-5', 'Sleep quality (5 items)', '{}')").bind(crypto.randomUUID()).run();
    const b = await signedIn("north", USERS.provider.email);
    const id = await createTemplate(b, "Sleep clinic", "soap");
    const html = await (await b.get(`${T}/${id}`)).text();
    for (const option of ['<option value="phq9">PHQ-9 (depression)</option>', '<option value="gad7">GAD-7 (anxiety)</option>', '<option value="sleep-5">Sleep quality (5 items)</option>']) {
      expect(html).toContain(option);
    }
    await op(b, id, "/sections/subjective/fields", { type: "questionnaire", label: "Sleep score", instrument: "sleep-5" });
    expect(JSON.parse((await templateRow(id))!.definition).sections[0].fields).toEqual([{ key: "sleep_score", type: "questionnaire", label: "Sleep score", instrument: "sleep-5" }]);
  });

  it("answers 404 for a section or field that is not there", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const id = await createTemplate(b, "Missing parts", "soap");
    expect((await b.post(`${T}/${id}/sections/nope/move`, { version: "1", direction: "up" })).status).toBe(404);
    expect((await b.post(`${T}/${id}/fields/nope/remove`, { version: "1" })).status).toBe(404);
    expect((await templateRow(id))!.version).toBe(1);
  });

  it("imports only a valid definition: 422 lists the problems and nothing is written", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const before = await templateCount();
    const bad = {
      format: "note-template",
      name: "Broken",
      definition: { sections: [{ key: "s", title: "S", fields: [{ key: "mood", type: "single_choice", label: "Mood" }, { key: "mood", type: "number", label: "Dose" }] }] },
    };
    const res = await b.post(`${T}/import`, { json: JSON.stringify(bad) });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("Options of “Mood” (S) are required");
    expect(html).toContain("The key “mood” of “Dose” (S) is already used by “Mood” (S).");
    expect(html).toContain("The unit of “Dose” (S) is required");
    const notJson = await b.post(`${T}/import`, { json: "{not json" });
    expect(notJson.status).toBe(422);
    expect(await notJson.text()).toContain("Template JSON is not valid JSON");
    const unknownQ = await b.post(`${T}/import`, {
      json: JSON.stringify({ sections: [{ key: "s", title: "S", fields: [{ key: "q", type: "questionnaire", label: "Sleep", instrument: "sleep-77" }] }] }),
      name: "Bare definition",
    });
    expect(unknownQ.status).toBe(422);
    expect(await unknownQ.text()).toContain("This clinic has no questionnaire with the code sleep-77");
    const noName = await b.post(`${T}/import`, { json: JSON.stringify({ sections: [] }) });
    expect(noName.status).toBe(422);
    expect(await noName.text()).toContain("Name is required");
    expect(await templateCount()).toBe(before);
    // A bare definition with a name typed is accepted.
    const ok = await b.post(`${T}/import`, { json: JSON.stringify({ sections: [] }), name: "Bare definition" });
    expect(ok.status).toBe(303);
  });
});

// ------------------------------------------------------------------------------------------------

describe("who may see, copy and share a template", () => {
  it("keeps a copy private to the copier", async () => {
    const provider = await signedIn("north", USERS.provider.email);
    const associate = await signedIn("north", USERS.associate.email);
    const id = await createTemplate(provider, "Provider original", "soap");
    const copied = await provider.post(`${T}/${id}/copy`, {});
    expect(copied.status).toBe(303);
    const copyId = idFrom(copied);
    expect(await templateRow(copyId)).toMatchObject({ name: "Copy of Provider original", owner_staff_id: USERS.provider.id, shared: 0, starter_key: null });
    expect(JSON.parse((await templateRow(copyId))!.definition)).toEqual(JSON.parse((await templateRow(id))!.definition));
    expect(await auditRows("north", "event = 'template.copy' AND entity_id = ?", copyId)).toHaveLength(1);

    // Someone else's private template: not listed, not openable, not copyable, not usable.
    expect(await (await associate.get(T)).text()).not.toContain(copyId);
    expect((await associate.get(`${T}/${copyId}`)).status).toBe(404);
    expect((await associate.post(`${T}/${copyId}/copy`, {})).status).toBe(404);
    await expect(resolveTemplateForNote(await scopeOf(USERS.associate, "associate"), copyId)).rejects.toMatchObject({ code: "not_found" });
    const usable = await listUsableTemplates(await scopeOf(USERS.associate, "associate"));
    expect(usable.find((t) => t.id === copyId)).toBeUndefined();
    expect((await listUsableTemplates(await scopeOf(USERS.provider, "provider"))).find((t) => t.id === copyId)).toMatchObject({ mine: true, shared: false });

    // A starter can be copied for oneself without adding it to the clinic.
    const starterCopy = await associate.post(`${T}/starter/integrative-intake/copy`, {});
    expect(starterCopy.status).toBe(303);
    expect(await templateRow(idFrom(starterCopy))).toMatchObject({ name: "Copy of Naturopathic / integrative intake", owner_staff_id: USERS.associate.id, shared: 0, starter_key: null });
  });

  it("lets only templates:share share, and shared templates are the clinic's to change", async () => {
    const associate = await signedIn("north", USERS.associate.email);
    const provider = await signedIn("north", USERS.provider.email);
    const id = await createTemplate(associate, "Student template", "soap");

    const refused = await associate.post(`${T}/${id}/share`, { version: "1", shared: "1" });
    expect(refused.status).toBe(403);
    expect(await templateRow(id)).toMatchObject({ shared: 0, version: 1 });
    expect(await (await associate.get(`${T}/${id}`)).text()).not.toContain("Share with the clinic");
    expect((await associate.post(`${T}/starter/general-visit/install`, {})).status).toBe(403);

    // The provider shares their own template; the associate then sees it, read-only, and may copy it.
    const mine = await createTemplate(provider, "Clinic intake", "soap");
    const shared = await provider.post(`${T}/${mine}/share`, { version: "1", shared: "1" });
    expect(shared.status).toBe(303);
    expect(await templateRow(mine)).toMatchObject({ shared: 1, version: 2 });
    expect(await auditRows("north", "event = 'template.share' AND entity_id = ?", mine)).toHaveLength(1);
    const view = await associate.get(`${T}/${mine}`);
    expect(view.status).toBe(200);
    const html = await view.text();
    expect(html).toContain("copy it to make your own version");
    expect(html).not.toContain(`action="${T}/${mine}/sections"`);
    expect((await associate.post(`${T}/${mine}/sections`, { version: "2", title: "Extra" })).status).toBe(403);
    expect((await associate.post(`${T}/${mine}/archive`, { version: "2", archived: "1" })).status).toBe(403);
    expect((await templateRow(mine))!.version).toBe(2);
    expect((await listUsableTemplates(await scopeOf(USERS.associate, "associate"))).find((t) => t.id === mine)).toMatchObject({ shared: true, mine: false });

    // The owner (templates:share only) may edit the shared template.
    const owner = await signedIn("north", USERS.owner.email);
    await op(owner, mine, "/sections", { title: "Owner's section" });
    // And archive it: no longer offered for notes.
    await op(provider, mine, "/archive", { archived: "1" });
    expect((await listUsableTemplates(await scopeOf(USERS.associate, "associate"))).find((t) => t.id === mine)).toBeUndefined();
    await op(provider, mine, "/archive", { archived: "0" });
    expect(await auditRows("north", "event = 'template.archive' AND entity_id = ?", mine)).toHaveLength(2);

    // Made private again, a template goes back to its owner; a starter (no owner) to whoever unshares it.
    await op(provider, mine, "/share", { shared: "0" });
    expect(await templateRow(mine)).toMatchObject({ shared: 0, owner_staff_id: USERS.provider.id });
    expect((await associate.get(`${T}/${mine}`)).status).toBe(404);
    const starter = idFrom(await owner.post(`${T}/starter/mental-health-progress/install`, {}));
    await op(owner, starter, "/share", { shared: "0" });
    expect(await templateRow(starter)).toMatchObject({ shared: 0, owner_staff_id: USERS.owner.id, starter_key: "mental-health-progress" });
  });

  it("keeps the builder from roles without a template permission", async () => {
    for (const email of [USERS.nurse.email, USERS.frontDesk.email, USERS.biller.email]) {
      const b = await signedIn("north", email);
      expect((await b.get(T)).status).toBe(403);
      expect((await b.post(T, { name: "Sneaky" })).status).toBe(403);
    }
    const denied = await auditRows("north", "event = 'access.denied' AND entity_id = ?", `GET ${T}`);
    expect(denied.length).toBeGreaterThanOrEqual(3);
  });

  it("does not let another clinic see or open a template (404)", async () => {
    const north = await signedIn("north", USERS.provider.email);
    const id = await createTemplate(north, "North only", "soap");
    await op(north, id, "/share", { shared: "1" });
    const south = await signedIn("south", USERS.provider.email);
    expect(await (await south.get(T)).text()).not.toContain("North only");
    expect((await south.get(`${T}/${id}`)).status).toBe(404);
    expect((await south.get(`${T}/${id}/preview`)).status).toBe(404);
    expect((await south.get(`${T}/${id}/export`)).status).toBe(404);
    expect((await south.post(`${T}/${id}/sections`, { version: "2", title: "Hijack" })).status).toBe(404);
    expect((await south.post(`${T}/${id}/copy`, {})).status).toBe(404);
    expect((await templateRow(id))!.version).toBe(2);
    expect(await auditRows("south", "event = 'template.view' AND entity_id = ? AND outcome = 'failure'", id)).not.toHaveLength(0);
    await expect(resolveTemplateForNote(await scopeOf(USERS.provider, "provider", "south"), id)).rejects.toMatchObject({ code: "not_found" });
  });
});

// ------------------------------------------------------------------------------------------------

/** Reads a rendered form as a browser would submit it. */
async function submitted(html: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const decode = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  let textarea: string | null = null;
  let select: { name: string; first: string | null; chosen: string | null } | null = null;
  const finishSelect = () => {
    if (select) out[select.name] = select.chosen ?? select.first ?? "";
    select = null;
  };
  await new HTMLRewriter()
    .on("input", {
      element(el) {
        const name = el.getAttribute("name");
        if (!name || el.hasAttribute("disabled")) return;
        const type = el.getAttribute("type") ?? "text";
        const value = decode(el.getAttribute("value") ?? (type === "checkbox" || type === "radio" ? "on" : ""));
        if ((type === "checkbox" || type === "radio") && !el.hasAttribute("checked")) return;
        out[name] = value;
      },
    })
    .on("textarea", {
      element(el) {
        textarea = el.getAttribute("name");
        if (textarea) out[textarea] = "";
      },
      text(t) {
        if (textarea) out[textarea] += decode(t.text);
      },
    })
    .on("select", {
      element(el) {
        finishSelect();
        select = { name: el.getAttribute("name")!, first: null, chosen: null };
        el.onEndTag(finishSelect);
      },
    })
    .on("option", {
      element(el) {
        if (!select) return;
        const v = decode(el.getAttribute("value") ?? "");
        select.first ??= v;
        if (el.hasAttribute("selected")) select.chosen = v;
      },
    })
    .transform(new Response(html))
    .text();
  return out;
}

const ROUND_TRIP: TemplateDefinition = {
  sections: [
    {
      key: "s",
      title: "Subjective",
      fields: [
        { key: "story", type: "text", label: "History", required: true },
        { key: "pain", type: "number", label: "Pain score", unit: "/10", min: 0, max: 10 },
        { key: "seen_on", type: "date", label: "Onset date" },
        { key: "course", type: "single_choice", label: "Course", options: ["Better", "Same", "Worse"] },
        { key: "site", type: "single_choice", label: "Site", options: ["Head", "Neck", "Back", "Arm", "Leg", "Hip", "Foot"] },
        { key: "symptoms", type: "multi_choice", label: "Symptoms", options: ["Ache", "Burning", "Numbness"], required: true },
        { key: "consent", type: "checkbox", label: "Consent given", required: true },
        { key: "smoker", type: "checkbox", label: "Smoker" },
        { key: "ros", type: "ros", label: "Review of systems", options: ["Eyes", "Skin", "Neurological"] },
        { key: "vitals", type: "vitals", label: "Vital signs" },
        { key: "phq", type: "questionnaire", label: "PHQ-9", instrument: "phq9" },
        { key: "meds", type: "chart_insert", label: "Medications", source: "medications" },
      ],
    },
  ],
};
const FIELDS = ROUND_TRIP.sections[0]!.fields;

function renderForm(content: NoteContent, errors: Record<string, string> = {}): string {
  return FIELDS.map((f: TemplateField) => render(h(FieldInput, { field: f, value: content[f.key], error: errors[`f.${f.key}`], embedded: h("p", null, "chart data") }))).join("");
}

describe("note fields", () => {
  it("round-trip every type: rendered inputs submitted back give the same content", async () => {
    const content: NoteContent = {
      story: "Fell on the ice <twice> & hurt \"the\" knee.\nWorse on stairs.",
      pain: "6.5",
      seen_on: "2026-01-15",
      course: "Worse",
      site: "Hip",
      symptoms: ["Ache", "Numbness"],
      consent: true,
      smoker: false,
      ros: { Eyes: { status: "normal" }, Neurological: { status: "abnormal", comment: "Reduced sensation L5 & S1" } },
    };
    const html = renderForm(content);
    expect(html).toContain('<select id="nf-site" name="f.site"');
    expect(html).toContain('type="radio" id="nf-course-2" name="f.course" value="Worse" checked');
    expect(html).toContain("chart data");
    const form = await submitted(html);
    expect(form["f.symptoms.2"]).toBe("on");
    expect(form["f.ros.2.status"]).toBe("abnormal");
    const r = readNoteForm(ROUND_TRIP, form);
    expect(r.errors).toEqual({});
    expect(r.content).toEqual(content);
    expect(missingRequired(ROUND_TRIP, r.content)).toEqual([]);

    // An empty form: nothing but the unticked checkboxes, and the required fields are listed.
    const empty = readNoteForm(ROUND_TRIP, await submitted(renderForm({})));
    expect(empty).toEqual({ content: { consent: false, smoker: false }, errors: {} });
    expect(missingRequired(ROUND_TRIP, empty.content)).toEqual(["History", "Symptoms", "Consent given"]);
  });

  it("reports each bad value with the field's label, and keeps what was typed", async () => {
    const r = readNoteForm(ROUND_TRIP, {
      "f.story": "x".repeat(20_001),
      "f.pain": "11",
      "f.seen_on": "2026-02-30",
      "f.course": "Sideways",
      "f.ros.0.status": "great",
    });
    expect(r.errors).toEqual({
      "f.story": "History must be at most 20,000 characters.",
      "f.pain": "Pain score must be between 0 and 10 /10.",
      "f.seen_on": "Onset date must be a real date, as YYYY-MM-DD.",
      "f.course": "Course must be one of its choices.",
      "f.ros": "Review of systems: the status of Eyes must be normal, abnormal or not examined.",
    });
    expect(r.content).toMatchObject({ pain: "11", seen_on: "2026-02-30", course: "Sideways" });
    expect(readNoteForm(ROUND_TRIP, { "f.pain": "six" }).errors).toEqual({ "f.pain": "Pain score must be a number in /10." });
    expect(readNoteForm(ROUND_TRIP, { "f.pain": "1e3" }).errors["f.pain"]).toBe("Pain score must be a number in /10.");

    // Errors sit next to their field, tied to it for screen readers.
    const html = renderForm(r.content, r.errors);
    expect(html).toContain('aria-describedby="nf-pain-error"');
    expect(html).toContain('<div class="error" id="nf-pain-error">Pain score must be between 0 and 10 /10.</div>');
  });

  it("shows a signed note's values read-only, with a dash for empty ones", () => {
    const view = (f: TemplateField, v: NoteContent[string] | undefined) => render(h(FieldView, { field: f, value: v }));
    const [story, pain, seen, , , symptoms, consent, smoker, ros] = FIELDS as [TemplateField, TemplateField, TemplateField, TemplateField, TemplateField, TemplateField, TemplateField, TemplateField, TemplateField];
    expect(view(pain, "6.5")).toContain("6.5 /10");
    expect(view(seen, "2026-01-15")).toContain("Jan 15, 2026");
    expect(view(story, "")).toContain("—");
    expect(view(symptoms, ["Ache", "Numbness"])).toContain("Ache; Numbness");
    expect(view(consent, true)).toContain("Yes");
    expect(view(smoker, undefined)).toContain("No");
    const rosHtml = view(ros, { Skin: { status: "abnormal", comment: "rash" } });
    expect(rosHtml).toContain("<strong>Skin</strong>: Abnormal — rash");
    expect(rosHtml).not.toContain("Eyes");
    expect(view(story, "<b>not bold</b>")).toContain("&lt;b>not bold&lt;/b>");
  });
});

describe("definition checks", () => {
  it("parseDefinition returns a clean definition or throws a validation error listing the problems", () => {
    const def = parseDefinition(JSON.stringify({ sections: [{ key: "a", title: " A ", extra: 1, fields: [{ key: "t", type: "text", label: "T", unit: "kg", required: false }] }] }));
    expect(def).toEqual({ sections: [{ key: "a", title: "A", fields: [{ key: "t", type: "text", label: "T" }] }] });
    let err: unknown;
    try {
      parseDefinition(JSON.stringify({ sections: [{ key: "A!", title: "", fields: [{ key: "x", type: "vitals", label: "V", required: true }] }] }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("validation");
    expect((err as AppError).fields).toEqual({
      "sections.0.title": "The title of section 1 is required.",
      "sections.0.key": "The key of section 1 must be 1 to 40 lowercase letters, digits or underscores.",
    });
    expect(() => parseDefinition("nope")).toThrow("not valid JSON");
    // Embedded fields drop "required": the chart fills them, not the form.
    expect(parseDefinition(JSON.stringify({ sections: [{ key: "a", title: "A", fields: [{ key: "v", type: "vitals", label: "V", required: true }] }] })).sections[0]!.fields[0]).toEqual({ key: "v", type: "vitals", label: "V" });
  });

  it("enforces the limits", () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `s${i}`, title: `S${i}`, fields: [] }));
    const r = validateDefinition({ sections: many(21) });
    expect(r.ok ? null : r.errors.sections).toBe("A template can have at most 20 sections.");
    const fields = Array.from({ length: 41 }, (_, i) => ({ key: `f${i}`, type: "text", label: `F${i}` }));
    const r2 = validateDefinition({ sections: [{ key: "a", title: "A", fields }] });
    expect(r2.ok ? null : r2.errors["sections.0.fields"]).toBe("Section “A” can have at most 40 fields.");
    expect(validateDefinition(null)).toEqual({ ok: false, errors: { sections: "The definition must be an object with a list of sections." } });
  });
});
