// The cron scan seals and anchors every clinic's audit chain; anchors are write-once; keys rotate.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { anchorObjectKey, putAnchorObject, verifyClinicAudit } from "../../src/audit/anchors";
import { computeSeals, GENESIS, legacyRowHash, parseAuditKeys, verifyChain, type ChainRow } from "../../src/audit/chain";
import { sealAuditChain } from "../../src/audit/service";
import { runScheduled } from "../../src/messaging/cron";
import { CLINICS } from "../fixtures";
import { clinicD1, type ClinicKey } from "../helpers";
import { appendRows, chainRows, secret } from "./audit-helpers";

const KEY_A = `key-a:${secret("alpha")}`;
const KEY_B = `key-b:${secret("bravo")}`;

async function directoryAnchors(slug: string) {
  const { results } = await env.DIRECTORY.prepare("SELECT * FROM audit_anchors WHERE clinic_slug = ? ORDER BY last_id").bind(slug).all<Record<string, unknown>>();
  return results;
}

describe("the cron scan", () => {
  it("seals and anchors every clinic, and one broken clinic does not stop the others", async () => {
    for (const key of ["north", "south", "hillcrest"] as ClinicKey[]) await appendRows(clinicD1(key), CLINICS[key].slug, 3, "cron");
    // Hillcrest (scanned first) has lost its audit table.
    const hill = clinicD1("hillcrest");
    await hill.prepare("ALTER TABLE audit_log RENAME TO audit_log_gone").run();

    const report = await runScheduled(env, Date.now());
    const hillScan = report.find((r) => r.clinic === CLINICS.hillcrest.slug)!;
    expect(hillScan.auditError).toContain("audit_log");
    for (const key of ["north", "south"] as ClinicKey[]) {
      const { slug } = CLINICS[key];
      const scan = report.find((r) => r.clinic === slug)!;
      expect(scan.auditError).toBeUndefined();
      expect(scan.sealed).toBeGreaterThanOrEqual(3);
      const rows = await chainRows(clinicD1(key));
      expect(rows.every((r) => r.hash !== null && r.keyId === "test-1")).toBe(true);
      const last = rows[rows.length - 1]!;
      expect(scan.anchoredId).toBe(last.id);
      expect(await directoryAnchors(slug)).toEqual([
        { id: expect.any(Number), clinic_slug: slug, last_id: last.id, last_hash: last.hash, row_count: rows.length, key_id: "test-1", anchored_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) },
      ]);
      const object = await env.ATTACHMENTS.get(anchorObjectKey(slug, last.id));
      expect(object?.key).toBe(`audit-anchors/${slug}/${String(last.id).padStart(12, "0")}.json`);
      expect(await object!.json()).toMatchObject({ clinic: slug, lastId: last.id, lastHash: last.hash, rowCount: rows.length, keyId: "test-1" });
      const verified = await verifyClinicAudit(env, { slug }, clinicD1(key));
      expect(verified).toMatchObject({ ok: true, anchors: 2, anchorProblems: [], firstBroken: null });
    }
    expect(await directoryAnchors(CLINICS.hillcrest.slug)).toEqual([]);

    // A second scan with nothing new writes no second anchor; once hillcrest is repaired it is sealed too.
    await hill.prepare("ALTER TABLE audit_log_gone RENAME TO audit_log").run();
    const again = await runScheduled(env, Date.now());
    expect(again.find((r) => r.clinic === CLINICS.north.slug)).toMatchObject({ sealed: 0 });
    expect(await directoryAnchors(CLINICS.north.slug)).toHaveLength(1);
    const hillAgain = again.find((r) => r.clinic === CLINICS.hillcrest.slug)!;
    expect(hillAgain.auditError).toBeUndefined();
    expect(hillAgain.sealed).toBe(3);
    expect(await directoryAnchors(CLINICS.hillcrest.slug)).toHaveLength(1);
  });
});

describe("audit keys", () => {
  it("rotate: rows sealed under key A and then under key B all verify, each under its own key", async () => {
    const d1 = clinicD1("north");
    const slug = CLINICS.north.slug;
    await appendRows(d1, slug, 3, "under-a");
    expect(await sealAuditChain(d1, `${KEY_A},${env.AUDIT_KEYS}`)).toBe(3);
    await appendRows(d1, slug, 2, "under-b");
    expect(await sealAuditChain(d1, `${KEY_B},${KEY_A},${env.AUDIT_KEYS}`)).toBe(2);

    const rows = await chainRows(d1);
    expect(rows.filter((r) => r.detail?.startsWith("under-a")).map((r) => r.keyId)).toEqual(["key-a", "key-a", "key-a"]);
    expect(rows.filter((r) => r.detail?.startsWith("under-b")).map((r) => r.keyId)).toEqual(["key-b", "key-b"]);
    const all = await parseAuditKeys(`${KEY_B},${KEY_A},${env.AUDIT_KEYS}`);
    expect(await verifyChain(rows, all)).toMatchObject({ ok: true, checked: rows.length, firstBroken: null });

    // Without key A, its rows cannot be verified.
    const withoutA = await verifyChain(rows, await parseAuditKeys(`${KEY_B},${env.AUDIT_KEYS}`));
    expect(withoutA.firstBroken).toEqual({ id: rows.find((r) => r.keyId === "key-a")!.id, reason: 'it claims key id "key-a", which is not among the audit keys' });
  });

  it("are refused when malformed, naming the problem", async () => {
    await expect(parseAuditKeys("")).rejects.toThrow(/AUDIT_KEYS is missing/);
    await expect(parseAuditKeys("k1:short")).rejects.toThrow(/key k1 is shorter than 32/);
    await expect(parseAuditKeys(`${KEY_A},${KEY_A}`)).rejects.toThrow(/key-a appears twice/);
    await expect(parseAuditKeys(secret("no-id"))).rejects.toThrow(/kid:secret/);
    await expect(sealAuditChain(clinicD1("south"), undefined)).rejects.toThrow(/AUDIT_KEYS is missing/);
  });
});

