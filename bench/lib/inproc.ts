/** A control plane in this process, driven through app.request() with a clock the caller moves. */
import { sql } from 'drizzle-orm';
import { createControlPlane } from '../../worker/node-server';

export interface InProcPlane {
  app: Awaited<ReturnType<typeof createControlPlane>>['app'];
  deps: Awaited<ReturnType<typeof createControlPlane>>['deps'];
  clock: { now: number };
  json(method: string, path: string, opts?: { token?: string; body?: unknown }): Promise<{ status: number; body: any }>;
}

export async function inProcPlane(
  dataDir: string,
  admin: { adminEmail: string; adminPassword: string },
  onQuery?: (sql: string) => void,
  pragmas: string[] = [],
): Promise<InProcPlane> {
  const clock = { now: Date.UTC(2026, 10, 1, 0, 0, 0) };
  const { app, deps } = await createControlPlane({
    dataDir,
    ...admin,
    seedCatalog: false,
    quiet: true,
    now: () => clock.now,
    onQuery,
  });
  for (const pragma of pragmas) await deps.db.run(sql.raw(`PRAGMA ${pragma}`));
  const json: InProcPlane['json'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(`http://localhost${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return { app, deps, clock, json };
}
