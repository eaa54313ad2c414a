/**
 * Update control: which newer versions an install is offered (with their release notes), and the
 * owner's hold (no update at all) or skip (one version never offered nor applied by a fleet).
 */
import { and, desc, eq, gt } from 'drizzle-orm';
import { appVersions, installs } from '../../db/schema';
import type { Deps, Actor } from '../context';
import { atomically } from '../db';
import { badRequest, conflict } from '../errors';
import { auditStatement, byUser } from './audit';
import type { VersionRow } from './catalog';
import { type InstallRow, ownedInstall } from './installs';

export interface UpdateControlChange {
  hold?: boolean;
  /** A newer version of the app to skip, or null to offer every version again. */
  skip_version?: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();
const noteView = (v: VersionRow) => ({ id: v.id, version: v.version, release_notes: v.releaseNotes, published_at: iso(v.createdAt) });

/** Versions of the install's app published after the one it runs, newest first. */
async function newerVersions(deps: Deps, install: InstallRow): Promise<VersionRow[]> {
  const [current] = await deps.db.select().from(appVersions).where(eq(appVersions.id, install.versionId));
  return deps.db
    .select()
    .from(appVersions)
    .where(and(eq(appVersions.appId, install.appId), gt(appVersions.createdAt, current.createdAt)))
    .orderBy(desc(appVersions.createdAt), desc(appVersions.id));
}

/** What the install page shows: the newest version not skipped, every newer version's notes, and the owner's choices. */
export async function updateOffer(deps: Deps, install: InstallRow) {
  const newer = await newerVersions(deps, install);
  const offered = newer.filter((v) => v.id !== install.skipVersionId && v.status === 'ready');
  const skipped = newer.find((v) => v.id === install.skipVersionId);
  return {
    held: install.updateHeld,
    skipped_version: skipped?.version ?? null,
    available: install.updateHeld || offered.length === 0 ? null : noteView(offered[0]),
    newer: newer.map(noteView),
  };
}

export async function setUpdateControl(deps: Deps, user: Actor, installId: string, change: UpdateControlChange) {
  const { install } = await ownedInstall(deps, user, installId);
  if (change.hold === undefined && change.skip_version === undefined) throw badRequest('say what to change: hold, skip_version or both');
  if (install.state === 'removed') throw conflict('this install has been removed');
  let skipVersionId = install.skipVersionId;
  if (change.skip_version === null) skipVersionId = null;
  else if (change.skip_version !== undefined) {
    const target = (await newerVersions(deps, install)).find((v) => v.version === change.skip_version);
    if (!target) throw badRequest(`version '${change.skip_version}' is not a version of this app newer than the one installed`);
    skipVersionId = target.id;
  }
  const updateHeld = change.hold ?? install.updateHeld;
  const now = deps.stamp();
  await atomically(deps.db, [
    deps.db.update(installs).set({ updateHeld, skipVersionId, updatedAt: now }).where(eq(installs.id, install.id)),
    auditStatement(deps.db, now, {
      ...byUser(user),
      action: 'install.update_control',
      targetKind: 'install',
      targetId: install.id,
      detail: { hold: updateHeld, skip_version: change.skip_version === undefined ? undefined : change.skip_version },
    }),
  ]);
  return updateOffer(deps, { ...install, updateHeld, skipVersionId });
}
