/**
 * Installs and the actions on them. Each request records a deployment (the history that makes
 * rollback possible) and queues one task for the HDA's agent, in one atomic batch.
 */
import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import {
  VERSION_CHANGING_KINDS,
  type InstallOverrides,
  type PayloadOf,
  type PreviousDeployment,
  type ResourceLimits,
  type TaskInstallInfo,
} from '../../core/protocol';
import { apps, appVersions, deployments, hdas, installs, tasks, users } from '../../db/schema';
import type { InstallState } from '../../db/schema';
import type { Deps, Actor } from '../context';
import { isUniqueViolation } from '../db';
import { badRequest, conflict, notFound } from '../errors';
import { auditStatement, byUser } from './audit';
import { findApp, findVersion, type VersionRow } from './catalog';
import { ownedHda, type HdaRow } from './hdas';
import { assertPortNotHeld, BASE_PORT, nextFreePort, portHints } from './host-ports';
import { enqueue, openTaskKinds } from './queue';
import { updateRefusal } from './update-refusal';
import { dataLossWarning, snapshotAsOf } from './snapshot-as-of';

export type InstallRow = typeof installs.$inferSelect;
export type DeploymentRow = typeof deployments.$inferSelect;

export { BASE_PORT } from './host-ports';

/** Rules an owner may waive for one install: from the policy's rule table (script steps the agent cannot run are never waivable). */
export { WAIVABLE_RULES } from '../../core/catalog/policy';

/** Refuses a version whose blocking findings are not all waived by the install's exceptions. */
export function assertInstallable(version: VersionRow, exceptions: string[]): void {
  const findings = version.findingsJson;
  const blocking = findings.filter((f) => (f.severity === 'error' || f.severity === 'review') && !exceptions.includes(f.rule));
  if (blocking.length > 0) {
    const first = blocking[0];
    const where = first.line ? ` (line ${first.line}: ${first.text ?? ''})` : '';
    throw conflict(`version ${version.version} needs review before it can be installed: ${first.message}${where}`, { findings: blocking });
  }
}

export async function ownedInstall(deps: Deps, user: Actor, installId: string): Promise<{ install: InstallRow; hda: HdaRow }> {
  const [row] = await deps.db
    .select({ install: installs, hda: hdas })
    .from(installs)
    .innerJoin(hdas, eq(hdas.id, installs.hdaId))
    .where(eq(installs.id, installId))
    .limit(1);
  if (!row || (user.role !== 'admin' && row.hda.ownerId !== user.id)) throw notFound('install');
  return row;
}

export function installInfo(install: InstallRow, hda: HdaRow): TaskInstallInfo {
  const limits = install.limitsJson;
  const overrides = install.overridesJson;
  return {
    id: install.id,
    identifier: install.identifier,
    hostname: install.hostname,
    host_port: install.hostPort,
    domain: hda.domain,
    policy_exceptions: install.policyExceptionsJson,
    ...(Object.keys(limits).length ? { limits } : {}),
    ...(overrides.env && Object.keys(overrides.env).length ? { env: overrides.env } : {}),
    ...(overrides.port_fixed ? { port_fixed: true } : {}),
  };
}

export type { InstallOverrides } from '../../core/protocol';

export function versionPayload(version: VersionRow) {
  return { version: version.contentJson, signature: version.signature, key_id: version.keyId };
}

export interface InstallRequest {
  app: string;
  version?: string;
  policy_exceptions?: string[];
  limits?: ResourceLimits;
  overrides?: InstallOverrides;
  /** The owner's choice of host port; the agent never moves it. */
  host_port?: number;
}

/** Set when a fleet batch makes the request. */
export interface QueueContext {
  batchId?: string;
}

/** One live install per identifier and HDA (the unique index enforces it; this names the conflict). */
async function assertNotInstalled(deps: Deps, hdaId: string, identifier: string): Promise<void> {
  const [live] = await deps.db
    .select({ id: installs.id })
    .from(installs)
    .where(and(eq(installs.hdaId, hdaId), eq(installs.identifier, identifier), ne(installs.state, 'removed')))
    .limit(1);
  if (live) throw conflict(`'${identifier}' is already installed on this HDA`, { install_id: live.id });
}

