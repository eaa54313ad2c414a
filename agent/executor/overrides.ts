/**
 * The owner's settings written into every service of the compose file the agent runs: resource
 * limits (`cpus`, `mem_limit`: what Compose v1 and v2 both accept in the Compose Specification
 * format) and extra environment values (a fleet deployment's per-HDA overrides). They are set on the
 * parsed document, never pasted into YAML text; a `$` in a value is written `$$` so Compose keeps it
 * literally instead of reading the agent's environment.
 */
import type { ResourceLimits } from '../../core/protocol';

type Services = Record<string, Record<string, unknown>>;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export class OverrideError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OverrideError';
  }
}

function checkLimits(limits: ResourceLimits): void {
  if (limits.cpus !== undefined && !(typeof limits.cpus === 'number' && limits.cpus > 0 && limits.cpus <= 1024))
    throw new OverrideError(`CPU limit ${JSON.stringify(limits.cpus)} is not a positive number of cores`);
  if (limits.memory_mb !== undefined && !(Number.isInteger(limits.memory_mb) && limits.memory_mb >= 6))
    throw new OverrideError(`memory limit ${JSON.stringify(limits.memory_mb)} MB is not a whole number of at least 6 (Docker's minimum)`);
}

/** The environment of a service as a map, whichever form (list or map) the file uses. */
function envMap(env: unknown): Record<string, unknown> {
  if (Array.isArray(env)) {
    const out: Record<string, unknown> = {};
    for (const item of env) {
      const s = String(item);
      const i = s.indexOf('=');
      out[i < 0 ? s : s.slice(0, i)] = i < 0 ? null : s.slice(i + 1);
    }
    return out;
  }
  return env && typeof env === 'object' ? { ...(env as Record<string, unknown>) } : {};
}

/** Writes the limits and environment into the services of a parsed compose in place; returns it. */
export function applyOverrides<T extends object>(value: T, limits: ResourceLimits | undefined, env: Record<string, string> | undefined): T {
  const hasLimits = !!limits && (limits.cpus !== undefined || limits.memory_mb !== undefined);
  const hasEnv = !!env && Object.keys(env).length > 0;
  if (!hasLimits && !hasEnv) return value;
  if (hasLimits) checkLimits(limits!);
  for (const [k, v] of Object.entries(env ?? {})) {
    if (!ENV_NAME.test(k)) throw new OverrideError(`environment name ${JSON.stringify(k).slice(0, 80)} is not a variable name`);
    if (typeof v !== 'string' || /[\n\r\0]/.test(v)) throw new OverrideError(`environment value of ${k} must be one line of text`);
  }
  const doc = value as { services?: Services };
  for (const svc of Object.values(doc.services ?? {})) {
    if (!svc || typeof svc !== 'object') continue;
    if (limits?.cpus !== undefined) svc.cpus = limits.cpus;
    if (limits?.memory_mb !== undefined) {
      svc.mem_limit = `${limits.memory_mb}m`;
      // A swap limit below the new memory limit would make Docker refuse the container.
      delete svc.memswap_limit;
    }
    if (hasEnv) {
      const merged = envMap(svc.environment);
      for (const [k, v] of Object.entries(env!)) merged[k] = v.replace(/\$/g, '$$$$');
      svc.environment = merged;
    }
  }
  return value;
}
