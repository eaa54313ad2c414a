/**
 * A compose file at publish: read into the model, checked by the policy, container names replaced by
 * aliases, per-install secrets listed, a trial render with sample values checked again as on a host,
 * and the verdict of each Compose dialect. What it returns as `compose` is what is stored.
 */
import { resolveHostPath, VIRTUAL_APP_DIR } from '../catalog/mounts';
import { isWithin, normalizePosix } from '../catalog/paths';
import { SAMPLE_INSTALL_VARS } from '../catalog/placeholders';
import { renderValue } from '../catalog/render';
import { MAX_SECRETS, sampleSecrets, secretNames } from '../catalog/secrets';
import { CatalogError } from '../catalog/errors';
import type { ComposeSpec } from '../catalog/compose';
import type { Finding } from '../catalog/types';
import { MAX_YAML_BYTES, stringifyCompose } from '../catalog/yaml-io';
import { replaceContainerNames } from './container-names';
import { COMPOSE_DIALECTS, toDialect, type ComposeDialect } from './dialect';
import { locate } from './issues';
import { modelOfValue, readCompose, type ComposeModel } from './model';
import { checkModel } from './policy';
import { checkShippedFiles } from './shipped-files';

export type DialectVerdicts = Record<ComposeDialect, { ok: boolean; reasons?: string[] }>;

export interface PublishedCompose {
  /** The normalized compose to store; empty when the file cannot be used at all. */
  compose: string;
  findings: Finding[];
  /** Per-install secret names (DB for APP_SECRET_DB) the agent generates. */
  secrets: string[];
  dialects?: DialectVerdicts;
}

export interface PublishOptions {
  files: Readonly<Record<string, string>>;
  exceptions?: string[];
  shareRoots?: string[];
}

export function publishCompose(text: string, o: PublishOptions): PublishedCompose {
  const read = readCompose(text, o.files);
  if (!read.ok) return { compose: '', findings: [...read.notes, ...read.findings], secrets: [] };
  const { model } = read;
  const findings = [
    ...read.notes,
    ...checkModel(model, { phase: 'publish', exceptions: o.exceptions, shareRoots: o.shareRoots }),
    ...buildFiles(model, o.files),
    ...checkShippedFiles(model, o.files),
  ];
  const named = replaceContainerNames(model.spec);
  for (const n of named.notes)
    findings.push({
      severity: n.severity,
      rule: 'fixed-container-name',
      service: n.service,
      message: n.message,
      ...locate(model.doc, ['services', n.service, 'container_name']),
    });
  const secrets = secretNames({ compose: named.spec, files: o.files });
  if (secrets.length > MAX_SECRETS)
    findings.push({
      severity: 'error',
      rule: 'too-many-secrets',
      message: `${secrets.length} per-install secrets (APP_SECRET_<NAME>); at most ${MAX_SECRETS}`,
    });
  const compose = stringifyCompose(named.spec);
  // The HDA reads the stored file with the same size limit: a normalized file past it could never install.
  if (compose.length > MAX_YAML_BYTES)
    findings.push({
      severity: 'error',
      rule: 'compose-too-large',
      message: `the normalized compose file is ${compose.length} bytes (quoting adds to the source); the limit is ${MAX_YAML_BYTES}`,
    });
  findings.push(...trialRender(named.spec, findings, o, secrets));
  return { compose, findings, secrets, dialects: dialectVerdicts(named.spec) };
}

function dialectVerdicts(spec: ComposeModel['spec']): DialectVerdicts {
  const out = {} as DialectVerdicts;
  for (const d of COMPOSE_DIALECTS) {
    const r = toDialect(spec as ComposeSpec, d);
    out[d] = r.ok ? { ok: true } : { ok: false, reasons: r.reasons };
  }
  return out;
}

/** A service built from the app folder needs its Dockerfile among the files the script writes. */
function buildFiles(model: ComposeModel, files: Readonly<Record<string, string>>): Finding[] {
  const out: Finding[] = [];
  for (const [name, svc] of Object.entries(model.spec.services)) {
    if (svc.build === undefined) continue;
    const spec = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
    if (typeof spec.dockerfile_inline === 'string') continue;
    const context = resolveHostPath(spec.context ?? '.', VIRTUAL_APP_DIR);
    if (!context || !isWithin(context, VIRTUAL_APP_DIR)) continue; // refused by the policy already
    const rel = normalizePosix(`${context}/${spec.dockerfile ?? 'Dockerfile'}`).slice(VIRTUAL_APP_DIR.length + 1);
    if (!Object.hasOwn(files, rel)) {
      out.push({
        severity: 'error',
        rule: 'build-no-dockerfile',
        service: name,
        message: `service "${name}" builds from the app folder but the script writes no "${rel}"`,
        ...locate(model.doc, ['services', name, 'build']),
      });
    }
  }
  return out;
}

/** Renders with sample values (and sample secrets) and checks again as a host would, so a placeholder in a bad place is caught now. */
function trialRender(spec: ComposeModel['spec'], before: Finding[], o: PublishOptions, secrets: string[]): Finding[] {
  const known = new Set(before.map((f) => `${f.rule}/${f.service ?? ''}`));
  try {
    const read = modelOfValue(renderValue(spec, SAMPLE_INSTALL_VARS, sampleSecrets(secrets)) as Record<string, unknown>);
    const hostOpts = {
      phase: 'host' as const,
      appDir: SAMPLE_INSTALL_VARS.WEBAPP_PATH,
      hostPort: SAMPLE_INSTALL_VARS.HOST_PORT,
      exceptions: o.exceptions,
      shareRoots: o.shareRoots,
    };
    const host = read.ok ? checkModel(read.model, hostOpts) : read.findings;
    return host
      .filter((f) => (f.severity === 'error' || f.severity === 'review') && !known.has(`${f.rule}/${f.service ?? ''}`))
      .map(({ line: _l, text: _t, ...f }) => ({ ...f, message: `after substituting sample placeholder values: ${f.message}` }));
  } catch (e) {
    if (!(e instanceof CatalogError)) throw e;
    return [{ severity: 'error', rule: 'placeholder-position', message: `the compose file does not survive placeholder substitution: ${e.message}` }];
  }
}
