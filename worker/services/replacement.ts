/**
 * A dead HDA replaced: the new, enrolled HDA (its off-HDA backup already set up with the recovery key)
 * takes every live install of the old one as it is (same install ids, identifiers, hostnames, host
 * ports and versions), each re-installed with its data restored from the old HDA's latest off-HDA
 * snapshot; the old HDA's token is revoked in the same batch.
 */
import { and, eq, ne } from 'drizzle-orm';
import type { PayloadOf } from '../../core/protocol';
import { appVersions, deployments, hdas, installs } from '../../db/schema';
import type { Deps, Actor } from '../context';
import { badRequest, conflict } from '../errors';
import { auditStatement, byUser } from './audit';
import { ownedHda } from './hdas';
import { installInfo, type InstallRow, newDeployment, versionPayload } from './installs';
import { enqueueAll, hangUpHda, type NewTask } from './queue';

type HdaRow = Awaited<ReturnType<typeof ownedHda>>;

export async function replaceHda(deps: Deps, user: Actor, newId: string, oldId: string) {
  const [fresh, old] = [await ownedHda(deps, user, newId), await ownedHda(deps, user, oldId)];
  await assertCanReplace(deps, fresh, old);
  const live = ne(installs.state, 'removed');
  const moving = await deps.db
    .select({ install: installs, version: appVersions })
    .from(installs)
    .innerJoin(appVersions, eq(appVersions.id, installs.versionId))
    .where(and(eq(installs.hdaId, old.id), live));
  const now = deps.stamp();
  const moves = moving.map(({ install, version }) => moveInstall(deps, user, { install, version, fresh, old, now }));
  const choices = backupChoicesTask(
    fresh,
    moving.map((m) => m.install),
  );
  await enqueueAll(deps, [...moves.map((m) => m.task), ...(choices ? [choices] : [])], now, [
    ...moves.flatMap((m) => m.statements),
    deps.db.update(hdas).set({ nextPortSeq: old.nextPortSeq }).where(eq(hdas.id, fresh.id)),
    deps.db.update(hdas).set({ tokenHash: null, enrollCodeHash: null, revokedAt: now }).where(eq(hdas.id, old.id)),
    auditStatement(deps.db, now, {
      ...byUser(user),
      action: 'hda.replace',
      targetKind: 'hda',
      targetId: fresh.id,
      detail: { replaces: old.id, installs: moves.length },
    }),
  ]);
  await hangUpHda(deps, old.id); // its waiting polls re-check and get 401; its channel closes
  return { tasks: moves.map((m) => ({ installId: m.installId, identifier: m.identifier, taskId: m.task.id })) };
}

/** The moved installs' own backup choices (own schedule, left out), handed to the new HDA's agent with its plan. */
function backupChoicesTask(fresh: HdaRow, moved: InstallRow[]): NewTask | null {
  const apps = Object.fromEntries(moved.flatMap((i) => (i.backupJson ? [[i.identifier, i.backupJson]] : [])));
  if (!fresh.backupPlanJson || Object.keys(apps).length === 0) return null;
  const { updated_at: _, ...backup } = fresh.backupPlanJson;
  const payload: PayloadOf<'backup-config'> = { backup, apps };
  return { id: crypto.randomUUID(), hdaId: fresh.id, installId: null, deploymentId: null, kind: 'backup-config', payload };
}

async function assertCanReplace(deps: Deps, fresh: HdaRow, old: HdaRow) {
  if (fresh.id === old.id) throw badRequest('an HDA cannot replace itself');
  if (!fresh.enrolledAt || fresh.revokedAt) throw conflict(`${fresh.name} must be enrolled (and not revoked) before it can replace another HDA`);
  if (!fresh.backupPlanJson) throw conflict(`set up ${fresh.name}'s off-HDA backup with the recovery key first: its apps' data comes from there`);
  if (fresh.domain !== old.domain) throw conflict(`${fresh.name} serves ${fresh.domain}, ${old.name} served ${old.domain}: the hostnames would change`);
  const [already] = await deps.db
    .select({ id: installs.id })
    .from(installs)
    .where(and(eq(installs.hdaId, fresh.id), ne(installs.state, 'removed')))
    .limit(1);
  if (already) throw conflict(`${fresh.name} already has apps; a replacement starts empty`);
}

interface Move {
  install: InstallRow;
  version: typeof appVersions.$inferSelect;
  fresh: HdaRow;
  old: HdaRow;
  now: number;
}

/** One install moved as it is, re-installed on the new HDA with its data from the off-HDA backup. */
function moveInstall(deps: Deps, user: Actor, { install, version, fresh, old, now }: Move) {
  const moved: InstallRow = { ...install, hdaId: fresh.id, state: 'installing', desiredState: 'running', updatedAt: now };
  const deployment = { ...newDeployment(install.id, version.id, 'install', user.id, now), detail: `moved from ${old.name}, data from the off-HDA backup` };
  const payload: PayloadOf<'install'> = {
    // The port the old HDA used, kept: the agent fails rather than move it.
    install: { ...installInfo(moved, fresh), port_fixed: true },
    ...versionPayload(version),
    restore_offsite: { host: old.id },
  };
  const task: NewTask = { id: crypto.randomUUID(), hdaId: fresh.id, installId: install.id, deploymentId: deployment.id, kind: 'install', payload };
  const statements = [
    deps.db.update(installs).set({ hdaId: fresh.id, state: 'installing', desiredState: 'running', updatedAt: now }).where(eq(installs.id, install.id)),
    deps.db.insert(deployments).values(deployment),
  ];
  return { task, statements, installId: install.id, identifier: install.identifier };
}
