/**
 * `npm run dev:worker [-- wrangler dev options]`: the Workers build on this machine. Writes
 * `.dev.vars` with generated secrets when there is none (never over one), applies the D1
 * migrations to the local database, and runs `wrangler dev` (workerd, no network needed) with the
 * sample catalog and a first admin, whose sign-in it prints once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDevVars } from './dev-vars';

const root = fileURLToPath(new URL('..', import.meta.url));
const passThrough = process.argv.slice(2);
// The local database lives where wrangler dev keeps its state; a --persist-to given here applies to both.
const at = passThrough.indexOf('--persist-to');
const persist = at >= 0 ? passThrough.slice(at, at + 2) : [];

const { created } = await ensureDevVars(join(root, '.dev.vars'));
console.log(created ? 'Wrote .dev.vars with new secrets for wrangler dev.' : 'Using the existing .dev.vars.');

// The agent bundle is one of the Worker's static assets (new HDAs download it): build it if missing.
if (!existsSync(join(root, 'dist', 'worker-assets'))) {
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build-agent.mjs')], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) {
    console.error('Building the agent bundle failed (see above); wrangler dev was not started.');
    process.exit(1);
  }
}

const migrated = spawnSync('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', ...persist], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CI: 'true' },
});
if (migrated.status !== 0) {
  console.error('Applying the D1 migrations locally failed (see above); wrangler dev was not started.');
  process.exit(migrated.status ?? 1);
}

if (created) {
  console.log(
    `\nFirst start: the admin account is created on the first request\n  email:    ${created.email}\n  password: ${created.password}\nIt is shown only this once (it is also in .dev.vars, which stays on this machine).\n`,
  );
}

// Nothing here needs the network: skip wrangler's download of a sample Request.cf object.
const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? 'false' };
const wrangler = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', ...passThrough], { cwd: root, stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => wrangler.kill(signal));
wrangler.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
