/**
 * Every app's vhost at once (an HDA-wide change: the HTTPS redirect, the certificate source): rendered
 * from the install records, written with the previous files kept, config-tested once and reloaded once.
 * A failed test or reload puts every previous file back, so Apache keeps serving what it served.
 */
import { appLogDir, renderVhost, vhostStem } from '../apache/vhost';
import { apachePort } from '../config';
import { tailLines } from '../exec';
import type { InstallRecord } from '../installs';
import { appNameList } from '../names/app-names';
import { liveSlot } from '../slots';
import { currentTls } from './https';
import { StepFailure, type ExecutorDeps } from './types';

/** The app's names under `deps`' names provider (mDNS adds `<app>.local`), as its vhost step and the renewal give them. */
export function recordNames(deps: ExecutorDeps, r: InstallRecord): string[] {
  return appNameList(r.identifier, r.domain, r.hostname || undefined, deps.names);
}

/** The vhost an install record is served with under `deps`' settings (TLS, redirect, ACME challenge). */
export function recordVhost(deps: ExecutorDeps, r: InstallRecord): string {
  const ns = deps.config.namespace ?? '';
  const render = deps.renderVhost ?? renderVhost;
  return render({
    identifier: r.identifier,
    domain: r.domain,
    hostname: r.hostname,
    aliases: deps.names?.extraNames(r.identifier, r.hostname),
    hostPort: liveSlot(r, ns, r.identifier, r.host_port).port,
    logDir: appLogDir(deps.config.apacheLogDir, r.identifier, ns),
    listenPort: apachePort(deps.config),
    installId: r.install_id,
    tls: currentTls(deps, r.identifier),
    acmeWebroot: deps.tls?.acmeWebroot,
  });
}

/** The stem the app's certificate files are named by. */
export function certStem(deps: ExecutorDeps, identifier: string): string {
  return vhostStem(identifier, deps.config.namespace ?? '');
}

/** Writes `contents` (identifier -> vhost), tests and reloads; any failure restores every previous file. */
export async function applyVhosts(deps: ExecutorDeps, contents: Map<string, string>): Promise<number> {
  const apache = deps.apache;
  const written: string[] = [];
  const undo = () => {
    for (const id of written) apache.rollback(id);
  };
  try {
    for (const [id, content] of contents) if (apache.writeVhost(id, content) !== 'unchanged') written.push(id);
  } catch (e) {
    undo();
    throw new StepFailure(`cannot write the vhosts; the previous ones were put back: ${(e as Error).message}`);
  }
  if (written.length === 0) return 0;
  const test = await apache.configtest().catch((e: Error) => ({ ok: false, output: e.message }));
  if (!test.ok) {
    undo();
    throw new StepFailure(
      `the new vhosts failed Apache's config test; the previous ones were put back and Apache was not reloaded: ${tailLines(test.output, 3)}`,
      {
        configtest: test.output.slice(0, 2000),
      },
    );
  }
  try {
    await apache.reload();
  } catch (e) {
    undo();
    await apache.reload().catch(() => undefined);
    throw new StepFailure(`Apache did not reload with the new vhosts; the previous ones were put back: ${(e as Error).message}`);
  }
  for (const id of written) apache.commit(id);
  return written.length;
}
