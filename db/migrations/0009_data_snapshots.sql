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
	FOREIGN KEY (`install_id`) REFERENCES `installs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `snapshots_install_taken` ON `snapshots` (`install_id`,`taken_at`);--> statement-breakpoint
CREATE INDEX `snapshots_deployment` ON `snapshots` (`deployment_id`);