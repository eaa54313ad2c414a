CREATE TABLE `app_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` integer NOT NULL,
	`version` text NOT NULL,
	`kind` text NOT NULL,
	`install_script` text,
	`uninstall_script` text,
	`compose_original` text,
	`content_json` text NOT NULL,
	`status` text NOT NULL,
	`findings_json` text DEFAULT '[]' NOT NULL,
	`signature` text NOT NULL,
	`key_id` text NOT NULL,
	`published_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`published_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `app_versions_app_version` ON `app_versions` (`app_id`,`version`);--> statement-breakpoint
CREATE TABLE `apps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`homepage` text,
	`publisher_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`publisher_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `apps_slug_unique` ON `apps` (`slug`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`actor_id` text,
	`actor_kind` text NOT NULL,
	`action` text NOT NULL,
	`target_kind` text,
	`target_id` text,
	`detail_json` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_target` ON `audit_log` (`target_kind`,`target_id`);--> statement-breakpoint
CREATE TABLE `deployments` (
	`id` text PRIMARY KEY NOT NULL,
	`install_id` text NOT NULL,
	`version_id` text NOT NULL,
	`action` text NOT NULL,
	`status` text NOT NULL,
	`rendered_compose` text,
	`images_json` text,
	`rollback_of` text,
	`detail` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`install_id`) REFERENCES `installs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `app_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `deployments_install` ON `deployments` (`install_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `hdas` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`name` text NOT NULL,
	`domain` text NOT NULL,
	`tags_json` text DEFAULT '[]' NOT NULL,
	`token_hash` text,
	`enroll_code_hash` text,
	`enroll_expires_at` integer,
	`enrolled_at` integer,
	`revoked_at` integer,
	`hostname` text,
	`last_seen_at` integer,
	`facts_json` text,
	`apps_json` text,
	`state_hash` text,
	`next_port_seq` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `hdas_owner` ON `hdas` (`owner_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `hdas_enroll_code` ON `hdas` (`enroll_code_hash`);--> statement-breakpoint
CREATE TABLE `installs` (
	`id` text PRIMARY KEY NOT NULL,
	`hda_id` text NOT NULL,
	`app_id` integer NOT NULL,
	`identifier` text NOT NULL,
	`hostname` text NOT NULL,
	`host_port` integer NOT NULL,
	`desired_state` text NOT NULL,
	`state` text NOT NULL,
	`version_id` text NOT NULL,
	`current_deployment_id` text,
	`policy_exceptions_json` text DEFAULT '[]' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`hda_id`) REFERENCES `hdas`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `app_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `installs_hda_identifier` ON `installs` (`hda_id`,`identifier`) WHERE state <> 'removed';--> statement-breakpoint
CREATE UNIQUE INDEX `installs_hda_port` ON `installs` (`hda_id`,`host_port`) WHERE state <> 'removed';--> statement-breakpoint
CREATE TABLE `revoked_sessions` (
	`jti` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `signing_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`alg` text NOT NULL,
	`public_jwk` text NOT NULL,
	`created_at` integer NOT NULL,
	`retired_at` integer
);
--> statement-breakpoint
CREATE TABLE `task_events` (
	`task_id` text NOT NULL,
	`seq` integer NOT NULL,
	`status` text NOT NULL,
	`step` text,
	`message` text NOT NULL,
	`data_json` text,
	`at` integer NOT NULL,
	PRIMARY KEY(`task_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`hda_id` text NOT NULL,
	`install_id` text,
	`deployment_id` text,
	`kind` text NOT NULL,
	`payload_json` text NOT NULL,
	`state` text NOT NULL,
	`lease_until` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`detail` text,
	`failed_step` text,
	`created_at` integer NOT NULL,
	`claimed_at` integer,
	`finished_at` integer,
	FOREIGN KEY (`hda_id`) REFERENCES `hdas`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tasks_hda_state` ON `tasks` (`hda_id`,`state`,`created_at`);--> statement-breakpoint
CREATE INDEX `tasks_install` ON `tasks` (`install_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text NOT NULL,
	`created_at` integer NOT NULL,
	`disabled_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);