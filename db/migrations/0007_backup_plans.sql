ALTER TABLE `hdas` ADD `backup_key_json` text;--> statement-breakpoint
ALTER TABLE `hdas` ADD `backup_plan_json` text;--> statement-breakpoint
ALTER TABLE `hdas` ADD `backup_health_json` text;