/** The value rules of `build`: context, Dockerfile and extra contexts inside the app folder; no privileges or host access. */
import { resolveHostPath } from '../../catalog/mounts';
import { insideApp } from '../../catalog/mounts';
import type { Service } from '../schema/service';
import type { ServiceScope } from './context';

type Build = NonNullable<Service['build']>;
const REMOTE = /^[a-z][a-z0-9+.-]*:\/\/|^git@|^github\.com\//i;

export function checkBuild(build: Build, s: ServiceScope): void {
  const b = typeof build === 'string' ? { context: build } : build;
  const inside = (p: string) => insideApp(p, s.ctx.appDir);
  const context = b.context ?? '.';
  if (REMOTE.test(context)) s.raise('build-outside-app', `builds from the remote context "${context}", not from the app folder`, 'build');
  else if (!inside(context)) s.raise('build-outside-app', `build context "${context}" is outside the app folder`, 'build');
  else if (b.dockerfile !== undefined) {
    const ctx = resolveHostPath(context, s.ctx.appDir) ?? context;
    if (!inside(b.dockerfile.startsWith('/') ? b.dockerfile : `${ctx}/${b.dockerfile}`))
      s.raise('build-outside-app', `dockerfile "${b.dockerfile}" is outside the app folder`, 'build', 'dockerfile');
  }
  if (typeof build === 'string') return;
  const extra = build.additional_contexts;
  const entries = Array.isArray(extra) ? extra.map((e) => e.split('=')) : Object.entries(extra ?? {});
  for (const [k, v] of entries) {
    if (typeof v !== 'string' || /^(docker-image|service):/.test(v)) continue;
    // An OCI layout is a host folder too, and a URL is fetched from outside: neither is the app's.
    if (v.startsWith('oci-layout:') || REMOTE.test(v) || !inside(v))
      s.raise('build-outside-app', `additional build context "${k}" (${v}) is outside the app folder`, 'build', 'additional_contexts');
  }
  if (build.entitlements?.length) s.raise('build-privileged', `build asks for entitlements (${build.entitlements.join(', ')})`, 'build', 'entitlements');
  if (build.privileged !== undefined && build.privileged !== false && build.privileged !== 'false')
    s.raise('build-privileged', 'builds privileged', 'build', 'privileged');
  const network = build.network?.trim().toLowerCase();
  if (network === 'host') s.raise('host-network', 'builds on the host network (build.network: host)', 'build', 'network');
  else if (network !== undefined && network !== 'default' && network !== 'none')
    s.raise('unrecognized-value', `build.network "${build.network}" is not one of default, none, host`, 'build', 'network');
  if (build.ssh !== undefined) s.raise('build-host-access', "forwards the host's SSH agent or keys to the build", 'build', 'ssh');
  for (const [i, g] of (build.secrets ?? []).entries()) {
    const name = typeof g === 'string' ? g : g.source;
    if (!Object.hasOwn(s.ctx.spec.secrets ?? {}, name))
      s.raise('missing-reference', `build uses the secret "${name}", which the top-level "secrets" does not declare`, 'build', 'secrets', i);
  }
  for (const key of ['cache_from', 'cache_to'] as const) {
    if (build[key]?.length) s.raise('build-host-access', `${key} reads or writes build caches outside the app`, 'build', key);
  }
}
