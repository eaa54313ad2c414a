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
	PRIMARY KEY(`hda_id`, `identifier`, `resolution`, `bucket_start`)
);
--> statement-breakpoint
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
	PRIMARY KEY(`batch_id`, `hda_id`)
);
--> statement-breakpoint
CREATE INDEX `batch_items_hda_state` ON `batch_items` (`hda_id`,`state`);--> statement-breakpoint
CREATE TABLE `batches` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`app_id` integer NOT NULL,
	`version_id` text NOT NULL,
	`concurrency` integer NOT NULL,
	`all_or_nothing` integer DEFAULT false NOT NULL,
	`state` text NOT NULL,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `app_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
DROP INDEX `tasks_hda_state`;--> statement-breakpoint
ALTER TABLE `tasks` ADD `lane` text DEFAULT 'main' NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `batch_id` text;--> statement-breakpoint
CREATE INDEX `tasks_hda_lane_state` ON `tasks` (`hda_id`,`lane`,`state`,`created_at`);--> statement-breakpoint
CREATE INDEX `tasks_deployment` ON `tasks` (`deployment_id`);--> statement-breakpoint
ALTER TABLE `installs` ADD `limits_json` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `installs` ADD `overrides_json` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `signing_keys` ADD `endorsement` text;