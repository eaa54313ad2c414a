/**
 * Operations on what runs, beside the deployment history: container logs (an `aux` task that does
 * not wait for the HDA's queue) and image pruning (keeping what a rollback would need).
 */
import { and, desc, eq, inArray, ne } from 'drizzle-orm';
import { VERSION_CHANGING_KINDS, type PayloadOf } from '../../core/protocol';
import { deployments, installs } from '../../db/schema';
import type { Deps, Actor } from '../context';
import { conflict } from '../errors';
import { auditStatement, byUser } from './audit';
import { ownedHda } from './hdas';
import { ownedInstall } from './installs';
import { enqueue } from './queue';

export async function requestLogs(deps: Deps, user: Actor, installId: string, opts: { tail: number; follow_s: number }) {
  const { install, hda } = await ownedInstall(deps, user, installId);
  if (install.state === 'removed') throw conflict('this install has been removed');
  const now = deps.stamp();
  const taskId = crypto.randomUUID();
  const payload: PayloadOf<'logs'> = {
    install: {
      id: install.id,
      identifier: install.identifier,
      hostname: install.hostname,
      host_port: install.hostPort,
      domain: hda.domain,
      policy_exceptions: [],
    },
    logs: { tail: opts.tail, ...(opts.follow_s ? { follow_s: opts.follow_s } : {}) },
  };
  await enqueue(deps, { id: taskId, hdaId: hda.id, installId: install.id, deploymentId: null, kind: 'logs', payload, lane: 'aux' }, now, [
    auditStatement(deps.db, now, {
      ...byUser(user),
      action: 'install.logs',
      targetKind: 'install',
      targetId: install.id,
      detail: { task: taskId, tail: opts.tail, follow_s: opts.follow_s },
    }),
  ]);
  return { taskId };
}

/**
 * Images to keep on prune: those of each live install's current deployment and of the successful
 * deployment before it (what a rollback would start again).
 */
export async function imagesToKeep(deps: Deps, hdaId: string): Promise<string[]> {
  const live = await deps.db
    .select({ id: installs.id })
    .from(installs)
    .where(and(eq(installs.hdaId, hdaId), ne(installs.state, 'removed')));
  if (live.length === 0) return [];
  const rows = await deps.db
    .select({ installId: deployments.installId, imagesJson: deployments.imagesJson })
    .from(deployments)
    .where(
      and(
        inArray(
          deployments.installId,
          live.map((l) => l.id),
        ),
        eq(deployments.status, 'succeeded'),
        inArray(deployments.action, VERSION_CHANGING_KINDS),
      ),
    )
    .orderBy(desc(deployments.createdAt));
  const keep = new Set<string>();
  const seen = new Map<string, number>();
  for (const r of rows) {
    const n = seen.get(r.installId) ?? 0;
    if (n >= 2 || !r.imagesJson) continue;
    seen.set(r.installId, n + 1);
    for (const [name, id] of Object.entries(r.imagesJson)) {
      keep.add(name);
      if (id) keep.add(id);
    }
  }
  return [...keep].sort();
}

export async function requestPrune(deps: Deps, user: Actor, hdaId: string) {
  const hda = await ownedHda(deps, user, hdaId);
  const now = deps.stamp();
  const taskId = crypto.randomUUID();
  // HDA-wide: no install in the payload.
  const payload: PayloadOf<'prune'> = { prune: { keep_images: await imagesToKeep(deps, hda.id) } };
  await enqueue(deps, { id: taskId, hdaId: hda.id, installId: null, deploymentId: null, kind: 'prune', payload }, now, [
    auditStatement(deps.db, now, { ...byUser(user), action: 'hda.prune', targetKind: 'hda', targetId: hda.id }),
  ]);
  return { taskId, keep: payload.prune.keep_images };
}
