/**
 * Emergency access ("break the glass", ONC 170.315(d)(6)): the time-boxed grants staff take, with
 * a reason, to open a chart outside their care relationships. Grants are never deleted; only their review is written later (a trigger in
 * migrations/clinic/0009_emergency_access.sql keeps the rest fixed). Instants are epoch milliseconds.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One emergency access: who opened which chart, why, until when, and the privacy officer's review. */
export const emergencyAccess = sqliteTable(
  "emergency_access",
  {
    id: text("id").primaryKey(),
    patientId: text("patient_id").notNull(),
    /** The directory user id, their name and role when they took the grant. */
    staffId: text("staff_id").notNull(),
    staffName: text("staff_name").notNull(),
    staffRole: text("staff_role").notNull(),
    reason: text("reason").notNull(),
    grantedAt: integer("granted_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    reviewedAt: integer("reviewed_at"),
    reviewedBy: text("reviewed_by"),
    reviewedByName: text("reviewed_by_name"),
    reviewNote: text("review_note"),
  },
  (t) => [index("emergency_access_staff_patient_idx").on(t.staffId, t.patientId, t.expiresAt), index("emergency_access_granted_idx").on(t.grantedAt)],
);
