/**
 * Which steps each kind of task runs, in order. `plan` refuses, when compiling, a list in which a step
 * needs what no step before it gives (policy before render, prepare without a render).
 */
import { backupConfigStep, backupRunStep } from './backup';
import { cleanupStep } from './cleanup';
import { restoreOffsiteStep } from './restore-offsite';
import { downStep } from './down';
import { healthStep } from './health';
import { imagesStep } from './images';
import { restartStep, stopStep } from './lifecycle';
import { logsStep } from './logs';
import { mountsStep } from './mounts';
import { policyStep } from './policy';
import { portsStep } from './ports';
import { prepareStep } from './prepare';
import { probeStep } from './probe';
import { pruneStep } from './prune';
import { pullStep } from './pull';
import { reloadAfterRemoveStep, reloadStep } from './reload';
import { renderStep } from './render';
import { restoreDataStep } from './restore-data';
import { retireStep } from './retire';
import type { Plans } from './index';
import { snapshotStep } from './snapshot';
import { plan } from './steps';
import type { Step } from './types';
import { upStep } from './up';
import { verifyStep } from './verify';
import { vhostRemoveStep, vhostStep } from './vhost';

export const INSTALL_PLAN: Step[] = plan([
  verifyStep,
  portsStep,
  renderStep,
  policyStep,
  prepareStep,
  pullStep,
  mountsStep,
  upStep,
  healthStep,
  vhostStep,
  reloadStep,
  probeStep,
]);

/**
 * Update and rollback pull, then snapshot the app's data, before they touch anything, so a pull or a
 * snapshot that fails leaves the running version as it was (a rollback "with its data" then puts the
 * data of its snapshot back). A blue/green switch (render decides) adds `retire`, which stops the old slot
 * once Apache serves the new one; `images` then removes images no install needs any more.
 */
export const UPDATE_PLAN: Step[] = plan([
  verifyStep,
  renderStep,
  policyStep,
  pullStep,
  snapshotStep,
  restoreDataStep,
  prepareStep,
  mountsStep,
  upStep,
  healthStep,
  vhostStep,
  reloadStep,
  probeStep,
  retireStep,
  imagesStep,
]);

/**
 * New limits or a new host port for what runs: the same version rendered again and the containers
 * recreated in place (no pull, no blue/green switch); a failure puts back what ran before (restore.ts).
 */
export const RECONFIGURE_PLAN: Step[] = plan([
  verifyStep,
  portsStep,
  renderStep,
  policyStep,
  prepareStep,
  mountsStep,
  upStep,
  healthStep,
  vhostStep,
  reloadStep,
  probeStep,
]);

/** What starts the settings that ran before again after a failed reconfigure. */
export const RESTART_PLAN: Step[] = plan([mountsStep, upStep, healthStep, vhostStep, reloadStep]);

/** A snapshot's data put back on what runs: a snapshot of the data as it is first, then the app started on the restored data. */
export const RESTORE_PLAN: Step[] = plan([snapshotStep, restoreDataStep, mountsStep, upStep, healthStep, probeStep]);

/** An install on a replacement HDA: the app's data comes back from the off-HDA backup before it is prepared and started. */
export const ADOPT_PLAN: Step<'install'>[] = plan([
  verifyStep,
  portsStep,
  renderStep,
  policyStep,
  restoreOffsiteStep,
  prepareStep,
  pullStep,
  mountsStep,
  upStep,
  healthStep,
  vhostStep,
  reloadStep,
  probeStep,
]);

/** Every kind has a plan (`Required`): a new kind does not compile until it has one. */
export const PLANS: Required<Omit<Plans, 'adopt'>> = {
  install: INSTALL_PLAN,
  update: UPDATE_PLAN,
  rollback: UPDATE_PLAN,
  uninstall: [snapshotStep, vhostRemoveStep, reloadAfterRemoveStep, downStep, cleanupStep, imagesStep],
  start: [mountsStep, upStep, healthStep, probeStep],
  stop: [stopStep],
  restart: [restartStep, healthStep, probeStep],
  logs: [logsStep],
  prune: [pruneStep],
  reconfigure: RECONFIGURE_PLAN,
  'backup-config': [backupConfigStep],
  'backup-run': [backupRunStep],
  snapshot: [snapshotStep],
  restore: RESTORE_PLAN,
};

/** What the executor runs: each kind's plan, and the replacement HDA's install. */
export const AGENT_PLANS: Plans = { ...PLANS, adopt: ADOPT_PLAN };
