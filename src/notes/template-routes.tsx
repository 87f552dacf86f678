/**
 * /settings/templates: the note template builder and the starter library. Every change is a small
 * form POST that works without JavaScript (post/redirect/get back to the builder); with htmx the
 * builder fragment is swapped in place. Edits of the definition carry the version the page showed:
 * a stale one is a 409 with the latest version shown, and nothing is overwritten.
 */
import { Hono, type Context } from "hono";
import { TemplateBuilder, type BuilderState } from "../../views/notes/templates/builder";
import { ImportTemplatePage, NewTemplatePage } from "../../views/notes/templates/forms";
import { TemplateListPage } from "../../views/notes/templates/list";
import { BUILDER_ID, templatePath, TEMPLATES } from "../../views/notes/templates/parts";
import { TemplatePreview } from "../../views/notes/templates/preview";
import type { AppEnv } from "../platform/env";
import { AppError, notFound, type FieldErrors } from "../platform/errors";
import { fragment, page, seeOther, wantsFragment } from "../platform/render";
import { can, staffScope } from "../platform/scope";
import * as z from "zod/mini";
import { formInput, queryInput, validate } from "../platform/validation";
import { allFields, fieldsForm, typedFields } from "../charting/input";
import { validateDefinition, type TemplateDefinition } from "./model";
import { starterTemplate } from "./starter-library";
import * as edits from "./template-edits";
import { fieldFromForm, fieldSchema, importSchema, metaSchema, sectionSchema, versionSchema } from "./template-input";
import {
  CONFLICT_MESSAGE,
  clinicInstruments,
  copyTemplate,
  createTemplate,
  exportTemplate,
  installStarter,
  listForBuilder,
  openTemplate,
  setArchived,
  setShared,
  unknownInstruments,
  updateTemplate,
  type OpenedTemplate,
} from "./templates";

export const templateRoutes = new Hono<AppEnv>();

type Ctx = Context<AppEnv>;

const SOAP: TemplateDefinition = {
  sections: [
    { key: "subjective", title: "Subjective", fields: [] },
    { key: "objective", title: "Objective", fields: [] },
    { key: "assessment", title: "Assessment", fields: [] },
    { key: "plan", title: "Plan", fields: [] },
  ],
};

templateRoutes.get("/", queryInput(z.object({ imported: z.optional(z.string()) })), async (c) => {
  const scope = staffScope(c);
  const lists = await listForBuilder(scope);
  const notice = c.req.valid("query").imported === "1" ? "Template imported." : undefined;
  return page(
    c,
    "Note templates",
    <TemplateListPage lists={lists} canShare={can(scope.staff, "templates:share")} csrfToken={c.var.csrfToken} timezone={c.var.clinic.timezone} notice={notice} />,
  );
});

templateRoutes.get("/new", (c) => page(c, "New template", <NewTemplatePage csrfToken={c.var.csrfToken} values={{}} />));

/**
 * A form read as text, every field (the last value of a repeated one). The builder's forms are
 * checked by their schemas once the template is opened, so a missing template or a role without
 * the right answers 404/403 before any field message.
 */
const textForm = formInput(z.transform(allFields));

/** Name and description (blank when left out) as `metaSchema` reads them. */
const metaOf = (form: Record<string, string>) => validate(metaSchema, { name: form.name ?? "", description: form.description ?? "" });

// Name and description, blank when left out; `start` (a blank template or SOAP) comes along in `values`.
const newTemplateInput = formInput(fieldsForm(["name", "description", "start"], metaSchema), (c, errors, raw) =>
  page(c, "New template", <NewTemplatePage csrfToken={c.var.csrfToken} values={allFields(raw)} errors={errors} />, 422),
);

templateRoutes.post("/", newTemplateInput, async (c) => {
  const scope = staffScope(c);
  const { values, data } = c.req.valid("form");
  const row = await createTemplate(scope, { ...data, definition: values.start === "blank" ? { sections: [] } : SOAP });
  return seeOther(c, templatePath(row.id));
});

// --- import ------------------------------------------------------------------------------------

templateRoutes.get("/import", (c) => page(c, "Import a template", <ImportTemplatePage csrfToken={c.var.csrfToken} values={{}} />));

const IMPORT_FIELDS = ["json", "name"] as const;

const importPage = (c: Ctx, values: Record<string, string>, errors: FieldErrors, problems?: string[]) =>
  page(c, "Import a template", <ImportTemplatePage csrfToken={c.var.csrfToken} values={values} errors={errors} problems={problems} />, 422);

