-- Emergency access ("break the glass", ONC 170.315(d)(6)): the clinic's chart access policy and
-- the time-boxed grants a staff member takes, with a reason, to open a chart outside their care
-- relationships. Clinics that exist when this ships keep charts open to every clinical role
-- (care_team_only = 0) so nobody loses access on deploy; `npm run clinic:create` turns the
-- restriction on for a new clinic, and an administrator turns it on or off at /audit/emergency.
CREATE TABLE `chart_access_policy` (
	`id` integer PRIMARY KEY NOT NULL CHECK (`id` = 1),
	`care_team_only` integer DEFAULT 0 NOT NULL,
	`grant_minutes` integer DEFAULT 240 NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
INSERT INTO `chart_access_policy` (`id`, `care_team_only`, `grant_minutes`) VALUES (1, 0, 240);
--> statement-breakpoint
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
