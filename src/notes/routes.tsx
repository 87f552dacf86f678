/** Notes: the editor with autosave, signing, co-signing, addenda and the print view (mounted at /notes). */
import { Hono, type Context } from "hono";
import { render } from "preact-render-to-string";
import type { AppEnv } from "../platform/env";
import { AppError, type FieldErrors } from "../platform/errors";
import { fragment, localPath, page, seeOther } from "../platform/render";
import { can, clinicToday, requirePermission, staffScope } from "../platform/scope";
import * as z from "zod/mini";
import { formInput, queryInput } from "../platform/validation";
import { allFields, withAllFields } from "../charting/input";
import { lastText } from "../platform/validation";
import { ConflictView } from "../../views/notes/conflict";
import { NotePage } from "../../views/notes/note";
import { PrintDocument } from "../../views/notes/print";
import type { NoteContent } from "./model";
import { clockOf, contentOf, definitionOf, NoteConflict, NoteFormError } from "./access";
import { addendumSchema, signSchema, versionSchema } from "./note-input";
import { addAddendum, openNote, saveNote } from "./notes";
import { cosignerChoices, cosignNote, signNote, verifyNote } from "./signing";

export const noteRoutes = new Hono<AppEnv>();

type Ctx = Context<AppEnv>;

const NOTICES: Record<string, string> = {
  saved: "Draft saved.",
  signed: "Signed. The note is now locked; add an addendum to correct it.",
  awaiting: "Signed. It now waits for your supervisor's co-signature.",
  cosigned: "Co-signed.",
  addendum: "Addendum added.",
};

interface PageExtra {
  status?: 409 | 422;
  values?: NoteContent;
  errors?: FieldErrors;
  message?: string;
  cosigner?: string | null;
  addendum?: string;
}

/** The note's address: `verify=1` checks the signature, `done` names what was just done. */
const noteQuery = z.object({ verify: z.optional(z.string()), done: z.optional(z.string()) });

async function notePage(c: Ctx, id: string, extra: PageExtra = {}, query: z.output<typeof noteQuery> = {}) {
  const scope = staffScope(c);
  const np = await openNote(scope, id);
  const n = np.note;
  const editable = n.status === "draft" && n.authorStaffId === scope.staff.id && can(scope.staff, "notes:write");
  const canSign = editable && can(scope.staff, "notes:sign");
  const cosigners = canSign && !can(scope.staff, "notes:sign_unsupervised") ? await cosignerChoices(scope, c.env.DIRECTORY) : null;
  const verification = query.verify === "1" && n.signedAt ? await verifyNote(n, np.addenda) : undefined;
  return page(
    c,
    `${n.title} · ${np.header.name}`,
    <NotePage
      csrfToken={c.var.csrfToken}
      h={np.header}
      today={clinicToday(c)}
      timezone={c.var.clinic.timezone}
      note={n}
      def={np.def}
      values={extra.values ?? np.values}
      blocks={np.blocks}
      addenda={np.addenda}
      editable={editable}
      canSign={canSign}
      cosigners={cosigners}
      cosigner={extra.cosigner}
      canCosign={n.status === "awaiting_cosign" && n.cosignerStaffId === scope.staff.id && can(scope.staff, "notes:cosign")}
      canAddendum={can(scope.staff, "notes:write")}
      errors={extra.errors}
      message={extra.message}
      notice={extra.message ? undefined : NOTICES[query.done ?? ""]}
      addendum={extra.addendum}
      verification={verification}
    />,
    extra.status ?? 200,
  );
}

function conflictView(c: Ctx, err: NoteConflict) {
  const current = err.current;
  return (
    <ConflictView
      csrfToken={c.var.csrfToken}
      timezone={c.var.clinic.timezone}
      current={current}
      def={definitionOf(current)}
      saved={contentOf(current)}
      mine={err.mine}
    />
  );
}

/** The 409 page of a plain (JavaScript-free) save or sign that lost to a newer save. */
function conflictPage(c: Ctx, err: NoteConflict) {
  return page(
    c,
    "Saved elsewhere",
    <>
      <p class="crumb">
        <a href={`/notes/${err.current.id}`}>← Back to the note</a>
      </p>
      {conflictView(c, err)}
    </>,
    409,
  );
}

noteRoutes.get("/:id", queryInput(noteQuery), (c) => notePage(c, c.req.param("id"), {}, c.req.valid("query")));

/** Where to go after saving: a path on this site only; anything else is ignored (back to the note). */
const nextQuery = z.object({ next: z.pipe(z.optional(z.string()), z.transform((v) => localPath(v))) });