export async function createInstall(deps: Deps, user: Actor, hdaId: string, req: InstallRequest, ctx: QueueContext = {}) {
  const hda = await ownedHda(deps, user, hdaId);
  if (hda.revokedAt) throw conflict('this HDA has been revoked; enroll it again first');
  if (!hda.enrolledAt) throw conflict(`${hda.name} has not joined yet: run its enrollment command on the server first, then install`);
  const app = await findApp(deps, req.app);
  const version = await findVersion(deps, app.id, req.version);
  const exceptions = [...new Set(req.policy_exceptions ?? [])];
  assertInstallable(version, exceptions);

  const identifier = app.slug;
  await assertNotInstalled(deps, hda.id, identifier);
  if (req.host_port !== undefined) await assertPortNotHeld(deps, hda.id, req.host_port);

  // A concurrent install may take the same port: the unique index refuses it and we try the next one.
  for (let attempt = 0; attempt < 5; attempt++) {
    const [fresh] = await deps.db.select({ seq: hdas.nextPortSeq }).from(hdas).where(eq(hdas.id, hda.id));
    const port = req.host_port ?? (await nextFreePort(deps, hda.id, fresh.seq));
    try {
      return await insertInstall(deps, user, { hda, appId: app.id, version, identifier, port, exceptions, req }, ctx);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      await assertNotInstalled(deps, hda.id, identifier); // else the port was taken: try the next
      if (req.host_port !== undefined) await assertPortNotHeld(deps, hda.id, req.host_port);
    }
  }
  throw conflict('could not allocate a host port; try again');
}

/** What a new install is made of, once its port is chosen. */
interface NewInstall {
  hda: HdaRow;
  appId: number;
  version: VersionRow;
  identifier: string;
  port: number;
  exceptions: string[];
  req: InstallRequest;
}

function newInstallRow(n: NewInstall, by: string, now: number): InstallRow {
  return {
    id: crypto.randomUUID(),
    hdaId: n.hda.id,
    appId: n.appId,
    identifier: n.identifier,
    hostname: `${n.identifier}.${n.hda.domain}`,
    hostPort: n.port,
    desiredState: 'running',
    state: 'installing',
    versionId: n.version.id,
    currentDeploymentId: null,
    policyExceptionsJson: n.exceptions,
    limitsJson: n.req.limits ?? {},
    overridesJson: { ...n.req.overrides, ...(n.req.host_port !== undefined ? { port_fixed: true } : {}) },
    updateHeld: false,
    skipVersionId: null,
    backupJson: null,
    createdBy: by,
    createdAt: now,
    updatedAt: now,
  };
}

async function insertInstall(deps: Deps, user: Actor, n: NewInstall, ctx: QueueContext) {
  const now = deps.stamp();
  const install = newInstallRow(n, user.id, now);
  const deployment = newDeployment(install.id, n.version.id, 'install', user.id, now);
  const payload: PayloadOf<'install'> = {
    install: installInfo(install, n.hda),
    ...versionPayload(n.version),
    ports: await portHints(deps, n.hda.id, install.id),
  };
  const audit = (action: string, detail: Record<string, unknown>) =>
    auditStatement(deps.db, now, { ...byUser(user), action, targetKind: 'install', targetId: install.id, detail });
  const statements = [
    // Only an automatic port advances the counter; an owner's choice may lie anywhere.
    ...(n.req.host_port === undefined
      ? [
          deps.db
            .update(hdas)
            .set({ nextPortSeq: sql`max(${hdas.nextPortSeq}, ${n.port - BASE_PORT}) + 1` })
            .where(eq(hdas.id, n.hda.id)),
        ]
      : []),
    deps.db.insert(installs).values(install),
    deps.db.insert(deployments).values(deployment),
    audit('install.create', { app: n.identifier, version: n.version.version, hda: n.hda.id }),
    ...n.exceptions.map((rule) => audit('policy.exception', { rule })),
  ];
  const taskId = crypto.randomUUID();
  const task = { id: taskId, hdaId: n.hda.id, installId: install.id, deploymentId: deployment.id, kind: 'install' as const, payload, batchId: ctx.batchId };
  await enqueue(deps, task, now, statements);
  return { install, deployment, taskId };
}

export function newDeployment(
  installId: string,
  versionId: string,
  action: DeploymentRow['action'],
  by: string,
  at: number,
  rollbackOf: string | null = null,
): DeploymentRow {
  return {
    id: crypto.randomUUID(),
    installId,
    versionId,
    action,
    status: 'pending',
    renderedCompose: null,
    imagesJson: null,
    rollbackOf,
    detail: null,
    createdBy: by,
    createdAt: at,
    finishedAt: null,
  };
}

const portFixed = (install: InstallRow) => install.overridesJson.port_fixed === true;

export const INSTALL_ACTIONS = ['uninstall', 'start', 'stop', 'restart', 'update', 'rollback', 'retry'] as const;

