/**
 * Step prepare: the app folder, as Amahi laid it out (html/ and logs/ inside), with the other files
 * of the version, and the rendered compose file in the agent's state dir (0600: it holds the
 * install's secrets; no container is given that folder, so none can change what Compose runs). A new
 * app folder is built beside its final place and renamed into it, so it appears whole or not at all;
 * an existing one (re-run, update) keeps its data and gets each file replaced atomically. Supported
 * install-script steps run last, inside the folder.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { appRelativePath } from '../../core/catalog/paths';
import { writeFileAtomic } from '../fs-atomic';
import { runScriptSteps } from '../steps/script-steps';
import { stringifyCompose } from '../../core/catalog/yaml-io';
import type { ScriptStep } from '../../core/protocol';
import { defineStep, type StepBase } from './steps';
import { StepFailure, type Target } from './types';

function writeContents(dir: string, files: Record<string, string>): void {
  mkdirSync(join(dir, 'html'), { recursive: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  for (const [rel, text] of Object.entries(files)) writeFileAtomic(join(dir, rel), text);
}

/** The compose file Compose runs: in <state>/compose/<identifier>/ (0700), readable by root only. */
function writeComposeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  chmodSync(dirname(path), 0o700);
  writeFileAtomic(path, text, 0o600);
}

/** Half-built folders left by a crash during a previous prepare. */
function removeStaleTemps(root: string, identifier: string): void {
  for (const name of readdirSync(root)) {
    if (name.startsWith(`.${identifier}.tmp-`)) rmSync(join(root, name), { recursive: true, force: true });
  }
}

/** The app folder with the version's files: created whole (renamed into place) the first time, else written into. */
function writeAppFolder(work: StepBase['work'], root: string, files: Record<string, string>): boolean {
  if (existsSync(work.appDir)) {
    try {
      writeContents(work.appDir, files);
    } catch (e) {
      throw new StepFailure(`cannot write into ${work.appDir}: ${(e as Error).message}`);
    }
    return false;
  }
  const tmp = join(root, `.${work.identifier}.tmp-${randomBytes(4).toString('hex')}`);
  try {
    writeContents(tmp, files);
    renameSync(tmp, work.appDir);
    return true;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw new StepFailure(`cannot create ${work.appDir}: ${(e as Error).message}`);
  }
}

/** From here on the folder (and soon the containers) are this install's: recorded for heartbeats (keeping which slot serves and the images of earlier deployments). */
function recordInstall({ work, deps, task }: StepBase, target: Target): void {
  const inst = task.payload.install;
  deps.installs.put({
    ...deps.installs.get(work.identifier),
    identifier: work.identifier,
    install_id: inst.id,
    hostname: inst.hostname,
    host_port: target.installPort ?? inst.host_port,
    // A reconfigure may move the live second slot's port too.
    ...(task.kind === 'reconfigure' && target.slot === 'b' ? { live_port: target.hostPort } : {}),
    domain: inst.domain,
    app: work.version!.app,
    version: work.version!.version,
    app_dir: work.appDir,
    desired: 'running',
  });
}

/** Files a write-file step of the script writes are written by that step, in the script's order. */
function writtenByScript(steps: ScriptStep[]): Set<string> {
  return new Set(
    steps
      .filter((s) => s.kind === 'write-file')
      .map((s) => appRelativePath(String((s.args as { path?: unknown } | undefined)?.path ?? '')))
      .flatMap((r) => ('path' in r ? [r.path] : [])),
  );
}

export const prepareStep = defineStep({
  name: 'prepare',
  title: 'Writing the app folder',
  needs: ['rendered'],
  gives: ['written'],
  async run(ctx) {
    const { work, deps, report, input } = ctx;
    const { rendered, target } = input;
    if (!work.version) throw new StepFailure('nothing rendered to write');
    const root = dirname(work.appDir);
    mkdirSync(root, { recursive: true, mode: 0o755 });
    removeStaleTemps(root, work.identifier);
    const steps = work.version.steps ?? [];
    const byScript = writtenByScript(steps);
    const files = Object.fromEntries(Object.entries(rendered.files).filter(([p]) => !byScript.has(p)));
    // A blue/green switch writes the new slot's own compose file; the live one stays as it is.
    const composeFile = target.composeFile;
    try {
      // The one serialization of the compose that runs, from the value render made.
      writeComposeFile(composeFile, stringifyCompose(rendered.real));
    } catch (e) {
      throw new StepFailure(`cannot write ${composeFile}: ${(e as Error).message}`);
    }
    const created = writeAppFolder(work, root, files);
    recordInstall(ctx, target);
    report.ok(`${created ? 'created' : 'updated'} ${work.appDir}; compose file ${composeFile}`, {
      app_dir: work.appDir,
      compose_file: composeFile,
      files: [basename(composeFile), ...Object.keys(files)],
    });
    if (steps.length) {
      const run = deps.runScriptSteps ?? runScriptSteps;
      try {
        await run(steps, work.appDir, {
          downloadBaseUrl: deps.downloadBaseUrl,
          files: rendered.files,
          log: (status, message) => (status === 'OK' ? report.ok(message) : report.warn(message)),
        });
      } catch (e) {
        throw new StepFailure(`install script step failed: ${(e as Error).message}`);
      }
    }
    return {
      summary: `${created ? 'created' : 'updated'} ${work.appDir}${steps.length ? ` and ran ${steps.length} script step(s)` : ''}`,
      made: { written: { file: composeFile, value: rendered.real } },
    };
  },
});
