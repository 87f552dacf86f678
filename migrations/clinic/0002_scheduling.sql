CREATE TABLE `appointment_series` (
	`id` text PRIMARY KEY NOT NULL,
	`every_weeks` integer NOT NULL,
	`until_date` text,
	`count` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `appointment_types` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`duration_minutes` integer NOT NULL,
	`buffer_before_minutes` integer DEFAULT 0 NOT NULL,
	`buffer_after_minutes` integer DEFAULT 0 NOT NULL,
	`price_cents` integer DEFAULT 0 NOT NULL,
	`modality` text DEFAULT 'in_person' NOT NULL,
	`needs_room` integer DEFAULT false NOT NULL,
	`resource_id` text,
	`bookable_online` integer DEFAULT true NOT NULL,
	`eligibility` text DEFAULT 'all' NOT NULL,
	`color` text DEFAULT '#2f7d4f' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	FOREIGN KEY (`resource_id`) REFERENCES `resources`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `appointment_types_slug_unique` ON `appointment_types` (`slug`);--> statement-breakpoint
CREATE TABLE `appointments` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`provider_id` text NOT NULL,
	`location_id` text NOT NULL,
	`appointment_type_id` text NOT NULL,
	`room_id` text,
	`resource_id` text,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`block_start` integer NOT NULL,
	`block_end` integer NOT NULL,
	`status` text DEFAULT 'booked' NOT NULL,
	`source` text NOT NULL,
	`series_id` text,
	`cancel_reason` text,
	`idempotency_key` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	FOREIGN KEY (`provider_id`) REFERENCES `providers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`location_id`) REFERENCES `locations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`appointment_type_id`) REFERENCES `appointment_types`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `appointments_idempotency_idx` ON `appointments` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `appointments_provider_time_idx` ON `appointments` (`provider_id`,`block_start`);--> statement-breakpoint
CREATE INDEX `appointments_room_time_idx` ON `appointments` (`room_id`,`block_start`);--> statement-breakpoint
CREATE INDEX `appointments_resource_time_idx` ON `appointments` (`resource_id`,`block_start`);--> statement-breakpoint
CREATE INDEX `appointments_patient_idx` ON `appointments` (`patient_id`,`starts_at`);--> statement-breakpoint
CREATE INDEX `appointments_start_idx` ON `appointments` (`starts_at`);--> statement-breakpoint
CREATE INDEX `appointments_series_idx` ON `appointments` (`series_id`);--> statement-breakpoint
CREATE TABLE `availability_overrides` (
	`id` text PRIMARY KEY NOT NULL,
	`provider_id` text NOT NULL,
	`location_id` text NOT NULL,
	`date` text NOT NULL,
	`kind` text NOT NULL,
	`start_time` text,
	`end_time` text,
	FOREIGN KEY (`provider_id`) REFERENCES `providers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`location_id`) REFERENCES `locations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `overrides_provider_date_idx` ON `availability_overrides` (`provider_id`,`date`);--> statement-breakpoint
CREATE TABLE `availability_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`provider_id` text NOT NULL,
	`location_id` text NOT NULL,
	`weekday` integer NOT NULL,
	`kind` text DEFAULT 'work' NOT NULL,
	`start_time` text NOT NULL,
	`end_time` text NOT NULL,
	`valid_from` text,
	`valid_until` text,
	FOREIGN KEY (`provider_id`) REFERENCES `providers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`location_id`) REFERENCES `locations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `availability_provider_idx` ON `availability_rules` (`provider_id`);--> statement-breakpoint
CREATE TABLE `booking_rules` (
	`id` integer PRIMARY KEY NOT NULL,
	`min_notice_minutes` integer DEFAULT 120 NOT NULL,
	`max_days_ahead` integer DEFAULT 60 NOT NULL,
	`cancel_window_hours` integer DEFAULT 24 NOT NULL,
	`max_upcoming_per_patient` integer DEFAULT 3 NOT NULL,
	`hold_minutes` integer DEFAULT 5 NOT NULL,
	`slot_step_minutes` integer DEFAULT 15 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `holidays` (
	`id` text PRIMARY KEY NOT NULL,
	`location_id` text,
	`date` text NOT NULL,
	`name` text NOT NULL,
	FOREIGN KEY (`location_id`) REFERENCES `locations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `locations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`address_line1` text,
	`city` text,
	`region` text,
	`postal_code` text,
	`phone` text,
	`timezone` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `provider_appointment_types` (
	`provider_id` text NOT NULL,
	`appointment_type_id` text NOT NULL,
	PRIMARY KEY(`provider_id`, `appointment_type_id`),
	FOREIGN KEY (`provider_id`) REFERENCES `providers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`appointment_type_id`) REFERENCES `appointment_types`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `provider_locations` (
	`provider_id` text NOT NULL,
	`location_id` text NOT NULL,
	PRIMARY KEY(`provider_id`, `location_id`),
	FOREIGN KEY (`provider_id`) REFERENCES `providers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`location_id`) REFERENCES `locations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `providers` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`slug` text NOT NULL,
	`display_name` text NOT NULL,
	`credentials` text,
	`npi` text,
	`color` text DEFAULT '#0b5cad' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `providers_slug_unique` ON `providers` (`slug`);--> statement-breakpoint
CREATE TABLE `resources` (
	`id` text PRIMARY KEY NOT NULL,
	`location_id` text NOT NULL,
	`name` text NOT NULL,
	`kind` text DEFAULT 'room' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	FOREIGN KEY (`location_id`) REFERENCES `locations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `resources_location_idx` ON `resources` (`location_id`);--> statement-breakpoint
CREATE TABLE `time_off` (
	`id` text PRIMARY KEY NOT NULL,
	`provider_id` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`reason` text,
	FOREIGN KEY (`provider_id`) REFERENCES `providers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `time_off_provider_idx` ON `time_off` (`provider_id`,`starts_at`);--> statement-breakpoint
CREATE TABLE `waitlist_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`provider_id` text,
	`appointment_type_id` text NOT NULL,
	`from_date` text NOT NULL,
	`to_date` text NOT NULL,
	`times_of_day` text NOT NULL,
	`status` text DEFAULT 'waiting' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`provider_id`) REFERENCES `providers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`appointment_type_id`) REFERENCES `appointment_types`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `waitlist_status_idx` ON `waitlist_entries` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `waitlist_offers` (
	`id` text PRIMARY KEY NOT NULL,
	`entry_id` text NOT NULL,
	`hold_id` text NOT NULL,
	`provider_id` text NOT NULL,
	`starts_at` integer NOT NULL,
	`status` text DEFAULT 'offered' NOT NULL,
	`expires_at` integer NOT NULL,
	`appointment_id` text,
	FOREIGN KEY (`entry_id`) REFERENCES `waitlist_entries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `waitlist_offers_hold_idx` ON `waitlist_offers` (`hold_id`);--> statement-breakpoint
INSERT INTO booking_rules (id) VALUES (1);
