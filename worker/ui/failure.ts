/**
 * A failure in words: what went wrong in the owner's terms first (a port taken, a name in use, an
 * image missing), the tool's own output after it, once (repeated lines and container ids folded).
 * Shared by the server-rendered pages and the browser code.
 */

export interface Explained {
  /** One sentence a person reads first. */
  summary: string;
  /** The tool output, each distinct line once; empty when the summary already says it all. */
  raw: string;
}

interface Known {
  test: RegExp;
  say: (m: RegExpExecArray) => string;
}

/** What a tool prints, mapped to what it means; the first that matches wins. */
const KNOWN: Known[] = [
  {
    test: /(?:Bind for [^\s:]*:?(\d+) failed: port is already allocated|listen tcp[^:]*:(\d+): bind: address already in use|port (\d+) is (?:already )?(?:in use|taken)|port (\d+) is used by another program)/i,
    say: (m) => `Port ${m[1] ?? m[2] ?? m[3] ?? m[4]} is already used by another program on the HDA.`,
  },
  { test: /range of CPUs is from [\d.]+ to ([\d.]+)/i, say: (m) => `The HDA has ${Number(m[1])} CPUs; the CPU limit asked for more.` },
  { test: /address already in use|port is already allocated/i, say: () => 'A port the app needs is already used by another program on the HDA.' },
  { test: /container name "\/?([^"]+)" is already in use/i, say: (m) => `A container named “${m[1]}” already exists on the HDA.` },
  {
    test: /(?:pull access denied for ([^\s,]+)|manifest (?:for ([^\s]+) )?(?:not found|unknown)|repository ([^\s]+) not found|No such image:? ([^\s]+))/i,
    say: (m) => {
      const image = m[1] ?? m[2] ?? m[3] ?? m[4];
      return image ? `The image ${image} could not be found in its registry.` : 'An image the app needs could not be found in its registry.';
    },
  },
  { test: /no space left on device/i, say: () => "The HDA's disk is full." },
  { test: /Cannot connect to the Docker daemon|docker\.sock: connect: (?:no such file|connection refused)/i, say: () => 'Docker is not running on the HDA.' },
  {
    test: /(?:AH\d+: )?Syntax error on line|configtest failed/i,
    say: () => "The web server's configuration check failed; the previous configuration was kept.",
  },
  { test: /lease (?:ran out|expired)|did not report/i, say: () => "The HDA's agent stopped reporting while it worked on this." },
];

/** Long hex ids (containers, images) make every line unique and unreadable: shortened to 12 characters. */
const shortenIds = (line: string) => line.replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1');

/** Each distinct line once, in first-seen order, ids shortened, blank lines dropped. */
export function distinctLines(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = shortenIds(raw.trim());
    if (!line || seen.has(line)) continue;
    seen.add(line);
    out.push(line);
  }
  return out;
}

const MAX_SUMMARY = 160;

export function explainFailure(detail: string | null | undefined): Explained {
  const text = detail ?? '';
  const lines = distinctLines(text);
  if (lines.length === 0) return { summary: 'No reason was given.', raw: '' };
  for (const k of KNOWN) {
    const m = k.test.exec(text);
    if (m) return { summary: k.say(m), raw: lines.join('\n') };
  }
  const first = lines[0];
  if (lines.length === 1 && first.length <= MAX_SUMMARY) return { summary: first, raw: '' };
  const cut = first.length > MAX_SUMMARY ? `${first.slice(0, MAX_SUMMARY - 1)}…` : first;
  return { summary: cut, raw: lines.join('\n') };
}
