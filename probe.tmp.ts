import { normalizeVersion } from './core/catalog/normalize';
import { hostileInputs, ordinaryCompose, ordinaryScript } from './test/helpers/hostile-inputs';
const size = Number(process.argv[2] ?? 65536);
const base = { app: 'a', version: '1', kind: 'compose' };
const time = (kind: string, text: string) => {
  const s = performance.now();
  const r = normalizeVersion(kind === 'script' ? { ...base, install_script: text } : { ...base, compose: text });
  return [performance.now() - s, r] as const;
};
time('script', ordinaryScript(size));
time('compose', ordinaryCompose(size));
const [os, r1] = time('script', ordinaryScript(size));
const [oc, r2] = time('compose', ordinaryCompose(size));
console.log('ordinary script', os.toFixed(0), r1.status, 'compose', oc.toFixed(0), r2.status);
for (const h of hostileInputs(size)) {
  const [t, r] = time(h.kind, h.text);
  console.log(
    h.name.padEnd(45),
    h.text.length,
    t.toFixed(0),
    `${(t / (h.kind === 'script' ? os : oc)).toFixed(1)}x`,
    r.status,
    r.findings
      .filter((f) => f.severity === 'error')
      .map((f) => f.rule)
      .slice(0, 2)
      .join(','),
  );
}
