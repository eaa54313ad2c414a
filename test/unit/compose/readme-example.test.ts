/** The README's publisher example publishes as shown: ready, with its two per-install secrets listed. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeVersion } from '../../../core/catalog/normalize';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('the README catalog example', () => {
  it('is ready and names APP_SECRET_DB and APP_SECRET_SESSION', () => {
    const section = README.slice(README.indexOf('## The catalog'));
    const compose = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(compose).toBeTruthy();
    const r = normalizeVersion({ app: 'example', version: '2.1', kind: 'container', compose });
    expect(r.findings.filter((f) => f.severity === 'error' || f.severity === 'review')).toEqual([]);
    expect(r.status).toBe('ready');
    expect(r.content.secrets).toEqual(['DB', 'SESSION']);
  });
});
