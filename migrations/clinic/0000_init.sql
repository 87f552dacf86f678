CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`occurred_at` text NOT NULL,
	`user_id` text,
	`user_email` text,
	`clinic_slug` text NOT NULL,
	`action` text NOT NULL,
	`event` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text,
	`patient_id` text,
	`outcome` text NOT NULL,
	`ip` text,
	`user_agent` text,
	`request_id` text,
	`detail` text,
	`prev_hash` text,
	`hash` text
);
--> statement-breakpoint
CREATE INDEX `audit_occurred_idx` ON `audit_log` (`occurred_at`);--> statement-breakpoint
CREATE INDEX `audit_patient_idx` ON `audit_log` (`patient_id`);--> statement-breakpoint
CREATE INDEX `audit_user_idx` ON `audit_log` (`user_id`);--> statement-breakpoint
CREATE INDEX `audit_unsealed_idx` ON `audit_log` (`hash`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`recipient` text NOT NULL,
	`template` text NOT NULL,
	`subject` text,
	`body` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`provider_id` text,
	`idempotency_key` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_idempotency_key_unique` ON `outbox` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `outbox_status_idx` ON `outbox` (`status`);--> statement-breakpoint
CREATE TABLE `patients` (
	`id` text PRIMARY KEY NOT NULL,
	`given_name` text NOT NULL,
	`family_name` text NOT NULL,
	`preferred_name` text,
	`date_of_birth` text NOT NULL,
	`sex_at_birth` text NOT NULL,
	`gender_identity` text,
	`phone` text,
	`phone_digits` text,
	`email` text,
	`address_line1` text,
	`address_line2` text,
	`city` text,
	`region` text,
	`postal_code` text,
	`country` text,
	`preferred_language` text,
	`emergency_name` text,
	`emergency_relationship` text,
	`emergency_phone` text,
	`insurance_payer` text,
	`insurance_member_id` text,
	`insurance_group` text,
	`search_name` text NOT NULL,
	`identity_key` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`updated_by` text
);
--> statement-breakpoint
CREATE INDEX `patients_search_name_idx` ON `patients` (`search_name`);--> statement-breakpoint
CREATE INDEX `patients_family_idx` ON `patients` (`family_name`);--> statement-breakpoint
CREATE INDEX `patients_dob_idx` ON `patients` (`date_of_birth`);--> statement-breakpoint
CREATE INDEX `patients_phone_idx` ON `patients` (`phone_digits`);--> statement-breakpoint
CREATE INDEX `patients_identity_idx` ON `patients` (`identity_key`);