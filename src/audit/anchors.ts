/**
 * Anchors of a clinic's audit chain, kept where someone with access to the clinic's database
 * cannot reach them: a row in the directory's append-only `audit_anchors` table, and a write-once
 * R2 object `audit-anchors/<clinic>/<last id, zero-padded>.json` (put only if absent; production
 * adds an R2 bucket lock rule on the `audit-anchors/` prefix so not even a token can replace it).
 * The cron scan anchors every clinic; `verifyClinicAudit` checks the chain against the anchors.
 */
import { and, asc, desc, eq, gt, isNotNull, lte, count } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Clinic, Env } from "../platform/env";
import { directoryDb } from "../platform/tenancy";
import { auditAnchors } from "../schema/directory";
import { ChainVerifier, type AuditAnchor, type ChainReport } from "./chain";
import { auditKeyring, chainColumns } from "./service";
import { auditLog } from "./tables";

/** The R2 key of an anchor: sorts by last id within the clinic's prefix. */
export function anchorObjectKey(clinicSlug: string, lastId: number): string {
  return `audit-anchors/${clinicSlug}/${String(lastId).padStart(12, "0")}.json`;
}

export interface AnchorRecord extends AuditAnchor {
  clinic: string;
  anchoredAt: string;
}

/**
 * Writes an R2 anchor object unless one already exists under its key: an existing anchor is
 * never replaced. Returns whether this call created it.
 */
export async function putAnchorObject(bucket: R2Bucket, anchor: AnchorRecord): Promise<boolean> {
  const body = JSON.stringify(anchor);
  const put = await bucket.put(anchorObjectKey(anchor.clinic, anchor.lastId), body, {
    onlyIf: new Headers({ "If-None-Match": "*" }),
    httpMetadata: { contentType: "application/json" },
  });
  return put !== null;
}

/**
 * Anchors the clinic's sealed chain if it grew since its last anchor: one directory row and one R2
 * object. Idempotent: a repeated run (or a run after a failed R2 put) writes nothing twice.
 * Returns the anchor, or null when nothing is sealed yet.
 */
export async function anchorAuditChain(env: Env, clinic: Pick<Clinic, "slug">, d1: D1Database, now: number): Promise<AnchorRecord | null> {
  const dir = directoryDb(env);
  const db = drizzle(d1);
  const [previous] = await dir
    .select({ lastId: auditAnchors.lastId, rowCount: auditAnchors.rowCount })
    .from(auditAnchors)
    .where(eq(auditAnchors.clinicSlug, clinic.slug))
    .orderBy(desc(auditAnchors.lastId))
    .limit(1);
  const [latest] = await db
    .select({ id: auditLog.id, hash: auditLog.hash, keyId: auditLog.keyId })
    .from(auditLog)
    .where(isNotNull(auditLog.hash))
    .orderBy(desc(auditLog.id))
    .limit(1);
  const lastAnchored = previous?.lastId ?? 0;
  if ((latest?.id ?? 0) < lastAnchored) {
    // Never anchor a log shorter than its last anchor: say so, loudly, in the scan's report.
    throw new Error(`the audit log of ${clinic.slug} ends at row ${latest?.id ?? 0}, before its anchor at row ${lastAnchored}: it was truncated`);
  }
  if (!latest) return null;
  // Count only the rows since the previous anchor: a full count of a large log on every scan
  // would read every row every five minutes.
  const since = previous ?? { lastId: 0, rowCount: 0 };
  const [added] = await db
    .select({ n: count() })
    .from(auditLog)
    .where(and(gt(auditLog.id, since.lastId), lte(auditLog.id, latest.id)));
  const anchor: AnchorRecord = {
    clinic: clinic.slug,
    lastId: latest.id,
    lastHash: latest.hash!,
    rowCount: since.rowCount + (added?.n ?? 0),
    keyId: latest.keyId,
    anchoredAt: new Date(now).toISOString(),
  };
  if (!previous || previous.lastId !== latest.id) {
    await dir
      .insert(auditAnchors)
      .values({ clinicSlug: anchor.clinic, lastId: anchor.lastId, lastHash: anchor.lastHash, rowCount: anchor.rowCount, keyId: anchor.keyId, anchoredAt: anchor.anchoredAt })
      .onConflictDoNothing();
  }
  const [stored] = await dir
    .select()
    .from(auditAnchors)
    .where(and(eq(auditAnchors.clinicSlug, clinic.slug), eq(auditAnchors.lastId, latest.id)));
  // The R2 copy repeats the directory row (the first one written, should two scans race).
  const record: AnchorRecord = stored
    ? { clinic: clinic.slug, lastId: stored.lastId, lastHash: stored.lastHash, rowCount: stored.rowCount, keyId: stored.keyId, anchoredAt: stored.anchoredAt }
    : anchor;
  await putAnchorObject(env.ATTACHMENTS, record);
  return record;
}

