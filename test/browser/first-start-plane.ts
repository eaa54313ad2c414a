/** A control plane started the way `npm start` starts one: no admin password given, so one is generated. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane } from '../../worker/node-server';

export async function createSeededPlane() {
  const dataDir = mkdtempSync(join(tmpdir(), 'first-start-ui-'));
  const plane = await startControlPlane({ port: 0, host: '127.0.0.1', dataDir, adminEmail: '', adminPassword: '', seedCatalog: false, quiet: true });
  return {
    ...plane,
    close: async () => {
      await plane.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