const importInput = formInput(fieldsForm(IMPORT_FIELDS, importSchema), (c, errors, raw) => importPage(c, typedFields(raw, IMPORT_FIELDS), errors));

templateRoutes.post("/import", importInput, async (c) => {
  const scope = staffScope(c);
  const { values, data } = c.req.valid("form");
  const refuse = (errors: FieldErrors, problems?: string[]) => importPage(c, values, errors, problems);
  let raw: unknown;
  try {
    raw = JSON.parse(data.json);
  } catch {
    return refuse({ json: "Template JSON is not valid JSON: paste the whole text of an exported template." });
  }
  // An export wraps the definition with its name; a bare definition ({"sections": [...]}) is accepted too.
  const wrapped = typeof raw === "object" && raw !== null && "definition" in raw ? (raw as Record<string, unknown>) : { definition: raw };
  const name = data.name ?? (typeof wrapped.name === "string" ? wrapped.name.trim().slice(0, 120) : "");
  const description = typeof wrapped.description === "string" ? wrapped.description.trim().slice(0, 500) || null : null;
  if (!name) return refuse({ name: "Name is required: the JSON has none, so type one." });
  const check = validateDefinition(wrapped.definition);
  if (!check.ok) return refuse({ json: "Template JSON has problems (listed above)." }, Object.values(check.errors));
  const missing = unknownInstruments(check.def, await clinicInstruments(scope));
  if (missing.length) {
    return refuse({ json: "Template JSON has problems (listed above)." }, [
      `This clinic has no questionnaire with the code ${missing.join(", ")}: add it under Questionnaires first, or change the field.`,
    ]);
  }
  const row = await createTemplate(scope, { name, description, definition: check.def }, { event: "template.import", detail: null });
  return seeOther(c, templatePath(row.id));
});

// --- the starter library -----------------------------------------------------------------------

templateRoutes.get("/starter/:key/preview", async (c) => {
  const s = starterTemplate(c.req.param("key"));
  if (!s) throw notFound("This starter template");
  const instruments = await clinicInstruments(staffScope(c));
  return page(c, `Preview: ${s.name}`, <TemplatePreview name={s.name} description={s.description} definition={s.definition} instruments={instruments} back={TEMPLATES} backLabel="Note templates" />);
});

templateRoutes.post("/starter/:key/install", async (c) => {
  const row = await installStarter(staffScope(c), c.req.param("key"));
  return seeOther(c, templatePath(row.id));
});

templateRoutes.post("/starter/:key/copy", async (c) => {
  const row = await copyTemplate(staffScope(c), { starterKey: c.req.param("key") });
  return seeOther(c, templatePath(row.id));
});

// --- one template ------------------------------------------------------------------------------

/** The builder as a page, or only its fragment when htmx asked for it. */
function builderResponse(c: Ctx, t: OpenedTemplate, state: BuilderState, status: 200 | 409 | 422 = 200): Response {
  const body = <TemplateBuilder t={t} state={state} csrfToken={c.var.csrfToken} />;
  if (wantsFragment(c, BUILDER_ID)) return fragment(c, body, status);
  return page(c, t.row.name, body, status);
}

/** After a change: the fresh builder for htmx, a redirect to it otherwise. */
async function afterChange(c: Ctx, id: string): Promise<Response> {
  if (wantsFragment(c, BUILDER_ID)) return builderResponse(c, await openTemplate(staffScope(c), id, "view"), { saved: true });
  return seeOther(c, `${templatePath(id)}?saved=1`);
}

/** A stale version: the latest template, with the conflict explained. */
async function conflictResponse(c: Ctx, id: string): Promise<Response> {
  return builderResponse(c, await openTemplate(staffScope(c), id, "view"), { conflict: CONFLICT_MESSAGE }, 409);
}

function versionOf(form: Record<string, string>): number | null {
  const v = validate(versionSchema, { version: form.version });
  return v.ok ? v.data.version : null;
}

/** Errors of `validateDefinition` under `path` (a section or field), keyed by the form's input names. */
function errorsAt(errors: Record<string, string>, path: string, rename: Record<string, string> = {}): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, msg] of Object.entries(errors)) {
    const prop = k.startsWith(`${path}.`) ? k.slice(path.length + 1).split(".")[0]! : "_form";
    const name = rename[prop] ?? prop;
    out[name] ??= msg;
  }
  return out;
}

