/**
 * Step render: fill HOST_PORT, APP_IDENTIFIER, APP_HOSTNAME, WEBAPP_PATH and HDA_DOMAIN into the
 * version's compose (as YAML values, by the catalog code) and into the files it writes beside it,
 * label every service as the agent's, write in the owner's limits and extra environment, make every
 * host path absolute and write the file in the dialect of this HDA's Compose (v1 or v2). Per-install
 * secrets are rendered twice: the public copy keeps APP_SECRET_<NAME> (what the control plane sees),
 * the copy written to disk has the values. An update of an app that allows it becomes a blue/green
 * switch here (switch.ts): rendered for the other slot's port, written to that slot's own file.
 */
import { dirname, join } from 'node:path';
import { renderFile, renderValue } from '../../core/catalog/render';
import { appRelativePath } from '../../core/catalog/paths';
import { parseYamlBounded, stringifyCompose } from '../../core/catalog/yaml-io';
import { toDialect, type ComposeDialect } from '../../core/compose/dialect';
import { webPortOnLoopback } from '../../core/compose/web-port';
import type { ComposeSpec } from '../../core/catalog/compose';
import type { InstallVars } from '../../core/protocol';
import { anchorPaths } from './anchor';
import { addAgentLabels, summarizeCompose } from './labels';
import { applyOverrides } from './overrides';
import { NEXT_COMPOSE_FILE } from './paths';
import { ensureSecrets } from './secrets';
import { defineStep, type StepBase } from './steps';
import { planSwitch } from './switch';
import { StepFailure, type ComposeValue, type Target } from './types';

interface RenderOut {
  /** APP_SECRET_ placeholders kept: reported and checked. */
  pub: ComposeValue;
  /** Secret values filled in: written to disk only. */
  real: ComposeValue;
  files: Record<string, string>;
  notes: string[];
}

/** The version's compose read once, its web port on the loopback only: the LAN reaches the app through Apache, never around it. */
function sourceOf(ctx: StepBase): unknown {
  return webPortOnLoopback(parseYamlBounded(ctx.work.version!.compose).value);
}

/** Fills, labels, overrides and anchors a fresh copy of the source (renderValue copies), then writes it in the dialect. */
function composeFor(ctx: StepBase, source: unknown, vars: InstallVars, dialect: ComposeDialect, secrets: Record<string, string>) {
  const inst = ctx.task.payload.install;
  const filled = renderValue(source, vars, secrets) as ComposeValue;
  const doc = anchorPaths(applyOverrides(addAgentLabels(filled, inst.identifier, inst.id), inst.limits, inst.env), ctx.work.appDir);
  const out = toDialect(doc as ComposeSpec, dialect);
  if (!out.ok) throw new StepFailure(`Compose ${dialect} on this HDA cannot run this version: ${out.reasons.join('; ')}`, { dialect, reasons: out.reasons });
  return { spec: out.spec as ComposeValue, notes: out.notes };
}

function renderFor(ctx: StepBase, source: unknown, port: number, dialect: ComposeDialect): RenderOut {
  const { task, work } = ctx;
  const inst = task.payload.install;
  const vars: InstallVars = {
    HOST_PORT: port,
    APP_IDENTIFIER: inst.identifier,
    APP_HOSTNAME: inst.hostname,
    HDA_DOMAIN: inst.domain,
    WEBAPP_PATH: work.appDir,
  };
  try {
    const pub = composeFor(ctx, source, vars, dialect, {});
    const real = composeFor(ctx, source, vars, dialect, work.secrets);
    const files: Record<string, string> = {};
    for (const [path, text] of Object.entries(work.version!.files ?? {})) {
      const rel = appRelativePath(path);
      if ('error' in rel) throw new StepFailure(`file ${rel.error}`);
      if (rel.path === 'docker-compose.yml' || rel.path === 'docker-compose.yaml') continue;
      files[rel.path] = renderFile(text, vars, work.secrets);
    }
    return { pub: pub.spec, real: real.spec, files, notes: pub.notes };
  } catch (e) {
    throw asStepFailure(e);
  }
}

