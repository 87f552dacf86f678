-- Emergency access ("break the glass", ONC 170.315(d)(6)): the time-boxed grants a staff member
-- takes, with a reason, to open a chart outside their care relationships, and the privacy
-- officer's review of each. Whether a clinic keeps charts to the care team is the directory's
-- `clinics.care_team_only` (migrations/directory/0006_care_team_charts.sql).
CREATE TABLE `emergency_access` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`staff_id` text NOT NULL,
	`staff_name` text NOT NULL,
	`staff_role` text NOT NULL,
	`reason` text NOT NULL,
	`granted_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`reviewed_at` integer,
	`reviewed_by` text,
	`reviewed_by_name` text,
	`review_note` text
);
--> statement-breakpoint
CREATE INDEX `emergency_access_staff_patient_idx` ON `emergency_access` (`staff_id`,`patient_id`,`expires_at`);--> statement-breakpoint
CREATE INDEX `emergency_access_granted_idx` ON `emergency_access` (`granted_at`);--> statement-breakpoint
-- A grant is a record of what happened: only the review columns may change, once.
CREATE TRIGGER `emergency_access_fixed`
BEFORE UPDATE ON `emergency_access`
WHEN NEW.id IS NOT OLD.id OR NEW.patient_id IS NOT OLD.patient_id OR NEW.staff_id IS NOT OLD.staff_id
  OR NEW.staff_name IS NOT OLD.staff_name OR NEW.staff_role IS NOT OLD.staff_role OR NEW.reason IS NOT OLD.reason
  OR NEW.granted_at IS NOT OLD.granted_at OR NEW.expires_at > OLD.expires_at OR OLD.reviewed_at IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'emergency access grants are fixed once written');
END;
--> statement-breakpoint
CREATE TRIGGER `emergency_access_no_delete`
BEFORE DELETE ON `emergency_access`
BEGIN
  SELECT RAISE(ABORT, 'emergency access grants are never deleted');
END;
