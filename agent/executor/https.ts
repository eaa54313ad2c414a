/**
 * The app's HTTPS: its names checked as certificate names before anything is written, a current
 * certificate from the HDA's CA (issued or renewed), and the SSL part of its vhost. A certificate
 * that cannot be issued leaves the app on HTTP (or its previous certificate), with the reason in the task's events.
 */
import type { AppTaskKind, TaskOf } from '../../core/protocol';
import { vhostStem, type VhostTls } from '../apache/vhost';
import { certificateNameProblem } from '../tls/certs';
import { StepFailure, type ExecutorDeps, type StepReport, type TaskWork } from './types';

/** The app's names: <identifier>.<domain>, the bare identifier, and its own hostname when different. */
export function appNames(task: TaskOf<AppTaskKind>, work: Pick<TaskWork, 'identifier'>): string[] {
  const inst = task.payload.install;
  const fqdn = `${work.identifier}.${inst.domain}`;
  return [...new Set([fqdn, work.identifier, ...(inst.hostname ? [inst.hostname] : [])])];
}

/** Refuses, before anything is written, a name that cannot be a DNS name or a certificate's subject. */
export function checkAppNames(names: string[]): void {
  for (const n of names) {
    const p = certificateNameProblem(n);
    if (p) throw new StepFailure(`the name ${JSON.stringify(n).slice(0, 80)} cannot be a DNS name or certificate name: it ${p}; nothing was written`);
  }
}

function stemOf(deps: ExecutorDeps, identifier: string): string {
  return vhostStem(identifier, deps.config.namespace ?? '');
}

/** The SSL part of the vhost from the certificate on disk, when there is a good one. */
export function currentTls(deps: ExecutorDeps, identifier: string): VhostTls | undefined {
  const tls = deps.tls;
  if (!tls) return undefined;
  const have = tls.certs.read(stemOf(deps, identifier));
  return have ? { port: tls.port, certPath: have.certPath, keyPath: have.keyPath, redirect: tls.redirect } : undefined;
}

/** Issues or renews the app's certificate; a failure is a warning and the app stays on HTTP. */
export async function ensureAppCertificate(deps: ExecutorDeps, report: StepReport, identifier: string, names: string[]): Promise<string> {
  const tls = deps.tls;
  if (!tls) return 'HTTP only (HTTPS is off on this HDA)';
  try {
    await tls.ca.ensure();
    const c = await tls.certs.ensure(stemOf(deps, identifier), names);
    tls.failures?.delete(identifier);
    if (c.action !== 'current')
      report.ok(`certificate ${c.action} for ${c.names.join(', ')} (valid until ${c.notAfter})`, { names: c.names, not_after: c.notAfter });
    return `HTTPS on port ${tls.port} (certificate valid until ${c.notAfter})`;
  } catch (e) {
    // The pair on disk (if any) is whole: written beside and checked before it replaced the old one.
    const reason = (e as Error).message;
    tls.failures?.set(identifier, `certificate failed: ${reason}`);
    const kept = tls.certs.read(stemOf(deps, identifier));
    const outcome = kept ? `the app keeps its previous certificate (valid until ${kept.notAfter})` : 'the app is served over HTTP only';
    report.warn(`no new certificate for ${names[0]}, so ${outcome}: ${reason}`, { https: 'failed', reason });
    return kept ? `HTTPS with the previous certificate (renewal failed: ${reason})` : `HTTP only (certificate failed: ${reason})`;
  }
}

/** Uninstall: the app's certificate and key go with its vhost. */
export function removeAppCertificate(deps: ExecutorDeps, identifier: string): boolean {
  return deps.tls ? deps.tls.certs.remove(stemOf(deps, identifier)) : false;
}