// The permission comes before the form's own errors; the note's own fields are read by its definition.
const saveInput = formInput(withAllFields(versionSchema), (c, errors) => {
  requirePermission(staffScope(c), "notes:write");
  return notePage(c, c.req.param("id") ?? "", { status: 422, message: errors.version });
});

/**
 * "Save draft" (and "Keep my version" after a conflict). The editor's "Record vitals",
 * "Administer" and "Open the … list" buttons post here too, with `?next=<local path>`: the draft is
 * saved first (a conflict still answers 409 and goes nowhere), then the browser is sent on to
 * `next`. Only a path on this site is followed; anything else comes back to the note.
 */
noteRoutes.post("/:id", queryInput(nextQuery), saveInput, async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "notes:write");
  const id = c.req.param("id");
  const { version, form } = c.req.valid("form");
  try {
    await saveNote(scope, id, version, form, form.overwrite === "1" ? "overwrite" : "save");
  } catch (err) {
    if (err instanceof NoteConflict) return conflictPage(c, err);
    if (err instanceof NoteFormError) return notePage(c, id, { status: 422, values: err.content, errors: err.fields, message: err.message });
    throw err;
  }
  return seeOther(c, c.req.valid("query").next ?? `/notes/${id}?done=saved`);
});

/**
 * Autosave: answers `{version, savedAt}` as JSON (a few dozen bytes), the conflict view (409) when
 * another tab saved first, or `{message, fields}` when the values cannot be saved.
 */
const autosaveInput = formInput(withAllFields(versionSchema), (c, errors) => {
  requirePermission(staffScope(c), "notes:write");
  return c.json({ message: errors.version, fields: errors }, 422);
});

noteRoutes.post("/:id/autosave", autosaveInput, async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "notes:write");
  const id = c.req.param("id");
  const { version, form } = c.req.valid("form");
  try {
    // "Keep my version" after a conflict is sent through here too, marked as the overwrite it is.
    const saved = await saveNote(scope, id, version, form, form.overwrite === "1" ? "overwrite" : "autosave");
    return c.json({ version: saved.version, savedAt: clockOf(saved.savedAt, c.var.clinic.timezone) });
  } catch (err) {
    if (err instanceof NoteConflict) return fragment(c, conflictView(c, err), 409);
    if (err instanceof NoteFormError) return c.json({ message: err.message, fields: err.fields }, 422);
    if (err instanceof AppError && err.code === "locked") return c.json({ message: err.message }, 423);
    throw err;
  }
});

const signInput = formInput(withAllFields(signSchema), (c, errors) => {
  requirePermission(staffScope(c), "notes:sign");
  return notePage(c, c.req.param("id") ?? "", { status: 422, message: Object.values(errors).join(" "), errors });
});

noteRoutes.post("/:id/sign", signInput, async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "notes:sign");
  const id = c.req.param("id");
  const { form, ...signed } = c.req.valid("form");
  let status: string;
  try {
    // The editor form carries the values on screen: signing saves them and signs in one step.
    ({ status } = await signNote(scope, c.env.DIRECTORY, id, {
      version: signed.version,
      form: form.editor === "1" ? form : null,
      cosignerId: signed.cosigner,
    }));
  } catch (err) {
    if (err instanceof NoteConflict) return conflictPage(c, err);
    if (err instanceof NoteFormError) {
      return notePage(c, id, { status: 422, values: err.content, errors: err.fields, message: err.message, cosigner: signed.cosigner });
    }
    throw err;
  }
  return seeOther(c, `/notes/${id}?done=${status === "signed" ? "signed" : "awaiting"}`);
});

noteRoutes.post("/:id/cosign", async (c) => {
  const scope = staffScope(c);
  const id = c.req.param("id");
  await cosignNote(scope, id);
  return seeOther(c, `/notes/${id}?done=cosigned`);
});

const addendumInput = formInput(z.pipe(z.transform(allFields), addendumSchema), (c, errors, raw) => {
  requirePermission(staffScope(c), "notes:write");
  const body = raw.body === undefined ? undefined : lastText(raw.body);
  return notePage(c, c.req.param("id") ?? "", { status: 422, errors, message: "The addendum was not added.", addendum: body });
});

noteRoutes.post("/:id/addenda", addendumInput, async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "notes:write");
  const id = c.req.param("id");
  await addAddendum(scope, id, c.req.valid("form").body);
  return seeOther(c, `/notes/${id}?done=addendum`);
});

/** A standalone printable page (no navigation), audited as a print. */
noteRoutes.get("/:id/print", async (c) => {
  const scope = staffScope(c);
  const np = await openNote(scope, c.req.param("id"), "print");
  const html = render(<PrintDocument clinicName={c.var.clinic.name} timezone={c.var.clinic.timezone} page={np} printedAt={Date.now()} />);
  return c.html(`<!doctype html>${html}`);
});
