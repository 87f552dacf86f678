/** /audit: the audit report page and its CSV export. */
import { Hono } from "hono";
import { AuditReport } from "../../views/audit/report";
import type { AppEnv } from "../platform/env";
import { page } from "../platform/render";
import { can, requirePermission, staffScope } from "../platform/scope";
import { validate } from "../platform/validation";
import { auditFilterSchema } from "./repo";
import { auditReport, exportAuditCsv } from "./report";
import { AppError } from "../platform/errors";

export const auditRoutes = new Hono<AppEnv>();

auditRoutes.get("/", async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "audit:read");
  const raw = c.req.query();
  const parsed = validate(auditFilterSchema, raw);
  if (!parsed.ok) {
    const fallback = auditFilterSchema.parse({});
    return page(
      c,
      "Audit log",
      <AuditReport filter={fallback} raw={raw} rows={[]} more={false} timezone={c.var.clinic.timezone} canExport={false} errors={parsed.errors} />,
      422,
    );
  }
  const { rows, more } = await auditReport(scope, parsed.data);
  return page(
    c,
    "Audit log",
    <AuditReport
      filter={parsed.data}
      raw={raw}
      rows={rows}
      more={more}
      timezone={c.var.clinic.timezone}
      canExport={can(scope.staff, "audit:export")}
    />,
  );
});

auditRoutes.get("/export.csv", async (c) => {
  const scope = staffScope(c);
  const parsed = validate(auditFilterSchema, c.req.query());
  if (!parsed.ok) throw new AppError("validation", `The export filter is not valid: ${Object.values(parsed.errors).join(" ")}`);
  const csv = await exportAuditCsv(scope, parsed.data);
  const day = new Date().toISOString().slice(0, 10);
  return c.body(csv, 200, {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="audit-${c.var.clinic.slug}-${day}.csv"`,
    "Cache-Control": "private, no-store",
  });
});
