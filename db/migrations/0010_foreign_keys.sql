/*
 * Adds the foreign keys the code assumed. SQLite adds one only by rebuilding the table; D1 enforces
 * foreign keys inside a migration whatever PRAGMA foreign_keys says, so each rebuild copies the rows
 * aside, recreates the table and copies them back, with the checks deferred to the commit: a parent's
 * children find it again before the commit checks them. Rows naming a row that is gone are cleared
 * first: a nullable reference is set to null, a row that cannot stand without its parent is deleted.
 */
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
DELETE FROM `app_metrics` WHERE `hda_id` NOT IN (SELECT `id` FROM `hdas`);--> statement-breakpoint
DELETE FROM `batch_items` WHERE `hda_id` NOT IN (SELECT `id` FROM `hdas`) OR `batch_id` NOT IN (SELECT `id` FROM `batches`);--> statement-breakpoint
UPDATE `batch_items` SET `install_id` = NULL WHERE `install_id` NOT IN (SELECT `id` FROM `installs`);--> statement-breakpoint
UPDATE `installs` SET `current_deployment_id` = NULL WHERE `current_deployment_id` NOT IN (SELECT `id` FROM `deployments`);--> statement-breakpoint
UPDATE `deployments` SET `rollback_of` = NULL WHERE `rollback_of` NOT IN (SELECT `id` FROM `deployments`);--> statement-breakpoint
UPDATE `tasks` SET `install_id` = NULL WHERE `install_id` NOT IN (SELECT `id` FROM `installs`);--> statement-breakpoint
UPDATE `tasks` SET `deployment_id` = NULL WHERE `deployment_id` NOT IN (SELECT `id` FROM `deployments`);--> statement-breakpoint
UPDATE `tasks` SET `batch_id` = NULL WHERE `batch_id` NOT IN (SELECT `id` FROM `batches`);--> statement-breakpoint
DELETE FROM `task_events` WHERE `task_id` NOT IN (SELECT `id` FROM `tasks`);--> statement-breakpoint
UPDATE `snapshots` SET `deployment_id` = NULL WHERE `deployment_id` NOT IN (SELECT `id` FROM `deployments`);--> statement-breakpoint
CREATE TABLE `__old_app_metrics` AS SELECT * FROM `app_metrics`;--> statement-breakpoint
DROP TABLE `app_metrics`;--> statement-breakpoint
CREATE TABLE `app_metrics` (
	`hda_id` text NOT NULL,
	`identifier` text NOT NULL,
	`resolution` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`cpu_avg` real NOT NULL,
	`cpu_max` real NOT NULL,
	`mem_avg` real NOT NULL,
	`mem_max` real NOT NULL,
	`samples` integer NOT NULL,
	PRIMARY KEY(`hda_id`, `identifier`, `resolution`, `bucket_start`),
	FOREIGN KEY (`hda_id`) REFERENCES `hdas`(`id`) ON UPDATE no action ON DELETE no action
);--> statement-breakpoint
INSERT INTO `app_metrics`("hda_id", "identifier", "resolution", "bucket_start", "cpu_avg", "cpu_max", "mem_avg", "mem_max", "samples") SELECT "hda_id", "identifier", "resolution", "bucket_start", "cpu_avg", "cpu_max", "mem_avg", "mem_max", "samples" FROM `__old_app_metrics`;--> statement-breakpoint
DROP TABLE `__old_app_metrics`;--> statement-breakpoint
CREATE INDEX `app_metrics_age` ON `app_metrics` (`resolution`,`bucket_start`);--> statement-breakpoint
CREATE TABLE `__old_batch_items` AS SELECT * FROM `batch_items`;--> statement-breakpoint
DROP TABLE `batch_items`;--> statement-breakpoint
CREATE TABLE `batch_items` (
	`batch_id` text NOT NULL,
	`hda_id` text NOT NULL,
	`state` text NOT NULL,
	`action` text,
	`install_id` text,
	`task_id` text,
	`overrides_json` text DEFAULT '{}' NOT NULL,
	`detail` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`batch_id`, `hda_id`),
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`hda_id`) REFERENCES `hdas`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`install_id`) REFERENCES `installs`(`id`) ON UPDATE no action ON DELETE no action
);--> statement-breakpoint
INSERT INTO `batch_items`("batch_id", "hda_id", "state", "action", "install_id", "task_id", "overrides_json", "detail", "updated_at") SELECT "batch_id", "hda_id", "state", "action", "install_id", "task_id", "overrides_json", "detail", "updated_at" FROM `__old_batch_items`;--> statement-breakpoint
DROP TABLE `__old_batch_items`;--> statement-breakpoint
CREATE INDEX `batch_items_hda_state` ON `batch_items` (`hda_id`,`state`);--> statement-breakpoint
CREATE TABLE `__old_deployments` AS SELECT * FROM `deployments`;--> statement-breakpoint
DROP TABLE `deployments`;--> statement-breakpoint
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
	FOREIGN KEY (`version_id`) REFERENCES `app_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`rollback_of`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE no action
);--> statement-breakpoint
INSERT INTO `deployments`("id", "install_id", "version_id", "action", "status", "rendered_compose", "images_json", "rollback_of", "detail", "created_by", "created_at", "finished_at") SELECT "id", "install_id", "version_id", "action", "status", "rendered_compose", "images_json", "rollback_of", "detail", "created_by", "created_at", "finished_at" FROM `__old_deployments`;--> statement-breakpoint
DROP TABLE `__old_deployments`;--> statement-breakpoint
CREATE INDEX `deployments_install` ON `deployments` (`install_id`,`created_at`);--> statement-breakpoint
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
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`hda_id`) REFERENCES `hdas`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `app_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`current_deployment_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE no action
);--> statement-breakpoint
INSERT INTO `installs`("id", "hda_id", "app_id", "identifier", "hostname", "host_port", "desired_state", "state", "version_id", "current_deployment_id", "policy_exceptions_json", "limits_json", "overrides_json", "created_by", "created_at", "updated_at") SELECT "id", "hda_id", "app_id", "identifier", "hostname", "host_port", "desired_state", "state", "version_id", "current_deployment_id", "policy_exceptions_json", "limits_json", "overrides_json", "created_by", "created_at", "updated_at" FROM `__old_installs`;--> statement-breakpoint
DROP TABLE `__old_installs`;--> statement-breakpoint
CREATE UNIQUE INDEX `installs_hda_identifier` ON `installs` (`hda_id`,`identifier`) WHERE state <> 'removed';--> statement-breakpoint
CREATE UNIQUE INDEX `installs_hda_port` ON `installs` (`hda_id`,`host_port`) WHERE state <> 'removed';--> statement-breakpoint
CREATE TABLE `__old_snapshots` AS SELECT * FROM `snapshots`;--> statement-breakpoint
DROP TABLE `snapshots`;--> statement-breakpoint
CREATE TABLE `snapshots` (
	`install_id` text NOT NULL,
	`snapshot_id` text NOT NULL,
	`task_id` text NOT NULL,
	`deployment_id` text,
	`reason` text NOT NULL,
	`taken_at` integer NOT NULL,
	`size_bytes` integer NOT NULL,
	`added_bytes` integer NOT NULL,
	`downtime_ms` integer NOT NULL,
	`files` integer NOT NULL,
	`volumes_json` text DEFAULT '[]' NOT NULL,
	PRIMARY KEY(`install_id`, `snapshot_id`),
	FOREIGN KEY (`install_id`) REFERENCES `installs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`deployment_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE no action
);--> statement-breakpoint
INSERT INTO `snapshots`("install_id", "snapshot_id", "task_id", "deployment_id", "reason", "taken_at", "size_bytes", "added_bytes", "downtime_ms", "files", "volumes_json") SELECT "install_id", "snapshot_id", "task_id", "deployment_id", "reason", "taken_at", "size_bytes", "added_bytes", "downtime_ms", "files", "volumes_json" FROM `__old_snapshots`;--> statement-breakpoint
DROP TABLE `__old_snapshots`;--> statement-breakpoint
CREATE INDEX `snapshots_install_taken` ON `snapshots` (`install_id`,`taken_at`);--> statement-breakpoint
CREATE INDEX `snapshots_deployment` ON `snapshots` (`deployment_id`);--> statement-breakpoint
CREATE TABLE `__old_task_events` AS SELECT * FROM `task_events`;--> statement-breakpoint
DROP TABLE `task_events`;--> statement-breakpoint
CREATE TABLE `task_events` (
	`task_id` text NOT NULL,
	`seq` integer NOT NULL,
	`status` text NOT NULL,
	`step` text,
	`message` text NOT NULL,
	`data_json` text,
	`at` integer NOT NULL,
	PRIMARY KEY(`task_id`, `seq`),
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE no action
);--> statement-breakpoint
INSERT INTO `task_events`("task_id", "seq", "status", "step", "message", "data_json", "at") SELECT "task_id", "seq", "status", "step", "message", "data_json", "at" FROM `__old_task_events`;--> statement-breakpoint
DROP TABLE `__old_task_events`;--> statement-breakpoint
CREATE TABLE `__old_tasks` AS SELECT * FROM `tasks`;--> statement-breakpoint
DROP TABLE `tasks`;--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`hda_id` text NOT NULL,
	`install_id` text,
	`deployment_id` text,
	`kind` text NOT NULL,
	`lane` text DEFAULT 'main' NOT NULL,
	`batch_id` text,
	`payload_json` text NOT NULL,
	`state` text NOT NULL,
	`lease_until` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`detail` text,
	`failed_step` text,
	`created_at` integer NOT NULL,
	`claimed_at` integer,
	`finished_at` integer,
	FOREIGN KEY (`hda_id`) REFERENCES `hdas`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`install_id`) REFERENCES `installs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`deployment_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action
);--> statement-breakpoint
INSERT INTO `tasks`("id", "hda_id", "install_id", "deployment_id", "kind", "lane", "batch_id", "payload_json", "state", "lease_until", "attempts", "detail", "failed_step", "created_at", "claimed_at", "finished_at") SELECT "id", "hda_id", "install_id", "deployment_id", "kind", "lane", "batch_id", "payload_json", "state", "lease_until", "attempts", "detail", "failed_step", "created_at", "claimed_at", "finished_at" FROM `__old_tasks`;--> statement-breakpoint
DROP TABLE `__old_tasks`;--> statement-breakpoint
CREATE INDEX `tasks_hda_lane_state` ON `tasks` (`hda_id`,`lane`,`state`,`created_at`);--> statement-breakpoint
CREATE INDEX `tasks_install` ON `tasks` (`install_id`);--> statement-breakpoint
CREATE INDEX `tasks_deployment` ON `tasks` (`deployment_id`);--> statement-breakpoint
CREATE INDEX `tasks_state_finished` ON `tasks` (`state`,`finished_at`);