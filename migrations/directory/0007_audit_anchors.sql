-- Anchors of each clinic's audit chain, kept outside the clinic's database: the newest sealed row's
-- id and hash, how many rows the log held up to it, and the key that sealed it. `npm run
-- audit:verify` and the /audit page check the chain against every anchor, which catches a
-- truncated tail and a chain recomputed after an edit. Append-only, like the audit log itself.
CREATE TABLE `audit_anchors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`clinic_slug` text NOT NULL,
	`last_id` integer NOT NULL,
	`last_hash` text NOT NULL,
	`row_count` integer NOT NULL,
	`key_id` text,
	`anchored_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_anchors_clinic_last_idx` ON `audit_anchors` (`clinic_slug`,`last_id`);
--> statement-breakpoint
CREATE TRIGGER audit_anchors_no_delete BEFORE DELETE ON audit_anchors
BEGIN
  SELECT RAISE(ABORT, 'audit_anchors is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE ON audit_anchors
BEGIN
  SELECT RAISE(ABORT, 'audit_anchors is append-only');
END;