type EditResult = { def: TemplateDefinition; path?: string; detail: string } | { errors: FieldErrors };

/**
 * Runs one edit of a template's definition: permission, the form, the edit, the whole-definition
 * check, then the version-checked save. `target` names the form to show again on failure.
 */
async function editDefinition(
  c: Ctx,
  form: Record<string, string>,
  target: string,
  apply: (t: OpenedTemplate, form: Record<string, string>) => EditResult,
  rename: Record<string, string> = {},
): Promise<Response> {
  const scope = staffScope(c);
  const id = c.req.param("id")!;
  const t = await openTemplate(scope, id, "edit");
  const version = versionOf(form);
  if (version === null) return conflictResponse(c, id);
  const fail = (errors: FieldErrors) => builderResponse(c, t, { target, values: form, errors }, 422);
  const r = apply(t, form);
  if ("errors" in r) return fail(r.errors);
  const check = validateDefinition(r.def);
  if (!check.ok) return fail(errorsAt(check.errors, r.path ?? "", rename));
  try {
    await updateTemplate(scope, t.row, version, { definition: check.def }, { event: "template.update", detail: r.detail });
  } catch (err) {
    if (err instanceof AppError && err.code === "conflict") return conflictResponse(c, id);
    throw err;
  }
  return afterChange(c, id);
}

function direction(form: Record<string, string>): edits.Direction {
  if (form.direction !== "up" && form.direction !== "down") throw new AppError("bad_request", "Choose to move up or down.");
  return form.direction;
}

templateRoutes.get("/:id", queryInput(z.object({ saved: z.optional(z.string()) })), async (c) => {
  const t = await openTemplate(staffScope(c), c.req.param("id"), "view");
  return builderResponse(c, t, { saved: c.req.valid("query").saved === "1" });
});

templateRoutes.get("/:id/preview", async (c) => {
  const t = await openTemplate(staffScope(c), c.req.param("id"), "view");
  return page(
    c,
    `Preview: ${t.row.name}`,
    <TemplatePreview name={t.row.name} description={t.row.description} definition={t.definition} instruments={t.instruments} back={templatePath(t.row.id)} backLabel="Back to the template" />,
  );
});

templateRoutes.get("/:id/export", async (c) => {
  const data = await exportTemplate(staffScope(c), c.req.param("id"));
  const file = data.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "template";
  c.header("Content-Disposition", `attachment; filename="${file}.template.json"`);
  c.header("Cache-Control", "private, no-store");
  return c.body(JSON.stringify(data, null, 2), 200, { "Content-Type": "application/json; charset=utf-8" });
});

templateRoutes.post("/:id/meta", textForm, async (c) => {
  const scope = staffScope(c);
  const id = c.req.param("id");
  const t = await openTemplate(scope, id, "edit");
  const form = c.req.valid("form");
  const version = versionOf(form);
  if (version === null) return conflictResponse(c, id);
  const parsed = metaOf(form);
  if (!parsed.ok) return builderResponse(c, t, { target: "meta", values: form, errors: parsed.errors }, 422);
  try {
    await updateTemplate(scope, t.row, version, parsed.data, { event: "template.update", detail: "name, description" });
  } catch (err) {
    if (err instanceof AppError && err.code === "conflict") return conflictResponse(c, id);
    throw err;
  }
  return afterChange(c, id);
});

templateRoutes.post("/:id/copy", async (c) => {
  const row = await copyTemplate(staffScope(c), { id: c.req.param("id") });
  return seeOther(c, templatePath(row.id));
});

/** Share/unshare and archive/restore: one flag, under the version check. */
function flagRoute(path: "share" | "archive", set: typeof setShared) {
  templateRoutes.post(`/:id/${path}`, textForm, async (c) => {
    const id = c.req.param("id");
    const scope = staffScope(c);
    const form = c.req.valid("form");
    const version = versionOf(form);
    if (version === null) return conflictResponse(c, id);
    const on = form[path === "share" ? "shared" : "archived"] === "1";
    try {
      await set(scope, id, version, on);
    } catch (err) {
      if (err instanceof AppError && err.code === "conflict") return conflictResponse(c, id);
      throw err;
    }
    return afterChange(c, id);
  });
}
flagRoute("share", setShared);
flagRoute("archive", setArchived);

