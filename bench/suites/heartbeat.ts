/**
 * Database size per HDA after an idle day: N enrolled HDAs beat every 30 s for a simulated day
 * (2880 beats) with unchanged facts and app states, and long-poll with nothing queued between beats,
 * on an in-process control plane whose clock the benchmark moves. The file lives on tmpfs when there
 * is one (fsync cost is not what this measures). Size must not grow with the number of beats.
 */
import { existsSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { HeartbeatInput } from '../../core/protocol';
import { inProcPlane, type InProcPlane } from '../lib/inproc';
import type { Sizes } from '../lib/options';
import { BENCH_ADMIN } from '../lib/plane';
import { round } from '../lib/stats';
import { withTempDir } from '../lib/tmp';

const BEAT_MS = 30_000;

export interface SizeSnapshot {
  /** The database file (page_count × page_size, after a WAL checkpoint). */
  bytes: number;
  /** Bytes of row and index payload in use (dbstat), which pages would hide at this scale. */
  payloadBytes: number;
  /** (payload - the same plane's payload before any HDA existed) / HDAs. */
  bytesPerHda: number;
  rows: Record<string, number>;
}

export interface HeartbeatResult {
  hdas: number;
  beats: number;
  simulatedHours: number;
  /** Payload bytes of the plane before any HDA: admin, signing key. */
  emptyPayloadBytes: number;
  before: SizeSnapshot;
  after: SizeSnapshot;
  /** (after - before payload) / HDAs / beats: 0 when the size does not grow with heartbeats. */
  growthBytesPerHdaPerBeat: number;
  /** UPDATE/INSERT statements per HDA over the day (last_seen refreshes). */
  writesPerHdaPerDay: number;
  non2xx: number;
  tmpfs: boolean;
}

const beat = (i: number): HeartbeatInput => ({
  facts: {
    hostname: `hda-${i}-host`,
    os: 'Debian GNU/Linux 12',
    arch: 'x64',
    cpus: 4,
    memory_bytes: 8_254_000_000,
    docker_version: '20.10.24',
    compose_version: '1.29.2',
    agent_version: '0.1.0',
  },
  apps: [
    { identifier: 'nextcloud', state: 'running', health: 'healthy' },
    { identifier: 'jellyfin', state: 'running', health: null },
  ],
});

async function snapshot(plane: InProcPlane, hdas: number, emptyPayload: number): Promise<SizeSnapshot> {
  const db = plane.deps.db;
  await db.run(sql`PRAGMA wal_checkpoint(TRUNCATE)`);
  const [{ page_count }] = await db.all<{ page_count: number }>(sql`PRAGMA page_count`);
  const [{ page_size }] = await db.all<{ page_size: number }>(sql`PRAGMA page_size`);
  const rows: Record<string, number> = {};
  const tables = await db.all<{ name: string }>(
    sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name`,
  );
  for (const { name } of tables) rows[name] = Number((await db.all<{ n: number }>(sql.raw(`SELECT count(*) AS n FROM "${name}"`)))[0].n);
  const bytes = Number(page_count) * Number(page_size);
  const [{ payload }] = await db.all<{ payload: number }>(sql`SELECT sum(payload) AS payload FROM dbstat`);
  const payloadBytes = Number(payload);
  return { bytes, payloadBytes, bytesPerHda: hdas > 0 ? round((payloadBytes - emptyPayload) / hdas, 0) : 0, rows };
}

export async function heartbeatSuite(sizes: Sizes, log: (line: string) => void): Promise<HeartbeatResult> {
  const tmpfs = existsSync('/dev/shm');
  const base = tmpfs ? '/dev/shm' : undefined;
  return withTempDir(
    'heartbeat',
    async (dataDir) => {
      let writes = 0;
      let counting = false;
      const plane = await inProcPlane(
        dataDir,
        BENCH_ADMIN,
        (q) => {
          if (counting && /^\s*(update|insert|delete)/i.test(q)) writes++;
        },
        sizes.pragmas,
      );
      const admin = await plane.json('POST', '/api/auth/login', { body: { email: BENCH_ADMIN.adminEmail, password: BENCH_ADMIN.adminPassword } });
      const empty = await snapshot(plane, 0, 0);
      const tokens: string[] = [];
      for (let i = 0; i < sizes.dayHdas; i++) {
        const h = await plane.json('POST', '/api/hdas', { token: admin.body.token, body: { name: `hda-${i}`, domain: `hda${i}.example.com` } });
        const e = await plane.json('POST', '/agent/v1/enroll', { body: { code: h.body.enrollment_code, hostname: `hda-${i}-host` } });
        tokens.push(e.body.token);
        await plane.json('POST', '/agent/v1/heartbeat', { token: e.body.token, body: beat(i) });
      }
      const before = await snapshot(plane, tokens.length, empty.payloadBytes);
      let non2xx = 0;
      counting = true;
      const started = performance.now();
      for (let b = 0; b < sizes.dayBeats; b++) {
        plane.clock.now += BEAT_MS;
        for (let i = 0; i < tokens.length; i++) {
          const hb = await plane.json('POST', '/agent/v1/heartbeat', { token: tokens[i], body: beat(i) });
          const poll = await plane.app.request('http://localhost/agent/v1/tasks?wait=0', { headers: { authorization: `Bearer ${tokens[i]}` } });
          if (hb.status !== 200 && non2xx++ === 0) log(`heartbeat: first failure HTTP ${hb.status} ${JSON.stringify(hb.body).slice(0, 200)}`);
          if (poll.status !== 204 && non2xx++ === 0) log(`heartbeat: first poll failure HTTP ${poll.status} ${(await poll.text()).slice(0, 200)}`);
        }
        if ((b + 1) % 720 === 0) log(`heartbeat: ${(b + 1) / 120} simulated hours (${round((performance.now() - started) / 1000, 1)} s)`);
      }
      counting = false;
      const after = await snapshot(plane, tokens.length, empty.payloadBytes);
      return {
        hdas: tokens.length,
        beats: sizes.dayBeats,
        simulatedHours: (sizes.dayBeats * BEAT_MS) / 3_600_000,
        emptyPayloadBytes: empty.payloadBytes,
        before,
        after,
        growthBytesPerHdaPerBeat: round((after.payloadBytes - before.payloadBytes) / tokens.length / sizes.dayBeats, 2),
        writesPerHdaPerDay: round(writes / tokens.length, 0),
        non2xx,
        tmpfs,
      };
    },
    base,
  );
}
