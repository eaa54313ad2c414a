CREATE INDEX `app_metrics_age` ON `app_metrics` (`resolution`,`bucket_start`);--> statement-breakpoint
CREATE INDEX `revoked_sessions_expiry` ON `revoked_sessions` (`expires_at`);--> statement-breakpoint
CREATE INDEX `tasks_state_finished` ON `tasks` (`state`,`finished_at`);