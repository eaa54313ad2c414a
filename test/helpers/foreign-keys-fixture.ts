/**
 * Rows as a database held them before migration 0010 added its foreign keys: one of each kind that
 * names another row, and some orphans (rows naming an HDA, task, install or deployment that is gone).
 */
export const BEFORE_FOREIGN_KEYS = '0010_foreign_keys';

export const ROWS_BEFORE_FOREIGN_KEYS: string[] = [
  `INSERT INTO users (id, email, password_hash, role, created_at) VALUES ('u1', 'u1@example.com', 'x', 'owner', 1)`,
  `INSERT INTO apps (id, slug, name, publisher_id, created_at) VALUES (1, 'fk-app', 'FK app', 'u1', 1)`,
  `INSERT INTO app_versions (id, app_id, version, kind, content_json, status, signature, key_id, published_by, created_at)
     VALUES ('v1', 1, '1.0.0', 'compose', '{}', 'ready', 's', 'k', 'u1', 1)`,
  `INSERT INTO hdas (id, owner_id, name, domain, created_at) VALUES ('h1', 'u1', 'home', 'home.lan', 1)`,
  `INSERT INTO installs (id, hda_id, app_id, identifier, hostname, host_port, desired_state, state, version_id, current_deployment_id, created_by, created_at, updated_at)
     VALUES ('i1', 'h1', 1, 'fk-app', 'fk-app', 35001, 'running', 'running', 'v1', 'd1', 'u1', 1, 1),
            ('i2', 'h1', 1, 'fk-app-2', 'fk-app-2', 35002, 'running', 'running', 'v1', 'gone-deployment', 'u1', 1, 1)`,
  `INSERT INTO deployments (id, install_id, version_id, action, status, rollback_of, created_by, created_at)
     VALUES ('d1', 'i1', 'v1', 'install', 'succeeded', NULL, 'u1', 1),
            ('d2', 'i1', 'v1', 'rollback', 'succeeded', 'gone-deployment', 'u1', 2)`,
  `INSERT INTO batches (id, owner_id, app_id, version_id, concurrency, state, created_at) VALUES ('b1', 'u1', 1, 'v1', 1, 'succeeded', 1)`,
  `INSERT INTO tasks (id, hda_id, install_id, deployment_id, kind, batch_id, payload_json, state, created_at)
     VALUES ('t1', 'h1', 'i1', 'd1', 'install', 'b1', '{}', 'succeeded', 1),
            ('t2', 'h1', 'gone-install', 'gone-deployment', 'install', 'gone-batch', '{}', 'failed', 1)`,
  `INSERT INTO task_events (task_id, seq, status, message, at) VALUES ('t1', 1, 'OK', 'done', 1), ('pruned-task', 1, 'OK', 'done', 1)`,
  `INSERT INTO app_metrics (hda_id, identifier, resolution, bucket_start, cpu_avg, cpu_max, mem_avg, mem_max, samples)
     VALUES ('h1', 'fk-app', '1h', 0, 1, 1, 1, 1, 1), ('deleted-hda', 'fk-app', '1h', 0, 1, 1, 1, 1, 1)`,
  `INSERT INTO batch_items (batch_id, hda_id, state, install_id, task_id, updated_at)
     VALUES ('b1', 'h1', 'succeeded', 'i1', 'pruned-task', 1), ('b1', 'deleted-hda', 'succeeded', 'gone-install', NULL, 1)`,
  `INSERT INTO snapshots (install_id, snapshot_id, task_id, deployment_id, reason, taken_at, size_bytes, added_bytes, downtime_ms, files)
     VALUES ('i1', 'snap1', 'pruned-task', 'gone-deployment', 'manual', 1, 1, 1, 1, 1)`,
];

/** Migration 0012 adds the foreign key of installs.skip_version_id (a column 0011 added). */
export const BEFORE_SKIP_VERSION_KEY = '0012_skip-version-fk';

/** Skips as 0011 allowed them: one names a version, one a version that is gone. */
export const ROWS_BEFORE_SKIP_VERSION_KEY: string[] = [
  "UPDATE installs SET skip_version_id = 'v1' WHERE id = 'i1'",
  "UPDATE installs SET skip_version_id = 'gone-version' WHERE id = 'i2'",
];

/** What each table holds after the migration: orphans deleted, dangling nullable ids set to null. */
export const AFTER_FOREIGN_KEYS: Record<string, string> = {
  'SELECT count(*) AS n FROM app_metrics': '1',
  'SELECT count(*) AS n FROM task_events': '1',
  'SELECT count(*) AS n FROM batch_items': '1',
  "SELECT count(*) AS n FROM installs WHERE current_deployment_id IS NULL AND id = 'i2'": '1',
  "SELECT count(*) AS n FROM installs WHERE current_deployment_id = 'd1' AND id = 'i1'": '1',
  'SELECT count(*) AS n FROM deployments WHERE rollback_of IS NULL': '2',
  "SELECT count(*) AS n FROM tasks WHERE id = 't2' AND install_id IS NULL AND deployment_id IS NULL AND batch_id IS NULL": '1',
  "SELECT count(*) AS n FROM tasks WHERE id = 't1' AND install_id = 'i1' AND deployment_id = 'd1' AND batch_id = 'b1'": '1',
  "SELECT count(*) AS n FROM snapshots WHERE deployment_id IS NULL AND task_id = 'pruned-task'": '1',
  "SELECT count(*) AS n FROM batch_items WHERE task_id = 'pruned-task'": '1',
  "SELECT count(*) AS n FROM installs WHERE id = 'i1' AND skip_version_id = 'v1'": '1',
  "SELECT count(*) AS n FROM installs WHERE id = 'i2' AND skip_version_id IS NULL": '1',
  "SELECT count(*) AS n FROM deployments WHERE install_id = 'i1'": '2',
};

/** Inserts that name a row that does not exist: each must be refused once the migration ran. */
export const DANGLING_INSERTS: string[] = [
  `INSERT INTO app_metrics (hda_id, identifier, resolution, bucket_start, cpu_avg, cpu_max, mem_avg, mem_max, samples)
     VALUES ('no-such-hda', 'x', '1h', 0, 1, 1, 1, 1, 1)`,
  `INSERT INTO task_events (task_id, seq, status, message, at) VALUES ('no-such-task', 1, 'OK', 'x', 1)`,
  "UPDATE installs SET current_deployment_id = 'no-such-deployment' WHERE id = 'i1'",
  "UPDATE installs SET skip_version_id = 'no-such-version' WHERE id = 'i1'",
];
