/**
 * Catalog inputs built to make the preview slow (long runs the readers backtrack over, many keys,
 * deep nesting, many heredocs), each beside an ordinary input of the same size. The preview bench
 * times both; the unit tests check the readers' work on them without a clock.
 */

export type InputKind = 'script' | 'compose';

export interface SizedInput {
  name: string;
  kind: InputKind;
  text: string;
}

/** `head`, then `unit(i)` while whole units fit, then a comment line padding to exactly `size`. */
function fill(size: number, unit: (i: number) => string, head = '', tail = ''): string {
  const parts: string[] = [head];
  let n = head.length + tail.length;
  for (let i = 0; ; i++) {
    const u = unit(i);
    if (n + u.length > size) break;
    parts.push(u);
    n += u.length;
  }
  const rest = size - n;
  parts.push(rest >= 2 ? `#${'-'.repeat(rest - 2)}\n` : '\n'.repeat(rest), tail);
  return parts.join('');
}

const COMPOSE_HEAD = 'services:\n  web:\n    image: nginx:1.25\n    ports:\n      - "HOST_PORT:80"\n';

/** An install script as publishers write them: a compose heredoc, then ordinary commands. */
export function ordinaryScript(size: number): string {
  const head = `cat > docker-compose.yml << 'EOF'\n${COMPOSE_HEAD}EOF\n`;
  return `${fill(size - 'docker-compose up -d\n'.length, (i) => `mkdir -p data/dir${i}\nchmod 755 data/dir${i}\n`, head)}docker-compose up -d\n`;
}

/** A compose as publishers write it: services with environment maps, labels and volumes. */
export function ordinaryCompose(size: number): string {
  return fill(
    size,
    (i) => {
      const head = i % 40 === 0 ? `  svc${i}:\n    image: nginx:1.25\n    volumes:\n      - ./data${i}:/data\n    environment:\n` : '';
      return `${head}      S_${i}: "v${i}"\n`;
    },
    COMPOSE_HEAD.replace('    ports:\n      - "HOST_PORT:80"\n', '    ports:\n      - "HOST_PORT:80"\n    environment:\n'),
  );
}

const SCRIPT_HEAD = `cat > docker-compose.yml << 'EOF'\n${COMPOSE_HEAD}EOF\n`;
/** A hostile script still writes a compose file first, so the whole preview runs on it. */
const script = (name: string, text: string): SizedInput => ({ name, kind: 'script', text: SCRIPT_HEAD + text });
const compose = (name: string, text: string): SizedInput => ({ name, kind: 'compose', text });

/** Every hostile input of `size` characters (the last may differ by a few). */
export function hostileInputs(size: number): SizedInput[] {
  return [...hostileScripts(size - SCRIPT_HEAD.length), ...hostileComposes(size)];
}

function hostileScripts(size: number): SizedInput[] {
  const body = size - 8;
  return [
    script('script: echo, a run of spaces, x', `echo${' '.repeat(body)}x\n`),
    script('script: a line of ";"', `echo x${';'.repeat(body)}\n`),
    script('script: "; " repeated, then x', `echo${'; '.repeat(body / 2)}x\n`),
    script('script: a run of backslashes, x', `echo ${'\\'.repeat(body)}x\n`),
    script('script: "<< " repeated on one line', `cat ${'<< '.repeat(body / 3)}\n`),
    script('script: many heredoc openers on one line', `cat > f ${Array.from({ length: body / 8 }, (_, i) => `<<E${i % 1000} `).join('')}\n`),
    script(
      'script: many small heredoc files',
      fill(size, (i) => `cat > f${i}.txt << 'EOF'\nx\nEOF\n`),
    ),
    script(
      'script: appends to the compose file',
      fill(size, (i) => `cat >> docker-compose.yml << 'EOF'\n# ${i}\nEOF\n`),
    ),
    script('script: an unclosed quote', `echo '${'a'.repeat(body)}\n`),
    script(
      'script: unclosed if blocks',
      fill(size, () => 'if true; then\n'),
    ),
    script(
      'script: a continued line',
      fill(size, () => 'echo a \\\n'),
    ),
  ];
}

function hostileComposes(size: number): SizedInput[] {
  const body = size - 8;
  return [
    compose(
      'compose: many x- keys',
      fill(size, (i) => `x-k${i}: 1\n`, COMPOSE_HEAD),
    ),
    compose(
      'compose: many keys of one mapping',
      fill(size, (i) => `      K${i}: v\n`, `${COMPOSE_HEAD}    environment:\n`),
    ),
    compose(
      'compose: many ambiguous scalars',
      fill(size, (i) => `      - "a${i}=yes"\n      - yes\n`, `${COMPOSE_HEAD}    command:\n`),
    ),
    compose(
      'compose: many services',
      fill(size, (i) => `  s${i}:\n    image: x\n    privileged: true\n`, COMPOSE_HEAD),
    ),
    compose('compose: deep flow nesting', `${COMPOSE_HEAD}x-deep: ${'['.repeat(body / 2 - 60)}${']'.repeat(body / 2 - 60)}\n`),
    compose('compose: a run of spaces in a value', `${COMPOSE_HEAD}x-v: a${' '.repeat(body - 80)}b\n`),
    compose('compose: merge keys of a big anchor', mergeBomb(size)),
    compose(
      'compose: many anchors and aliases',
      fill(size, (i) => `x-a${i}: &a${i} v\nx-b${i}: *a${i}\n`, COMPOSE_HEAD),
    ),
  ];
}

/** One large anchored mapping merged into as many mappings as the alias limit allows. */
function mergeBomb(size: number): string {
  const merges = Array.from({ length: 99 }, (_, i) => `x-m${i}:\n  <<: *big\n`).join('');
  return fill(size - merges.length, (i) => `  k${i}: v\n`, `${COMPOSE_HEAD}x-big: &big\n`) + merges;
}
