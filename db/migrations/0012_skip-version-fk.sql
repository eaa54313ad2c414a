/*
 * installs.skip_version_id names an app version: it gets its foreign key the way 0010 added the others
 * (D1 enforces foreign keys inside a migration whatever PRAGMA foreign_keys says): a skip naming a
 * version that is gone is cleared, the rows go aside, the table is recreated and the rows come back,
 * with the checks deferred to the commit so the tables naming an install find it again.
 */
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
UPDATE `installs` SET `skip_version_id` = NULL WHERE `skip_version_id` NOT IN (SELECT `id` FROM `app_versions`);--> statement-breakpoint
CREATE TABLE `__old_installs` AS SELECT * FROM `installs`;--> statement-breakpoint
DROP TABLE `installs`;--> statement-breakpoint
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
	`limits_json` text DEFAULT '{}' NOT NULL,
	`overrides_json` text DEFAULT '{}' NOT NULL,
	`update_held` integer DEFAULT false NOT NULL,
	`skip_version_id` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`hda_id`) REFERENCES `hdas`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `app_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`current_deployment_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`skip_version_id`) REFERENCES `app_versions`(`id`) ON UPDATE no action ON DELETE no action
);--> statement-breakpoint
INSERT INTO `installs`("id", "hda_id", "app_id", "identifier", "hostname", "host_port", "desired_state", "state", "version_id", "current_deployment_id", "policy_exceptions_json", "limits_json", "overrides_json", "update_held", "skip_version_id", "created_by", "created_at", "updated_at") SELECT "id", "hda_id", "app_id", "identifier", "hostname", "host_port", "desired_state", "state", "version_id", "current_deployment_id", "policy_exceptions_json", "limits_json", "overrides_json", "update_held", "skip_version_id", "created_by", "created_at", "updated_at" FROM `__old_installs`;--> statement-breakpoint
DROP TABLE `__old_installs`;--> statement-breakpoint
CREATE UNIQUE INDEX `installs_hda_identifier` ON `installs` (`hda_id`,`identifier`) WHERE state <> 'removed';--> statement-breakpoint
CREATE UNIQUE INDEX `installs_hda_port` ON `installs` (`hda_id`,`host_port`) WHERE state <> 'removed';
