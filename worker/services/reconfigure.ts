/**
 * New resource limits or a new host port for an install: checked against the HDA's facts and the
 * other installs, then one `reconfigure` task (the same version, no pull, no blue/green switch) with
 * a `limits` or `port` deployment. The install keeps the settings that run until the agent reports
 * the new ones applied (reports.ts records them then).
 */
import { eq } from 'drizzle-orm';
import type { InstallOverrides, PayloadOf, ResourceLimits } from '../../core/protocol';
import { appVersions, deployments, installs } from '../../db/schema';
import type { Deps, Actor } from '../context';
import { isUniqueViolation } from '../db';
import { badRequest, conflict } from '../errors';
import { auditStatement, byUser } from './audit';
import type { HdaRow } from './hdas';
import { assertPortNotHeld, portHints } from './host-ports';
import { installInfo, ownedInstall, performAction, type DeploymentRow, type InstallRow } from './installs';
import { enqueue, openTaskKinds } from './queue';

/** A field absent keeps its value, `null` clears it. */
export type LimitsChange = { [K in keyof ResourceLimits]?: ResourceLimits[K] | null };

const MB = 1024 * 1024;

export function mergeLimits(current: ResourceLimits, change: LimitsChange): ResourceLimits {
  const next: ResourceLimits = { ...current };
  for (const key of ['cpus', 'memory_mb'] as const) {
    const v = change[key];
    if (v === null) delete next[key];
    else if (v !== undefined) next[key] = v;
  }
  return next;
}

/** Refuses limits the HDA cannot give (from its last heartbeat's facts), naming the figure. */
export function assertWithinHost(limits: ResourceLimits, hda: HdaRow): void {
  const facts = hda.factsJson ?? {};
  if (limits.cpus !== undefined && facts.cpus && limits.cpus > facts.cpus) {
    throw badRequest(
      `${hda.name} has ${facts.cpus} CPU${facts.cpus === 1 ? '' : 's'}; a limit of ${limits.cpus} CPUs cannot be given. Choose ${facts.cpus} or fewer.`,
      { field: 'cpus', max: facts.cpus },
    );
  }
  if (limits.memory_mb !== undefined && facts.memory_bytes && limits.memory_mb * MB > facts.memory_bytes) {
    const max = Math.floor(facts.memory_bytes / MB);
    throw badRequest(`${hda.name} has ${max} MB of memory; a limit of ${limits.memory_mb} MB cannot be given. Choose ${max} MB or less.`, {
      field: 'memory_mb',
      max,
    });
  }
}

async function reconfigurable(deps: Deps, user: Actor, installId: string) {
  const owned = await ownedInstall(deps, user, installId);
  if (owned.install.state === 'removed' || owned.install.state === 'uninstalling') throw conflict(`this install is ${owned.install.state}`);
  // A queued task carries the settings and version of when it was queued: a change now would undo it, or it this.
  const open = await openTaskKinds(deps, installId);
  if (open.length) throw conflict(`this app still has a task to do (${open.join(', ')}); change its settings when it has finished`);
  return owned;
}

export async function setLimits(deps: Deps, user: Actor, installId: string, change: LimitsChange) {
  const { install, hda } = await reconfigurable(deps, user, installId);
  const limits = mergeLimits(install.limitsJson, change);
  assertWithinHost(limits, hda);
  return queueReconfigure(deps, user, { install, hda }, 'limits', { ...install, limitsJson: limits }, { limits });
}

export async function setPort(deps: Deps, user: Actor, installId: string, port: number) {
  const { install, hda } = await reconfigurable(deps, user, installId);
  const neverRan = install.state === 'failed' && !install.currentDeploymentId;
  if (port === install.hostPort && !neverRan) throw conflict(`${install.identifier} already uses port ${port}`);
  await assertPortNotHeld(deps, hda.id, port, install.id);
  const overrides = { ...install.overridesJson, port_fixed: true };
  if (neverRan) return retryOnPort(deps, user, install, port, overrides);
  return queueReconfigure(deps, user, { install, hda }, 'port', { ...install, hostPort: port, overridesJson: overrides }, { host_port: port });
}

/** A first install that failed (e.g. its port was taken) has nothing running: it takes the port and is tried again. */
async function retryOnPort(deps: Deps, user: Actor, install: InstallRow, port: number, overridesJson: InstallOverrides) {
  try {
    await deps.db.update(installs).set({ hostPort: port, overridesJson, updatedAt: deps.stamp() }).where(eq(installs.id, install.id));
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`port ${port} was just given to another install on this HDA; choose another port`);
    throw err;
  }
  return performAction(deps, user, install.id, { action: 'retry' });
}

async function queueReconfigure(
  deps: Deps,
  user: Actor,
  owned: { install: InstallRow; hda: HdaRow },
  change: 'limits' | 'port',
  next: InstallRow,
  detail: Record<string, unknown>,
) {
  const { install, hda } = owned;
  const [current] = await deps.db.select().from(appVersions).where(eq(appVersions.id, install.versionId));
  const now = deps.stamp();
  const deployment: DeploymentRow = {
    id: crypto.randomUUID(),
    installId: install.id,
    versionId: install.versionId,
    action: change,
    status: 'pending',
    renderedCompose: null,
    imagesJson: null,
    rollbackOf: null,
    detail: null,
    createdBy: user.id,
    createdAt: now,
    finishedAt: null,
  };
  const payload: PayloadOf<'reconfigure'> = {
    install: installInfo(next, hda),
    version: current.contentJson,
    signature: current.signature,
    key_id: current.keyId,
    ports: await portHints(deps, hda.id, install.id),
    reconfigure: { change },
  };
  const taskId = crypto.randomUUID();
  await enqueue(deps, { id: taskId, hdaId: hda.id, installId: install.id, deploymentId: deployment.id, kind: 'reconfigure', payload }, now, [
    deps.db.insert(deployments).values(deployment),
    deps.db.update(installs).set({ state: 'updating', desiredState: 'running', updatedAt: now }).where(eq(installs.id, install.id)),
    auditStatement(deps.db, now, { ...byUser(user), action: `install.${change}`, targetKind: 'install', targetId: install.id, detail }),
  ]);
  return { deployment, taskId };
}
