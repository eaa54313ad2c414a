/**
 * Every corpus entry that normalizes is rendered with sample values and handed to the real
 * `docker-compose config` (v1, no daemon needed), which must accept it. The run contributes the
 * `docker-compose config` column of docs/corpus.md (test/helpers/corpus-table.ts).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeVersion } from '../../core/catalog/normalize';
import { SAMPLE_INSTALL_VARS } from '../../core/catalog/placeholders';
import { renderCompose, renderFile } from '../../core/catalog/render';
import { saveConfigPart, writeCorpusDoc } from '../helpers/corpus-table';
import { commandWorks, requireOrSkip } from '../helpers/requirements';
import { loadCorpus, publishInput } from '../unit/catalog/corpus-data';

const run = promisify(execFile);
const COMPOSE = process.env.DOCKER_COMPOSE ?? '/usr/bin/docker-compose';
const available = requireOrSkip('docker-compose', commandWorks(COMPOSE, ['version']), `${COMPOSE} not found or not runnable`);

/** app -> docker-compose config cell. */
const cells: Record<string, string> = {};

describe.skipIf(!available)('docker-compose config accepts every normalized corpus entry', () => {
  let version = '';
  const work = mkdtempSync(join(tmpdir(), 'corpus-config-'));

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    if (Object.keys(cells).length !== loadCorpus().length) return; // a partial run does not overwrite the table
    saveConfigPart({ compose_version: version, cells });
    writeCorpusDoc();
  });

  it('knows the docker-compose version', async () => {
    version = (await run(COMPOSE, ['version', '--short'])).stdout.trim();
    version = `docker-compose ${version}`;
    expect(version).toMatch(/\d+\.\d+/);
  });

  for (const app of loadCorpus()) {
    it(app.name, async () => {
      const result = normalizeVersion(publishInput(app));
      if (result.status === 'rejected') {
        expect(app.name).toBe('fengoffice'); // the only entry that cannot be installed at all
        cells[app.name] = '— (rejected at publish)';
        return;
      }
      const dir = join(work, app.name);
      mkdirSync(dir, { recursive: true });
      const vars = { ...SAMPLE_INSTALL_VARS, WEBAPP_PATH: dir };
      for (const [rel, text] of Object.entries(result.content.files)) {
        mkdirSync(dirname(join(dir, rel)), { recursive: true });
        writeFileSync(join(dir, rel), renderFile(text, vars));
      }
      const file = join(dir, 'docker-compose.yml');
      writeFileSync(file, renderCompose(result.content.compose, vars));
      try {
        const { stdout } = await run(COMPOSE, ['-f', file, '--project-directory', dir, 'config'], {
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
          timeout: 60_000,
        });
        const hasAppPort = !result.findings.some((f) => f.rule === 'no-host-port');
        if (hasAppPort) expect(stdout).toMatch(new RegExp(`published: ${vars.HOST_PORT}\\b`));
        // The fixed container name became a network alias (Compose names containers by project).
        expect(stdout).not.toContain('container_name:');
        expect(stdout).toMatch(new RegExp(`aliases:\\s+- ${vars.APP_IDENTIFIER}\\b`));
        cells[app.name] = 'accepted';
      } catch (e) {
        const err = e as { stderr?: string; message: string };
        cells[app.name] = `refused: ${(err.stderr ?? err.message).trim().split('\n')[0]}`;
        throw e;
      }
    });
  }
});
