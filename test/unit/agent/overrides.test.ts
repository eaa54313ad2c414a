import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { applyOverrides, OverrideError } from '../../../agent/executor/overrides';
import { switchBlockers } from '../../../agent/executor/switch';

const compose = `services:
  web:
    image: example/web:1
    ports: ["35001:80"]
    environment:
      - KEEP=1
      - GREETING=old
    memswap_limit: 10m
  worker:
    image: example/worker:1
    environment:
      MODE: batch
`;

describe('limits and extra environment', () => {
  it('sets cpus and mem_limit on every service and merges the environment (the owner wins)', () => {
    const out = applyOverrides(parse(compose), { cpus: 0.5, memory_mb: 64 }, { GREETING: 'hi b', PRICE: 'a$b' });
    for (const svc of Object.values(out.services) as Array<Record<string, unknown>>) {
      expect(svc.cpus).toBe(0.5);
      expect(svc.mem_limit).toBe('64m');
      expect(svc.memswap_limit).toBeUndefined();
      // `$` doubled: Compose must not read the agent's environment for it.
      expect(svc.environment).toMatchObject({ GREETING: 'hi b', PRICE: 'a$$b' });
    }
    expect(out.services.web.environment.KEEP).toBe('1');
    expect(out.services.worker.environment.MODE).toBe('batch');
  });

  it('leaves the file alone without settings, and refuses values that are not what they claim', () => {
    const doc = parse(compose);
    expect(applyOverrides(doc, undefined, undefined)).toBe(doc);
    expect(applyOverrides(doc, {}, {})).toEqual(parse(compose));
    expect(() => applyOverrides(doc, { memory_mb: 2 }, undefined)).toThrow(OverrideError);
    expect(() => applyOverrides(doc, { cpus: -1 }, undefined)).toThrow(OverrideError);
    expect(() => applyOverrides(doc, undefined, { 'BAD NAME': 'x' })).toThrow(OverrideError);
    expect(() => applyOverrides(doc, undefined, { OK: 'two\nlines' })).toThrow(OverrideError);
    expect(doc).toEqual(parse(compose));
  });
});

describe('zero-downtime eligibility', () => {
  const app = (extra = '', top = '') => `services:
  web:
    image: example/web:1
    labels:
      org.amahi.hda.zero-downtime: "true"
    ports: ["35001:80"]
${extra}${top}`;

  it('an app that opts in and can run twice side by side may switch', () => {
    expect(switchBlockers(parse(app()), 35001)).toEqual({ asked: true, blockers: [] });
    expect(switchBlockers(parse(app().replace('org.amahi.hda.zero-downtime: "true"', 'other: x')), 35001).asked).toBe(false);
    expect(
      switchBlockers(parse(app().replace('labels:\n      org.amahi.hda.zero-downtime: "true"', 'labels: ["org.amahi.hda.zero-downtime=true"]')), 35001).asked,
    ).toBe(true);
  });

  it('names what prevents a second copy: container_name, another fixed host port, named volumes', () => {
    const { blockers } = switchBlockers(
      parse(app('    container_name: web\n  db:\n    image: example/db\n    ports: ["5432:5432"]\n', 'volumes:\n  dbdata: {}\n')),
      35001,
    );
    expect(blockers).toHaveLength(3);
    expect(blockers.join('\n')).toMatch(/container_name[\s\S]*5432[\s\S]*dbdata/);
  });
});
