/**
 * The audit hash chain: each sealed row's hash covers its own fields and the previous row's hash,
 * in id order, so editing, deleting or reordering any sealed row breaks every later link.
 *
 * Rows are sealed with HMAC-SHA-256 under a key that lives outside the clinic database (the
 * `AUDIT_KEYS` Worker secret), and each row records the id of its key: someone who can write the
 * database but does not hold the key cannot recompute the chain after an edit. Rows sealed before
 * keys existed (no key id) still verify with the plain SHA-256 rule, but once a keyed row appears
 * every later row must be keyed too. Anchors (the latest sealed id, its hash, the row count and key
 * id, written outside the clinic database) catch what a chain alone cannot: a truncated tail, or a
 * whole chain recomputed.
 *
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
  /** The key that sealed the row; null for rows sealed with plain SHA-256 before keys existed. */
  keyId: string | null;
}

/** The hash that precedes the first row of a clinic's chain. */
export const GENESIS = "0".repeat(64);

/** Shortest accepted audit key secret. */
export const MIN_KEY_LENGTH = 32;

/** The audit keys: the first seals new rows, every one verifies rows it sealed. */
export interface AuditKeyring {
  currentId: string;
  keys: ReadonlyMap<string, CryptoKey>;
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,32}$/;

/**
 * Reads `AUDIT_KEYS`: `kid:secret,kid2:secret2`, the first being the current key. Throws a message
 * naming what is wrong (never the secret itself).
 */
export async function parseAuditKeys(raw: string | undefined | null): Promise<AuditKeyring> {
  const entries = (raw ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  if (entries.length === 0) throw new Error("AUDIT_KEYS is missing: set it to kid:secret[,kid2:secret2] (first = current key).");
  const keys = new Map<string, CryptoKey>();
  for (const entry of entries) {
    const colon = entry.indexOf(":");
    const id = colon < 0 ? "" : entry.slice(0, colon).trim();
    const secret = colon < 0 ? "" : entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) throw new Error(`AUDIT_KEYS: every entry is kid:secret, with a key id of letters, digits, '.', '_' or '-' (at most 32).`);
    if (secret.length < MIN_KEY_LENGTH) throw new Error(`AUDIT_KEYS: the secret of key ${id} is shorter than ${MIN_KEY_LENGTH} characters.`);
    if (keys.has(id)) throw new Error(`AUDIT_KEYS: key id ${id} appears twice.`);
    keys.set(id, await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
  }
  return { currentId: entries[0]!.slice(0, entries[0]!.indexOf(":")).trim(), keys };
}

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

function canonical(row: ChainRow, prevHash: string, keyId: string | null): string {
  const fields: unknown[] = [
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
  ];
  // A keyed row's MAC covers its key id too, so the id cannot be swapped for another key's.
  if (keyId !== null) fields.push(keyId);
  return JSON.stringify(fields);
}

/** The hash of a row sealed before audit keys existed: plain SHA-256 (anyone can recompute it). */
export async function legacyRowHash(row: ChainRow, prevHash: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical(row, prevHash, null))));
}

/** The HMAC-SHA-256 seal of a row under key `keyId`. */
export async function keyedRowHash(row: ChainRow, prevHash: string, keyId: string, key: CryptoKey): Promise<string> {
  return hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(canonical(row, prevHash, keyId))));
}

/**
 * Computes the seals for `unsealed` rows (ascending id) that follow `last` (the newest sealed
 * row, or null for an empty chain), under the keyring's current key. Deterministic: two sealers
 * racing compute the same values.
 */
export async function computeSeals(
  last: Pick<ChainRow, "hash"> | null,
  unsealed: ChainRow[],
  keyring: AuditKeyring,
): Promise<{ id: number; prevHash: string; hash: string; keyId: string }[]> {
  const keyId = keyring.currentId;
  const key = keyring.keys.get(keyId)!;
  let prev = last?.hash ?? GENESIS;
  const seals = [];
  for (const row of unsealed) {
    const hash = await keyedRowHash(row, prev, keyId, key);
    seals.push({ id: row.id, prevHash: prev, hash, keyId });
    prev = hash;
  }
  return seals;
}

/** A checkpoint of a clinic's chain kept outside its database (directory table and R2 object). */
export interface AuditAnchor {
  /** The newest sealed row when the anchor was written. */
  lastId: number;
  lastHash: string;
  /** How many rows had an id up to and including `lastId`. */
  rowCount: number;
  keyId: string | null;
  /** Where the anchor was read from, for messages (e.g. "directory", "R2"). */
  source?: string;
}

export interface ChainProblem {
  id: number;
  reason: string;
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  /** Rows at the end of the chain that are written but not yet sealed. */
  pending: number;
  /** The first broken link of the chain itself. */
  firstBroken: ChainProblem | null;
  /** Anchors the chain was compared with. */
  anchors: number;
  /** Anchors the chain does not match: truncation, deleted or rewritten rows. */
  anchorProblems: ChainProblem[];
}

/**
 * Verifies a chain fed a page of rows at a time (ascending id), holding only the previous hash:
 * what `verifyChain` and `npm run audit:verify` both use.
 */
