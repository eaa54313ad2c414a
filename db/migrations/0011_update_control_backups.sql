ALTER TABLE `app_versions` ADD `release_notes` text;--> statement-breakpoint
ALTER TABLE `hdas` ADD `backup_key_json` text;--> statement-breakpoint
ALTER TABLE `hdas` ADD `backup_plan_json` text;--> statement-breakpoint
ALTER TABLE `hdas` ADD `backup_health_json` text;--> statement-breakpoint
ALTER TABLE `installs` ADD `update_held` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `installs` ADD `skip_version_id` text;