/** Every directory anchor of a clinic, oldest first. */
export async function directoryAnchors(env: Env, clinicSlug: string): Promise<AuditAnchor[]> {
  const rows = await directoryDb(env)
    .select({ lastId: auditAnchors.lastId, lastHash: auditAnchors.lastHash, rowCount: auditAnchors.rowCount, keyId: auditAnchors.keyId })
    .from(auditAnchors)
    .where(eq(auditAnchors.clinicSlug, clinicSlug))
    .orderBy(asc(auditAnchors.lastId));
  return rows.map((r) => ({ ...r, source: "directory" }));
}

/** At most this many R2 anchors newer than the directory's latest are read (each is a subrequest). */
const EXTRA_OBJECTS = 20;

/**
 * The R2 anchors worth reading beside the directory's: the copy of the directory's latest anchor,
 * and any object newer than it (which means directory rows went missing). Reading every object
 * would cost a subrequest per anchor; the directory rows before the latest are checked themselves.
 */
export async function objectAnchors(bucket: R2Bucket, clinicSlug: string, latestDirectoryId: number | null): Promise<AuditAnchor[]> {
  const keys: string[] = [];
  if (latestDirectoryId !== null) keys.push(anchorObjectKey(clinicSlug, latestDirectoryId));
  const newer = await bucket.list({
    prefix: `audit-anchors/${clinicSlug}/`,
    startAfter: latestDirectoryId === null ? undefined : anchorObjectKey(clinicSlug, latestDirectoryId),
    limit: EXTRA_OBJECTS,
  });
  keys.push(...newer.objects.map((o) => o.key));
  const anchors: AuditAnchor[] = [];
  for (const key of keys) {
    const obj = await bucket.get(key);
    if (!obj) continue;
    const a = (await obj.json()) as AnchorRecord;
    anchors.push({ lastId: a.lastId, lastHash: a.lastHash, rowCount: a.rowCount, keyId: a.keyId, source: "R2" });
  }
  return anchors;
}

const PAGE = 1000;

/**
 * Verifies a clinic's whole chain with the audit keys and against its anchors: every directory
 * anchor, and the R2 copies of the latest (so removing directory rows is not enough).
 */
export async function verifyClinicAudit(env: Env, clinic: Pick<Clinic, "slug">, d1: D1Database): Promise<ChainReport> {
  const keyring = await auditKeyring(env.AUDIT_KEYS);
  const fromDirectory = await directoryAnchors(env, clinic.slug);
  const fromR2 = await objectAnchors(env.ATTACHMENTS, clinic.slug, fromDirectory.at(-1)?.lastId ?? null);
  const anchors = [...fromDirectory, ...fromR2];
  const verifier = new ChainVerifier(keyring, anchors);
  const db = drizzle(d1);
  let afterId = 0;
  for (;;) {
    const rows = await db.select(chainColumns).from(auditLog).where(gt(auditLog.id, afterId)).orderBy(asc(auditLog.id)).limit(PAGE);
    if (rows.length === 0 || !(await verifier.add(rows))) break;
    afterId = rows[rows.length - 1]!.id;
    if (rows.length < PAGE) break;
  }
  return verifier.report();
}
