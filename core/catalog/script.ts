/**
 * Reads a legacy Amahi install (or uninstall) script without executing it. Heredocs become files,
 * `docker-compose up -d` is recognized, and every other command becomes an explicit ScriptStep:
 * supported ones (amahi-download, chmod/mkdir inside the app folder) are carried out by the agent;
 * the rest are reported with their line and exact text so the version needs review. Nothing is
 * silently dropped.
 */
import type { ScriptStep } from '../protocol';
import { commandHeads, logicalLines, simpleWords, type LogicalLine } from './script-lexer';
import { appRelativePath } from './paths';
import type { Finding } from './types';

export const COMPOSE_FILE_NAMES = ['docker-compose.yml', 'docker-compose.yaml', 'compose.yml', 'compose.yaml'];
export const SUPPORTED_STEP_KINDS = ['write-file', 'download', 'chmod', 'mkdir', 'compose-up', 'compose-down'] as const;
export const MAX_SCRIPT_BYTES = 512 * 1024;
/** Files Compose reads on its own from the project folder: they would change the app behind the policy's back. */
const COMPOSE_CONTROL_FILES = /^(docker-compose|compose)\.override\.ya?ml$|^\.env$/;

export function isSupportedStep(step: ScriptStep): boolean {
  return (SUPPORTED_STEP_KINDS as readonly string[]).includes(step.kind);
}

export interface ParsedScript {
  /** The compose file the script writes (the last write wins, as in bash), with its first body line. */
  compose: { path: string; text: string; line: number; bodyLine: number } | null;
  /** Every other file written by a heredoc, by app-relative path. */
  files: Record<string, string>;
  /** Every command in script order (heredoc writes and compose up included). */
  steps: ScriptStep[];
  findings: Finding[];
  composeUp: boolean;
}

const OPENERS: Record<string, string> = { if: 'fi', case: 'esac', for: 'done', while: 'done', until: 'done', select: 'done' };
const CLOSERS = new Set(['fi', 'esac', 'done']);
const UP_FLAGS = new Set(['-d', '--detach', '--build', '--remove-orphans', '--force-recreate', '--no-color']);
const DOWN_VERBS = new Set(['down', 'stop', 'kill', 'rm']);

export function parseInstallScript(script: string): ParsedScript {
  const result: ParsedScript = { compose: null, files: {}, steps: [], findings: [], composeUp: false };
  if (typeof script !== 'string' || script.trim() === '') {
    result.findings.push({ severity: 'error', rule: 'script-empty', message: 'the install script is empty' });
    return result;
  }
  if (script.length > MAX_SCRIPT_BYTES) {
    result.findings.push({ severity: 'error', rule: 'script-too-large', message: `the script is ${script.length} bytes; the limit is ${MAX_SCRIPT_BYTES}` });
    return result;
  }
  const lines = logicalLines(script);
  for (let i = 0; i < lines.length; i++) {
    const ll = lines[i];
    if (ll.command === '' && ll.heredocs.length === 0) continue;
    const head = commandHeads(ll.command)[0];
    if (head && OPENERS[head]) {
      i = takeBlock(lines, i, result);
      continue;
    }
    classify(ll, result);
  }
  return result;
}

/** The uninstall script reads the same way; `docker-compose down` is its supported step. */
export const parseUninstallScript = parseInstallScript;

function textOf(ll: LogicalLine): string {
  return ll.raw.join('\n');
}

function unsupported(result: ParsedScript, ll: LogicalLine, kind: string, why: string, args: Record<string, unknown> = {}) {
  const text = textOf(ll);
  result.steps.push({ kind, line: ll.line, text, args: { ...args, supported: false } });
  result.findings.push({ severity: 'review', rule: 'unsupported-step', message: `line ${ll.line}: ${why}; the agent will not run it`, line: ll.line, text });
}

/** An if/case/for/while block up to its closer: reported as one step, each of its lines as a finding. */
function takeBlock(lines: LogicalLine[], start: number, result: ParsedScript): number {
  let depth = 0;
  let end = start;
  for (let j = start; j < lines.length; j++) {
    for (const h of commandHeads(lines[j].command)) {
      if (OPENERS[h]) depth++;
      else if (CLOSERS.has(h)) depth--;
    }
    end = j;
    if (depth <= 0) break;
  }
  const block = lines.slice(start, end + 1).filter((l) => l.command !== '' || l.heredocs.length);
  const first = lines[start];
  const keyword = commandHeads(first.command)[0];
  const text = lines
    .slice(start, end + 1)
    .map(textOf)
    .join('\n');
  result.steps.push({ kind: 'shell-block', line: first.line, text, args: { keyword, supported: false, end_line: lines[end].endLine } });
  if (depth > 0) {
    result.findings.push({
      severity: 'error',
      rule: 'script-syntax',
      message: `line ${first.line}: "${keyword}" block is never closed; bash would refuse the script`,
      line: first.line,
      text: textOf(first),
    });
  }
  for (const l of block) {
    result.findings.push({
      severity: 'review',
      rule: 'unsupported-step',
      message: `line ${l.line}: part of the "${keyword}" block at line ${first.line}; shell control flow is not run by the agent`,
      line: l.line,
      text: textOf(l),
    });
  }
  return end;
}