describe("anchors", () => {
  it("in R2 are never overwritten by a second write", async () => {
    const first = { clinic: "anchor-test", lastId: 42, lastHash: "a".repeat(64), rowCount: 42, keyId: "test-1", anchoredAt: "2026-12-01T10:00:00.000Z" };
    expect(await putAnchorObject(env.ATTACHMENTS, first)).toBe(true);
    const forged = { ...first, lastHash: "b".repeat(64), rowCount: 40, anchoredAt: "2026-12-02T10:00:00.000Z" };
    expect(await putAnchorObject(env.ATTACHMENTS, forged)).toBe(false);
    const stored = await env.ATTACHMENTS.get("audit-anchors/anchor-test/000000000042.json");
    expect(await stored!.json()).toEqual(first);
  });

  it("in the directory cannot be changed or deleted", async () => {
    await env.DIRECTORY.prepare(
      "INSERT INTO audit_anchors (clinic_slug, last_id, last_hash, row_count, key_id, anchored_at) VALUES ('anchor-test', 7, ?, 7, 'test-1', '2026-12-01T10:00:00.000Z')",
    )
      .bind("c".repeat(64))
      .run();
    await expect(env.DIRECTORY.prepare("UPDATE audit_anchors SET last_hash = 'x' WHERE last_id = 7").run()).rejects.toThrow(/append-only/);
    await expect(env.DIRECTORY.prepare("DELETE FROM audit_anchors WHERE last_id = 7").run()).rejects.toThrow(/append-only/);
  });
});

describe("anchors in R2", () => {
  it("still reveal a truncated log when the directory's anchors were deleted too", async () => {
    const d1 = clinicD1("south");
    const slug = CLINICS.south.slug;
    await appendRows(d1, slug, 4, "both");
    await runScheduled(env, Date.now());
    const rows = await chainRows(d1);
    const lastId = rows[rows.length - 1]!.id;
    expect((await directoryAnchors(slug)).at(-1)).toMatchObject({ last_id: lastId });
    expect(await verifyClinicAudit(env, { slug }, d1)).toMatchObject({ ok: true });

    await d1.prepare("DROP TRIGGER audit_log_no_delete").run();
    await d1.prepare("DELETE FROM audit_log WHERE id > ?").bind(lastId - 3).run();
    await env.DIRECTORY.prepare("DROP TRIGGER audit_anchors_no_delete").run();
    await env.DIRECTORY.prepare("DELETE FROM audit_anchors WHERE clinic_slug = ? AND last_id > ?").bind(slug, lastId - 3).run();

    const report = await verifyClinicAudit(env, { slug }, d1);
    expect(report.ok).toBe(false);
    expect(report.anchorProblems).toEqual([{ id: lastId, reason: expect.stringMatching(/anchor \(R2\) .*truncated/) }]);
  });
});

describe("rows sealed before audit keys existed", () => {
  it("verify with plain SHA-256, and keyed rows may follow them (but not the other way round)", async () => {
    const base = { occurredAt: "2026-11-01T09:00:00.000Z", userId: "u-prov", userEmail: "provider@riverside.test", clinicSlug: "riverside-north", action: "read", event: "chart.view", entityType: "patient", entityId: "p1", patientId: "p1", outcome: "success", ip: null, userAgent: null, requestId: null, detail: null };
    const rows: ChainRow[] = [];
    let prev = GENESIS;
    for (const id of [1, 2]) {
      const row: ChainRow = { ...base, id, prevHash: prev, hash: null, keyId: null };
      row.hash = await legacyRowHash(row, prev);
      rows.push(row);
      prev = row.hash;
    }
    const keyring = await parseAuditKeys(env.AUDIT_KEYS);
    const [seal] = await computeSeals({ hash: prev }, [{ ...base, id: 3, prevHash: null, hash: null, keyId: null }], keyring);
    rows.push({ ...base, id: 3, prevHash: seal!.prevHash, hash: seal!.hash, keyId: seal!.keyId });
    expect(await verifyChain(rows, keyring)).toMatchObject({ ok: true, checked: 3 });
    // The legacy rule is the old one exactly: what databases already hold stays verifiable.
    expect(rows[0]!.hash).toBe(await sha256(JSON.stringify([GENESIS, 1, ...Object.values(base)])));
  });
});

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
