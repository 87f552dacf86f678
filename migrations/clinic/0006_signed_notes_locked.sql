-- A signed note cannot be changed by anyone, through the application or around it: once
-- signed_at is set, what was signed, who signed it and when are frozen, and the row cannot be
-- deleted. Only the co-signature (once) and updated_at/updated_by may still be written.
CREATE TRIGGER notes_signed_locked
BEFORE UPDATE ON notes
WHEN OLD.signed_at IS NOT NULL AND (
  NEW.content IS NOT OLD.content OR NEW.definition IS NOT OLD.definition OR NEW.title IS NOT OLD.title
  OR NEW.signed_at IS NOT OLD.signed_at OR NEW.signed_by IS NOT OLD.signed_by OR NEW.signed_by_name IS NOT OLD.signed_by_name
  OR NEW.signed_content IS NOT OLD.signed_content OR NEW.content_hash IS NOT OLD.content_hash
  OR NEW.patient_id IS NOT OLD.patient_id OR NEW.encounter_id IS NOT OLD.encounter_id OR NEW.author_staff_id IS NOT OLD.author_staff_id
  OR (OLD.cosigned_at IS NOT NULL AND (NEW.cosigned_at IS NOT OLD.cosigned_at OR NEW.cosign_hash IS NOT OLD.cosign_hash OR NEW.cosigner_staff_id IS NOT OLD.cosigner_staff_id))
  OR (OLD.status = 'signed' AND NEW.status IS NOT 'signed')
)
BEGIN
  SELECT RAISE(ABORT, 'signed note is locked');
END;
--> statement-breakpoint
CREATE TRIGGER notes_signed_no_delete
BEFORE DELETE ON notes
WHEN OLD.signed_at IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'signed note is locked');
END;
--> statement-breakpoint
CREATE TRIGGER note_addenda_no_update
BEFORE UPDATE ON note_addenda
BEGIN
  SELECT RAISE(ABORT, 'addenda are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER note_addenda_no_delete
BEFORE DELETE ON note_addenda
BEGIN
  SELECT RAISE(ABORT, 'addenda are append-only');
END;
--> statement-breakpoint
-- Attachments are kept for retention: deletion is soft, and the stored file's identity never changes.
CREATE TRIGGER attachments_no_delete
BEFORE DELETE ON attachments
BEGIN
  SELECT RAISE(ABORT, 'attachments are soft-deleted');
END;
--> statement-breakpoint
CREATE TRIGGER attachments_identity_fixed
BEFORE UPDATE ON attachments
WHEN NEW.r2_key IS NOT OLD.r2_key OR NEW.sha256 IS NOT OLD.sha256 OR NEW.size_bytes IS NOT OLD.size_bytes
  OR NEW.patient_id IS NOT OLD.patient_id OR NEW.content_type IS NOT OLD.content_type
  OR (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NOT OLD.deleted_at)
BEGIN
  SELECT RAISE(ABORT, 'attachment identity is fixed');
END;
