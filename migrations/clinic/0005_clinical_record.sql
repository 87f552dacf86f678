CREATE TABLE `allergies` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`substance` text NOT NULL,
	`category` text NOT NULL,
	`reaction` text,
	`severity` text DEFAULT 'unknown' NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`onset_date` text,
	`note` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE INDEX `allergies_patient_idx` ON `allergies` (`patient_id`,`status`);--> statement-breakpoint
CREATE TABLE `attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`encounter_id` text,
	`r2_key` text NOT NULL,
	`filename` text NOT NULL,
	`content_type` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`category` text DEFAULT 'clinical' NOT NULL,
	`title` text,
	`uploaded_at` integer NOT NULL,
	`uploaded_by` text NOT NULL,
	`uploaded_by_name` text NOT NULL,
	`deleted_at` integer,
	`deleted_by` text,
	`delete_reason` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `attachments_r2_key_unique` ON `attachments` (`r2_key`);--> statement-breakpoint
CREATE INDEX `attachments_patient_idx` ON `attachments` (`patient_id`,`uploaded_at`);--> statement-breakpoint
CREATE INDEX `attachments_encounter_idx` ON `attachments` (`encounter_id`);--> statement-breakpoint
CREATE TABLE `chart_alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`text` text NOT NULL,
	`severity` text DEFAULT 'warning' NOT NULL,
	`active` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE INDEX `chart_alerts_patient_idx` ON `chart_alerts` (`patient_id`,`active`);--> statement-breakpoint
CREATE TABLE `encounters` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`appointment_id` text,
	`provider_staff_id` text NOT NULL,
	`provider_name` text NOT NULL,
	`kind` text NOT NULL,
	`reason` text,
	`started_at` integer NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `encounters_appointment_uq` ON `encounters` (`appointment_id`);--> statement-breakpoint
CREATE INDEX `encounters_patient_idx` ON `encounters` (`patient_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `goals` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`description` text NOT NULL,
	`measure` text,
	`target_value` real,
	`target_direction` text,
	`target_date` text,
	`status` text DEFAULT 'active' NOT NULL,
	`note` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE INDEX `goals_patient_idx` ON `goals` (`patient_id`,`status`);--> statement-breakpoint
CREATE TABLE `histories` (
	`patient_id` text PRIMARY KEY NOT NULL,
	`medical` text,
	`surgical` text,
	`family` text,
	`smoking_status` text DEFAULT 'unknown' NOT NULL,
	`alcohol_use` text,
	`occupation` text,
	`social_note` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE TABLE `icd10_codes` (
	`code` text PRIMARY KEY NOT NULL,
	`description` text NOT NULL,
	`search_text` text NOT NULL,
	`billable` integer DEFAULT 1 NOT NULL,
	`source` text DEFAULT 'starter' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `icd10_search_idx` ON `icd10_codes` (`search_text`);--> statement-breakpoint
CREATE TABLE `immunizations` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`cvx_code` text NOT NULL,
	`vaccine` text NOT NULL,
	`administered_on` text NOT NULL,
	`lot_number` text,
	`manufacturer` text,
	`site` text,
	`route` text,
	`dose_number` integer,
	`note` text,
	`status` text DEFAULT 'completed' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE INDEX `immunizations_patient_idx` ON `immunizations` (`patient_id`,`administered_on`);--> statement-breakpoint
CREATE TABLE `lab_results` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`encounter_id` text,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`value_num` real,
	`value_text` text,
	`unit` text,
	`ref_low` real,
	`ref_high` real,
	`flag` text,
	`observed_at` integer NOT NULL,
	`source` text DEFAULT 'manual' NOT NULL,
	`status` text DEFAULT 'final' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE INDEX `lab_results_patient_idx` ON `lab_results` (`patient_id`,`code`,`observed_at`);--> statement-breakpoint
CREATE TABLE `measure_responses` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`encounter_id` text,
	`instrument` text NOT NULL,
	`instrument_name` text NOT NULL,
	`answers` text NOT NULL,
	`score` integer NOT NULL,
	`severity` text NOT NULL,
	`flags` text,
	`taken_at` integer NOT NULL,
	`status` text DEFAULT 'final' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE INDEX `measure_responses_patient_idx` ON `measure_responses` (`patient_id`,`instrument`,`taken_at`);--> statement-breakpoint
CREATE INDEX `measure_responses_encounter_idx` ON `measure_responses` (`encounter_id`);--> statement-breakpoint
CREATE TABLE `medications` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`name` text NOT NULL,
	`dose` text,
	`route` text,
	`frequency` text,
	`start_date` text,
	`stop_date` text,
	`status` text DEFAULT 'active' NOT NULL,
	`prescriber` text,
	`prescriber_staff_id` text,
	`source` text DEFAULT 'manual' NOT NULL,
	`stop_reason` text,
	`note` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE INDEX `medications_patient_idx` ON `medications` (`patient_id`,`status`);--> statement-breakpoint
CREATE TABLE `note_addenda` (
	`id` text PRIMARY KEY NOT NULL,
	`note_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`body` text NOT NULL,
	`author_staff_id` text NOT NULL,
	`author_name` text NOT NULL,
	`created_at` integer NOT NULL,
	`content_hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `note_addenda_note_idx` ON `note_addenda` (`note_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `note_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`definition` text NOT NULL,
	`owner_staff_id` text,
	`shared` integer DEFAULT 0 NOT NULL,
	`starter_key` text,
	`archived` integer DEFAULT 0 NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE INDEX `note_templates_owner_idx` ON `note_templates` (`owner_staff_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `note_templates_starter_uq` ON `note_templates` (`starter_key`);--> statement-breakpoint
CREATE TABLE `notes` (
	`id` text PRIMARY KEY NOT NULL,
	`encounter_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`template_id` text,
	`title` text NOT NULL,
	`definition` text NOT NULL,
	`content` text DEFAULT '{}' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`author_staff_id` text NOT NULL,
	`author_name` text NOT NULL,
	`signed_at` integer,
	`signed_by` text,
	`signed_by_name` text,
	`signed_content` text,
	`content_hash` text,
	`cosigner_staff_id` text,
	`cosigner_name` text,
	`cosigned_at` integer,
	`cosign_hash` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE INDEX `notes_encounter_idx` ON `notes` (`encounter_id`);--> statement-breakpoint
CREATE INDEX `notes_patient_idx` ON `notes` (`patient_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `notes_cosigner_idx` ON `notes` (`cosigner_staff_id`,`status`);--> statement-breakpoint
CREATE TABLE `problems` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`code` text,
	`description` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`onset_date` text,
	`resolved_date` text,
	`note` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE INDEX `problems_patient_idx` ON `problems` (`patient_id`,`status`);--> statement-breakpoint
CREATE TABLE `questionnaires` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`definition` text NOT NULL,
	`archived` integer DEFAULT 0 NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `questionnaires_code_unique` ON `questionnaires` (`code`);--> statement-breakpoint
CREATE TABLE `vitals` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`encounter_id` text,
	`taken_at` integer NOT NULL,
	`systolic` integer,
	`diastolic` integer,
	`pulse` integer,
	`temperature_c` real,
	`respiratory_rate` integer,
	`spo2` integer,
	`height_cm` real,
	`weight_kg` real,
	`bmi` real,
	`pain_score` integer,
	`note` text,
	`status` text DEFAULT 'final' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE INDEX `vitals_patient_idx` ON `vitals` (`patient_id`,`taken_at`);--> statement-breakpoint
CREATE INDEX `vitals_encounter_idx` ON `vitals` (`encounter_id`);