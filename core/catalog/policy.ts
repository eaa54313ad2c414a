/**
 * The safety policy, run at publish (placeholders still in place) and again on the host (rendered,
 * with the real app folder and the ports other installs hold). Default: refuse, naming the rule and
 * the offending line. An owner exception names a rule and turns its refusal into an info finding.
 */
import { parseCompose, type ComposeDoc } from './compose';
import { dockerSocketExposure, insideApp, resolveHostPath, serviceMounts, VIRTUAL_APP_DIR } from './mounts';
import { isWithin, normalizePosix } from './paths';
import { servicePorts } from './ports';
import type { Finding, Severity } from './types';

export interface PolicyOptions {
  /** The app folder (host phase); relative paths and WEBAPP_PATH resolve into it. */
  appDir?: string;
  /** Folders any app may bind (e.g. the HDA's shares). */
  shareRoots?: string[];
  /** Rules the owner explicitly allowed for this install. */
  exceptions?: string[];
  /** Host ports held by other installs on the HDA. */
  usedHostPorts?: number[];
  /** The port this install was given (host phase): the mapping that Apache proxies to. */
  hostPort?: number;
  phase: 'publish' | 'host';
}

/** Every rule id the policy can raise; owner exceptions must name one of these. */
export const POLICY_RULES = [
  'privileged', 'host-network', 'host-pid', 'host-ipc', 'host-namespace', 'cap-add', 'security-opt', 'devices',
  'docker-socket', 'bind-outside-app', 'build-outside-app', 'external-file', 'variable-interpolation',
  'low-host-port', 'host-port-collision', 'fixed-host-port', 'no-host-port', 'fixed-container-name',
] as const;
export type PolicyRule = (typeof POLICY_RULES)[number];

const TIME_FILES = ['/etc/localtime', '/etc/timezone'];
const MAX_PER_RULE = 20;