function classify(ll: LogicalLine, result: ParsedScript): void {
  const command = trimSeparators(ll.command);
  if (ll.heredocs.length) return heredocStep(ll, command, result);
  const words = simpleWords(command);
  if (!words) {
    const kind = /\bmysql\b/.test(command) ? 'mysql-import' : 'unsupported';
    return unsupported(
      result,
      ll,
      kind,
      kind === 'mysql-import' ? 'imports into the HDA MySQL database' : 'uses shell features (pipes, variables, globs or redirections)',
    );
  }
  const [cmd, ...rest] = words;
  if (cmd === 'amahi-download') return downloadStep(ll, rest, result);
  if (cmd === 'chmod' || cmd === 'mkdir') return pathStep(ll, cmd, rest, result);
  const compose = composeVerb(words);
  if (compose?.verb === 'up' && compose.args.every((a) => UP_FLAGS.has(a))) {
    result.composeUp = true;
    result.steps.push({ kind: 'compose-up', line: ll.line, text: textOf(ll), args: { flags: compose.args } });
    return;
  }
  if (compose && DOWN_VERBS.has(compose.verb) && compose.args.every((a) => a.startsWith('-'))) {
    result.steps.push({ kind: 'compose-down', line: ll.line, text: textOf(ll), args: { verb: compose.verb, flags: compose.args } });
    return;
  }
  const why =
    cmd === 'rm' || cmd === 'mv' || cmd === 'cp' || cmd === 'ln'
      ? `"${cmd}" changes files in ways the agent does not replay`
      : `"${cmd}" is not a supported step`;
  unsupported(result, ll, ['rm', 'mv', 'cp', 'ln'].includes(cmd) ? cmd : 'unsupported', why, { command: cmd });
}

/** The command without trailing whitespace and `;`, in one backward pass (a regex would be quadratic on long runs). */
export function trimSeparators(command: string): string {
  let end = command.length;
  while (end > 0 && (command[end - 1] === ';' || /\s/.test(command[end - 1]))) end--;
  return command.slice(0, end);
}

function composeVerb(words: string[]): { verb: string; args: string[] } | null {
  if (words[0] === 'docker-compose' && words[1]) return { verb: words[1], args: words.slice(2) };
  if (words[0] === 'docker' && words[1] === 'compose' && words[2]) return { verb: words[2], args: words.slice(3) };
  return null;
}

