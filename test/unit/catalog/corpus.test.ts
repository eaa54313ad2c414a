import { describe, expect, it } from 'vitest';
import { normalizeVersion } from '../../../core/catalog/normalize';
import { parseCompose } from '../../../core/catalog/compose';
import { corpusApp, loadCorpus, publishInput } from './corpus-data';

const run = (name: string, extra: { exceptions?: string[] } = {}) => normalizeVersion(publishInput(corpusApp(name), extra));
const rules = (r: ReturnType<typeof run>, severity?: string) => r.findings.filter((f) => !severity || f.severity === severity).map((f) => f.rule);

describe('the 14 corpus entries through normalizeVersion', () => {
  it('has all 14 entries', () => {
    expect(
      loadCorpus()
        .map((a) => a.name)
        .sort(),
    ).toEqual([
      'coppermine',
      'fengoffice',
      'gitlab',
      'hydra',
      'logitech-media-server',
      'markdown-editor',
      'nzbget',
      'osticket',
      'portainer',
      'radarr',
      'redmine',
      'sinusbot',
      'sonarr',
      'squid',
    ]);
  });

  it('fengoffice is empty and rejected', () => {
    const r = run('fengoffice');
    expect(r.status).toBe('rejected');
    expect(r.findings).toEqual([expect.objectContaining({ severity: 'error', rule: 'empty' })]);
  });

  it('coppermine needs review: the mysql import line is quoted exactly; its supported steps are kept', () => {
    const r = run('coppermine');
    expect(r.status).toBe('needs_review');
    const unsupported = r.findings.filter((f) => f.rule === 'unsupported-step');
    expect(unsupported).toEqual([
      expect.objectContaining({ line: 20, text: 'zcat coppermine-1.5.40.sql.gz |mysql -u$HDA_DB_USERNAME -p$HDA_DB_PASSWORD $HDA_DB_DBNAME;' }),
    ]);
    expect(r.content.steps.map((s) => [s.kind, s.line])).toEqual([
      ['download', 2],
      ['chmod', 5],
      ['write-file', 7],
      ['mysql-import', 20],
      ['write-file', 22],
      ['compose-up', 35],
    ]);
    expect(r.content.steps[0].args).toEqual({ file: 'coppermine-1.5.40.sql.gz', sha1: '911a6f3b9dc8ffd5086e1aa6361c4bc21d1098c6' });
    expect(r.content.steps[1].args).toEqual({ mode: 0o777, recursive: true, paths: ['html/albums', 'html/include'] });
    expect(Object.keys(r.content.files)).toEqual(['html/include/config.inc.php']);
    expect(r.content.files['html/include/config.inc.php']).toContain("$CONFIG['dbname'] =");
    // The MySQL socket bind is outside the app folder, on the script's own line.
    expect(r.findings).toContainEqual(
      expect.objectContaining({ rule: 'bind-outside-app', line: 30, text: '    - /var/lib/mysql/mysql.sock:/var/run/mysql.sock' }),
    );
    // The compose came from the script (image), not the catalog field (build: .).
    expect(r.content.compose).toContain('image: vikasy/coppermine');
  });

  it('osticket needs review: every line of the if block and the mysql import, with exact text', () => {
    const r = run('osticket');
    expect(r.status).toBe('needs_review');
    const lines = r.findings.filter((f) => f.rule === 'unsupported-step').map((f) => [f.line, f.text]);
    expect(lines).toEqual([
      [4, 'if [ -d unpack ]; then'],
      [5, '  rm -rf html;'],
      [6, '  mv unpack/upload html;'],
      [7, '  mv unpack/scripts html/;'],
      [8, '  rm -rf unpack;'],
      [9, 'fi'],
      [178, 'zcat osticket-1.10.sql.gz |mysql -u$HDA_DB_USERNAME -p$HDA_DB_PASSWORD $HDA_DB_DBNAME;'],
    ]);
    expect(Object.keys(r.content.files).sort()).toEqual(['Dockerfile', 'html/include/ost-config.php']);
    expect(r.content.files.Dockerfile).toBe(
      'FROM vikasy/slim_php5\n\nRUN apk update && \\\n    apk add --no-cache php5-mysqli php5-xml php5-json php5-phar php5-intl\n',
    );
    expect(parseCompose(r.content.compose).value.services['osticket-container'].build).toBe('.');
    expect(rules(r)).not.toContain('build-no-dockerfile');
  });

  it('portainer needs the docker-socket exception; with it, it is ready and the exception is shown', () => {
    const r = run('portainer');
    expect(r.status).toBe('needs_review');
    expect(r.findings).toContainEqual(
      expect.objectContaining({ severity: 'error', rule: 'docker-socket', line: 10, text: "    - '/var/run/docker.sock:/var/run/docker.sock'" }),
    );
    const allowed = run('portainer', { exceptions: ['docker-socket'] });
    expect(allowed.status).toBe('ready');
    expect(allowed.findings).toContainEqual(expect.objectContaining({ severity: 'info', rule: 'docker-socket', allowed_by_exception: true }));
  });

  it('squid has no HOST_PORT mapping: flagged for review, and its fixed 3128 is warned about', () => {
    const r = run('squid');
    expect(r.status).toBe('needs_review');
    expect(r.findings).toContainEqual(expect.objectContaining({ severity: 'review', rule: 'no-host-port' }));
    expect(r.findings).toContainEqual(expect.objectContaining({ severity: 'warning', rule: 'fixed-host-port', line: 8, text: "    - '3128:3128'" }));
  });

  it('gitlab: the fixed host port 2224 is flagged; the version is still installable', () => {
    const r = run('gitlab');
    expect(r.status).toBe('ready');
    const fixed = r.findings.filter((f) => f.rule === 'fixed-host-port');
    expect(fixed).toEqual([expect.objectContaining({ severity: 'warning', line: 13, text: "    - '2224:22'" })]);
    expect(fixed[0].message).toContain('2224');
    const env = parseCompose(r.content.compose).value.services['gitlab-container'].environment as Record<string, string>;
    expect(env.GITLAB_OMNIBUS_CONFIG).toBe("external_url 'http://APP_HOSTNAME:HOST_PORT'\ngitlab_rails['gitlab_shell_ssh_port'] = 2224\n");
  });

  for (const name of ['hydra', 'logitech-media-server', 'markdown-editor', 'nzbget', 'radarr', 'redmine', 'sinusbot', 'sonarr']) {
    it(`${name} is ready, converted from Compose v1, with no error or review finding`, () => {
      const r = run(name);
      expect(r.status).toBe('ready');
      expect(rules(r, 'error')).toEqual([]);
      expect(rules(r, 'review')).toEqual([]);
      expect(rules(r)).toContain('compose-v1-converted');
      const doc = parseCompose(r.content.compose);
      expect(doc.format).toBe('spec');
      expect(Object.keys(doc.value.services)).toHaveLength(1);
      expect(r.content.steps.map((s) => s.kind)).toEqual(['write-file', 'compose-up']);
    });
  }

  it('markdown-editor: the opener with trailing spaces after the delimiter is read', () => {
    const r = run('markdown-editor');
    expect(parseCompose(r.content.compose).value.services['simplemde-container'].image).toBe('docker.io/v4tech/markdown-editor');
  });
});
