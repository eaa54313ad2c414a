import { describe, expect, it } from 'vitest';
import { normalizeVersion } from '../../../core/catalog/normalize';
import { parseCompose } from '../../../core/catalog/compose';

const base = { app: 'demo', version: '1.0', kind: 'container-custom' };
const script = (compose: string, extra = '') => `${extra}cat > docker-compose.yml << 'EOF'\n${compose}EOF\ndocker-compose up -d\n`;

describe('normalizeVersion', () => {
  it('a plain catalog compose (no script) is normalized and ready', () => {
    const r = normalizeVersion({
      ...base,
      compose: 'version: "3"\nservices:\n  web:\n    image: nginx\n    container_name: APP_IDENTIFIER\n    ports: ["HOST_PORT:80"]\n',
    });
    expect(r.status).toBe('ready');
    // container_name became a network alias of the service (test/unit/compose/publish.test.ts).
    expect(r.content).toEqual({
      ...base,
      compose:
        'services:\n  web:\n    image: nginx\n    ports:\n      - "HOST_PORT:80"\n    networks:\n      default:\n        aliases:\n          - APP_IDENTIFIER\n',
      files: {},
      steps: [],
    });
  });

  it('the script compose wins over the catalog compose; the catalog compose is the fallback', () => {
    const r = normalizeVersion({
      ...base,
      install_script: script('a:\n  image: from-script\n  ports: ["HOST_PORT:80"]\n'),
      compose: 'a:\n  image: from-catalog\n',
    });
    expect(parseCompose(r.content.compose).value.services.a.image).toBe('from-script');
    const f = normalizeVersion({ ...base, install_script: 'chmod 755 html\n', compose: 'a:\n  image: from-catalog\n  ports: ["HOST_PORT:80"]\n' });
    expect(parseCompose(f.content.compose).value.services.a.image).toBe('from-catalog');
    expect(f.findings).toContainEqual(expect.objectContaining({ rule: 'compose-from-catalog' }));
    expect(f.status).toBe('ready');
  });

  it('rejects: no compose at all, a broken compose (with its script line), a build without its Dockerfile, a bad path', () => {
    expect(normalizeVersion({ ...base, install_script: 'chmod 755 html\n' })).toMatchObject({
      status: 'rejected',
      findings: [expect.objectContaining({ rule: 'no-compose' })],
    });
    const broken = normalizeVersion({ ...base, install_script: script('a:\n  image: [x\n', '# header\n') });
    expect(broken.status).toBe('rejected');
    expect(broken.findings).toContainEqual(expect.objectContaining({ rule: 'yaml' }));
    const build = normalizeVersion({ ...base, install_script: script('a:\n  build: .\n  ports: ["HOST_PORT:80"]\n') });
    expect(build.findings).toContainEqual(expect.objectContaining({ severity: 'error', rule: 'build-no-dockerfile', line: 3, text: '  build: .' }));
    expect(build.status).toBe('rejected');
    const path = normalizeVersion({
      ...base,
      install_script: script('a:\n  image: x\n  ports: ["HOST_PORT:80"]\n', "cat > /etc/cron.d/x << 'EOF'\n* * * * * root sh\nEOF\n"),
    });
    expect(path.status).toBe('rejected');
    expect(path.findings).toContainEqual(expect.objectContaining({ rule: 'file-path', line: 1 }));
  });

  it('refuses files Compose reads by itself (.env, override files)', () => {
    for (const f of ['.env', 'docker-compose.override.yml']) {
      const r = normalizeVersion({ ...base, install_script: script('a:\n  image: x\n  ports: ["HOST_PORT:80"]\n', `cat > ${f} << 'EOF'\nx: 1\nEOF\n`) });
      expect(r.status).toBe('rejected');
      expect(r.findings).toContainEqual(expect.objectContaining({ rule: 'file-path', message: expect.stringContaining('bypass') }));
    }
  });

  it('a placeholder in a bad place is caught by the trial render at publish', () => {
    const r = normalizeVersion({
      ...base,
      compose: 'services:\n  a:\n    image: x\n    ports: ["HOST_PORT:80"]\n    environment:\n      APP_IDENTIFIER: one\n      sample-app: two\n',
    });
    expect(r.status).toBe('rejected');
    expect(r.findings).toContainEqual(expect.objectContaining({ rule: 'placeholder-position', message: expect.stringContaining('appear twice') }));
  });

  it('reads the uninstall script: compose down is supported, anything else needs review', () => {
    const ok = normalizeVersion({ ...base, install_script: script('a:\n  image: x\n  ports: ["HOST_PORT:80"]\n'), uninstall_script: 'docker-compose down\n' });
    expect(ok.status).toBe('ready');
    expect(ok.content.uninstall_steps).toEqual([{ kind: 'compose-down', line: 1, text: 'docker-compose down', args: { verb: 'down', flags: [] } }]);
    const review = normalizeVersion({
      ...base,
      install_script: script('a:\n  image: x\n  ports: ["HOST_PORT:80"]\n'),
      uninstall_script: 'docker-compose down\nrm -rf /var/hda/files\n',
    });
    expect(review.status).toBe('needs_review');
    expect(review.findings).toContainEqual(
      expect.objectContaining({ rule: 'unsupported-step', line: 2, text: 'rm -rf /var/hda/files', message: expect.stringMatching(/^uninstall script:/) }),
    );
  });

  it('an exception that names no rule is warned about', () => {
    const r = normalizeVersion({ ...base, compose: 'a:\n  image: x\n  ports: ["HOST_PORT:80"]\n', exceptions: ['everything'] });
    expect(r.findings).toContainEqual(expect.objectContaining({ severity: 'warning', rule: 'unknown-exception' }));
  });
});
