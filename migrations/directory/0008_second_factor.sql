-- A second factor for staff: TOTP (RFC 6238) factors, single-use recovery codes and WebAuthn
-- passkeys, per user; on each session when it last proved a second factor and whether it is still
-- waiting for one; and per clinic which roles must use a second factor.
--
-- `totp_factors.confirmed_at` is null while enrolment waits for the first code; `last_used_step`
-- is the 30-second time step of the last accepted code, so the same code is never accepted twice.
-- `enrolling_session` is the session shown the waiting secret: only it can confirm it.
CREATE TABLE `totp_factors` (
	`user_id` text PRIMARY KEY NOT NULL,
	`secret` text NOT NULL,
	`created_at` integer NOT NULL,
	`confirmed_at` integer,
	`last_used_step` integer,
	`enrolling_session` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
-- Recovery codes are stored as SHA-256 hex of the normalized code; `used_at` is set once.
CREATE TABLE `recovery_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `recovery_codes_user_idx` ON `recovery_codes` (`user_id`);--> statement-breakpoint
-- WebAuthn credentials: the credential id (base64url), its COSE public key (base64url) and the
-- signature counter the authenticator last reported.
CREATE TABLE `passkeys` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`public_key` text NOT NULL,
	`counter` integer DEFAULT 0 NOT NULL,
	`transports` text DEFAULT '' NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `passkeys_user_idx` ON `passkeys` (`user_id`);--> statement-breakpoint
-- `pending`: null for a complete session; 'second_factor' after the password while the code is
-- awaited; 'enrol' when the clinic's policy requires a factor the user does not have yet.
ALTER TABLE `sessions` ADD `second_factor_at` integer;--> statement-breakpoint
ALTER TABLE `sessions` ADD `pending` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `second_factor_failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Comma-separated clinic roles that must use a second factor; owners, administrators and
-- providers (prescribers) by default, everyone else optional.
ALTER TABLE `clinics` ADD `second_factor_roles` text DEFAULT 'owner,admin,provider' NOT NULL;