export function checkPolicy(compose: string | ComposeDoc, opts: PolicyOptions): Finding[] {
  const doc = typeof compose === 'string' ? parseCompose(compose) : compose;
  const appDir = opts.appDir ? normalizePosix(opts.appDir) : VIRTUAL_APP_DIR;
  const shares = (opts.shareRoots ?? []).map(normalizePosix).filter((r) => r !== '/');
  const used = new Set(opts.usedHostPorts ?? []);
  const exceptions = new Set(opts.exceptions ?? []);
  const findings: Finding[] = [];
  const counts = new Map<string, number>();

  const add = (severity: Severity, rule: string, message: string, path: Array<string | number>, service?: string) => {
    const n = (counts.get(rule) ?? 0) + 1;
    counts.set(rule, n);
    if (n > MAX_PER_RULE) return;
    const line = doc.lineOf(path);
    const f: Finding = { severity, rule, message, ...(service ? { service } : {}), ...(line ? { line, text: doc.lineText(line) } : {}) };
    if (severity !== 'info' && exceptions.has(rule)) {
      f.severity = 'info';
      f.allowed_by_exception = true;
      f.message = `${message} (allowed by the owner's "${rule}" exception)`;
    }
    findings.push(f);
  };
  const outside = (p: string) => !insideApp(p, appDir);
  const describe = (p: string) => (resolveHostPath(p, appDir) === null ? `"${p}" (known only at run time)` : `"${p}"`);

  let appPortSeen = false;
  for (const [name, svc] of Object.entries(doc.value.services)) {
    const at = (...rest: Array<string | number>) => ['services', name, ...rest];
    const err = (rule: PolicyRule, msg: string, ...rest: Array<string | number>) => add('error', rule, `service "${name}": ${msg}`, at(...rest), name);

    if (truthy(svc.privileged)) err('privileged', 'runs privileged (full access to the host)', 'privileged');
    if (isHost(svc.network_mode)) err('host-network', 'uses the host network (network_mode: host)', 'network_mode');
    if (isHost(svc.pid)) err('host-pid', "shares the host's process namespace (pid: host)", 'pid');
    if (isHost(svc.ipc)) err('host-ipc', "shares the host's IPC namespace (ipc: host)", 'ipc');
    for (const key of ['uts', 'userns_mode', 'cgroup']) if (isHost(svc[key])) err('host-namespace', `shares a host namespace (${key}: host)`, key);
    if (nonEmpty(svc.cap_add)) err('cap-add', `adds kernel capabilities (${list(svc.cap_add)})`, 'cap_add');
    for (const [i, opt] of asArray(svc.security_opt).entries()) {
      if (/(seccomp|apparmor)[:=]unconfined|label[:=]disable|no-new-privileges[:=]false|systempaths[:=]unconfined/i.test(String(opt))) {
        err('security-opt', `weakens confinement (security_opt: ${String(opt)})`, 'security_opt', i);
      }
    }
    if (nonEmpty(svc.devices)) err('devices', `maps host devices (${list(svc.devices)})`, 'devices');
    if (nonEmpty(svc.device_cgroup_rules)) err('devices', 'adds device cgroup rules', 'device_cgroup_rules');

    for (const m of serviceMounts(svc)) {
      if (m.kind === 'invalid') { add('error', 'volume-syntax', `service "${name}": ${m.reason}`, at('volumes', m.index), name); continue; }
      if (m.kind !== 'bind' || !m.source) continue;
      const resolved = resolveHostPath(m.source, appDir);
      if (resolved !== null && isWithin(resolved, appDir)) continue;
      const sock = resolved ? dockerSocketExposure(resolved) : null;
      if (sock) err('docker-socket', `mounts ${sock === 'socket' ? 'the Docker socket' : 'a folder holding the Docker socket'} "${m.source}" (control of every container on the HDA)`, 'volumes', m.index);
      if (sock === 'socket') continue;
      if (resolved && TIME_FILES.includes(resolved) && m.readOnly) continue;
      if (resolved && shares.some((r) => isWithin(resolved, r))) continue;
      const hint = resolved && TIME_FILES.includes(resolved) ? ' (allowed only read-only, with ":ro")' : '';
      err('bind-outside-app', `bind-mounts ${describe(m.source)} from outside the app folder${hint}`, 'volumes', m.index);
    }

    checkBuild(svc.build, appDir, outside, (msg, ...rest) => err('build-outside-app', msg, 'build', ...rest));
    for (const [i, f] of asArray(svc.env_file).entries()) {
      const p = typeof f === 'string' ? f : f && typeof f === 'object' ? (f as Record<string, unknown>).path : undefined;
      if (typeof p === 'string' && outside(p)) err('external-file', `reads env_file ${describe(p)} from outside the app folder`, 'env_file', i);
    }
    const ext = svc.extends;
    if (ext && typeof ext === 'object' && typeof (ext as Record<string, unknown>).file === 'string') {
      const file = (ext as Record<string, string>).file;
      if (outside(file)) err('external-file', `extends a service from ${describe(file)}, outside the app folder and unchecked`, 'extends');
    }

    for (const p of servicePorts(svc)) {
      const where = at('ports', p.index);
      if (p.host.kind === 'invalid') { add('error', 'port-syntax', `service "${name}": ${p.host.reason}`, where, name); continue; }
      if (p.host.kind === 'placeholder') { appPortSeen = true; continue; }
      if (p.host.kind !== 'fixed') continue;
      const { from, to } = p.host;
      const label = from === to ? String(from) : `${from}-${to}`;
      if (opts.hostPort !== undefined && from === opts.hostPort && to === from) { appPortSeen = true; continue; }
      if (from < 1024) add('error', 'low-host-port', `service "${name}": host port ${label} is below 1024 (reserved for system services)`, where, name);
      const clash = [...used].filter((u) => u >= from && u <= to);
      if (clash.length) add('error', 'host-port-collision', `service "${name}": host port ${clash.join(', ')} is already used by another install on this HDA`, where, name);
      if (opts.phase === 'publish' || opts.hostPort !== undefined) {
        add('warning', 'fixed-host-port', `service "${name}": fixed host port ${label} is not HOST_PORT; a second install, or another app using it, will collide`, where, name);
      }
    }
    const cname = svc.container_name;
    if (opts.phase === 'publish' && typeof cname === 'string' && !cname.includes('APP_IDENTIFIER')) {
      add('warning', 'fixed-container-name', `service "${name}": fixed container_name "${cname}" collides when the app is installed twice; use APP_IDENTIFIER`, at('container_name'), name);
    }
  }
  if (!appPortSeen && (opts.phase === 'publish' || opts.hostPort !== undefined)) {
    const first = Object.keys(doc.value.services)[0];
    add('review', 'no-host-port', 'no port mapping uses HOST_PORT, so Apache has no web UI to proxy to', ['services', first, 'ports']);
  }
  checkTopLevel(doc, appDir, shares, add, outside, describe);
  checkInterpolation(doc, add);
  return findings;
}

type Add = (severity: Severity, rule: string, message: string, path: Array<string | number>, service?: string) => void;

