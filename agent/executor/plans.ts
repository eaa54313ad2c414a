/** Which steps each kind of task runs, in order. */
import type { TaskKind } from '../../core/protocol';
import { cleanupStep } from './cleanup';
import { downStep } from './down';
import { healthStep } from './health';
import { restartStep, stopStep } from './lifecycle';
import { policyStep } from './policy';
import { prepareStep } from './prepare';
import { probeStep } from './probe';
import { pullStep } from './pull';
import { reloadAfterRemoveStep, reloadStep } from './reload';
import { renderStep } from './render';
import type { Step } from './types';
import { upStep } from './up';
import { verifyStep } from './verify';
import { vhostRemoveStep, vhostStep } from './vhost';

export const INSTALL_PLAN: Step[] = [verifyStep, renderStep, policyStep, prepareStep, pullStep, upStep, healthStep, vhostStep, reloadStep, probeStep];

// Kinds without a plan here (logs, prune) fail with a clear reason until the agent supports them.
export const PLANS: Record<Exclude<TaskKind, 'logs' | 'prune'>, Step[]> = {
  install: INSTALL_PLAN,
  update: INSTALL_PLAN,
  rollback: INSTALL_PLAN,
  uninstall: [vhostRemoveStep, reloadAfterRemoveStep, downStep, cleanupStep],
  start: [upStep, healthStep, probeStep],
  stop: [stopStep],
  restart: [restartStep, healthStep, probeStep],
};

/** Steps after which a failed update is rolled back to the previous deployment. */
export const ROLLBACK_AFTER = new Set(['prepare', 'pull', 'up', 'health', 'vhost', 'reload', 'probe']);
