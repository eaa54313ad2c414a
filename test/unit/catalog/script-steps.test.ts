import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScriptStep } from '../../../core/protocol';
import { runScriptSteps } from '../../../agent/steps/script-steps';
import { parseInstallScript } from '../../../core/catalog/script';
import { corpusApp } from './corpus-data';

let base: string;
let app: string;
let outside: string;
const logs: Array<[string, string]> = [];
const log = (s: 'OK' | 'Warning' | 'Error', m: string) => void logs.push([s, m]);
const sha1 = (b: string | Uint8Array) => createHash('sha1').update(b).digest('hex');
const mode = (p: string) => statSync(p).mode & 0o7777;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'script-steps-'));
  app = join(base, 'app');
  outside = join(base, 'outside');
  mkdirSync(app);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret'), 's');
  logs.length = 0;
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const stepsOf = (script: string) => parseInstallScript(script).steps;

describe('runScriptSteps', () => {
  it('runs coppermine-style steps: download with SHA-1, chmod -R, files written in order', async () => {
    const data = 'fake sql dump';
    const fetched: string[] = [];
    const fakeFetch = (async (url: string) => {
      fetched.push(url);
      return new Response(data, { status: 200 });
    }) as unknown as typeof fetch;
    const steps = stepsOf(
      `amahi-download dump.sql.gz ${sha1(data)};\nmkdir -p html/albums html/include\nchmod -R 777 html/albums html/include;\ncat > html/include/config.inc.php << 'EOF'\n<?php ?>\nEOF\ndocker-compose up -d\n`,
    );
    await runScriptSteps(steps, app, {
      downloadBaseUrl: 'https://dl.example/files/',
      fetch: fakeFetch,
      log,
      files: { 'html/include/config.inc.php': '<?php ?>\n' },
    });
    expect(fetched).toEqual(['https://dl.example/files/dump.sql.gz']);
    expect(readFileSync(join(app, 'dump.sql.gz'), 'utf8')).toBe(data);
    expect(mode(join(app, 'html/albums'))).toBe(0o777);
    expect(readFileSync(join(app, 'html/include/config.inc.php'), 'utf8')).toBe('<?php ?>\n');
    expect(logs.every(([s]) => s === 'OK')).toBe(true);
    // Idempotent: the second run finds the file and does not fetch again.
    await runScriptSteps(steps, app, {
      downloadBaseUrl: 'https://dl.example/files',
      fetch: fakeFetch,
      log,
      files: { 'html/include/config.inc.php': '<?php ?>\n' },
    });
    expect(fetched).toHaveLength(1);
  });

  it('a download whose SHA-1 differs writes nothing and names the line', async () => {
    const fakeFetch = (async () => new Response('tampered')) as unknown as typeof fetch;
    const steps = stepsOf(`\namahi-download x.gz ${sha1('original')}\n`);
    await expect(runScriptSteps(steps, app, { downloadBaseUrl: 'https://dl.example', fetch: fakeFetch, log })).rejects.toThrow(
      /line 2 \(download\): SHA-1 of x.gz is [0-9a-f]{40}, expected/,
    );
    expect(existsSync(join(app, 'x.gz'))).toBe(false);
  });

  it('chmod refuses a path that leads outside through a symlink, and does not touch the target', async () => {
    symlinkSync(outside, join(app, 'link'));
    const before = mode(join(outside, 'secret'));
    await expect(runScriptSteps(stepsOf('chmod -R 777 link/secret\n'), app, { log })).rejects.toThrow(/symlink that leads outside/);
    await expect(runScriptSteps(stepsOf('chmod 777 link\n'), app, { log })).rejects.toThrow(/outside the app folder/);
    expect(mode(join(outside, 'secret'))).toBe(before);
  });

  it('chmod -R does not follow symlinks met inside the tree', async () => {
    mkdirSync(join(app, 'html'));
    writeFileSync(join(app, 'html/a'), 'a');
    symlinkSync(join(outside, 'secret'), join(app, 'html/evil'));
    const before = mode(join(outside, 'secret'));
    await runScriptSteps(stepsOf('chmod -R 700 html\n'), app, { log });
    expect(mode(join(app, 'html/a'))).toBe(0o700);
    expect(mode(join(outside, 'secret'))).toBe(before);
  });

  it('a missing chmod target is a warning, as in bash', async () => {
    await runScriptSteps(stepsOf('chmod 755 nothere\n'), app, { log });
    expect(logs).toEqual([['Warning', expect.stringContaining('nothere does not exist')]]);
  });

  it('unsupported steps throw with their line; forged step args are re-validated', async () => {
    const r = parseInstallScript(corpusApp('osticket').install_script!);
    await expect(
      runScriptSteps(
        r.steps.filter((s) => s.kind === 'shell-block'),
        app,
        { log },
      ),
    ).rejects.toThrow(/^line 4 \(shell-block\).*if \[ -d unpack \]; then/);
    const forged: ScriptStep[] = [{ kind: 'chmod', line: 3, text: 'chmod 777 x', args: { mode: 0o777, recursive: false, paths: ['../outside/secret'] } }];
    await expect(runScriptSteps(forged, app, { log })).rejects.toThrow(/line 3 \(chmod\).*leave the app folder/);
    const setuid: ScriptStep[] = [{ kind: 'chmod', line: 4, text: 'chmod', args: { mode: 0o4755, paths: ['x'] } }];
    await expect(runScriptSteps(setuid, app, { log })).rejects.toThrow(/not allowed/);
    const absolute: ScriptStep[] = [{ kind: 'download', line: 5, text: 'dl', args: { file: '/etc/passwd', sha1: 'a'.repeat(40) } }];
    await expect(runScriptSteps(absolute, app, { log, downloadBaseUrl: 'https://x' })).rejects.toThrow(/absolute path/);
  });
});
