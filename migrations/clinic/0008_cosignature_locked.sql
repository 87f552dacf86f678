-- Tightens the lock of 0006: once co-signed, the co-signer's name is frozen too, and a note that
-- was signed (awaiting its co-signature or fully signed) can never return to draft.
DROP TRIGGER notes_signed_locked;
--> statement-breakpoint
CREATE TRIGGER notes_signed_locked
BEFORE UPDATE ON notes
WHEN OLD.signed_at IS NOT NULL AND (
  NEW.content IS NOT OLD.content OR NEW.definition IS NOT OLD.definition OR NEW.title IS NOT OLD.title
  OR NEW.signed_at IS NOT OLD.signed_at OR NEW.signed_by IS NOT OLD.signed_by OR NEW.signed_by_name IS NOT OLD.signed_by_name
  OR NEW.signed_content IS NOT OLD.signed_content OR NEW.content_hash IS NOT OLD.content_hash
  OR NEW.patient_id IS NOT OLD.patient_id OR NEW.encounter_id IS NOT OLD.encounter_id OR NEW.author_staff_id IS NOT OLD.author_staff_id
  OR (OLD.cosigned_at IS NOT NULL AND (NEW.cosigned_at IS NOT OLD.cosigned_at OR NEW.cosign_hash IS NOT OLD.cosign_hash
      OR NEW.cosigner_staff_id IS NOT OLD.cosigner_staff_id OR NEW.cosigner_name IS NOT OLD.cosigner_name))
  OR (OLD.status = 'signed' AND NEW.status IS NOT 'signed')
  OR NEW.status = 'draft'
)
BEGIN
  SELECT RAISE(ABORT, 'signed note is locked');
END;
