/**
 * The audit hash chain: each sealed row's hash covers its own fields and the previous row's hash,
 * in id order, so editing, deleting or reordering any sealed row breaks every later link.
 * Pure and dependency-free: the Worker and `npm run audit:verify` share it.
 */

export interface ChainRow {
  id: number;
  occurredAt: string;
  userId: string | null;
  userEmail: string | null;
  clinicSlug: string;
  action: string;
  event: string;
  entityType: string;
  entityId: string | null;
  patientId: string | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  detail: string | null;
  prevHash: string | null;
  hash: string | null;
}

/** The hash that precedes the first row of a clinic's chain. */
export const GENESIS = "0".repeat(64);

export async function rowHash(row: ChainRow, prevHash: string): Promise<string> {
  const canonical = JSON.stringify([
    prevHash,
    row.id,
    row.occurredAt,
    row.userId,
    row.userEmail,
    row.clinicSlug,
    row.action,
    row.event,
    row.entityType,
    row.entityId,
    row.patientId,
    row.outcome,
    row.ip,
    row.userAgent,
    row.requestId,
    row.detail,
  ]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Computes the seals for `unsealed` rows (ascending id) that follow `last` (the newest sealed
 * row, or null for an empty chain). Deterministic: two sealers racing compute the same values.
 */
export async function computeSeals(
  last: Pick<ChainRow, "hash"> | null,
  unsealed: ChainRow[],
): Promise<{ id: number; prevHash: string; hash: string }[]> {
  let prev = last?.hash ?? GENESIS;
  const seals = [];
  for (const row of unsealed) {
    const hash = await rowHash(row, prev);
    seals.push({ id: row.id, prevHash: prev, hash });
    prev = hash;
  }
  return seals;
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  /** Rows at the end of the chain that are written but not yet sealed. */
  pending: number;
  firstBroken: { id: number; reason: string } | null;
}

/** Walks rows in ascending id order and reports the first broken link. */
export async function verifyChain(rows: ChainRow[]): Promise<ChainReport> {
  let prev = GENESIS;
  let checked = 0;
  let pending = 0;
  let lastId = -Infinity;
  for (const row of rows) {
    if (row.id <= lastId) return broken(row.id, "rows are out of order", checked, pending);
    lastId = row.id;
    if (row.hash === null) {
      pending++;
      continue;
    }
    if (pending > 0) return broken(row.id, "a sealed row follows an unsealed one", checked, pending);
    if (row.prevHash !== prev) {
      return broken(row.id, "its previous-hash does not match the row before it (a row was removed or reordered)", checked, pending);
    }
    const expected = await rowHash(row, prev);
    if (expected !== row.hash) return broken(row.id, "its content does not match its hash (the row was edited)", checked, pending);
    prev = row.hash;
    checked++;
  }
  return { ok: true, checked, pending, firstBroken: null };
}

function broken(id: number, reason: string, checked: number, pending: number): ChainReport {
  return { ok: false, checked, pending, firstBroken: { id, reason } };
}
