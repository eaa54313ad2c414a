/** A fresh control plane in a child process on its own temporary data dir, with an admin session. */
import { startChild, type Child } from './children';
import { http, login, type Http } from './api';

export const BENCH_ADMIN = { adminEmail: 'admin@bench.local', adminPassword: 'bench-admin-password' };

export interface PlaneChild {
  child: Child;
  api: Http;
  adminToken: string;
}

export async function startPlaneChild(dataDir: string, pragmas: string[] = []): Promise<PlaneChild> {
  const child = await startChild('children/plane-server.ts', { BENCH_PLANE: JSON.stringify({ dataDir, ...BENCH_ADMIN, pragmas }) });
  const api = http(child.url);
  return { child, api, adminToken: await login(api, BENCH_ADMIN.adminEmail, BENCH_ADMIN.adminPassword) };
}