export class ChainVerifier {
  #prev = GENESIS;
  #checked = 0;
  #pending = 0;
  #rows = 0;
  #lastId = -Infinity;
  #keyedSeen = false;
  #firstBroken: ChainProblem | null = null;
  #anchors: AuditAnchor[];
  #next = 0;
  #anchorProblems: ChainProblem[] = [];

  #keyring: AuditKeyring | null;

  constructor(keyring: AuditKeyring | null, anchors: AuditAnchor[] = []) {
    this.#keyring = keyring;
    this.#anchors = [...anchors].sort((a, b) => a.lastId - b.lastId);
  }

  /** Feeds the next rows (ascending id). Returns false once the chain is found broken. */
  async add(rows: ChainRow[]): Promise<boolean> {
    for (const row of rows) {
      if (this.#firstBroken) return false;
      if (row.id <= this.#lastId) return this.#broken(row.id, "rows are out of order");
      // Anchors whose row lies before this one were skipped over: that row is gone.
      while (this.#next < this.#anchors.length && this.#anchors[this.#next]!.lastId < row.id) this.#missing(this.#anchors[this.#next++]!, row.id);
      this.#lastId = row.id;
      this.#rows++;
      if (row.hash === null) {
        this.#pending++;
        while (this.#anchors[this.#next]?.lastId === row.id) {
          const from = this.#anchors[this.#next++]!.source;
          this.#anchorProblems.push({ id: row.id, reason: `the anchored row${from ? ` (${from})` : ""} is no longer sealed (its hash was removed)` });
        }
        continue;
      }
      if (this.#pending > 0) return this.#broken(row.id, "a sealed row follows an unsealed one");
      if (row.prevHash !== this.#prev) {
        return this.#broken(row.id, "its previous-hash does not match the row before it (a row was removed or reordered)");
      }
      let expected: string;
      if (row.keyId === null) {
        if (this.#keyedSeen) return this.#broken(row.id, "it has no key id but follows a row sealed with a key (the chain was recomputed without the key)");
        expected = await legacyRowHash(row, this.#prev);
      } else {
        const key = this.#keyring?.keys.get(row.keyId);
        if (!key) return this.#broken(row.id, `it claims key id "${row.keyId}", which is not among the audit keys`);
        this.#keyedSeen = true;
        expected = await keyedRowHash(row, this.#prev, row.keyId, key);
      }
      if (expected !== row.hash) return this.#broken(row.id, "its content does not match its hash (the row was edited)");
      this.#prev = row.hash;
      this.#checked++;
      while (this.#anchors[this.#next]?.lastId === row.id) this.#compare(this.#anchors[this.#next++]!, row);
    }
    return true;
  }

  /** The verdict, once every row has been fed. */
  report(): ChainReport {
    // With the chain broken, the rows after the break were not read: their anchors are not judged.
    if (!this.#firstBroken) while (this.#next < this.#anchors.length) this.#missing(this.#anchors[this.#next++]!);
    return {
      ok: this.#firstBroken === null && this.#anchorProblems.length === 0,
      checked: this.#checked,
      pending: this.#pending,
      firstBroken: this.#firstBroken,
      anchors: this.#anchors.length,
      anchorProblems: this.#anchorProblems,
    };
  }

  #compare(anchor: AuditAnchor, row: ChainRow): void {
    const from = anchor.source ? ` (${anchor.source})` : "";
    if (row.hash !== anchor.lastHash) {
      this.#anchorProblems.push({ id: row.id, reason: `its hash differs from the anchor${from}: the row or one before it was rewritten` });
    } else if (this.#rows !== anchor.rowCount) {
      this.#anchorProblems.push({ id: row.id, reason: `the anchor${from} counted ${anchor.rowCount} rows up to it, the log has ${this.#rows}: rows were removed or added` });
    } else if (row.keyId !== anchor.keyId) {
      this.#anchorProblems.push({ id: row.id, reason: `it was sealed with key ${row.keyId ?? "(none)"}, the anchor${from} says ${anchor.keyId ?? "(none)"}` });
    }
  }

  /** An anchored row that is not in the log; `nextId` is the first row after the gap, if any. */
  #missing(anchor: AuditAnchor, nextId?: number): void {
    const from = anchor.source ? ` (${anchor.source})` : "";
    const reason =
      nextId === undefined
        ? `the anchored row is missing: the log ends at ${Number.isFinite(this.#lastId) ? `row ${this.#lastId}` : "no row"}, the anchor${from} has ${anchor.rowCount} rows up to ${anchor.lastId} (the log was truncated)`
        : `the anchored row is missing: it was deleted, the log goes from row ${Number.isFinite(this.#lastId) ? this.#lastId : "(none)"} to row ${nextId}; the anchor${from} has ${anchor.rowCount} rows up to ${anchor.lastId}`;
    this.#anchorProblems.push({ id: anchor.lastId, reason });
  }

  #broken(id: number, reason: string): false {
    this.#firstBroken = { id, reason };
    return false;
  }
}

/** Walks rows in ascending id order, reports the first broken link and every anchor they contradict. */
export async function verifyChain(rows: ChainRow[], keyring: AuditKeyring | null, anchors: AuditAnchor[] = []): Promise<ChainReport> {
  const verifier = new ChainVerifier(keyring, anchors);
  await verifier.add(rows);
  return verifier.report();
}
