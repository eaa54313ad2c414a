/**
 * The hostile corpus: compose files that try to reach the host, one construct each, kept as data in
 * hostile/*.yml with the rule that must refuse it on the first line (`# expect: <rule>`). Each is
 * refused at publish (never ready, even with every owner exception when the rule is not waivable)
 * and again on the host after rendering.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { normalizeVersion } from '../../../core/catalog/normalize';
import { SAMPLE_INSTALL_VARS } from '../../../core/catalog/placeholders';
import { checkPolicy, isWaivable, WAIVABLE_RULES } from '../../../core/catalog/policy';
import { renderCompose } from '../../../core/catalog/render';

const DIR = fileURLToPath(new URL('./hostile/', import.meta.url));
const corpus = readdirSync(DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort()
  .map((file) => {
    const text = readFileSync(DIR + file, 'utf8');
    const rule = /^# expect: ([a-z-]+)$/m.exec(text)?.[1];
    if (!rule) throw new Error(`${file} names no expected rule`);
    return { file, text, rule };
  });

describe('hostile compose corpus', () => {
  it('has the constructs of the review and more', () => expect(corpus.length).toBeGreaterThanOrEqual(50));

  it.each(corpus.map((c) => [c.file, c] as const))('%s', (_f, c) => {
    const at = checkPolicy(c.text, { phase: 'publish' });
    const hit = at.find((f) => f.rule === c.rule);
    expect(hit, JSON.stringify(at)).toMatchObject({ severity: 'error' });
    expect(hit!.line).toBeGreaterThan(1);
    const r = normalizeVersion({ app: 'hostile', version: '1', kind: 'container', compose: c.text });
    expect(r.status).not.toBe('ready');
    expect(r.findings).toContainEqual(expect.objectContaining({ rule: c.rule, severity: 'error' }));
    const waived = normalizeVersion({ app: 'hostile', version: '1', kind: 'container', compose: c.text, exceptions: [...WAIVABLE_RULES] });
    if (!isWaivable(c.rule)) expect(waived.status).toBe('rejected');
    // The host phase refuses the same file rendered, as the agent sees it.
    let rendered: string;
    try {
      rendered = renderCompose(c.text.replace(/^# expect.*\n/, ''), SAMPLE_INSTALL_VARS);
    } catch {
      return; // not renderable: never reaches a host
    }
    const host = checkPolicy(rendered, { phase: 'host', appDir: SAMPLE_INSTALL_VARS.WEBAPP_PATH, hostPort: SAMPLE_INSTALL_VARS.HOST_PORT });
    expect(
      host.some((f) => f.severity === 'error'),
      JSON.stringify(host),
    ).toBe(true);
  });
});
