/**
 * The control plane in its own process, so the load generator does not share its event loop.
 * Options arrive as JSON in BENCH_PLANE; it answers { type: 'ready', url } over IPC, then
 * { type: 'memory', ... } when asked, and closes on { type: 'close' } or when the parent goes away.
 */
import { sql } from 'drizzle-orm';
import { startControlPlane } from '../../worker/node-server';

const opts = JSON.parse(process.env.BENCH_PLANE ?? '{}') as {
  dataDir: string;
  adminEmail: string;
  adminPassword: string;
  config?: Record<string, unknown>;
  /** What-if runs only: PRAGMAs applied to the plane's connection after start. */
  pragmas?: string[];
};
const plane = await startControlPlane({
  port: 0,
  dataDir: opts.dataDir,
  adminEmail: opts.adminEmail,
  adminPassword: opts.adminPassword,
  config: opts.config,
  seedCatalog: false,
  quiet: true,
});
for (const pragma of opts.pragmas ?? []) await plane.deps.db.run(sql.raw(`PRAGMA ${pragma}`));

let closing = false;
async function close() {
  if (closing) return;
  closing = true;
  await plane.close();
  process.exit(0);
}

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'memory') process.send!({ type: 'memory', ...process.memoryUsage() });
  if (msg.type === 'close') void close();
});
process.on('disconnect', () => void close());
process.send!({ type: 'ready', url: plane.url });
