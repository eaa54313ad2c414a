/**
 * Just enough of the bash grammar to read a legacy install script without running it: logical lines
 * (backslash continuations), here-documents and their bodies, comments, and simple words. Anything
 * with expansions, globs or redirections is left as raw text for the caller to flag.
 */

export interface Heredoc {
  delimiter: string;
  /** `<<-`: leading tabs of body lines and of the terminator are stripped. */
  stripTabs: boolean;
  /** A quoted delimiter ('EOF' or "EOF") keeps the body literal; unquoted, bash would expand $, ` and \. */
  quoted: boolean;
  /** 1-based line of the first body line; body is the exact text between opener and terminator. */
  bodyLine: number;
  body: string;
  /** 1-based line of the terminator, or null when the script ends before it. */
  endLine: number | null;
  /** The terminator only matched after trimming trailing whitespace (bash would not have ended there). */
  sloppyTerminator: boolean;
}

export interface LogicalLine {
  /** 1-based first and last physical line of the command, heredoc bodies included. */
  line: number;
  endLine: number;
  /** The command text (continuations joined with a space), comments removed, trimmed. */
  command: string;
  /** The exact physical lines of the command itself (without heredoc bodies). */
  raw: string[];
  heredocs: Heredoc[];
}

/** Sticky: tried at one offset of the line, without copying the rest of it. */
const HEREDOC_RE = /<<(-?)[ \t]*(?:'([^'\n]*)'|"([^"\n]*)"|\\?([A-Za-z0-9_.-]+))/y;

/** Splits a command line's text at the first unquoted `#` that starts a word, and finds `<<` operators. */
export function scanLine(text: string): { code: string; heredocs: Array<{ delimiter: string; stripTabs: boolean; quoted: boolean }> } {
  const heredocs: Array<{ delimiter: string; stripTabs: boolean; quoted: boolean }> = [];
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"') i++;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) return { code: text.slice(0, i), heredocs };
    if (c === '<' && text[i + 1] === '<' && text[i + 2] !== '<') {
      HEREDOC_RE.lastIndex = i;
      const m = HEREDOC_RE.exec(text);
      if (m) {
        const delimiter = m[2] ?? m[3] ?? m[4];
        heredocs.push({ delimiter, stripTabs: m[1] === '-', quoted: m[2] !== undefined || m[3] !== undefined || m[0].includes('\\') });
        i += m[0].length - 1;
      }
    }
  }
  return { code: text, heredocs };
}

export function logicalLines(script: string): LogicalLine[] {
  const lines = script.split('\n').map((l) => l.replace(/\r$/, ''));
  const out: LogicalLine[] = [];
  let i = 0;
  while (i < lines.length) {
    const start = i;
    const raw: string[] = [];
    const parts: string[] = [];
    const heredocs: Heredoc[] = [];
    // Gather continuation lines first, then any here-document bodies that follow the command.
    for (;;) {
      const physical = lines[i];
      raw.push(physical);
      const scanned = scanLine(physical);
      const continued = endsWithOddBackslashes(scanned.code) && scanned.code === physical;
      parts.push(continued ? physical.slice(0, -1) : scanned.code);
      // Fields listed, not spread: a spread per opener costs far more when a line holds thousands of them.
      for (const h of scanned.heredocs)
        heredocs.push({ delimiter: h.delimiter, stripTabs: h.stripTabs, quoted: h.quoted, bodyLine: 0, body: '', endLine: null, sloppyTerminator: false });
      i++;
      if (!continued || i >= lines.length) break;
    }
    for (const h of heredocs) {
      h.bodyLine = i + 1;
      const body: string[] = [];
      while (i < lines.length) {
        const l = h.stripTabs ? lines[i].replace(/^\t+/, '') : lines[i];
        if (l === h.delimiter || l.trimEnd() === h.delimiter) {
          h.sloppyTerminator = l !== h.delimiter;
          h.endLine = i + 1;
          i++;
          break;
        }
        body.push(l);
        i++;
      }
      h.body = body.length ? `${body.join('\n')}\n` : '';
    }
    out.push({ line: start + 1, endLine: i, command: parts.join(' ').trim(), raw, heredocs });
  }
  return out;
}

/** A line continues when it ends in an odd run of backslashes (counted backwards: a regex would be quadratic). */
function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  while (n < s.length && s[s.length - 1 - n] === '\\') n++;
  return n % 2 === 1;
}

const UNSAFE_WORD_CHARS = /[$`()<>|&;*?[\]{}~!\\]/;

/**
 * The words of a simple command with quotes removed, or null when the command uses anything that
 * bash would expand or interpret (variables, globs, pipes, redirections, subshells).
 */
export function simpleWords(command: string): string[] | null {
  const words: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|([^\s'"]+)|(\s+)/g;
  let current: string | null = null;
  let m: RegExpExecArray | null;
  // biome-ignore lint/suspicious/noAssignInExpressions: a sticky regex walked with exec
  while ((m = re.exec(command))) {
    if (m[4] !== undefined) {
      if (current !== null) words.push(current);
      current = null;
      continue;
    }
    const piece = m[1] ?? m[2] ?? m[3];
    if (m[2] !== undefined && /[$`\\]/.test(piece)) return null;
    if (m[3] !== undefined && UNSAFE_WORD_CHARS.test(piece)) return null;
    if (m[1] === undefined && m[2] === undefined && m[3] === undefined) return null;
    current = (current ?? '') + piece;
  }
  if (current !== null) words.push(current);
  // An unmatched quote leaves text the regex could not consume.
  const consumed = command.replace(/'[^']*'|"[^"]*"|[^\s'"]+|\s+/g, '');
  return consumed.length ? null : words;
}

/** First words of each `;`/`&&`/`||`-separated segment: where bash looks for if/for/while/case/fi/done. */
export function commandHeads(command: string): string[] {
  return command
    .replace(/'[^']*'|"[^"]*"/g, '""')
    .split(/;|&&|\|\||\|/)
    .flatMap((seg) => {
      const words = seg.trim().split(/\s+/);
      const heads: string[] = [];
      // `then x`, `do y`, `else z` put a command right after the keyword.
      for (let k = 0; k < words.length; k++) {
        heads.push(words[k]);
        if (!['then', 'do', 'else', '{', '!'].includes(words[k])) break;
      }
      return heads;
    })
    .filter(Boolean);
}
