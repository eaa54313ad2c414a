/**
 * Taking back a task no agent has started: the task and its deployment end as cancelled and the
 * install returns to a state that is true. A claimed task is the agent's: it cannot be taken back.
 */
import { and, count, eq, ne } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { deployments, hdas, installs, tasks } from '../../db/schema';
import type { InstallState } from '../../db/schema';
import type { Deps, Actor } from '../context';
import { atomically } from '../db';
import { conflict, notFound } from '../errors';
import { appStatesOf } from '../views';
import { auditStatement, byUser } from './audit';
import { taskFinished } from './queue';

type TaskRow = typeof tasks.$inferSelect;
type HdaRow = typeof hdas.$inferSelect;
type InstallRow = typeof installs.$inferSelect;

export async function ownedTask(deps: Deps, user: Actor, taskId: string): Promise<{ task: TaskRow; hda: HdaRow }> {
  const [row] = await deps.db.select({ task: tasks, hda: hdas }).from(tasks).innerJoin(hdas, eq(hdas.id, tasks.hdaId)).where(eq(tasks.id, taskId)).limit(1);
  if (!row || (user.role !== 'admin' && row.hda.ownerId !== user.id)) throw notFound('task');
  return row;
}

/**
 * Where an install stands once its queued task is taken back: a first install that never ran is
 * gone; otherwise what the agent last reported (running or not), or failed if it never worked.
 */
function stateAfterCancel(install: InstallRow, hda: HdaRow, earlierTries: number): { state: InstallState; desired: InstallRow['desiredState'] } {
  if (!install.currentDeploymentId && install.state === 'installing' && earlierTries === 0) return { state: 'removed', desired: 'removed' };
  const runtime = appStatesOf(hda).get(install.identifier);
  if (runtime?.state === 'running') return { state: 'running', desired: 'running' };
  return install.currentDeploymentId ? { state: 'stopped', desired: 'stopped' } : { state: 'failed', desired: 'running' };
}

export async function cancelTask(deps: Deps, user: Actor, taskId: string): Promise<TaskRow> {
  const { task, hda } = await ownedTask(deps, user, taskId);
  if (task.state === 'claimed') throw conflict("the HDA's agent has already started this task, so it cannot be cancelled; wait for it to finish");
  if (task.state !== 'queued') throw conflict(`this task has already ended (${task.state})`);
  const now = deps.now();
  const detail = `cancelled by ${user.email} before the HDA started it`;
  const statements: BatchItem<'sqlite'>[] = [
    deps.db
      .update(tasks)
      .set({ state: 'cancelled', detail, finishedAt: now, leaseUntil: null })
      .where(and(eq(tasks.id, task.id), eq(tasks.state, 'queued')))
      .returning({ id: tasks.id }),
    auditStatement(deps.db, now, { ...byUser(user), action: 'task.cancel', targetKind: 'task', targetId: task.id, detail: { kind: task.kind } }),
  ];
  if (task.deploymentId)
    statements.push(deps.db.update(deployments).set({ status: 'cancelled', detail, finishedAt: now }).where(eq(deployments.id, task.deploymentId)));
  const [install] = task.installId ? await deps.db.select().from(installs).where(eq(installs.id, task.installId)) : [];
  // logs and prune never moved the install; anything else put it in a "doing" state to undo.
  if (install && task.deploymentId) {
    // A retry of a failed install is taken back to failed, not removed: earlier tries are its history.
    const [{ n }] = await deps.db
      .select({ n: count() })
      .from(deployments)
      .where(and(eq(deployments.installId, install.id), ne(deployments.id, task.deploymentId)));
    const after = stateAfterCancel(install, hda, n);
    statements.push(deps.db.update(installs).set({ state: after.state, desiredState: after.desired, updatedAt: now }).where(eq(installs.id, install.id)));
  }
  const [updated] = (await atomically(deps.db, statements)) as [Array<{ id: string }>];
  // Claimed between the read and the write: the agent has it now.
  if (updated.length === 0) throw conflict("the HDA's agent has just started this task, so it cannot be cancelled; wait for it to finish");
  await taskFinished(deps, task);
  const [fresh] = await deps.db.select().from(tasks).where(eq(tasks.id, task.id));
  return fresh;
}
