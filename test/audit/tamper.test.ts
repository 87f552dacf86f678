// Someone with direct access to a clinic's database drops the append-only triggers and rewrites
// the audit log. The keyed chain and the anchors outside the database must give them away.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { anchorAuditChain, verifyClinicAudit } from "../../src/audit/anchors";
import { keyedRowHash, legacyRowHash, GENESIS, parseAuditKeys, verifyChain, type ChainRow } from "../../src/audit/chain";
import { sealAuditChain } from "../../src/audit/service";
import { CLINICS, USERS } from "../fixtures";
import { auditRows, clinicD1, signedIn } from "../helpers";
import { appendRows, chainRows, rewriteRows, secret } from "./audit-helpers";

const keys = () => parseAuditKeys(env.AUDIT_KEYS);

/** Seals and anchors a clinic's log the way the cron scan does. */
async function sealAndAnchor(d1: D1Database, slug: string) {
  await sealAuditChain(d1, env.AUDIT_KEYS);
  return anchorAuditChain(env, { slug }, d1, Date.now());
}

/** Recomputes every row from `fromIndex` on with `hashOf`, each following the (new) previous hash. */
async function recompute(rows: ChainRow[], fromIndex: number, hashOf: (r: ChainRow, prev: string) => Promise<{ hash: string; keyId: string | null }>) {
  const out = rows.map((r) => ({ ...r }));
  let prev = fromIndex === 0 ? GENESIS : out[fromIndex - 1]!.hash!;
  for (let i = fromIndex; i < out.length; i++) {
    const r = out[i]!;
    const { hash, keyId } = await hashOf({ ...r, keyId: null }, prev);
    Object.assign(r, { prevHash: prev, hash, keyId });
    prev = hash;
  }
  return out;
}

