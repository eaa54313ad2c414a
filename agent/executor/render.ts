/**
 * Step render: fill HOST_PORT, APP_IDENTIFIER, APP_HOSTNAME, WEBAPP_PATH and HDA_DOMAIN into the
 * version's compose (as YAML values, by the catalog code) and into the files it writes beside it,
 * then label every service as the agent's.
 */
import { renderCompose, renderFile } from '../../core/catalog/render';
import { appRelativePath } from '../../core/catalog/paths';
import type { InstallVars } from '../../core/protocol';
import { addAgentLabels, summarizeCompose } from './labels';
import { StepFailure, type Step } from './types';

export const renderStep: Step = {
  name: 'render',
  title: 'Filling in the install values',
  async run({ task, work, report }) {
    const version = work.version;
    if (!version) throw new StepFailure('the task carries no app version');
    if (typeof version.compose !== 'string' || !version.compose.trim()) throw new StepFailure(`version ${version.version} has no compose file`);
    const inst = task.payload.install;
    const vars: InstallVars = {
      HOST_PORT: inst.host_port,
      APP_IDENTIFIER: inst.identifier,
      APP_HOSTNAME: inst.hostname,
      HDA_DOMAIN: inst.domain,
      WEBAPP_PATH: work.appDir,
    };
    try {
      const rendered = renderCompose(version.compose, vars);
      work.rendered = addAgentLabels(rendered, inst.identifier, inst.id);
      const files: Record<string, string> = {};
      for (const [path, text] of Object.entries(version.files ?? {})) {
        const rel = appRelativePath(path);
        if ('error' in rel) throw new StepFailure(`file ${rel.error}`);
        if (rel.path === 'docker-compose.yml' || rel.path === 'docker-compose.yaml') continue;
        files[rel.path] = renderFile(text, vars);
      }
      work.renderedFiles = files;
    } catch (e) {
      if (e instanceof StepFailure) throw e;
      const rule = (e as { rule?: string }).rule;
      throw new StepFailure((e as Error).message, rule ? { rule } : undefined);
    }
    work.vars = vars;
    const summary = summarizeCompose(work.rendered);
    work.images = summary.images;
    report.ok(`services: ${summary.services.join(', ')}`, { services: summary.services, images: summary.images, builds: summary.builds });
    return `rendered for ${inst.hostname} on host port ${inst.host_port}`;
  },
};
