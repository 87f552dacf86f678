import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { parseAuditKeys, verifyChain, type ChainRow } from "../../src/audit/chain";
import { asc } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { chainColumns, sealAuditChain } from "../../src/audit/service";
import { auditLog } from "../../src/audit/tables";
import { USERS } from "../fixtures";
import { auditRows, clinicD1, registerPatient, signedIn } from "../helpers";

const keys = () => parseAuditKeys(env.AUDIT_KEYS);

async function chainRows(d1: D1Database): Promise<ChainRow[]> {
  return drizzle(d1).select(chainColumns).from(auditLog).orderBy(asc(auditLog.id));
}

describe("the audit hash chain", () => {
  it("seals rows in id order into a chain that verifies", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    await registerPatient(b, { given_name: "Chain", family_name: "One", date_of_birth: "1981-01-01" });
    await sealAuditChain(clinicD1("north"), env.AUDIT_KEYS);
    const rows = await chainRows(clinicD1("north"));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const report = await verifyChain(rows, await keys());
    expect(report).toEqual({ ok: true, checked: rows.length, pending: 0, firstBroken: null, anchors: 0, anchorProblems: [] });
    expect(new Set(rows.map((r) => r.keyId))).toEqual(new Set(["test-1"]));
    expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
  });

  it("stays correct when many requests append at once and sealers race", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    const d1 = clinicD1("north");
    await Promise.all(Array.from({ length: 30 }, (_, i) => b.get(`/patients?q=concurrent${i}`)));
    await Promise.all([sealAuditChain(d1, env.AUDIT_KEYS), sealAuditChain(d1, env.AUDIT_KEYS), sealAuditChain(d1, env.AUDIT_KEYS)]);
    const rows = await chainRows(d1);
    const report = await verifyChain(rows, await keys());
    expect(report.ok).toBe(true);
    expect(report.pending).toBe(0);
    expect(rows.filter((r) => r.detail?.includes("concurrent"))).toHaveLength(30);
  });

  it("refuses edits and deletes of audit rows at the database", async () => {
    const b = await signedIn("north", USERS.frontDesk.email);
    await registerPatient(b, { given_name: "Append", family_name: "Only", date_of_birth: "1982-02-02" });
    const d1 = clinicD1("north");
    await sealAuditChain(d1, env.AUDIT_KEYS);
    await expect(d1.prepare("UPDATE audit_log SET outcome = 'failure' WHERE id = 1").run()).rejects.toThrow(/append-only|cannot be changed/);
    await expect(d1.prepare("DELETE FROM audit_log WHERE id = 1").run()).rejects.toThrow(/append-only/);
  });

  it("detects an edited row (what audit:verify reports) and names the first broken link", async () => {
    const b = await signedIn("hillcrest", USERS.hillOwner.email);
    await registerPatient(b, { given_name: "Tamper", family_name: "Target", date_of_birth: "1983-03-03" });
    await b.get("/patients?q=tamper");
    const d1 = clinicD1("hillcrest");
    await sealAuditChain(d1, env.AUDIT_KEYS);
    const rows = await chainRows(d1);
    expect((await verifyChain(rows, await keys())).ok).toBe(true);
    const victim = rows.find((r) => r.event === "patient.create")!;
    // Someone with direct database access removes the guard and rewrites history.
    await d1.prepare("DROP TRIGGER audit_log_seal_only").run();
    await d1.prepare("UPDATE audit_log SET user_email = 'someone-else@riverside.test' WHERE id = ?").bind(victim.id).run();
    const report = await verifyChain(await chainRows(d1), await keys());
    expect(report.ok).toBe(false);
    expect(report.firstBroken?.id).toBe(victim.id);
    expect(report.firstBroken?.reason).toContain("edited");
  });

  it("detects a deleted row", async () => {
    const d1 = clinicD1("south");
    const b = await signedIn("south", USERS.provider.email);
    await b.get("/patients?q=a");
    await b.get("/patients?q=b");
    await b.get("/patients?q=c");
    await sealAuditChain(d1, env.AUDIT_KEYS);
    const rows = await chainRows(d1);
    await d1.prepare("DROP TRIGGER audit_log_no_delete").run();
    await d1.prepare("DELETE FROM audit_log WHERE id = ?").bind(rows[1]!.id).run();
    const report = await verifyChain(await chainRows(d1), await keys());
    expect(report.ok).toBe(false);
    expect(report.firstBroken?.id).toBe(rows[2]!.id);
  });
});

