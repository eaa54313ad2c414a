/** The 14 real 2017 Amahi container-app catalog entries, shared with the project beside the repo. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CorpusApp {
  name: string;
  install_script: string | null;
  uninstall_script: string | null;
  compose: string | null;
  dockerfile: string | null;
}

export const CORPUS_PATH = process.env.CORPUS_PATH ?? fileURLToPath(new URL('../../../../shared/corpus/amahi-container-apps.json', import.meta.url));

export function loadCorpus(): CorpusApp[] {
  return (JSON.parse(readFileSync(CORPUS_PATH, 'utf8')) as { apps: CorpusApp[] }).apps;
}

export function corpusApp(name: string): CorpusApp {
  const app = loadCorpus().find((a) => a.name === name);
  if (!app) throw new Error(`corpus has no app ${name}`);
  return app;
}

export function publishInput(app: CorpusApp, extra: { exceptions?: string[] } = {}) {
  return {
    app: app.name,
    version: '2017.09',
    kind: 'container-custom',
    install_script: app.install_script,
    compose: app.compose,
    uninstall_script: app.uninstall_script,
    ...extra,
  };
}
