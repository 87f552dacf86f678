/** /audit: the audit report page, its CSV export, and the check of the audit chain. */
import { Hono, type Context } from "hono";
import { validator } from "hono/validator";
import { AuditReport } from "../../views/audit/report";
import { ChainStatus } from "../../views/audit/chain";
import type { AppEnv } from "../platform/env";
import { page } from "../platform/render";
import { can, requirePermission, staffScope } from "../platform/scope";
import { validate } from "../platform/validation";
import { auditFilterSchema } from "./repo";
import { auditReport, exportAuditCsv, verifyAuditChain } from "./report";
import { AppError } from "../platform/errors";
import { clinicToday } from "../platform/time";
import { requireRecentSecondFactor } from "../auth/step-up";

export const auditRoutes = new Hono<AppEnv>();

/** The query string, one value per parameter (the first, when one is repeated), as the form shows it again. */
function firstValues(value: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, Array.isArray(v) ? (v[0] ?? "") : v]));
}

/**
 * The report's filter from the query string. A filter that does not validate shows the form again
 * with the messages (422), after the permission check, so the page never says more than it may.
 */
const reportFilter = validator("query", (value, c: Context<AppEnv>) => {
  requirePermission(staffScope(c), "audit:read");
  const raw = firstValues(value);
  const parsed = validate(auditFilterSchema, raw);
  if (parsed.ok) return { filter: parsed.data, raw };
  const fallback = auditFilterSchema.parse({});
  return page(
    c,
    "Audit log",
    <AuditReport filter={fallback} raw={raw} rows={[]} more={false} timezone={c.var.clinic.timezone} canExport={false} errors={parsed.errors} />,
    422,
  );
});

/** The export's filter: one that does not validate is refused, naming what is wrong. */
const exportFilter = validator("query", (value) => {
  const parsed = validate(auditFilterSchema, firstValues(value));
  if (!parsed.ok) throw new AppError("validation", `The export filter is not valid: ${Object.values(parsed.errors).join(" ")}`);
  return parsed.data;
});

auditRoutes.get("/", reportFilter, async (c) => {
  const scope = staffScope(c);
  requirePermission(scope, "audit:read");
  const { filter, raw } = c.req.valid("query");
  const { rows, more } = await auditReport(scope, filter);
  return page(
    c,
    "Audit log",
    <AuditReport
      filter={filter}
      raw={raw}
      rows={rows}
      more={more}
      timezone={c.var.clinic.timezone}
      canExport={can(scope.staff, "audit:export")}
    />,
  );
});

// Exporting the trail is a sensitive action: the permission first, then a recent second factor.
const mayExport = async (c: Context<AppEnv>, next: () => Promise<void>) => {
  requirePermission(staffScope(c), "audit:export");
  await next();
};

auditRoutes.get("/export.csv", exportFilter, mayExport, requireRecentSecondFactor(), async (c) => {
  const scope = staffScope(c);
  const csv = await exportAuditCsv(scope, c.req.valid("query"));
  const day = clinicToday(c.var.clinic.timezone, Date.now());
  return c.body(csv, 200, {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="audit-${c.var.clinic.slug}-${day}.csv"`,
    "Cache-Control": "private, no-store",
  });
});

/** Verifies the whole chain against the keys and the anchors; the CLI (`npm run audit:verify`) does the same. */
auditRoutes.get("/chain", async (c) => {
  const scope = staffScope(c);
  const report = await verifyAuditChain(scope, c.env);
  return page(c, "Audit chain", <ChainStatus clinic={c.var.clinic.name} report={report} />);
});
