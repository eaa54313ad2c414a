/**
 * The value rules of a service's `volumes`: binds only inside the app folder, a share root, or the
 * time files read-only; named volumes declared at the top level; no shared propagation.
 */
import { dockerSocketExposure, parseMount, resolveHostPath } from '../../catalog/mounts';
import { isWithin } from '../../catalog/paths';
import type { Service } from '../schema/service';
import { describeHostPath, type PolicyContext, type ServiceScope } from './context';

type MountEntry = NonNullable<Service['volumes']>[number];

const TIME_FILES = ['/etc/localtime', '/etc/timezone'];
const SHORT_MODES = new Set([
  'ro',
  'rw',
  'z',
  'Z',
  'nocopy',
  'consistent',
  'cached',
  'delegated',
  'slave',
  'rslave',
  'private',
  'rprivate',
  'shared',
  'rshared',
]);
const SHARED = new Set(['shared', 'rshared']);
/** Propagation that keeps the container's mounts to itself; anything else is refused. */
const PRIVATE_PROPAGATION = new Set(['private', 'rprivate', 'slave', 'rslave']);

export function checkVolumes(volumes: MountEntry[], s: ServiceScope): void {
  for (const [i, entry] of volumes.entries()) checkMount(entry, i, s);
}

function checkMount(entry: MountEntry, i: number, s: ServiceScope): void {
  const modes = typeof entry === 'string' ? (entry.split(':')[2] ?? '').split(',').filter(Boolean) : [];
  const bad = modes.find((m) => !SHARED.has(m) && !SHORT_MODES.has(m));
  if (bad) return s.raise('volume-syntax', `volume "${entry}" has the unknown mode "${bad}"`, 'volumes', i);
  const propagation = typeof entry === 'string' ? modes.find((m) => SHARED.has(m)) : entry.bind?.propagation;
  if (propagation && !PRIVATE_PROPAGATION.has(propagation))
    s.raise('bind-propagation', `volume ${i + 1} uses "${propagation}" propagation (mounts made in the container reach the host)`, 'volumes', i);
  if (typeof entry !== 'string' && (entry.type === 'npipe' || entry.type === 'cluster')) {
    return s.raise('volume-syntax', `a "${entry.type}" mount is not supported on an HDA`, 'volumes', i);
  }
  if (typeof entry !== 'string' && entry.type === 'image') return; // a read-only image, no host path
  const m = parseMount(entry, i);
  if (m.kind === 'invalid') return s.raise('volume-syntax', m.reason ?? 'the volume entry cannot be read', 'volumes', i);
  if (m.kind === 'volume') return checkNamedVolume(entry, i, s);
  if (m.kind === 'bind' && m.source) checkBind(m.source, m.readOnly, i, s);
}

function checkNamedVolume(entry: MountEntry, i: number, s: ServiceScope): void {
  const source = typeof entry === 'string' ? (entry.includes(':') ? entry.split(':')[0] : undefined) : entry.type === 'volume' ? entry.source : undefined;
  if (source === undefined || source === '') return; // anonymous volume
  if (!s.ctx.spec.volumes || !Object.hasOwn(s.ctx.spec.volumes, source)) {
    s.raise('missing-reference', `uses the volume "${source}", which the top-level "volumes" does not declare`, 'volumes', i);
  }
}

function checkBind(source: string, readOnly: boolean, i: number, s: ServiceScope): void {
  const { appDir, shares } = s.ctx;
  const resolved = resolveHostPath(source, appDir);
  if (resolved !== null && isWithin(resolved, appDir)) return;
  const sock = resolved ? dockerSocketExposure(resolved) : null;
  if (sock)
    s.raise(
      'docker-socket',
      `mounts ${sock === 'socket' ? 'the Docker socket' : 'a folder holding the Docker socket'} "${source}" (control of every container on the HDA)`,
      'volumes',
      i,
    );
  if (sock === 'socket') return;
  if (resolved && TIME_FILES.includes(resolved) && readOnly) return;
  if (resolved && shares.some((r) => isWithin(resolved, r))) return;
  const hint = resolved && TIME_FILES.includes(resolved) ? ' (allowed only read-only, with ":ro")' : '';
  s.raise('bind-outside-app', `bind-mounts ${describeHostPath(source, appDir)} from outside the app folder${hint}`, 'volumes', i);
}

/** A host path that must stay inside the app folder (or a share), for top-level secrets and configs. */
export function outsideAppAndShares(p: string, ctx: PolicyContext): boolean {
  const r = resolveHostPath(p, ctx.appDir);
  return !(r && (isWithin(r, ctx.appDir) || ctx.shares.some((x) => isWithin(r, x))));
}