describe("an audit log rewritten with the triggers dropped", () => {
  it("is caught when its last rows are deleted, even though the shortened chain is intact", async () => {
    const d1 = clinicD1("south");
    const slug = CLINICS.south.slug;
    await appendRows(d1, slug, 6, "trunc");
    const anchor = await sealAndAnchor(d1, slug);
    expect(anchor).not.toBeNull();
    expect((await verifyClinicAudit(env, { slug }, d1)).ok).toBe(true);

    await d1.prepare("DROP TRIGGER audit_log_no_delete").run();
    await d1.prepare("DELETE FROM audit_log WHERE id > ?").bind(anchor!.lastId - 2).run();
    // The chain alone cannot tell: what is left links up perfectly.
    expect((await verifyChain(await chainRows(d1), await keys())).ok).toBe(true);

    const report = await verifyClinicAudit(env, { slug }, d1);
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toBeNull();
    expect(report.anchorProblems.map((p) => p.id)).toEqual([anchor!.lastId, anchor!.lastId]); // directory and R2
    expect(report.anchorProblems[0]!.reason).toContain("truncated");
    expect(report.anchorProblems.map((p) => p.reason).join(" ")).toContain("R2");
    // The next scan refuses to anchor the shortened log and says why.
    await expect(anchorAuditChain(env, { slug }, d1, Date.now())).rejects.toThrow(`ends at row ${anchor!.lastId - 2}, before its anchor at row ${anchor!.lastId}: it was truncated`);

    // New rows sealed after the cut link to the shortened chain: still caught.
    await appendRows(d1, slug, 3, "after-cut");
    await sealAuditChain(d1, env.AUDIT_KEYS);
    const later = await verifyClinicAudit(env, { slug }, d1);
    expect(later.firstBroken).toBeNull();
    expect(later.ok).toBe(false);
    expect(later.anchorProblems[0]).toMatchObject({ id: anchor!.lastId });
    expect(later.anchorProblems[0]!.reason).toContain("deleted");
  });

  it("is caught when a row is edited and every later hash recomputed with plain SHA-256 or with a wrong key", async () => {
    const d1 = clinicD1("hillcrest");
    const slug = CLINICS.hillcrest.slug;
    await appendRows(d1, slug, 6, "edit");
    const anchor = await sealAndAnchor(d1, slug);
    const original = await chainRows(d1);
    expect(original.every((r) => r.keyId === "test-1")).toBe(true);
    await d1.prepare("DROP TRIGGER audit_log_seal_only").run();
    const victim = 2;
    const edited = original.map((r, i) => (i === victim ? { ...r, detail: "nothing to see" } : r));

    // (a) plain SHA-256 from the edited row on, keeping the key ids: the MACs do not match.
    await rewriteRows(d1, await recompute(edited, victim, async (r, prev) => ({ hash: await legacyRowHash(r, prev), keyId: "test-1" })));
    let report = await verifyClinicAudit(env, { slug }, d1);
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toEqual({ id: original[victim]!.id, reason: expect.stringContaining("edited") });

    // (b) plain SHA-256 with the key ids removed, as if the rows predated keys: a keyless row cannot follow a keyed one.
    await rewriteRows(d1, await recompute(edited, victim, async (r, prev) => ({ hash: await legacyRowHash(r, prev), keyId: null })));
    report = await verifyClinicAudit(env, { slug }, d1);
    expect(report.firstBroken).toEqual({ id: original[victim]!.id, reason: expect.stringContaining("no key id") });

    // (c) the whole log recomputed as keyless from the first row: a valid old-style chain, but not the anchored one.
    await rewriteRows(d1, await recompute(edited, 0, async (r, prev) => ({ hash: await legacyRowHash(r, prev), keyId: null })));
    expect((await verifyChain(await chainRows(d1), await keys())).ok).toBe(true);
    report = await verifyClinicAudit(env, { slug }, d1);
    expect(report.ok).toBe(false);
    expect(report.anchorProblems[0]).toEqual({ id: anchor!.lastId, reason: expect.stringContaining("rewritten") });

    // (d) HMAC under the same key id but the wrong secret.
    const wrong = await parseAuditKeys(`test-1:${secret("not-the-real-key")}`);
    await rewriteRows(d1, await recompute(edited, victim, async (r, prev) => ({ hash: await keyedRowHash({ ...r, keyId: "test-1" }, prev, "test-1", wrong.keys.get("test-1")!), keyId: "test-1" })));
    report = await verifyClinicAudit(env, { slug }, d1);
    expect(report.firstBroken).toEqual({ id: original[victim]!.id, reason: expect.stringContaining("edited") });

    // Put back as it was: intact again, so the checks above judged the edit and nothing else.
    await rewriteRows(d1, original);
    expect((await verifyClinicAudit(env, { slug }, d1)).ok).toBe(true);
  });

  it("is caught when rows claim a key id that is not among the audit keys", async () => {
    const d1 = clinicD1("north");
    const slug = CLINICS.north.slug;
    await appendRows(d1, slug, 4, "ghost");
    await sealAuditChain(d1, env.AUDIT_KEYS);
    const original = await chainRows(d1);
    await d1.prepare("DROP TRIGGER audit_log_seal_only").run();
    // The intruder seals the tail with a key of their own and names it.
    const theirs = await parseAuditKeys(`ghost:${secret("intruder")}`);
    const at = original.length - 2;
    const forged = await recompute(original, at, async (r, prev) => ({ hash: await keyedRowHash({ ...r, keyId: "ghost" }, prev, "ghost", theirs.keys.get("ghost")!), keyId: "ghost" }));
    await rewriteRows(d1, forged);
    const report = await verifyChain(await chainRows(d1), await keys());
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toEqual({ id: original[at]!.id, reason: 'it claims key id "ghost", which is not among the audit keys' });
    expect(report.checked).toBe(at);
  });

  it("shows on the /audit/chain page, which records each check", async () => {
    const owner = await signedIn("hillcrest", USERS.hillOwner.email);
    const d1 = clinicD1("hillcrest");
    await sealAuditChain(d1, env.AUDIT_KEYS);
    let res = await owner.get("/audit/chain");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("The audit chain of Hillcrest Family Practice is intact");
    expect(await auditRows("hillcrest", "event = 'audit.verify' AND outcome = 'success' AND user_id = ?", USERS.hillOwner.id)).toHaveLength(1);

    await sealAuditChain(d1, env.AUDIT_KEYS);
    const victim = (await chainRows(d1)).find((r) => r.event === "auth.sign_in")!;
    await d1.prepare("DROP TRIGGER IF EXISTS audit_log_seal_only").run();
    await d1.prepare("UPDATE audit_log SET user_email = 'someone-else@hillcrest.test' WHERE id = ?").bind(victim.id).run();
    res = await owner.get("/audit/chain");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("is broken");
    expect(html).toContain(`Audit row ${victim.id}: its content does not match its hash (the row was edited)`);
    const failures = await auditRows("hillcrest", "event = 'audit.verify' AND outcome = 'failure'");
    expect(failures).toHaveLength(1);
    expect(failures[0]!.detail).toContain(`first problem at row ${victim.id}`);

    const desk = await signedIn("north", USERS.frontDesk.email);
    expect((await desk.get("/audit/chain")).status).toBe(403);
  });
});
