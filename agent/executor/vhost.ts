/** Step vhost: write (install) or remove (uninstall) the app's Apache vhost, hda-app-<identifier>.conf. */
import { lstatSync, mkdirSync } from 'node:fs';
import type { AppTask } from '../../core/protocol';
import { apachePort } from '../config';
import { tailLines } from '../exec';
import { appLogDir, renderVhost } from '../apache/vhost';
import { publishNames, unpublishNames } from './names';
import { appNames, checkAppNames, currentTls, ensureAppCertificate, removeAppCertificate } from './https';
import { defineStep } from './steps';
import { StepFailure, type ExecutorDeps, type TaskWork } from './types';

/** The vhost proxying the install's names to `port` on this host. */
export function vhostContent(deps: ExecutorDeps, task: AppTask, work: Pick<TaskWork, 'identifier'>, port: number): string {
  const inst = task.payload.install;
  const render = deps.renderVhost ?? renderVhost;
  return render({
    identifier: work.identifier,
    domain: inst.domain,
    hostname: inst.hostname,
    hostPort: port,
    logDir: logDirFor(deps, work.identifier),
    listenPort: apachePort(deps.config),
    installId: inst.id,
    tls: currentTls(deps, work.identifier),
    acmeWebroot: deps.tls?.acmeWebroot,
  });
}

function logDirFor(deps: ExecutorDeps, identifier: string): string {
  return appLogDir(deps.config.apacheLogDir, identifier, deps.config.namespace ?? '');
}

/** The app's log folder, made by the agent (root, 0750) and a real folder, not a link. */
function ensureLogDir(deps: ExecutorDeps, identifier: string): string {
  const dir = logDirFor(deps, identifier);
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  if (!lstatSync(dir).isDirectory()) throw new StepFailure(`${dir} is not a folder`);
  return dir;
}

function contentFor(deps: ExecutorDeps, task: AppTask, work: Pick<TaskWork, 'identifier'>, port: number): string {
  try {
    ensureLogDir(deps, work.identifier);
    return vhostContent(deps, task, work, port);
  } catch (e) {
    throw new StepFailure((e as Error).message);
  }
}

/**
 * ACME's HTTP-01 reaches the app's names through Apache, so the vhost that serves the challenge
 * folder must be live before the order: written, config-tested (undone on failure) and reloaded.
 */
async function serveChallenge(deps: ExecutorDeps, identifier: string, content: string): Promise<void> {
  if (deps.apache.writeVhost(identifier, content) === 'unchanged') return;
  const test = await deps.apache.configtest().catch((e: Error) => ({ ok: false, output: e.message }));
  if (!test.ok) {
    deps.apache.rollback(identifier);
    throw new StepFailure(`the vhost for the ACME challenge failed Apache's config test; it was undone: ${tailLines(test.output, 3)}`);
  }
  try {
    await deps.apache.reload();
  } catch (e) {
    throw new StepFailure((e as Error).message);
  }
  deps.apache.commit(identifier);
}

export const vhostStep = defineStep({
  name: 'vhost',
  title: 'Writing the Apache vhost',
  needs: [],
  gives: [],
  async run({ work, deps, task, report, signal, input }) {
    const inst = task.payload.install;
    const port = input.target.hostPort;
    const names = appNames(task, work);
    checkAppNames(names);
    if (deps.tls?.acmeWebroot) await serveChallenge(deps, work.identifier, contentFor(deps, task, work, port));
    const https = await ensureAppCertificate(deps, report, work.identifier, names);
    const content = contentFor(deps, task, work, port);
    let outcome: string;
    try {
      outcome = deps.apache.writeVhost(work.identifier, content);
    } catch (e) {
      throw new StepFailure(`cannot write ${deps.apache.vhostPath(work.identifier)}: ${(e as Error).message}`);
    }
    const dns = await publishNames(deps, report, work.identifier, names, signal);
    return `${outcome} ${deps.apache.vhostPath(work.identifier)} (${inst.identifier}.${inst.domain} -> 127.0.0.1:${port}); ${https}; ${dns}`;
  },
});

export const vhostRemoveStep = defineStep({
  name: 'vhost',
  title: 'Removing the Apache vhost',
  needs: [],
  gives: [],
  async run({ work, deps }) {
    const path = deps.apache.vhostPath(work.identifier);
    const removed = deps.apache.removeVhost(work.identifier) ? `removed ${path}` : `no vhost at ${path}`;
    const names = unpublishNames(deps, work.identifier);
    return `${removeAppCertificate(deps, work.identifier) ? `${removed} and its certificate` : removed}${names}`;
  },
});
