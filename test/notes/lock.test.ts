// The database itself keeps a signed note locked, whoever writes to it (migrations 0006, 0008).
import { describe, expect, it } from "vitest";
import { clinicD1 } from "../helpers";

async function signedNote(status: "awaiting_cosign" | "signed", cosigned: boolean): Promise<string> {
  const id = crypto.randomUUID();
  await clinicD1("north")
    .prepare(
      `INSERT INTO notes (id, encounter_id, patient_id, title, definition, content, status, author_staff_id, author_name,
         signed_at, signed_by, signed_by_name, signed_content, content_hash, cosigner_staff_id, cosigner_name, cosigned_at, cosign_hash)
       VALUES (?, 'e1', 'p1', 'Visit', '{"sections":[]}', '{}', ?, 'u-assoc', 'Sam Student', 1, 'u-assoc', 'Sam Student', '{}', 'h',
         'u-prov', 'Dr. Priya Provider', ?, ?)`,
    )
    .bind(id, status, cosigned ? 2 : null, cosigned ? "c" : null)
    .run();
  return id;
}

const update = (sql: string, id: string) => clinicD1("north").prepare(sql).bind(id).run();

describe("a signed note in the database", () => {
  it("cannot go back to draft while it awaits its co-signature", async () => {
    const id = await signedNote("awaiting_cosign", false);
    await expect(update("UPDATE notes SET status = 'draft' WHERE id = ?", id)).rejects.toThrow(/signed note is locked/);
    await expect(update("UPDATE notes SET status = 'draft', signed_at = NULL WHERE id = ?", id)).rejects.toThrow(/signed note is locked/);
  });

  it("keeps its co-signer's name once co-signed, but takes the co-signature itself once", async () => {
    const waiting = await signedNote("awaiting_cosign", false);
    await update("UPDATE notes SET status = 'signed', cosigned_at = 5, cosign_hash = 'x' WHERE id = ?", waiting);
    const done = await signedNote("signed", true);
    await expect(update("UPDATE notes SET cosigner_name = 'Someone Else' WHERE id = ?", done)).rejects.toThrow(/signed note is locked/);
    await expect(update("DELETE FROM notes WHERE id = ?", done)).rejects.toThrow(/signed note is locked/);
    const row = await clinicD1("north").prepare("SELECT status, cosigner_name FROM notes WHERE id = ?").bind(done).first();
    expect(row).toEqual({ status: "signed", cosigner_name: "Dr. Priya Provider" });
  });
});
