/**
 * The agent's restic driver against the real restic binary: a repository created once and reopened,
 * a snapshot restored byte for byte, an incremental snapshot adding only what changed, retention, and
 * the failures an owner must be able to read (wrong password, no repository, unreachable) naming the
 * repository, never showing the password, never hanging.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localRepo } from '../../agent/backup/repo-local';
import { backup, ensureRepo, forget, repoExists, restore, ResticError, resticEnv, snapshots, stats, type ResticRepo } from '../../agent/backup/restic';
import { commandWorks, requireOrSkip } from '../helpers/requirements';

const available = requireOrSkip('restic', commandWorks('restic', ['version']), 'restic is not installed (test/testbed/up.sh installs it)');

async function expectResticError(p: Promise<unknown>): Promise<ResticError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ResticError);
  return e as ResticError;
}

describe.skipIf(!available)('restic driver', () => {
  let dir: string;
  let repo: ResticRepo;
  let data: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'restic-drv-'));
    repo = localRepo(join(dir, 'state'));
    data = join(dir, 'app');
    mkdirSync(join(data, 'db'), { recursive: true });
    writeFileSync(join(data, 'db', 'table'), 'rows v1\n');
    writeFileSync(join(data, 'big'), Buffer.alloc(2 * 1024 * 1024, 7));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generates the password once, mode 0600, and keeps it out of the environment it passes on', () => {
    const pw = readFileSync(repo.passwordFile, 'utf8');
    expect(pw.trim().length).toBeGreaterThanOrEqual(40);
    expect(statSync(repo.passwordFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(localRepo(join(dir, 'state')).passwordFile, 'utf8')).toBe(pw);
    process.env.RESTIC_PASSWORD = 'inherited-must-not-leak';
    const env = resticEnv(repo);
    delete process.env.RESTIC_PASSWORD;
    expect(env.RESTIC_PASSWORD).toBeUndefined();
    expect(Object.values(env).join('\n')).not.toContain(pw.trim());
  });

  it('creates the repository when missing and reopens it after', async () => {
    expect(await repoExists(repo)).toBe(false);
    expect(await ensureRepo(repo)).toBe('created');
    expect(await ensureRepo(repo)).toBe('opened');
  });

  it('snapshots with tags, lists them, and restores the data byte for byte', async () => {
    const s1 = await backup(repo, [data], { tags: ['install:a1', 'reason:update'], host: 'hda-1' });
    expect(s1.snapshotId).toMatch(/^[0-9a-f]{64}$/);
    expect(s1.totalBytes).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    const list = await snapshots(repo, { tags: ['install:a1'] });
    expect(list.map((s) => s.id)).toEqual([s1.snapshotId]);
    expect(list[0].tags).toEqual(expect.arrayContaining(['install:a1', 'reason:update']));
    expect(list[0].host).toBe('hda-1');
    expect(await snapshots(repo, { tags: ['install:other'] })).toEqual([]);

    writeFileSync(join(data, 'db', 'table'), 'rows v2 migrated\n');
    const target = join(dir, 'restore1');
    await restore(repo, s1.snapshotId, target);
    expect(readFileSync(join(target, data, 'db', 'table'), 'utf8')).toBe('rows v1\n');
    expect(readFileSync(join(target, data, 'big')).equals(Buffer.alloc(2 * 1024 * 1024, 7))).toBe(true);
  });

  it('an incremental snapshot adds only what changed', async () => {
    const s2 = await backup(repo, [data], { tags: ['install:a1'], host: 'hda-1' });
    expect(s2.filesChanged).toBe(1);
    expect(s2.addedBytes).toBeLessThan(64 * 1024);
    const st = await stats(repo);
    expect(st.totalSize).toBeGreaterThan(0);
  });

  it('forgets by policy, keeping the latest', async () => {
    await backup(repo, [data], { tags: ['install:a1'], host: 'hda-1' });
    await forget(repo, { keepLast: 1, tags: ['install:a1'] }, { prune: true });
    expect(await snapshots(repo, { tags: ['install:a1'] })).toHaveLength(1);
  });

  it('refuses tags and ids restic would misread', async () => {
    await expect(backup(repo, [data], { tags: ['a,b'] })).rejects.toThrow(/invalid snapshot tag/);
    await expect(restore(repo, '--target=/', join(dir, 'x'))).rejects.toThrow(/invalid snapshot id/);
    await expect(backup(repo, ['relative/path'])).rejects.toThrow(/absolute/);
  });

  it('a wrong password is a clear error naming the repository, without the password', async () => {
    const bad = join(dir, 'bad-password');
    writeFileSync(bad, 'not-the-password\n', { mode: 0o600 });
    const e = await expectResticError(snapshots({ ...repo, passwordFile: bad }));
    expect(e.kind).toBe('wrong-password');
    expect(e.message).toContain(repo.repository);
    expect(`${e.message}${e.detail}`).not.toContain(readFileSync(repo.passwordFile, 'utf8').trim());
  });

  it('a missing repository and an unreachable one are told apart, and never hang', async () => {
    const none = await expectResticError(snapshots({ ...repo, repository: join(dir, 'nowhere') }));
    expect(none.kind).toBe('no-repository');
    expect(none.message).toContain(join(dir, 'nowhere'));

    const server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    server.close();
    const url = `rest:http://127.0.0.1:${port}/`;
    const e = await expectResticError(snapshots({ ...repo, repository: url }, {}, { timeoutMs: 20_000 }));
    expect(['unreachable', 'timeout']).toContain(e.kind);
    expect(e.message).toContain(url);
  });
});