function checkBuild(build: unknown, appDir: string, outside: (p: string) => boolean, fail: (msg: string, ...rest: Array<string | number>) => void) {
  if (build === undefined || build === null) return;
  const b = typeof build === 'string' ? { context: build } : (build as Record<string, unknown>);
  if (typeof b !== 'object') return;
  const context = typeof b.context === 'string' ? b.context : '.';
  if (/^[a-z][a-z0-9+.-]*:\/\/|^git@|^github\.com\//i.test(context)) return fail(`builds from the remote context "${context}", not from the app folder`);
  if (outside(context)) return fail(`build context "${context}" is outside the app folder`);
  if (typeof b.dockerfile === 'string') {
    const ctx = resolveHostPath(context, appDir) ?? context;
    const df = b.dockerfile.startsWith('/') ? b.dockerfile : `${ctx}/${b.dockerfile}`;
    if (outside(df)) fail(`dockerfile "${b.dockerfile}" is outside the app folder`, 'dockerfile');
  }
  const extra = b.additional_contexts;
  if (extra && typeof extra === 'object') {
    for (const [k, v] of Object.entries(extra as Record<string, unknown>)) {
      if (typeof v === 'string' && !/^(docker-image|service|oci-layout):/.test(v) && outside(v)) fail(`additional build context "${k}" (${v}) is outside the app folder`, 'additional_contexts', k);
    }
  }
}

function checkTopLevel(doc: ComposeDoc, appDir: string, shares: string[], add: Add, outside: (p: string) => boolean, describe: (p: string) => string) {
  const v = doc.value;
  for (const [i, inc] of asArray(v.include).entries()) {
    const paths = typeof inc === 'string' ? [inc] : asArray((inc as Record<string, unknown>)?.path);
    for (const p of paths) if (typeof p === 'string' && outside(p)) add('error', 'external-file', `include ${describe(p)} is outside the app folder`, ['include', i]);
  }
  for (const kind of ['secrets', 'configs'] as const) {
    for (const [name, def] of entries(v[kind])) {
      const d = def as Record<string, unknown>;
      if (typeof d?.file === 'string' && outside(d.file)) {
        const r = resolveHostPath(d.file, appDir);
        if (!(r && shares.some((s) => isWithin(r, s)))) add('error', 'bind-outside-app', `${kind} "${name}" reads ${describe(d.file)} from outside the app folder`, [kind, name]);
      }
      if (typeof d?.environment === 'string') add('error', 'variable-interpolation', `${kind} "${name}" reads the agent's environment variable "${d.environment}"`, [kind, name]);
    }
  }
  for (const [name, def] of entries(v.volumes)) {
    const device = (def as Record<string, Record<string, unknown>>)?.driver_opts?.device;
    if (typeof device === 'string' && device.startsWith('/') && outside(device)) add('error', 'bind-outside-app', `volume "${name}" binds host device or folder "${device}"`, ['volumes', name]);
  }
  for (const [name, def] of entries(v.networks)) {
    const d = def as Record<string, unknown>;
    const ext = d?.external as Record<string, unknown> | boolean | undefined;
    const netName = d?.name ?? (ext && typeof ext === 'object' ? ext.name : undefined);
    if (d?.driver === 'host' || (ext && netName === 'host')) add('error', 'host-network', `network "${name}" is the host network`, ['networks', name]);
  }
}

/** Compose expands `$VAR`/`${VAR}` from the environment of whoever runs it: on the host, the agent's. */
function checkInterpolation(doc: ComposeDoc, add: Add) {
  const stack: Array<[unknown, Array<string | number>]> = [[doc.value, []]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.replace(/\$\$/g, '').includes('$')) {
        const service = path[0] === 'services' ? String(path[1]) : undefined;
        add('error', 'variable-interpolation', `${service ? `service "${service}": ` : ''}"${v.slice(0, 60)}" uses $-interpolation, which would read the agent's environment; write $$ for a literal $`, path, service);
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, [...path, i]]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) stack.push([x, [...path, k]]);
  }
}

function truthy(v: unknown): boolean {
  return v === true || v === 1 || (typeof v === 'string' && /^(y|yes|on|true|1)$/i.test(v.trim()));
}
function isHost(v: unknown): boolean {
  return typeof v === 'string' && v.trim().toLowerCase() === 'host';
}
function asArray(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}
function nonEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null && v !== false && v !== '';
}
function list(v: unknown): string {
  return asArray(v).map(String).join(', ').slice(0, 120);
}
function entries(v: unknown): Array<[string, unknown]> {
  return v && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v) : [];
}
