/**
 * The audit trail of one clinic. Rows are append-only (enforced by triggers in the migration)
 * and hash-chained in id order by the sealer in ./chain.ts, under a key from AUDIT_KEYS.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const AUDIT_ACTIONS = ["create", "read", "update", "delete", "execute", "print", "export"] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** ISO 8601 UTC with milliseconds. */
    occurredAt: text("occurred_at").notNull(),
    userId: text("user_id"),
    userEmail: text("user_email"),
    clinicSlug: text("clinic_slug").notNull(),
    action: text("action", { enum: AUDIT_ACTIONS }).notNull(),
    /** What happened in the clinic's words, e.g. `patient.view`, `auth.sign_in`, `auth.lock`. */
    event: text("event").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id"),
    patientId: text("patient_id"),
    outcome: text("outcome", { enum: ["success", "failure", "denied"] }).notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
    detail: text("detail"),
    prevHash: text("prev_hash"),
    hash: text("hash"),
    /** The AUDIT_KEYS key id whose HMAC sealed the row; null for rows sealed with plain SHA-256. */
    keyId: text("key_id"),
  },
  (t) => [
    index("audit_occurred_idx").on(t.occurredAt),
    index("audit_patient_idx").on(t.patientId),
    index("audit_user_idx").on(t.userId),
    index("audit_unsealed_idx").on(t.hash),
  ],
);
