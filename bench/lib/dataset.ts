/**
 * The idle-poll dataset: a libSQL file with N HDAs (each enrolled, with a known agent token), their
 * past tasks, and their task events, generated with bulk SQL and cached under bench/.cache/ keyed by
 * the migrations and the sizes, so re-runs only copy the file.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { migrateLibsql, MIGRATIONS_DIR } from '../../db/migrate';

const GENERATOR_VERSION = 1;
const CACHE_DIR = fileURLToPath(new URL('../.cache/', import.meta.url));

export interface DatasetSpec {
  hdas: number;
  tasksPerHda: number;
  eventsPerTask: number;
}

export interface Dataset {
  file: string;
  tokens: string[];
  counts: { hdas: number; tasks: number; taskEvents: number };
  bytes: number;
  generatedMs: number | null;
}

async function cacheKey(spec: DatasetSpec): Promise<string> {
  const h = createHash('sha256').update(JSON.stringify({ GENERATOR_VERSION, spec }));
  for (const name of (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort()) {
    h.update(name).update(await readFile(`${MIGRATIONS_DIR}/${name}`));
  }
  return h.digest('hex').slice(0, 12);
}

const FACTS = JSON.stringify({
  os: 'Debian GNU/Linux 12 (bookworm)',
  arch: 'x64',
  cpu_model: 'Intel(R) Celeron(R) J4125 CPU @ 2.00GHz',
  cpus: 4,
  memory_bytes: 8_254_000_000,
  disk_free_bytes: 912_000_000_000,
  docker_version: '20.10.24+dfsg1',
  compose_version: '1.29.2',
  compose_flavor: 'v1',
  apache_version: 'Apache/2.4.62 (Debian)',
  agent_version: '0.1.0',
});

// A payload the size of a real one (compose, install info, a signature), the same for every task.
const PAYLOAD = JSON.stringify({
  install: {
    id: '00000000-0000-4000-8000-000000000000',
    identifier: 'nextcloud',
    hostname: 'nextcloud.home.example.com',
    host_port: 35001,
    domain: 'home.example.com',
    policy_exceptions: [],
  },
  version: {
    app: 'nextcloud',
    version: '1.0',
    kind: 'container',
    compose:
      'services:\n  web:\n    image: nextcloud:27\n    container_name: APP_IDENTIFIER\n    ports:\n      - "HOST_PORT:80"\n    volumes:\n      - WEBAPP_PATH/data:/var/www/html\n    restart: unless-stopped\n',
    files: {},
    steps: [],
  },
  signature: `eyJhbGciOiJFUzI1NiIsImtpZCI6ImJlbmNoIn0.${'x'.repeat(320)}.${'y'.repeat(86)}`,
  key_id: 'bench',
});

const STATUSES = ['Starting', 'OK', 'Progress', 'Progress', 'Complete', 'Starting', 'OK', 'Complete', 'Starting', 'Finalized'];

async function generate(file: string, spec: DatasetSpec): Promise<string[]> {
  const client = createClient({ url: `file:${file}` });
  // Bulk load: no journal, no fsync; the file is switched to WAL (as the plane runs it) at the end.
  await client.execute('PRAGMA journal_mode = OFF');
  await client.execute('PRAGMA synchronous = OFF');
  await migrateLibsql(drizzle(client));
  const t0 = Date.UTC(2026, 9, 1);
  const ownerId = randomUUID();
  await client.execute({
    sql: "INSERT INTO users (id, email, password_hash, role, created_at) VALUES (?, 'bench-owner@example.com', 'pbkdf2-sha256$1$x$x', 'owner', ?)",
    args: [ownerId, t0],
  });

  const tokens: string[] = [];
  const CHUNK = 500;
  for (let start = 0; start < spec.hdas; start += CHUNK) {
    const rows: string[] = [];
    const args: Array<string | number> = [];
    for (let i = start; i < Math.min(spec.hdas, start + CHUNK); i++) {
      const id = randomUUID();
      const token = `${id}.${randomBytes(32).toString('base64url')}`;
      tokens.push(token);
      const hash = createHash('sha256').update(token).digest('hex');
      rows.push('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      args.push(id, ownerId, `hda-${i}`, `hda${i}.example.com`, hash, t0, `hda-${i}-host`, t0, FACTS, '[]', 1 + spec.tasksPerHda);
    }
    await client.execute({
      sql: `INSERT INTO hdas (id, owner_id, name, domain, token_hash, enrolled_at, hostname, last_seen_at, facts_json, apps_json, next_port_seq, created_at)
            SELECT column1, column2, column3, column4, column5, column6, column7, column8, column9, column10, column11, column6 FROM (VALUES ${rows.join(',')})`,
      args,
    });
  }

  // Past tasks of every HDA (all finished, so the idle poll finds nothing), then their events.
  await client.execute({
    sql: `INSERT INTO tasks (id, hda_id, install_id, deployment_id, kind, payload_json, state, lease_until, attempts, detail, created_at, claimed_at, finished_at)
          WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < ?)
          SELECT lower(hex(randomblob(16))), h.id, NULL, NULL, CASE k % 3 WHEN 0 THEN 'update' WHEN 1 THEN 'install' ELSE 'restart' END,
                 ?, 'succeeded', NULL, 1, 'done', ? + k * 60000, ? + k * 60000 + 500, ? + k * 60000 + 30000
          FROM hdas h CROSS JOIN n`,
    args: [spec.tasksPerHda, PAYLOAD, t0, t0, t0],
  });
  const statusCase = STATUSES.map((s, i) => `WHEN ${i} THEN '${s}'`).join(' ');
  await client.execute({
    sql: `INSERT INTO task_events (task_id, seq, status, step, message, data_json, at)
          WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < ?)
          SELECT t.id, k, CASE (k - 1) % ${STATUSES.length} ${statusCase} END, 'pull',
                 printf('step %d of %s: pulling layer %d of 7', k, t.kind, k % 7),
                 CASE WHEN (k - 1) % ${STATUSES.length} IN (2, 3) THEN printf('{"layer":"sha256:%s","current":%d,"total":%d}', substr(t.id, 1, 12), k * 1048576, 7340032) END,
                 t.created_at + k * 1000
          FROM tasks t CROSS JOIN n ORDER BY t.id, k`,
    args: [spec.eventsPerTask],
  });
  await client.execute('PRAGMA journal_mode = WAL');
  await client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  client.close();
  return tokens;
}

async function counts(file: string): Promise<Dataset['counts']> {
  const client = createClient({ url: `file:${file}` });
  const n = async (table: string) => Number((await client.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  const result = { hdas: await n('hdas'), tasks: await n('tasks'), taskEvents: await n('task_events') };
  client.close();
  return result;
}

/** The cached dataset for `spec`, generated first when missing. */
export async function ensureDataset(spec: DatasetSpec, log: (line: string) => void): Promise<Dataset> {
  await mkdir(CACHE_DIR, { recursive: true });
  const key = await cacheKey(spec);
  const file = `${CACHE_DIR}poll-${key}.db`;
  const tokensFile = `${CACHE_DIR}poll-${key}.tokens.json`;
  let generatedMs: number | null = null;
  const exists = await stat(tokensFile).then(
    () => true,
    () => false,
  );
  if (!exists) {
    log(`generating the dataset (${spec.hdas} HDAs, ${spec.hdas * spec.tasksPerHda * spec.eventsPerTask} task events) into ${file}`);
    const started = performance.now();
    // Datasets of older schemas or sizes are dead weight (hundreds of MB each): drop them.
    for (const old of await readdir(CACHE_DIR)) if (old.startsWith('poll-')) await rm(`${CACHE_DIR}${old}`, { force: true });
    const tmp = `${file}.tmp`;
    await rm(tmp, { force: true });
    const tokens = await generate(tmp, spec);
    await rm(`${tmp}-wal`, { force: true });
    await rm(`${tmp}-shm`, { force: true });
    await rename(tmp, file);
    await writeFile(tokensFile, JSON.stringify(tokens));
    generatedMs = performance.now() - started;
  }
  const tokens = JSON.parse(await readFile(tokensFile, 'utf8')) as string[];
  return { file, tokens, counts: await counts(file), bytes: (await stat(file)).size, generatedMs };
}

/** A private copy of the dataset in `dataDir` (as hda.db), so a run never changes the cache. */
export async function copyDataset(dataset: Dataset, dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await copyFile(dataset.file, `${dataDir}/hda.db`);
}