describe("the audit report", () => {
  it("filters by patient, user, action and period, and sorts by any column", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    const id = await registerPatient(desk, { given_name: "Report", family_name: "Subject", date_of_birth: "1984-04-04" });
    await desk.get(`/patients/${id}`);
    const owner = await signedIn("north", USERS.owner.email);

    const byPatient = await (await owner.get(`/audit?patient=${id}`)).text();
    expect(byPatient).toContain("patient.create");
    expect(byPatient).toContain("patient.view");
    expect(byPatient).not.toContain("auth.sign_in");

    const byAction = await (await owner.get(`/audit?patient=${id}&action=create`)).text();
    expect(byAction).toContain("patient.create");
    expect(byAction).not.toContain("patient.view");

    const byUser = await (await owner.get(`/audit?user=${encodeURIComponent(USERS.owner.email)}`)).text();
    expect(byUser).toContain(USERS.owner.email);
    expect(byUser).not.toContain(USERS.frontDesk.email);

    const future = await (await owner.get("/audit?from=2999-01-01")).text();
    expect(future).toContain("No audit events match");
    const today = new Date().toISOString().slice(0, 10);
    expect(await (await owner.get(`/audit?from=${today}&to=${today}&patient=${id}`)).text()).toContain("patient.create");

    for (const sort of ["occurred_at", "user", "action", "event", "entity_type", "entity_id", "patient", "outcome", "ip", "request_id"]) {
      for (const dir of ["asc", "desc"]) {
        const res = await owner.get(`/audit?sort=${sort}&dir=${dir}`);
        expect(res.status, `${sort} ${dir}`).toBe(200);
        expect(await res.text()).toContain(`aria-sort="${dir === "asc" ? "ascending" : "descending"}"`);
      }
    }
    const asc = await (await owner.get("/audit?sort=event&dir=asc")).text();
    const events = [...asc.matchAll(/<td>(auth\.[a-z_]+|patient\.[a-z_]+|audit\.[a-z_]+)/g)].map((m) => m[1]!);
    expect(events.length).toBeGreaterThan(3);
    expect([...events].sort()).toEqual(events);
  });

  it("refuses bad filters with 422 naming the field", async () => {
    const owner = await signedIn("north", USERS.owner.email);
    const res = await owner.get("/audit?from=yesterday&sort=password");
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("From must be a date");
    expect(html).toContain("Unknown sort column");
  });

  it("exports CSV of the filtered rows, and audits the export", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    const id = await registerPatient(desk, { given_name: "=cmd|' /C calc'!A0", family_name: "Csv", date_of_birth: "1985-05-05" });
    const owner = await signedIn("north", USERS.owner.email);
    const res = await owner.get(`/audit/export.csv?patient=${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="audit-riverside-north-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]).toBe("id,occurred_at_utc,user_id,user_email,clinic,action,event,entity_type,entity_id,patient_id,outcome,ip,user_agent,request_id,detail,hash");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(",patient.create,");
    expect(lines[1]).toContain(id);
    const exports = await auditRows("north", "event = 'audit.export' AND user_id = ?", USERS.owner.id);
    expect(exports).toHaveLength(1);
    expect(exports[0]).toMatchObject({ action: "export", outcome: "success" });
    expect(exports[0]!.detail).toContain("1 rows");
  });

  it("records ip, user agent and request id on each row", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    await desk.get("/patients", { "cf-connecting-ip": "203.0.113.7", "user-agent": "ClinicTest/1.0" });
    const rows = await auditRows("north", "event = 'patient.search' AND ip = '203.0.113.7'");
    expect(rows.length).toBeGreaterThanOrEqual(1);
    for (const row of rows) {
      expect(row).toMatchObject({ user_agent: "ClinicTest/1.0", user_id: USERS.frontDesk.id, request_id: rows[0]!.request_id });
      expect(String(row.request_id)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
