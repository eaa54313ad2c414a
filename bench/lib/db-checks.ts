/** Reads a control plane's database file after a run: row counts and the invariants the scale run must keep. */
import { createClient } from '@libsql/client';

export interface QueueChecks {
  tasks: number;
  byState: Record<string, number>;
  /** Tasks whose attempts is not exactly 1 (claimed twice, or never). */
  attemptsNotOne: number;
  events: number;
  /** Tasks whose stored event count differs from what the agent sent. */
  tasksWithWrongEventCount: number;
  /** Results recorded (audit rows task.succeeded / task.failed). */
  results: number;
  deploymentsSucceeded: number;
}

export async function queueChecks(file: string, eventsPerTask: number): Promise<QueueChecks> {
  const client = createClient({ url: `file:${file}` });
  const one = async (sql: string, args: Array<string | number> = []) => Number((await client.execute({ sql, args })).rows[0].n);
  try {
    const byState: Record<string, number> = {};
    for (const row of (await client.execute('SELECT state, count(*) AS n FROM tasks GROUP BY state')).rows) byState[String(row.state)] = Number(row.n);
    return {
      tasks: await one('SELECT count(*) AS n FROM tasks'),
      byState,
      attemptsNotOne: await one('SELECT count(*) AS n FROM tasks WHERE attempts <> 1'),
      events: await one('SELECT count(*) AS n FROM task_events'),
      tasksWithWrongEventCount: await one('SELECT count(*) AS n FROM tasks t WHERE (SELECT count(*) FROM task_events e WHERE e.task_id = t.id) <> ?', [
        eventsPerTask,
      ]),
      results: await one("SELECT count(*) AS n FROM audit_log WHERE action IN ('task.succeeded', 'task.failed')"),
      deploymentsSucceeded: await one("SELECT count(*) AS n FROM deployments WHERE status = 'succeeded'"),
    };
  } finally {
    client.close();
  }
}
