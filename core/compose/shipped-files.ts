/**
 * Every file Compose reads from the app folder is part of the version: each env_file and the file of a
 * top-level config or secret must be among the files the install script writes (a build's Dockerfile is
 * checked in publish.ts), or the HDA would read whatever a container left there. Env files are read as Compose reads
 * them, so a line that is not NAME=value, or that pulls in a variable with `$`, is refused.
 */
import { resolveHostPath, VIRTUAL_APP_DIR } from '../catalog/mounts';
import { isWithin } from '../catalog/paths';
import type { Finding } from '../catalog/types';
import { locate } from './issues';
import type { ComposeModel } from './model';

type Files = Readonly<Record<string, string>>;

/** The app-relative path a compose path names, or null when it is outside the app folder (the policy's case). */
function appRelative(path: string, base = VIRTUAL_APP_DIR): string | null {
  const abs = resolveHostPath(path, base);
  return abs && isWithin(abs, VIRTUAL_APP_DIR) && abs !== VIRTUAL_APP_DIR ? abs.slice(VIRTUAL_APP_DIR.length + 1) : null;
}

const ENV_LINE = /^(export\s+)?[A-Za-z_][A-Za-z0-9_.-]*(=.*)?$/;

/** The first line of an env file Compose would read otherwise than as a plain NAME=value. */
function envFileProblem(text: string): { line: number; text: string; why: string } | null {
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (!ENV_LINE.test(trimmed)) return { line: i + 1, text: line, why: 'is not NAME=value' };
    if (trimmed.replace(/\$\$/g, '').includes('$'))
      return { line: i + 1, text: line, why: 'uses $-interpolation, which would read the environment Compose runs in; write $$ for a literal $' };
  }
  return null;
}

function envFilePaths(envFile: ComposeModel['spec']['services'][string]['env_file']): string[] {
  if (envFile === undefined) return [];
  return (typeof envFile === 'string' ? [envFile] : envFile).map((e) => (typeof e === 'string' ? e : e.path));
}

export function checkShippedFiles(model: ComposeModel, files: Files): Finding[] {
  const out: Finding[] = [];
  const at = (path: Array<string | number>) => locate(model.doc, path);
  const need = (path: string, what: string, where: Array<string | number>, service?: string): string | null => {
    const rel = appRelative(path);
    if (rel === null || Object.hasOwn(files, rel)) return rel;
    out.push({
      severity: 'error',
      rule: 'unshipped-file',
      ...(service ? { service } : {}),
      message: `${what} "${path}" is not a file the version ships (the script writes no "${rel}")`,
      ...at(where),
    });
    return null;
  };
  for (const [name, svc] of Object.entries(model.spec.services)) {
    for (const [i, path] of envFilePaths(svc.env_file).entries()) {
      const rel = need(path, `service "${name}": env_file`, ['services', name, 'env_file', i], name);
      const problem = rel && Object.hasOwn(files, rel) ? envFileProblem(files[rel]) : null;
      if (problem)
        out.push({
          severity: 'error',
          rule: 'env-file-syntax',
          service: name,
          message: `service "${name}": ${rel} line ${problem.line} (${problem.text.trim().slice(0, 80)}) ${problem.why}`,
          ...at(['services', name, 'env_file', i]),
        });
    }
  }
  for (const kind of ['configs', 'secrets'] as const) {
    for (const [name, def] of Object.entries(model.spec[kind] ?? {})) {
      if (def && typeof def.file === 'string') need(def.file, `${kind.slice(0, -1)} "${name}": file`, [kind, name, 'file']);
    }
  }
  return out;
}
