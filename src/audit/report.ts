/** The audit report and its CSV export (owners and administrators). Reading it is itself audited. */
import { audit } from "./service";
import { requirePermission, type StaffScope } from "../platform/scope";
import { queryAudit, REPORT_PAGE_SIZE, type AuditFilter, type AuditRow } from "./repo";
import { csvLine } from "./csv";
import { verifyClinicAudit } from "./anchors";
import type { ChainReport } from "./chain";
import type { Env } from "../platform/env";

export async function auditReport(scope: StaffScope, f: AuditFilter): Promise<{ rows: AuditRow[]; more: boolean }> {
  requirePermission(scope, "audit:read");
  const rows = await queryAudit(scope.db, f, REPORT_PAGE_SIZE + 1, (f.page - 1) * REPORT_PAGE_SIZE);
  await audit(scope, { action: "read", event: "audit.report", entityType: "audit_log", detail: describe(f) });
  return { rows: rows.slice(0, REPORT_PAGE_SIZE), more: rows.length > REPORT_PAGE_SIZE };
}

/**
 * Verifies the clinic's whole audit chain with the audit keys and against its anchors (directory
 * and R2), and records that it was checked and what was found.
 */
export async function verifyAuditChain(scope: StaffScope, env: Env): Promise<ChainReport> {
  requirePermission(scope, "audit:read");
  const report = await verifyClinicAudit(env, scope.clinic, scope.d1);
  const problem = report.firstBroken ?? report.anchorProblems[0];
  await audit(scope, {
    action: "execute",
    event: "audit.verify",
    entityType: "audit_log",
    outcome: report.ok ? "success" : "failure",
    detail: `${report.checked} rows verified, ${report.pending} pending, ${report.anchors} anchors` + (problem ? `; first problem at row ${problem.id}` : ""),
  });
  return report;
}

/** Exports at most this many rows; a narrower filter gets the rest. */
export const EXPORT_LIMIT = 50_000;

export const CSV_HEADER = [
  "id",
  "occurred_at_utc",
  "user_id",
  "user_email",
  "clinic",
  "action",
  "event",
  "entity_type",
  "entity_id",
  "patient_id",
  "outcome",
  "ip",
  "user_agent",
  "request_id",
  "detail",
  "hash",
];

export async function exportAuditCsv(scope: StaffScope, f: AuditFilter): Promise<string> {
  requirePermission(scope, "audit:export");
  const rows = await queryAudit(scope.db, f, EXPORT_LIMIT, 0);
  await audit(scope, { action: "export", event: "audit.export", entityType: "audit_log", detail: `${describe(f)}; ${rows.length} rows` });
  let out = csvLine(CSV_HEADER);
  for (const r of rows) {
    out += csvLine([
      r.id,
      r.occurredAt,
      r.userId,
      r.userEmail,
      r.clinicSlug,
      r.action,
      r.event,
      r.entityType,
      r.entityId,
      r.patientId,
      r.outcome,
      r.ip,
      r.userAgent,
      r.requestId,
      r.detail,
      r.hash,
    ]);
  }
  return out;
}

function describe(f: AuditFilter): string {
  const parts = Object.entries({ from: f.from, to: f.to, user: f.user, patient: f.patient, action: f.action })
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${v}`);
  return `filter ${parts.join(" ") || "none"}, sort ${f.sort} ${f.dir}`;
}
