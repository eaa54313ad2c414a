/**
 * Step lan-settings (an HDA-wide task): the owner's names mode, HTTPS redirect and certificate source,
 * applied to every app. Certificates first (an ACME order needs the challenge served by the new
 * vhosts), then every vhost in one guarded Apache change, then the names. Anything that cannot apply
 * fails the step with the reason and puts the previous vhosts back: the previous settings stay in force.
 * Only once all applied are the settings kept in the state dir (where they override the agent's flags).
 */
import type { LanSettings } from '../../core/protocol';
import { lanSettingsOfConfig, saveLanSettings, withLanSettings } from '../lan-settings';
import { lanNames } from '../names/index';
import { tlsParts } from '../tls/index';
import type { InstallRecord } from '../installs';
import { applyVhosts, certStem, recordNames, recordVhost } from './lan-vhosts';
import { publishNames } from './names';
import { StepFailure, type ExecutorDeps, type Step, type StepReport } from './types';

/** The agent's parts as they would be under `settings` (nothing is changed yet). */
function nextDeps(deps: ExecutorDeps, settings: LanSettings): ExecutorDeps {
  const config = withLanSettings(deps.config, settings);
  const names = lanNames(config);
  if (config.names === 'dnsmasq' && !names)
    throw new StepFailure("names in dnsmasq: this HDA has no LAN address to point them at (set the agent's --dns-address)");
  const tls = tlsParts(config, deps.tls?.ca.permitted);
  // Failures the heartbeat reports stay one map across the change (the renewal holds it).
  if (tls && deps.tls) tls.failures = deps.tls.failures;
  return { ...deps, config, tls, names };
}

/** A current certificate for every app from the new source; the apps that could not get one, with why. */
async function certificates(next: ExecutorDeps, apps: InstallRecord[], report: StepReport): Promise<string[]> {
  const tls = next.tls;
  if (!tls) return [];
  if (tls.source === 'ca') await tls.ca.ensure();
  const failed: string[] = [];
  for (const r of apps) {
    try {
      const c = await tls.certs.ensure(certStem(next, r.identifier), recordNames(next, r));
      if (c.left_out) tls.failures.set(r.identifier, `certificate without ${c.left_out.names.join(', ')}: ${c.left_out.reason}`);
      else tls.failures.delete(r.identifier);
      if (c.action !== 'current') report.ok(`${r.identifier}: certificate ${c.action} (valid until ${c.notAfter})`, { names: c.names, not_after: c.notAfter });
    } catch (e) {
      failed.push(`${r.identifier}: ${(e as Error).message}`);
    }
  }
  return failed;
}

const vhostsOf = (deps: ExecutorDeps, apps: InstallRecord[]) => new Map(apps.map((r) => [r.identifier, recordVhost(deps, r)]));

/** Withdraws every app's names from the old mode when the mode changes, then publishes them in the new one. */
async function switchNames(deps: ExecutorDeps, next: ExecutorDeps, apps: InstallRecord[], report: StepReport, signal?: AbortSignal): Promise<void> {
  const old = deps.names;
  if (old && deps.config.names !== next.config.names)
    for (const r of apps) {
      try {
        old.remove(r.identifier);
      } catch (e) {
        report.warn(`${r.identifier}: its names were not withdrawn from ${deps.config.names}: ${(e as Error).message}`);
      }
    }
  if (next.names) for (const r of apps) await publishNames(next, report, r.identifier, recordNames(next, r), signal);
}

function summary(s: LanSettings, tlsOn: boolean): string {
  const certs = !tlsOn ? 'HTTPS is off on this HDA' : s.certificates === 'acme' ? 'certificates from ACME' : "certificates from this HDA's CA";
  return `names: ${s.names}; ${certs}; HTTP ${s.https_redirect && tlsOn ? 'redirects to HTTPS' : 'serves the apps'}`;
}

export const lanSettingsStep: Step<'lan-settings'> = {
  name: 'lan-settings',
  title: "Applying the owner's LAN settings",
  async run({ task, deps, report, signal }) {
    const settings = task.payload.lan;
    const apps = deps.installs.list();
    const next = nextDeps(deps, settings);
    const before = new Map(apps.map((r) => [r.identifier, deps.apache.readVhost(r.identifier)]));
    // ACME's HTTP-01 reaches the apps through the plain vhosts: they serve the challenge before the orders.
    if (next.tls?.acmeWebroot) await applyVhosts(next, vhostsOf(next, apps));
    const failed = await certificates(next, apps, report).catch((e: Error) => [`certificate authority: ${e.message}`]);
    if (failed.length) {
      await applyVhosts(deps, new Map([...before].filter((e): e is [string, string] => e[1] !== null)));
      throw new StepFailure(`the certificates could not be switched, so the previous settings stay in force: ${failed.join('; ')}`, { failed });
    }
    const changed = await applyVhosts(next, vhostsOf(next, apps));
    await switchNames(deps, next, apps, report, signal);
    saveLanSettings(deps.config.stateDir, settings);
    const was = lanSettingsOfConfig(deps.config);
    Object.assign(deps, { config: next.config, tls: next.tls, names: next.names });
    deps.onLanChanged?.();
    report.ok(`${changed} vhost(s) rewritten`, { before: was, after: settings });
    return summary(settings, !!next.tls);
  },
};
