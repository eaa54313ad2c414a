/** What a rule sees: the options of the check, the whole file, and a way to raise a named rule at a path. */
import { normalizePosix } from '../../catalog/paths';
import { resolveHostPath, VIRTUAL_APP_DIR } from '../../catalog/mounts';
import type { Severity } from '../../catalog/types';
import type { Service } from '../schema/service';
import type { ComposeModelSpec } from '../schema/top';
import type { RuleId } from './ids';

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

export type Path = Array<string | number>;
export type Raise = (rule: RuleId, message: string, path: Path, severity?: Severity) => void;

export interface PolicyContext {
  opts: PolicyOptions;
  spec: ComposeModelSpec;
  appDir: string;
  shares: string[];
  raise: Raise;
  /** Set by a port rule when a mapping serves the web UI (HOST_PORT, or the install's port). */
  appPortSeen: boolean;
}

/** One service under check: raise() prefixes the service and its key path. */
export interface ServiceScope {
  name: string;
  svc: Service;
  ctx: PolicyContext;
  raise(rule: RuleId, message: string, ...path: Path): void;
}

export function makeContext(spec: ComposeModelSpec, opts: PolicyOptions, raise: Raise): PolicyContext {
  return {
    opts,
    spec,
    appDir: opts.appDir ? normalizePosix(opts.appDir) : VIRTUAL_APP_DIR,
    shares: (opts.shareRoots ?? []).map(normalizePosix).filter((r) => r !== '/'),
    raise,
    appPortSeen: false,
  };
}

export function serviceScope(ctx: PolicyContext, name: string, svc: Service): ServiceScope {
  return { name, svc, ctx, raise: (rule, message, ...path) => ctx.raise(rule, `service "${name}": ${message}`, ['services', name, ...path]) };
}

/** `"./x"`, or `"$X" (known only at run time)` when it cannot be resolved before. */
export function describeHostPath(p: string, appDir: string): string {
  return resolveHostPath(p, appDir) === null ? `"${p}" (known only at run time)` : `"${p}"`;
}

export function truthy(v: unknown): boolean {
  return v === true || v === 1 || (typeof v === 'string' && /^(y|yes|on|true|1)$/i.test(v.trim()));
}
