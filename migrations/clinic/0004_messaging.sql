CREATE TABLE `inbound_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`sender` text NOT NULL,
	`body` text NOT NULL,
	`provider_id` text,
	`patient_id` text,
	`appointment_id` text,
	`outcome` text NOT NULL,
	`received_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbound_provider_idx` ON `inbound_messages` (`provider_id`);--> statement-breakpoint
CREATE TABLE `message_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`template` text NOT NULL,
	`channel` text NOT NULL,
	`locale` text DEFAULT 'en' NOT NULL,
	`subject` text,
	`body` text NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `message_templates_key_idx` ON `message_templates` (`template`,`channel`,`locale`);--> statement-breakpoint
CREATE TABLE `patient_contact_prefs` (
	`patient_id` text PRIMARY KEY NOT NULL,
	`email_consent` integer DEFAULT true NOT NULL,
	`sms_consent` integer DEFAULT true NOT NULL,
	`sms_opted_out_at` integer,
	`preferred_channel` text DEFAULT 'both' NOT NULL,
	`locale` text DEFAULT 'en' NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `patient_tags` (
	`patient_id` text NOT NULL,
	`tag` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`patient_id`, `tag`)
);
--> statement-breakpoint
CREATE INDEX `patient_tags_tag_idx` ON `patient_tags` (`tag`);--> statement-breakpoint
CREATE TABLE `reminder_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`email_hours_before` integer DEFAULT 72,
	`sms_hours_before` integer DEFAULT 24,
	`sms2_hours_before` integer,
	`quiet_start` text DEFAULT '21:00' NOT NULL,
	`quiet_end` text DEFAULT '08:00' NOT NULL
);
--> statement-breakpoint
CREATE TABLE `scheduled_actions` (
	`id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`action` text NOT NULL,
	`due_at` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	FOREIGN KEY (`run_id`) REFERENCES `workflow_runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `scheduled_actions_due_idx` ON `scheduled_actions` (`status`,`due_at`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`detail` text,
	`patient_id` text,
	`appointment_id` text,
	`assignee_id` text,
	`due_at` integer,
	`status` text DEFAULT 'open' NOT NULL,
	`rule_id` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`completed_at` integer
);
--> statement-breakpoint
CREATE INDEX `tasks_status_idx` ON `tasks` (`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `tasks_assignee_idx` ON `tasks` (`assignee_id`,`status`);--> statement-breakpoint
CREATE TABLE `workflow_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`trigger` text NOT NULL,
	`conditions` text DEFAULT '{}' NOT NULL,
	`actions` text NOT NULL,
	`paused` integer DEFAULT false NOT NULL,
	`fired_count` integer DEFAULT 0 NOT NULL,
	`last_fired_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text
);
--> statement-breakpoint
CREATE TABLE `workflow_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`rule_id` text NOT NULL,
	`event_key` text NOT NULL,
	`patient_id` text,
	`appointment_id` text,
	`fired_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`rule_id`) REFERENCES `workflow_rules`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workflow_runs_event_idx` ON `workflow_runs` (`rule_id`,`event_key`);--> statement-breakpoint
ALTER TABLE `outbox` ADD `send_after` integer;--> statement-breakpoint
ALTER TABLE `outbox` ADD `next_attempt_at` integer;--> statement-breakpoint
ALTER TABLE `outbox` ADD `last_error` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `sent_at` integer;--> statement-breakpoint
ALTER TABLE `outbox` ADD `delivered_at` integer;--> statement-breakpoint
ALTER TABLE `outbox` ADD `patient_id` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `appointment_id` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `locale` text;--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_provider_idx` ON `outbox` (`provider_id`);--> statement-breakpoint
CREATE INDEX `outbox_appointment_idx` ON `outbox` (`appointment_id`);--> statement-breakpoint
INSERT INTO reminder_settings (id) VALUES (1);
