/**
 * The control plane as a process of its own, so the fault suite can kill -9 it and start it again on
 * the same port and the same libSQL file: `node --import tsx test/faults/plane-main.ts` with
 * PLANE_PORT, PLANE_DATA_DIR, PLANE_ADMIN_EMAIL, PLANE_ADMIN_PASSWORD and PLANE_CONFIG (JSON).
 * Prints one line `listening <url>` once it serves; SIGTERM closes it gracefully.
 */
import { startControlPlane } from '../../worker/node-server';

const plane = await startControlPlane({
  port: Number(process.env.PLANE_PORT ?? 0),
  host: '127.0.0.1',
  dataDir: process.env.PLANE_DATA_DIR,
  adminEmail: process.env.PLANE_ADMIN_EMAIL,
  adminPassword: process.env.PLANE_ADMIN_PASSWORD,
  seedCatalog: false,
  quiet: true,
  config: JSON.parse(process.env.PLANE_CONFIG ?? '{}'),
});
process.stdout.write(`listening ${plane.url}\n`);
process.on('SIGTERM', () => {
  void plane.close().then(() => process.exit(0));
});
