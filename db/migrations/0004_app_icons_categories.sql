ALTER TABLE `apps` ADD `category` text;--> statement-breakpoint
ALTER TABLE `apps` ADD `icon_url` text;