-- The audit log is append-only. A row may be updated exactly once, by the sealer, to set its
-- place in the hash chain; every other update and every delete is refused.
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_log_seal_only BEFORE UPDATE ON audit_log
WHEN OLD.hash IS NOT NULL
  OR NEW.hash IS NULL
  OR NEW.id IS NOT OLD.id
  OR NEW.occurred_at IS NOT OLD.occurred_at
  OR NEW.user_id IS NOT OLD.user_id
  OR NEW.user_email IS NOT OLD.user_email
  OR NEW.clinic_slug IS NOT OLD.clinic_slug
  OR NEW.action IS NOT OLD.action
  OR NEW.event IS NOT OLD.event
  OR NEW.entity_type IS NOT OLD.entity_type
  OR NEW.entity_id IS NOT OLD.entity_id
  OR NEW.patient_id IS NOT OLD.patient_id
  OR NEW.outcome IS NOT OLD.outcome
  OR NEW.ip IS NOT OLD.ip
  OR NEW.user_agent IS NOT OLD.user_agent
  OR NEW.request_id IS NOT OLD.request_id
  OR NEW.detail IS NOT OLD.detail
BEGIN
  SELECT RAISE(ABORT, 'audit_log rows cannot be changed once written');
END;
