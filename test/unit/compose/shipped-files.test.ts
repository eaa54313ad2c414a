/** Files Compose reads from the app folder must be files the version ships, and env files read plainly. */
import { describe, expect, it } from 'vitest';
import { normalizeVersion } from '../../../core/catalog/normalize';

const compose = (extra: string, top = '') => `services:\n  web:\n    image: nginx\n    ports: ["HOST_PORT:80"]\n${extra}${top}`;
const script = (files: Record<string, string>) =>
  `${Object.entries(files)
    .map(([name, text]) => `cat > ${name} <<'EOF'\n${text}EOF`)
    .join('\n')}\n`;
const errors = (r: ReturnType<typeof normalizeVersion>) => r.findings.filter((f) => f.severity === 'error').map((f) => f.rule);
const publish = (input: { compose?: string; install_script?: string }) => normalizeVersion({ app: 'x', version: '1', kind: 'container', ...input });

describe('files Compose reads must ship with the version', () => {
  it('refuses an env_file, a config file and a secret file the script does not write, naming each', () => {
    const r = publish({
      compose: compose(
        '    env_file: ./app.env\n    configs: [cfg]\n    secrets: [key]\n',
        'configs:\n  cfg:\n    file: ./cfg.txt\nsecrets:\n  key:\n    file: WEBAPP_PATH/key.txt\n',
      ),
    });
    expect(r.status).toBe('rejected');
    expect(errors(r).filter((x) => x === 'unshipped-file')).toHaveLength(3);
    expect(r.findings.map((f) => f.message).join('\n')).toMatch(/app\.env[\s\S]*cfg\.txt[\s\S]*key\.txt/);
  });

  it('names that are properties of every object are not files the version ships', () => {
    const r = publish({ compose: compose('    env_file: ./constructor\n    secrets: [s]\n', 'secrets:\n  s:\n    file: ./toString\n') });
    expect(errors(r)).toEqual(['unshipped-file', 'unshipped-file']);
  });

  it('accepts the same files when the script writes them', () => {
    const files = {
      'app.env': 'A=1\n# note\nexport B="two"\n',
      'cfg.txt': 'x\n',
      'key.txt': 'k\n',
      'docker-compose.yml': compose(
        '    env_file: [./app.env]\n    configs: [cfg]\n    secrets: [key]\n',
        'configs:\n  cfg:\n    file: ./cfg.txt\nsecrets:\n  key:\n    file: ./key.txt\n',
      ),
    };
    const r = publish({ install_script: script(files) });
    expect(errors(r)).toEqual([]);
  });

  it('refuses an env file that reads a variable or is not NAME=value', () => {
    for (const body of ['HOME_DIR=${HOME}\n', 'this is not an assignment\n']) {
      const r = publish({ install_script: script({ 'app.env': body, 'docker-compose.yml': compose('    env_file: ./app.env\n') }) });
      expect(errors(r), body).toEqual(['env-file-syntax']);
    }
    const literal = publish({ install_script: script({ 'app.env': 'PRICE=$$5\n', 'docker-compose.yml': compose('    env_file: ./app.env\n') }) });
    expect(errors(literal)).toEqual([]);
  });
});

describe('the stored file fits the size the HDA reads', () => {
  it('refuses a compose whose normalized form outgrows the limit, as the HDA could never read it', async () => {
    const { MAX_YAML_BYTES } = await import('../../../core/catalog/yaml-io');
    const lines: string[] = [];
    // `on` must be quoted in the normalized file: each line grows by two bytes.
    for (let i = 0, size = 0; size < MAX_YAML_BYTES - 200; i++) {
      lines.push(`      K${i}: on\n`);
      size += lines[i].length;
    }
    const r = publish({ compose: compose(`    environment:\n${lines.join('')}`) });
    expect(errors(r)).toContain('compose-too-large');
    expect(r.status).toBe('rejected');
  });
});