export interface ActionRequest {
  action: (typeof INSTALL_ACTIONS)[number];
  version?: string;
  deployment?: string;
  purge?: boolean;
  /** rollback: also put the data back as of that deployment (needs confirm: later data is lost). */
  with_data?: boolean;
  confirm?: boolean;
}

const STATE_DURING: Partial<Record<ActionRequest['action'], InstallState>> = {
  uninstall: 'uninstalling',
  update: 'updating',
  rollback: 'updating',
  retry: 'installing',
};
const DESIRED_AFTER: Record<ActionRequest['action'], InstallRow['desiredState']> = {
  uninstall: 'removed',
  stop: 'stopped',
  start: 'running',
  restart: 'running',
  update: 'running',
  rollback: 'running',
  retry: 'running',
};

/** A retry runs the install again (every step of it converges); the other actions are their own task. */
const taskKindOf = (action: ActionRequest['action']): Exclude<ActionRequest['action'], 'retry'> | 'install' => (action === 'retry' ? 'install' : action);

export interface ActionContext extends QueueContext {
  /** New per-install values (a fleet deployment's per-HDA overrides) applied with this deployment. */
  overrides?: InstallOverrides;
}

export async function performAction(deps: Deps, user: Actor, installId: string, req: ActionRequest, ctx: ActionContext = {}) {
  const owned = await ownedInstall(deps, user, installId);
  const hda = owned.hda;
  const install: InstallRow = {
    ...owned.install,
    ...(ctx.overrides ? { overridesJson: { ...ctx.overrides, ...(portFixed(owned.install) ? { port_fixed: true } : {}) } } : {}),
  };
  await assertActionAllowed(deps, install, req);
  const [current] = await deps.db.select().from(appVersions).where(eq(appVersions.id, install.versionId));
  const { target, rollbackOf, previous, restoreSnapshot } = await actionTarget(deps, install, current, req);

  const now = deps.stamp();
  const kind = taskKindOf(req.action);
  const deployment = newDeployment(install.id, target.id, kind, user.id, now, rollbackOf);
  // One payload that every kind an action queues takes (each reads only what its kind carries).
  const payload: PayloadOf<'install'> & PayloadOf<'update'> & PayloadOf<'uninstall'> = {
    install: installInfo(install, hda),
    ...versionPayload(target),
    ...(req.action === 'uninstall' ? { purge: !!req.purge } : {}),
    ...(previous ? { previous } : {}),
    ...(restoreSnapshot ? { restore_snapshot: restoreSnapshot } : {}),
    ...(kind === 'install' ? { ports: await portHints(deps, hda.id, install.id) } : {}),
  };
  const taskId = crypto.randomUUID();
  const nextState = STATE_DURING[req.action];
  const task = { id: taskId, hdaId: hda.id, installId: install.id, deploymentId: deployment.id, kind, payload, batchId: ctx.batchId };
  const detail = {
    version: target.version,
    ...(req.purge ? { purge: true } : {}),
    ...(rollbackOf ? { deployment: rollbackOf } : {}),
    ...(restoreSnapshot ? { snapshot: restoreSnapshot.id } : {}),
  };
  await enqueue(deps, task, now, [
    deps.db.insert(deployments).values(deployment),
    deps.db
      .update(installs)
      .set({ desiredState: DESIRED_AFTER[req.action], updatedAt: now, overridesJson: install.overridesJson, ...(nextState ? { state: nextState } : {}) })
      .where(eq(installs.id, install.id)),
    auditStatement(deps.db, now, { ...byUser(user), action: `install.${req.action}`, targetKind: 'install', targetId: install.id, detail }),
  ]);
  return { deployment, taskId };
}

/** Refuses an action the install's state does not allow, with the reason. */
async function assertActionAllowed(deps: Deps, install: InstallRow, req: ActionRequest) {
  if (install.state === 'removed') throw conflict('this install has been removed');
  if (req.action === 'retry' && install.state !== 'failed') throw conflict(`only a failed install can be retried; this one is ${install.state}`);
  if (req.with_data && req.action !== 'rollback') throw badRequest('with_data applies to a rollback only');
  if ((req.action === 'update' || req.action === 'rollback') && (await openTaskKinds(deps, install.id)).includes('reconfigure'))
    throw conflict('a settings change for this app is still to be done; update it when that has finished');
}

interface ActionTarget {
  target: VersionRow;
  rollbackOf: string | null;
  previous?: PreviousDeployment;
  restoreSnapshot?: { id: string };
}

