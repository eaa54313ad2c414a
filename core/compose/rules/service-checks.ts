/** Value rules of service keys that need more than "allowed" or "refused": each reads one key of the model. */
import { insideApp } from '../../catalog/mounts';
import { AGENT_LABELS } from '../agent-labels';
import type { Service } from '../schema/service';
import { describeHostPath, truthy, type ServiceScope } from './context';
import { checkServiceRef } from './namespaces';

type V<K extends keyof Service> = NonNullable<Service[K]>;

const SAFE_SECURITY_OPT = /^no-new-privileges(?:[:=]true)?$/i;
export function checkSecurityOpt(list: V<'security_opt'>, s: ServiceScope): void {
  list.forEach((opt, i) => {
    if (!SAFE_SECURITY_OPT.test(opt.trim()))
      s.raise('security-opt', `changes confinement (security_opt: ${opt}); only no-new-privileges is allowed without an exception`, 'security_opt', i);
  });
}

export function checkDeploy(deploy: V<'deploy'>, s: ServiceScope): void {
  const res = deploy?.resources?.reservations;
  if (res?.devices?.length) s.raise('gpus', 'reserves devices (deploy.resources.reservations.devices)', 'deploy', 'resources', 'reservations', 'devices');
  if (res?.generic_resources?.length)
    s.raise('gpus', 'reserves generic resources (deploy.resources.reservations.generic_resources)', 'deploy', 'resources', 'reservations', 'generic_resources');
}

export function checkHooks(key: 'post_start' | 'pre_stop') {
  return (hooks: V<'post_start'>, s: ServiceScope): void => {
    hooks.forEach((h, i) => {
      if (truthy(h.privileged)) s.raise('privileged', `runs its ${key} hook privileged`, key, i, 'privileged');
    });
  };
}

const LOG_DRIVERS = ['json-file', 'local', 'journald', 'none'];
export function checkLogging(logging: V<'logging'>, s: ServiceScope): void {
  if (logging.driver !== undefined && !LOG_DRIVERS.includes(logging.driver))
    s.raise('logging-driver', `logs with the "${logging.driver}" driver; allowed: ${LOG_DRIVERS.join(', ')}`, 'logging', 'driver');
}

/**
 * Labels Compose and the agent set to find an install's containers: an app may not forge them. On the
 * host the agent's own labels are present (it sets them before the check, over any the app wrote).
 */
export function checkLabels(labels: V<'labels'>, s: ServiceScope): void {
  const keys = Array.isArray(labels) ? labels.map((l) => l.split('=')[0]) : Object.keys(labels);
  for (const k of keys) {
    const agents = AGENT_LABELS.includes(k) && s.ctx.opts.phase === 'publish';
    if (k.startsWith('com.docker.compose.') || agents) s.raise('reserved-label', `sets the reserved label "${k}"`, 'labels');
  }
}

/** env_file and label_file: files inside the app folder only. */
export function checkFiles(key: 'env_file' | 'label_file') {
  return (value: V<'env_file'>, s: ServiceScope): void => {
    const list = typeof value === 'string' ? [value] : value;
    list.forEach((f, i) => {
      const p = typeof f === 'string' ? f : f.path;
      if (!insideApp(p, s.ctx.appDir))
        s.raise(
          'external-file',
          `reads ${key} ${describeHostPath(p, s.ctx.appDir)} from outside the app folder`,
          key,
          ...(typeof value === 'string' ? [] : [i]),
        );
    });
  };
}

export function checkExtends(ext: V<'extends'>, s: ServiceScope): void {
  const file = typeof ext === 'string' ? undefined : ext.file;
  if (file !== undefined)
    s.raise('external-file', `extends a service from ${describeHostPath(file, s.ctx.appDir)}, a file that was not resolved at publish`, 'extends');
  else checkServiceRef(typeof ext === 'string' ? ext : ext.service, 'extends', s, 'extends');
}

export function checkBlkio(blkio: V<'blkio_config'>, s: ServiceScope): void {
  for (const key of ['device_read_bps', 'device_read_iops', 'device_write_bps', 'device_write_iops', 'weight_device'] as const) {
    if (blkio[key]?.length) s.raise('devices', `names host devices in blkio_config.${key} (${blkio[key]!.map((d) => d.path).join(', ')})`, 'blkio_config', key);
  }
}

export function checkOomScore(v: V<'oom_score_adj'>, s: ServiceScope): void {
  const n = Number(v);
  if (!Number.isInteger(n)) s.raise('unrecognized-value', `oom_score_adj "${v}" is not a whole number`, 'oom_score_adj');
  else if (n < 0) s.raise('oom-score', `protects itself from the OOM killer at the host's expense (oom_score_adj: ${n})`, 'oom_score_adj');
}

export function checkDependsOn(deps: V<'depends_on'>, s: ServiceScope): void {
  for (const name of Array.isArray(deps) ? deps : Object.keys(deps))
    checkServiceRef(name, 'depends_on', s, 'depends_on', ...(Array.isArray(deps) ? [deps.indexOf(name)] : [name]));
}

export function checkLinks(links: V<'links'>, s: ServiceScope): void {
  for (const [i, l] of links.entries()) checkServiceRef(l.split(':')[0], 'links', s, 'links', i);
}

export function checkServiceNetworks(networks: V<'networks'>, s: ServiceScope): void {
  const declared = s.ctx.spec.networks ?? {};
  const names = Array.isArray(networks) ? networks : Object.keys(networks);
  names.forEach((n, i) => {
    if (n !== 'default' && !Object.hasOwn(declared, n))
      s.raise('missing-reference', `joins the network "${n}", which the top-level "networks" does not declare`, 'networks', Array.isArray(networks) ? i : n);
  });
  if (Array.isArray(networks)) return;
  for (const [n, cfg] of Object.entries(networks)) {
    if (cfg?.driver_opts && Object.keys(cfg.driver_opts).length)
      s.raise('network-driver', `sets driver_opts on its "${n}" network connection`, 'networks', n, 'driver_opts');
  }
}

export function checkGrants(kind: 'secrets' | 'configs') {
  return (list: V<'secrets'>, s: ServiceScope): void => {
    const declared = s.ctx.spec[kind] ?? {};
    list.forEach((g, i) => {
      const name = typeof g === 'string' ? g : g.source;
      if (!Object.hasOwn(declared, name))
        s.raise('missing-reference', `uses the ${kind.slice(0, -1)} "${name}", which the top-level "${kind}" does not declare`, kind, i);
    });
  };
}