// --- sections ----------------------------------------------------------------------------------

templateRoutes.post("/:id/sections", textForm, (c) =>
  editDefinition(
    c,
    c.req.valid("form"),
    "add-section",
    (t, form) => {
      const v = validate(sectionSchema, { title: form.title ?? "" });
      if (!v.ok) return { errors: v.errors };
      const def = edits.addSection(t.definition, v.data.title);
      return { def, path: `sections.${def.sections.length - 1}`, detail: "added a section" };
    },
    { key: "title" },
  ),
);

templateRoutes.post("/:id/sections/:s", textForm, (c) => {
  const key = c.req.param("s");
  return editDefinition(
    c,
    c.req.valid("form"),
    `section-${key}`,
    (t, form) => {
      const v = validate(sectionSchema, { title: form.title ?? "" });
      if (!v.ok) return { errors: v.errors };
      const def = edits.renameSection(t.definition, key, v.data.title);
      return { def, path: `sections.${def.sections.findIndex((s) => s.key === key)}`, detail: `renamed section ${key}` };
    },
    { key: "title" },
  );
});

templateRoutes.post("/:id/sections/:s/move", textForm, (c) => {
  const key = c.req.param("s");
  return editDefinition(c, c.req.valid("form"), `section-${key}`, (t, form) => ({ def: edits.moveSection(t.definition, key, direction(form)), detail: `moved section ${key}` }));
});

templateRoutes.post("/:id/sections/:s/remove", textForm, (c) => {
  const key = c.req.param("s");
  return editDefinition(c, c.req.valid("form"), `section-${key}`, (t) => ({ def: edits.removeSection(t.definition, key), detail: `removed section ${key}` }));
});

// --- fields ------------------------------------------------------------------------------------

/**
 * Reads a field form; a typed key must be free (`self` is the field being edited) and a
 * questionnaire one this clinic has.
 */
function readFieldForm(t: OpenedTemplate, form: Record<string, string>, self?: string) {
  const v = validate(fieldSchema, form);
  if (!v.ok) return { errors: v.errors };
  const clash = v.data.key && v.data.key !== self ? t.definition.sections.flatMap((s) => s.fields).find((f) => f.key === v.data.key) : undefined;
  if (clash) return { errors: { key: `Key “${clash.key}” is already used by the field “${clash.label}”: choose another, or leave it empty.` } };
  if (v.data.type === "questionnaire" && v.data.instrument && !t.instruments.some((i) => i.code === v.data.instrument)) {
    return { errors: { instrument: `Choose the questionnaire of “${v.data.label}” from the list.` } };
  }
  return { values: v.data };
}

templateRoutes.post("/:id/sections/:s/fields", textForm, (c) => {
  const sectionKey = c.req.param("s");
  return editDefinition(c, c.req.valid("form"), `add-${sectionKey}`, (t, form) => {
    const r = readFieldForm(t, form);
    if (r.errors) return { errors: r.errors };
    const key = edits.newFieldKey(t.definition, r.values.key, r.values.label);
    const { def, path } = edits.addField(t.definition, sectionKey, fieldFromForm(r.values, key));
    return { def, path, detail: `added field ${key}` };
  });
});

templateRoutes.post("/:id/fields/:f", textForm, (c) => {
  const fieldKey = c.req.param("f");
  return editDefinition(c, c.req.valid("form"), `edit-${fieldKey}`, (t, form) => {
    const r = readFieldForm(t, form, fieldKey);
    if (r.errors) return { errors: r.errors };
    const key = edits.newFieldKey(t.definition, r.values.key, r.values.label, fieldKey);
    const { def, path } = edits.replaceField(t.definition, fieldKey, fieldFromForm(r.values, key));
    return { def, path, detail: `changed field ${fieldKey}${key !== fieldKey ? ` (now ${key})` : ""}` };
  });
});

templateRoutes.post("/:id/fields/:f/move", textForm, (c) => {
  const key = c.req.param("f");
  return editDefinition(c, c.req.valid("form"), `edit-${key}`, (t, form) => ({ def: edits.moveField(t.definition, key, direction(form)), detail: `moved field ${key}` }));
});

templateRoutes.post("/:id/fields/:f/remove", textForm, (c) => {
  const key = c.req.param("f");
  return editDefinition(c, c.req.valid("form"), `edit-${key}`, (t) => ({ def: edits.removeField(t.definition, key), detail: `removed field ${key}` }));
});
