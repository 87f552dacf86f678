/** Document metadata queries against one clinic's database. Every function takes the clinic-scoped client. */
import { and, count, desc, eq, inArray, isNotNull, isNull, type SQL } from "drizzle-orm";
import { attachments, encounters } from "../charting/tables";
import type { ClinicDb, DirectoryDb } from "../platform/env";
import { users } from "../schema/directory";
import type { AttachmentCategory } from "./input";

export type Attachment = typeof attachments.$inferSelect;

/** How many documents a list shows at most (newest first). */
export const LIST_LIMIT = 200;

/** Only the categories the viewer may read; null means all of them. */
function categoryFilter(categories: AttachmentCategory[] | null): SQL | undefined {
  return categories ? inArray(attachments.category, categories) : undefined;
}

/** Documents of a patient in the given categories: the current ones, or the deleted ones. */
export function documentsQuery(db: ClinicDb, patientId: string, categories: AttachmentCategory[] | null, deleted: boolean, limit = LIST_LIMIT) {
  return db
    .select()
    .from(attachments)
    .where(
      and(
        eq(attachments.patientId, patientId),
        deleted ? isNotNull(attachments.deletedAt) : isNull(attachments.deletedAt),
        categoryFilter(categories),
      ),
    )
    .orderBy(desc(attachments.uploadedAt), desc(attachments.id))
    .limit(limit);
}

export function deletedCountQuery(db: ClinicDb, patientId: string, categories: AttachmentCategory[] | null) {
  return db
    .select({ n: count() })
    .from(attachments)
    .where(and(eq(attachments.patientId, patientId), isNotNull(attachments.deletedAt), categoryFilter(categories)));
}

/** The encounter, only if it is one of this patient's (an empty id matches nothing). */
export function encounterQuery(db: ClinicDb, patientId: string, encounterId: string | null) {
  return db
    .select({ id: encounters.id, startedAt: encounters.startedAt, reason: encounters.reason, providerName: encounters.providerName })
    .from(encounters)
    .where(and(eq(encounters.id, encounterId ?? ""), eq(encounters.patientId, patientId)))
    .limit(1);
}

export type EncounterRef = { id: string; startedAt: number; reason: string | null; providerName: string };

/** A document of this patient (another patient's, or another clinic's, is not found). */
export async function findDocument(db: ClinicDb, patientId: string, docId: string): Promise<Attachment | undefined> {
  return db.query.attachments.findFirst({ where: and(eq(attachments.id, docId), eq(attachments.patientId, patientId)) });
}

/** Names of staff members by id, from the directory (deleted documents show who deleted them). */
export async function staffNames(dir: DirectoryDb, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].slice(0, 90);
  if (unique.length === 0) return new Map();
  const rows = await dir.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, unique));
  return new Map(rows.map((r) => [r.id, r.name]));
}