function heredocStep(ll: LogicalLine, command: string, result: ParsedScript): void {
  const h = ll.heredocs[0];
  if (!heredocClosed(ll, result)) return;
  // `cat > FILE << 'EOF'` or `cat << 'EOF' > FILE`, nothing else on the line.
  const withoutHeredoc = command.replace(/<<-?[ \t]*('[^']*'|"[^"]*"|\\?[A-Za-z0-9_.-]+)/, ' ').trim();
  const m = /^cat\s*(>>?)\s*("[^"]*"|'[^']*'|\S+)$/.exec(withoutHeredoc);
  if (!m || ll.heredocs.length > 1) {
    return unsupported(result, ll, /\bmysql\b/.test(command) ? 'mysql-import' : 'unsupported', 'feeds a here-document to a command other than `cat > FILE`', {
      body_line: h.bodyLine,
      end_line: h.endLine,
    });
  }
  const append = m[1] === '>>';
  const rel = appRelativePath(m[2].replace(/^(['"])(.*)\1$/, '$2'));
  if ('error' in rel) {
    result.findings.push({ severity: 'error', rule: 'file-path', message: `line ${ll.line}: ${rel.error}`, line: ll.line, text: textOf(ll) });
    return;
  }
  if (!h.quoted && /[$`\\]/.test(h.body)) {
    const idx = h.body.split('\n').findIndex((l) => /[$`\\]/.test(l));
    result.findings.push({
      severity: 'review',
      rule: 'heredoc-expansion',
      message: `line ${h.bodyLine + idx}: unquoted delimiter "${h.delimiter}" and the body uses $, \` or \\; bash would expand them, the agent writes the text as is`,
      line: h.bodyLine + idx,
      text: h.body.split('\n')[idx],
    });
  }
  if (COMPOSE_CONTROL_FILES.test(rel.path)) {
    result.findings.push({
      severity: 'error',
      rule: 'file-path',
      message: `line ${ll.line}: "${rel.path}" is read by Compose itself (overrides or variables) and would bypass the checked compose file`,
      line: ll.line,
      text: textOf(ll),
    });
    return;
  }
  writeHeredoc(ll, rel.path, append, result);
}

/** False (with the finding) when the here-document never ends; warns when bash would not end it where we do. */
function heredocClosed(ll: LogicalLine, result: ParsedScript): boolean {
  const h = ll.heredocs[0];
  if (h.endLine === null) {
    result.findings.push({
      severity: 'error',
      rule: 'heredoc-unterminated',
      message: `line ${ll.line}: the here-document is never closed by a line "${h.delimiter}"`,
      line: ll.line,
      text: textOf(ll),
    });
    return false;
  }
  if (h.sloppyTerminator) {
    result.findings.push({
      severity: 'warning',
      rule: 'heredoc-terminator',
      message: `line ${h.endLine}: terminator "${h.delimiter}" has trailing whitespace; accepted, though bash would not end the here-document there`,
      line: h.endLine,
    });
  }
  return true;
}

/** Records the here-document's text as the compose file or a shipped file (appended with `>>`). */
function writeHeredoc(ll: LogicalLine, path: string, append: boolean, result: ParsedScript): void {
  const h = ll.heredocs[0];
  const isCompose = COMPOSE_FILE_NAMES.includes(path);
  if (isCompose) {
    const text = append && result.compose?.path === path ? result.compose.text + h.body : h.body;
    result.compose = { path, text, line: ll.line, bodyLine: append && result.compose ? result.compose.bodyLine : h.bodyLine };
  } else {
    result.files[path] = append ? (result.files[path] ?? '') + h.body : h.body;
  }
  result.steps.push({ kind: 'write-file', line: ll.line, text: textOf(ll), args: { path, compose: isCompose, append, end_line: h.endLine } });
}

function downloadStep(ll: LogicalLine, args: string[], result: ParsedScript): void {
  const [source, sha1] = args;
  if (args.length !== 2 || !/^[0-9a-fA-F]{40}$/.test(sha1 ?? '')) {
    return unsupported(result, ll, 'download', 'amahi-download needs exactly a file (or URL) and a 40-hex-digit SHA-1');
  }
  let url: string | undefined;
  let name = source;
  if (/^https?:\/\//.test(source)) {
    url = source;
    name = decodeURIComponent(new URL(source).pathname.split('/').pop() ?? '');
  }
  const rel = appRelativePath(name);
  if ('error' in rel || rel.path.includes('/') || rel.path === '.') {
    return unsupported(result, ll, 'download', `amahi-download target "${name}" is not a plain file name`);
  }
  result.steps.push({ kind: 'download', line: ll.line, text: textOf(ll), args: { file: rel.path, sha1: sha1.toLowerCase(), ...(url ? { url } : {}) } });
}

function pathStep(ll: LogicalLine, cmd: 'chmod' | 'mkdir', args: string[], result: ParsedScript): void {
  const flags = args.filter((a) => a.startsWith('-'));
  const operands = args.filter((a) => !a.startsWith('-'));
  const allowed = cmd === 'chmod' ? ['-R'] : ['-p'];
  if (flags.some((f) => !allowed.includes(f))) return unsupported(result, ll, cmd, `${cmd} option ${flags.join(' ')} is not supported`);
  let mode: number | undefined;
  if (cmd === 'chmod') {
    const m = operands.shift() ?? '';
    if (!/^[0-7]{3,4}$/.test(m)) return unsupported(result, ll, cmd, `chmod mode "${m}" is not an octal mode`);
    mode = parseInt(m, 8);
    if (mode & 0o6000) return unsupported(result, ll, cmd, `chmod mode "${m}" sets setuid/setgid`);
  }
  if (operands.length === 0) return unsupported(result, ll, cmd, `${cmd} names no path`);
  const paths: string[] = [];
  for (const p of operands) {
    const rel = appRelativePath(p);
    if ('error' in rel) return unsupported(result, ll, cmd, `${cmd} path ${rel.error}`);
    paths.push(rel.path);
  }
  const args2 = cmd === 'chmod' ? { mode, recursive: flags.includes('-R'), paths } : { parents: flags.includes('-p'), paths };
  result.steps.push({ kind: cmd, line: ll.line, text: textOf(ll), args: args2 });
}