/** A catalog error (a bad placeholder, an override, YAML) as the step's failure, keeping its rule. */
function asStepFailure(e: unknown): StepFailure {
  if (e instanceof StepFailure) return e;
  const rule = (e as { rule?: string }).rule;
  return new StepFailure((e as Error).message, rule ? { rule } : undefined);
}

/** The dialect of this HDA's Compose: what the file is written for. */
async function dialectOf(ctx: StepBase): Promise<ComposeDialect> {
  try {
    return (await ctx.deps.compose.detect()).flavor;
  } catch (e) {
    throw new StepFailure((e as Error).message);
  }
}

/** Switches to the other slot when the app allows it (update/rollback); returns the render for it and where it runs. */
async function maybeSwitch(ctx: StepBase, target: Target, source: unknown, dialect: ComposeDialect): Promise<{ out: RenderOut; target: Target }> {
  const { task, work, report, deps } = ctx;
  const out = renderFor(ctx, source, target.hostPort, dialect);
  if ((task.kind !== 'update' && task.kind !== 'rollback') || work.noSwitch) return { out, target };
  let plan: Awaited<ReturnType<typeof planSwitch>>;
  try {
    plan = await planSwitch(ctx, target, out.pub);
  } catch (e) {
    deps.docker.reset(e);
    plan = { switch: false as const, asked: true, reason: (e as Error).message };
  }
  if (!plan.switch) {
    if (plan.asked) report.warn(`the app allows a zero-downtime switch, but ${plan.reason}; updating in place`);
    return { out, target };
  }
  const switchFrom = { slot: target.slot, project: target.project, port: target.hostPort, composeFile: target.composeFile };
  const next: Target = {
    ...target,
    slot: plan.to,
    project: plan.project,
    hostPort: plan.port,
    composeFile: join(dirname(target.composeFile), NEXT_COMPOSE_FILE),
    switchFrom,
  };
  report.ok(`zero-downtime switch: the new version starts as ${plan.project} on host port ${plan.port} while ${switchFrom.project} keeps serving`, {
    from: switchFrom.project,
    to: plan.project,
    port: plan.port,
  });
  return { out: renderFor(ctx, source, plan.port, dialect), target: next };
}

export const renderStep = defineStep({
  name: 'render',
  title: 'Filling in the install values',
  needs: [],
  gives: ['rendered', 'target'],
  async run(ctx) {
    const { task, work, report, input } = ctx;
    const version = work.version;
    if (!version) throw new StepFailure('the task carries no app version');
    if (typeof version.compose !== 'string' || !version.compose.trim()) throw new StepFailure(`version ${version.version} has no compose file`);
    const inst = task.payload.install;
    const dialect = await dialectOf(ctx);
    const generated = ensureSecrets(ctx);
    let source: unknown;
    try {
      source = sourceOf(ctx);
    } catch (e) {
      throw asStepFailure(e);
    }
    const { out, target } = await maybeSwitch(ctx, input.target, source, dialect);
    for (const note of out.notes) report.ok(`Compose ${dialect}: ${note}`, { dialect });
    // Only a render that can run is worth keeping secrets for; nothing else on the host changed yet.
    generated.save();
    const summary = summarizeCompose(out.pub);
    const limits = inst.limits && Object.keys(inst.limits).length ? { limits: inst.limits } : {};
    const secrets = generated.names.length ? { secrets: Object.keys(work.secrets) } : {};
    report.ok(`services: ${summary.services.join(', ')}`, {
      services: summary.services,
      images: summary.images,
      builds: summary.builds,
      dialect,
      ...limits,
      ...secrets,
      ...(inst.env ? { env: Object.keys(inst.env) } : {}),
    });
    return {
      summary: `rendered for ${inst.hostname} on host port ${target.hostPort} (Compose ${dialect})`,
      made: { rendered: { text: stringifyCompose(out.pub), real: out.real, files: out.files, images: summary.images }, target },
    };
  },
});