/** The version an action deploys: the current one, the update's, or the deployment a rollback returns to. */
async function actionTarget(deps: Deps, install: InstallRow, current: VersionRow, req: ActionRequest): Promise<ActionTarget> {
  const previous = install.currentDeploymentId ? { deployment_id: install.currentDeploymentId, ...versionPayload(current) } : undefined;
  if (req.action === 'update') {
    const target = await findVersion(deps, install.appId, req.version);
    const refusal = updateRefusal(install, target, current.version);
    if (refusal) throw conflict(`this app is ${refusal}`);
    assertInstallable(target, install.policyExceptionsJson);
    return { target, rollbackOf: null, previous };
  }
  if (req.action === 'rollback') {
    const to = await rollbackTarget(deps, install, req.deployment);
    const restoreSnapshot = req.with_data ? await dataAsOf(deps, to, req.confirm === true) : undefined;
    const [target] = await deps.db.select().from(appVersions).where(eq(appVersions.id, to.versionId));
    return { target, rollbackOf: to.id, previous, restoreSnapshot };
  }
  return { target: current, rollbackOf: null };
}

/** The snapshot a rollback "with its data as of then" restores; the owner must have confirmed the loss of later data. */
async function dataAsOf(deps: Deps, to: DeploymentRow, confirmed: boolean): Promise<{ id: string }> {
  const snap = await snapshotAsOf(deps, to);
  if (!snap) throw conflict('there is no snapshot of the data as of that deployment (none was taken before the deployment that followed it)');
  if (!confirmed)
    throw badRequest(`confirm the rollback with data: ${dataLossWarning(snap.takenAt)}`, { warning: dataLossWarning(snap.takenAt), snapshot: snap.snapshotId });
  return { id: snap.snapshotId };
}

/** The deployment a rollback returns to: the one named, or the last good one before the current. */
async function rollbackTarget(deps: Deps, install: InstallRow, deploymentId?: string): Promise<DeploymentRow> {
  const good = await deps.db
    .select()
    .from(deployments)
    .where(and(eq(deployments.installId, install.id), eq(deployments.status, 'succeeded'), inArray(deployments.action, VERSION_CHANGING_KINDS)))
    .orderBy(desc(deployments.createdAt), desc(deployments.id));
  if (deploymentId) {
    const named = good.find((d) => d.id === deploymentId);
    if (!named) throw badRequest('deployment is not a successful deployment of this install');
    return named;
  }
  const currentVersion = good.find((d) => d.id === install.currentDeploymentId)?.versionId ?? install.versionId;
  const earlier = good.find((d) => d.id !== install.currentDeploymentId && d.versionId !== currentVersion);
  if (!earlier) throw conflict('there is no earlier deployment to roll back to');
  return earlier;
}

export async function listDeployments(deps: Deps, installId: string) {
  return deps.db
    .select({ deployment: deployments, version: appVersions.version, taskId: tasks.id, createdByEmail: users.email })
    .from(deployments)
    .innerJoin(appVersions, eq(appVersions.id, deployments.versionId))
    .leftJoin(tasks, eq(tasks.deploymentId, deployments.id))
    .leftJoin(users, eq(users.id, deployments.createdBy))
    .where(eq(deployments.installId, installId))
    .orderBy(desc(deployments.createdAt), desc(deployments.id));
}

/** Every live install the user may see, across their HDAs. */
export async function installsOfUser(deps: Deps, user: Actor) {
  const live = ne(installs.state, 'removed');
  return deps.db
    .select({ install: installs, app: { slug: apps.slug, name: apps.name }, version: appVersions.version, hda: { id: hdas.id, name: hdas.name } })
    .from(installs)
    .innerJoin(hdas, eq(hdas.id, installs.hdaId))
    .innerJoin(apps, eq(apps.id, installs.appId))
    .innerJoin(appVersions, eq(appVersions.id, installs.versionId))
    .where(user.role === 'admin' ? live : and(live, eq(hdas.ownerId, user.id)))
    .orderBy(hdas.name, installs.identifier);
}

export async function installsOfHda(deps: Deps, hdaId: string) {
  return deps.db
    .select({ install: installs, app: { slug: apps.slug, name: apps.name }, version: appVersions.version })
    .from(installs)
    .innerJoin(apps, eq(apps.id, installs.appId))
    .innerJoin(appVersions, eq(appVersions.id, installs.versionId))
    .where(and(eq(installs.hdaId, hdaId), ne(installs.state, 'removed')))
    .orderBy(installs.identifier);
}
