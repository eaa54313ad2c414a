/**
 * Step render: fill HOST_PORT, APP_IDENTIFIER, APP_HOSTNAME, WEBAPP_PATH and HDA_DOMAIN into the
 * version's compose (as YAML values, by the catalog code) and into the files it writes beside it,
 * label every service as the agent's, and write in the owner's limits and extra environment. An
 * update of an app that allows it becomes a blue/green switch here (switch.ts): rendered for the
 * other slot's port, written to that slot's own compose file.
 */
import { join } from 'node:path';
import { renderCompose, renderFile } from '../../core/catalog/render';
import { appRelativePath } from '../../core/catalog/paths';
import type { InstallVars } from '../../core/protocol';
import { addAgentLabels, summarizeCompose } from './labels';
import { applyOverrides } from './overrides';
import { NEXT_COMPOSE_FILE } from './paths';
import { planSwitch } from './switch';
import { StepFailure, type Step, type StepContext } from './types';

function renderFor(ctx: StepContext, port: number): { rendered: string; files: Record<string, string>; vars: InstallVars } {
  const { task, work } = ctx;
  const inst = task.payload.install;
  const version = work.version!;
  const vars: InstallVars = {
    HOST_PORT: port,
    APP_IDENTIFIER: inst.identifier,
    APP_HOSTNAME: inst.hostname,
    HDA_DOMAIN: inst.domain,
    WEBAPP_PATH: work.appDir,
  };
  try {
    const labelled = addAgentLabels(renderCompose(version.compose, vars), inst.identifier, inst.id);
    const rendered = applyOverrides(labelled, inst.limits, inst.env);
    const files: Record<string, string> = {};
    for (const [path, text] of Object.entries(version.files ?? {})) {
      const rel = appRelativePath(path);
      if ('error' in rel) throw new StepFailure(`file ${rel.error}`);
      if (rel.path === 'docker-compose.yml' || rel.path === 'docker-compose.yaml') continue;
      files[rel.path] = renderFile(text, vars);
    }
    return { rendered, files, vars };
  } catch (e) {
    if (e instanceof StepFailure) throw e;
    const rule = (e as { rule?: string }).rule;
    throw new StepFailure((e as Error).message, rule ? { rule } : undefined);
  }
}

export const renderStep: Step = {
  name: 'render',
  title: 'Filling in the install values',
  async run(ctx) {
    const { task, work, report, deps } = ctx;
    const version = work.version;
    if (!version) throw new StepFailure('the task carries no app version');
    if (typeof version.compose !== 'string' || !version.compose.trim()) throw new StepFailure(`version ${version.version} has no compose file`);
    const inst = task.payload.install;
    let out = renderFor(ctx, work.hostPort);
    if ((task.kind === 'update' || task.kind === 'rollback') && !work.noSwitch) {
      let plan;
      try {
        plan = await planSwitch(ctx, out.rendered);
      } catch (e) {
        deps.docker.reset(e);
        plan = { switch: false as const, asked: true, reason: (e as Error).message };
      }
      if (plan.switch) {
        work.switchFrom = { slot: work.slot, project: work.project, port: work.hostPort, composeFile: work.composeFile };
        work.slot = plan.to;
        work.project = plan.project;
        work.hostPort = plan.port;
        work.composeFile = join(work.appDir, NEXT_COMPOSE_FILE);
        out = renderFor(ctx, plan.port);
        report.ok(`zero-downtime switch: the new version starts as ${plan.project} on host port ${plan.port} while ${work.switchFrom.project} keeps serving`, { from: work.switchFrom.project, to: plan.project, port: plan.port });
      } else if (plan.asked) {
        report.warn(`the app allows a zero-downtime switch, but ${plan.reason}; updating in place`);
      }
    }
    work.rendered = out.rendered;
    work.renderedFiles = out.files;
    work.vars = out.vars;
    const summary = summarizeCompose(work.rendered);
    work.images = summary.images;
    const limits = inst.limits && Object.keys(inst.limits).length ? { limits: inst.limits } : {};
    report.ok(`services: ${summary.services.join(', ')}`, { services: summary.services, images: summary.images, builds: summary.builds, ...limits, ...(inst.env ? { env: Object.keys(inst.env) } : {}) });
    return `rendered for ${inst.hostname} on host port ${work.hostPort}`;
  },
};
