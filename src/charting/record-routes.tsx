/**
 * The routes every simple chart list shares (allergies, medications, immunizations, alerts): the
 * list with its add form, the edit form, and "entered in error". Bad input re-renders the form
 * with the field named (422) and writes nothing; a stale form is a 409 showing what is saved now.
 */
import { Hono, type Context } from "hono";
import type { ComponentChildren } from "preact";
import type * as z from "zod/mini";
import type { ChartTab } from "../../views/charting/frame";
import type { EditViewProps, ListViewProps } from "../../views/charting/parts";
import type { AppEnv } from "../platform/env";
import type { FieldErrors } from "../platform/errors";
import { seeOther } from "../platform/render";
import { can, clinicToday, requirePermission, staffScope, type StaffScope } from "../platform/scope";
import { formInput, queryInput } from "../platform/validation";
import type { ChartHeaderData } from "./header";
import { chartPage, conflictOr, patientIdOf, recordIdOf } from "./http";
import { fieldsForm, savedQuery, sentVersion, typedFields, versionOnlyForm } from "./input";

type C = Context<AppEnv>;

export interface RecordKind<Row, Input> {
  /** URL segment under /chart, tab and page title. */
  path: string;
  tab: ChartTab;
  title: string;
  fields: readonly string[];
  schema: (today: string) => z.ZodMiniType<Input>;
  list(scope: StaffScope, pid: string): Promise<{ header: ChartHeaderData; rows: Row[] }>;
  create(scope: StaffScope, pid: string, input: Input, today: string): Promise<void>;
  /** Initial values of the add form (e.g. the prescriber is the signed-in clinician). */
  defaults?(scope: StaffScope, today: string): Record<string, string>;
  ListView(p: ListViewProps<Row>): ComponentChildren;
  edit?: {
    load(scope: StaffScope, pid: string, id: string): Promise<{ header: ChartHeaderData; row: Row }>;
    toForm(row: Row): Record<string, string>;
    /** Whether the table has a version column: then every save must carry the version it was opened on. */
    versioned: boolean;
    /** The row's version; null for a table without one (then the last save wins). */
    versionOf(row: Row): number | null;
    update(scope: StaffScope, pid: string, id: string, version: number | null, input: Input, today: string): Promise<void>;
    EditView(p: EditViewProps): ComponentChildren;
  };
  /** Marks a record entered in error (it stays in the chart, struck out). */
  markInError?(scope: StaffScope, pid: string, id: string, version: number | null): Promise<void>;
}

/** The Hono sub-app of one list; the caller may add routes of its own (stop, deactivate) to it. */
export function recordRoutes<Row, Input>(kind: RecordKind<Row, Input>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const listUrl = (pid: string) => `/patients/${pid}/chart/${kind.path}`;

  async function listPage(c: C, form?: { values: Record<string, string>; errors: FieldErrors }, saved = false) {
    const scope = staffScope(c);
    const pid = patientIdOf(c);
    const { header, rows } = await kind.list(scope, pid);
    const canWrite = can(scope.staff, "chart:write");
    return chartPage(
      c,
      { title: kind.title, header, active: kind.tab, status: form ? 422 : 200 },
      kind.ListView({
        pid,
        rows,
        csrf: c.var.csrfToken,
        canWrite,
        timezone: c.var.clinic.timezone,
        values: form?.values ?? (canWrite && kind.defaults ? kind.defaults(scope, clinicToday(c)) : {}),
        errors: form?.errors,
        saved,
      }),
    );
  }

  app.get("/", queryInput(savedQuery), (c) => listPage(c, undefined, c.req.valid("query").saved));

  /** The record's form read by the kind's schema for the clinic's today. */
  const recordForm = (c: C) => fieldsForm(kind.fields, kind.schema(clinicToday(c)));

  // The permission comes before the form's own errors.
  const addInput = formInput(recordForm, (c, errors, raw) => {
    requirePermission(staffScope(c), "chart:write");
    return listPage(c, { values: typedFields(raw, kind.fields), errors });
  });

  app.post("/", addInput, async (c) => {
    const scope = staffScope(c);
    requirePermission(scope, "chart:write");
    const { data } = c.req.valid("form");
    await kind.create(scope, patientIdOf(c), data, clinicToday(c));
    return seeOther(c, `${listUrl(patientIdOf(c))}?saved=1`);
  });

  const edit = kind.edit;
  if (edit) {
    const editPage = async (c: C, o: { values?: Record<string, string>; errors?: FieldErrors; conflict?: string | null; version?: number | null } = {}) => {
      const scope = staffScope(c);
      requirePermission(scope, "chart:write");
      const pid = patientIdOf(c);
      const id = recordIdOf(c);
      const { header, row } = await edit.load(scope, pid, id);
      // After a conflict the form shows what is saved now, so nothing typed over it goes unseen.
      const values = o.conflict || !o.values ? edit.toForm(row) : o.values;
      const version = o.conflict || o.version === undefined ? edit.versionOf(row) : o.version;
      return chartPage(
        c,
        { title: `Edit ${kind.title.toLowerCase()}`, header, active: kind.tab, status: o.conflict ? 409 : o.errors ? 422 : 200 },
        edit.EditView({ pid, id, csrf: c.var.csrfToken, version, values, errors: o.errors, conflict: o.conflict }),
      );
    };

    app.get("/:rid/edit", (c) => editPage(c));

    const MISSING_VERSION = "The form is missing its version; reopen it and try again.";

    // The permission, then a missing version (a conflict), then the form's own errors.
    const editInput = formInput(recordForm, (c, errors, raw) => {
      requirePermission(staffScope(c), "chart:write");
      const v = sentVersion(raw);
      if (edit.versioned && v === null) return editPage(c, { conflict: MISSING_VERSION });
      return editPage(c, { values: typedFields(raw, kind.fields), errors, version: edit.versioned ? v : null });
    });

    app.post("/:rid", editInput, async (c) => {
      const scope = staffScope(c);
      requirePermission(scope, "chart:write");
      const { data, version } = c.req.valid("form");
      if (edit.versioned && version === null) return editPage(c, { conflict: MISSING_VERSION });
      const v = edit.versioned ? version : null;
      const today = clinicToday(c);
      const conflict = await conflictOr(() => edit.update(scope, patientIdOf(c), recordIdOf(c), v, data, today));
      if (conflict) return editPage(c, { conflict });
      return seeOther(c, `${listUrl(patientIdOf(c))}?saved=1`);
    });

    const inError = kind.markInError;
    if (inError) {
      app.post("/:rid/error", formInput(versionOnlyForm), async (c) => {
        const scope = staffScope(c);
        requirePermission(scope, "chart:write");
        const { version } = c.req.valid("form");
        if (edit.versioned && version === null) return editPage(c, { conflict: "The form is missing its version; reload the list and try again." });
        const conflict = await conflictOr(() => inError(scope, patientIdOf(c), recordIdOf(c), edit.versioned ? version : null));
        if (conflict) return editPage(c, { conflict });
        return seeOther(c, `${listUrl(patientIdOf(c))}?saved=1`);
      });
    }
  }
  return app;
}
