/**
 * The publish pipeline: install script -> heredoc files and steps -> the Compose model (one reading,
 * core/compose) -> allow-list policy -> container names to aliases -> a trial render with sample values. Never throws for bad
 * input: every problem becomes a finding, and the status says what the API does with the version.
 *
 *   rejected      cannot be installed at all (empty, unreadable, no compose, a path outside the app,
 *                 a key or value the model does not know, a policy refusal no owner exception lifts)
 *   needs_review  unsupported script steps, or policy refusals an owner exception could allow
 *   ready         installable as is (warnings and info findings may remain)
 */
import type { AppVersionContent } from '../protocol';
import { publishCompose, type DialectVerdicts } from '../compose/publish';
import { CatalogError } from './errors';
import { isWaivable } from './policy';
import { parseInstallScript } from './script';
import type { Finding, VersionStatus } from './types';

export interface NormalizeInput {
  app: string;
  version: string;
  kind: string;
  install_script?: string | null;
  compose?: string | null;
  uninstall_script?: string | null;
  /** Policy rules to treat as allowed (an owner's exceptions, when checking for one install). */
  exceptions?: string[];
  /** Folders any app may bind (the HDA shares). */
  shareRoots?: string[];
}

export interface NormalizeResult {
  status: VersionStatus;
  content: AppVersionContent;
  findings: Finding[];
  /** Whether each Compose dialect can run the normalized compose (absent when there is none). */
  dialects?: DialectVerdicts;
}

/** An error an owner exception could allow needs review; any other error refuses the version. */
export function statusOf(findings: Finding[]): VersionStatus {
  if (findings.some((f) => f.severity === 'error' && !isWaivable(f.rule))) return 'rejected';
  if (findings.some((f) => f.severity === 'error' || f.severity === 'review')) return 'needs_review';
  return 'ready';
}

export function normalizeVersion(input: NormalizeInput): NormalizeResult {
  const content: AppVersionContent = { app: input.app, version: input.version, kind: input.kind, compose: '', files: {}, steps: [] };
  const findings: Finding[] = [];
  let dialects: DialectVerdicts | undefined;
  // Compose line n sits at script line n + offset when the compose came from a heredoc.
  let offset = 0;
  try {
    let composeText = present(input.compose) ? input.compose! : null;
    if (present(input.install_script)) {
      const parsed = parseInstallScript(input.install_script!);
      findings.push(...parsed.findings);
      content.files = parsed.files;
      content.steps = parsed.steps;
      if (parsed.compose) {
        composeText = parsed.compose.text;
        offset = parsed.compose.bodyLine - 1;
        if (!parsed.composeUp)
          findings.push({ severity: 'info', rule: 'no-compose-up', message: 'the script never runs `docker-compose up -d`; the agent starts the app anyway' });
      } else if (composeText) {
        findings.push({ severity: 'info', rule: 'compose-from-catalog', message: 'the script writes no docker-compose.yml; using the catalog compose field' });
      }
    }
    if (!composeText) {
      const empty = !present(input.install_script) && !present(input.compose);
      findings.push({
        severity: 'error',
        rule: empty ? 'empty' : 'no-compose',
        message: empty
          ? 'the catalog entry has neither an install script nor a compose file'
          : 'no compose file: the script writes no docker-compose.yml and the catalog gives none',
      });
    } else {
      const published = publishCompose(composeText, { files: content.files, exceptions: input.exceptions, shareRoots: input.shareRoots });
      content.compose = published.compose;
      if (published.secrets.length) content.secrets = published.secrets;
      dialects = published.dialects;
      findings.push(...shift(published.findings, offset));
    }
  } catch (e) {
    if (!(e instanceof CatalogError)) throw e;
    findings.push(fromError(e, offset));
  }
  try {
    if (present(input.uninstall_script)) {
      const un = parseInstallScript(input.uninstall_script!);
      content.uninstall_steps = un.steps;
      for (const f of un.findings) findings.push({ ...f, message: `uninstall script: ${f.message}` });
      if (Object.keys(un.files).length || un.compose) {
        findings.push({ severity: 'review', rule: 'unsupported-step', message: 'uninstall script: writing files during uninstall is not supported' });
      }
    }
  } catch (e) {
    if (!(e instanceof CatalogError)) throw e;
    findings.push({ ...fromError(e, 0), message: `uninstall script: ${e.message}` });
  }
  for (const ex of input.exceptions ?? []) {
    if (!isWaivable(ex))
      findings.push({ severity: 'warning', rule: 'unknown-exception', message: `exception "${ex}" names no policy rule an owner may waive` });
  }
  return { status: statusOf(findings), content, findings, ...(dialects ? { dialects } : {}) };
}

function present(s: string | null | undefined): boolean {
  return typeof s === 'string' && s.trim() !== '';
}

function shift(list: Finding[], offset: number): Finding[] {
  return offset ? list.map((f) => (f.line ? { ...f, line: f.line + offset } : f)) : list;
}

function fromError(e: CatalogError, offset: number): Finding {
  return { severity: 'error', rule: e.rule, message: e.message, ...(e.line ? { line: e.line + offset, text: e.text } : {}) };
}
