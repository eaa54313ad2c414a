/**
 * The publish pipeline: install script -> heredoc files and steps -> compose in the Compose
 * Specification form -> safety policy -> a trial render with sample values. Never throws for bad
 * input: every problem becomes a finding, and the status says what the API does with the version.
 *
 *   rejected      cannot be installed at all (empty, unreadable, no compose, a path outside the app)
 *   needs_review  unsupported script steps, or policy refusals an owner exception could allow
 *   ready         installable as is (warnings and info findings may remain)
 */
import type { AppVersionContent } from '../protocol';
import { normalizeCompose, parseCompose, type ComposeDoc } from './compose';
import { CatalogError } from './errors';
import { resolveHostPath, VIRTUAL_APP_DIR } from './mounts';
import { isWithin, normalizePosix } from './paths';
import { SAMPLE_INSTALL_VARS } from './placeholders';
import { checkPolicy, POLICY_RULES } from './policy';
import { renderCompose } from './render';
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
}

const POLICY = new Set<string>(POLICY_RULES);

export function statusOf(findings: Finding[]): VersionStatus {
  if (findings.some((f) => f.severity === 'error' && !POLICY.has(f.rule))) return 'rejected';
  if (findings.some((f) => f.severity === 'error' || f.severity === 'review')) return 'needs_review';
  return 'ready';
}

export function normalizeVersion(input: NormalizeInput): NormalizeResult {
  const content: AppVersionContent = { app: input.app, version: input.version, kind: input.kind, compose: '', files: {}, steps: [] };
  const findings: Finding[] = [];
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
        if (!parsed.composeUp) findings.push({ severity: 'info', rule: 'no-compose-up', message: 'the script never runs `docker-compose up -d`; the agent starts the app anyway' });
      } else if (composeText) {
        findings.push({ severity: 'info', rule: 'compose-from-catalog', message: 'the script writes no docker-compose.yml; using the catalog compose field' });
      }
    }
    if (!composeText) {
      const empty = !present(input.install_script) && !present(input.compose);
      findings.push({
        severity: 'error',
        rule: empty ? 'empty' : 'no-compose',
        message: empty ? 'the catalog entry has neither an install script nor a compose file' : 'no compose file: the script writes no docker-compose.yml and the catalog gives none',
      });
    } else {
      const normalized = normalizeCompose(composeText);
      content.compose = normalized.compose;
      findings.push(...shift(normalized.findings, offset));
      findings.push(...shift(checkPolicy(normalized.doc, { phase: 'publish', exceptions: input.exceptions, shareRoots: input.shareRoots }), offset));
      findings.push(...buildFiles(normalized.doc, content.files, offset));
      findings.push(...trialRender(content.compose, findings, input));
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
    if (!POLICY.has(ex)) findings.push({ severity: 'warning', rule: 'unknown-exception', message: `exception "${ex}" names no policy rule` });
  }
  return { status: statusOf(findings), content, findings };
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

/** A service built from the app folder needs its Dockerfile among the files the script writes. */
function buildFiles(doc: ComposeDoc, files: Record<string, string>, offset: number): Finding[] {
  const out: Finding[] = [];
  for (const [name, svc] of Object.entries(doc.value.services)) {
    const b = svc.build;
    if (b === undefined || b === null) continue;
    const spec = typeof b === 'string' ? { context: b } : (b as Record<string, unknown>);
    if (typeof spec.dockerfile_inline === 'string') continue;
    const context = resolveHostPath(typeof spec.context === 'string' ? spec.context : '.', VIRTUAL_APP_DIR);
    if (!context || !isWithin(context, VIRTUAL_APP_DIR)) continue; // refused by the policy already
    const dockerfile = normalizePosix(`${context}/${typeof spec.dockerfile === 'string' ? spec.dockerfile : 'Dockerfile'}`);
    const rel = dockerfile.slice(VIRTUAL_APP_DIR.length + 1);
    if (!(rel in files)) {
      const line = doc.lineOf(['services', name, 'build']);
      out.push({
        severity: 'error',
        rule: 'build-no-dockerfile',
        service: name,
        message: `service "${name}" builds from the app folder but the script writes no "${rel}"`,
        ...(line ? { line: line + offset, text: doc.lineText(line) } : {}),
      });
    }
  }
  return out;
}

/** Renders with sample values and checks again, so a placeholder in a bad place is caught now. */
function trialRender(compose: string, before: Finding[], input: NormalizeInput): Finding[] {
  const known = new Set(before.map((f) => `${f.rule}/${f.service ?? ''}`));
  let rendered: string;
  try {
    rendered = renderCompose(compose, SAMPLE_INSTALL_VARS);
    const doc = parseCompose(rendered);
    const host = checkPolicy(doc, {
      phase: 'host',
      appDir: SAMPLE_INSTALL_VARS.WEBAPP_PATH,
      hostPort: SAMPLE_INSTALL_VARS.HOST_PORT,
      exceptions: input.exceptions,
      shareRoots: input.shareRoots,
    });
    return host
      .filter((f) => (f.severity === 'error' || f.severity === 'review') && !known.has(`${f.rule}/${f.service ?? ''}`))
      .map(({ line: _l, text: _t, ...f }) => ({ ...f, message: `after substituting sample placeholder values: ${f.message}` }));
  } catch (e) {
    if (!(e instanceof CatalogError)) throw e;
    return [{ severity: 'error', rule: 'placeholder-position', message: `the compose file does not survive placeholder substitution: ${e.message}` }];
  }
}
