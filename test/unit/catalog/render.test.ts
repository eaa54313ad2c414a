import { describe, expect, it } from 'vitest';
import type { InstallVars } from '../../../core/protocol';
import { isValidDnsLabel, isValidHostname, PlaceholderError, renderCompose, validateInstallVars } from '../../../core/catalog/render';
import { renderFile } from '../../../core/catalog/render';
import { parseCompose } from '../../../core/catalog/compose';

const vars: InstallVars = { HOST_PORT: 35007, APP_IDENTIFIER: 'gitlab7', APP_HOSTNAME: 'gitlab.home.lan', HDA_DOMAIN: 'home.lan' };
const compose = [
  'services:',
  '  APP_IDENTIFIER:',
  '    image: x',
  '    container_name: "APP_IDENTIFIER"',
  "    hostname: 'APP_HOSTNAME'",
  '    environment:',
  '      GITLAB_OMNIBUS_CONFIG: |',
  "        external_url 'http://APP_HOSTNAME:HOST_PORT'",
  '      PORT: HOST_PORT',
  '      MY_HOST_PORT: keep',
  '    ports:',
  "      - 'HOST_PORT:HOST_PORT'",
  '      - "2224:22"',
  '    volumes:',
  '      - WEBAPP_PATH/html:/var/www/html',
  '',
].join('\n');

describe('renderCompose', () => {
  it('substitutes placeholders as values, in keys too, WEBAPP_PATH defaulting to /var/hda/web-apps/<id>', () => {
    const v = parseCompose(renderCompose(compose, vars)).value;
    const svc = v.services.gitlab7;
    expect(svc.container_name).toBe('gitlab7');
    expect(svc.hostname).toBe('gitlab.home.lan');
    expect(svc.environment).toEqual({ GITLAB_OMNIBUS_CONFIG: "external_url 'http://gitlab.home.lan:35007'\n", PORT: 35007, MY_HOST_PORT: 'keep' });
    expect(svc.ports).toEqual(['35007:35007', '2224:22']);
    expect(svc.volumes).toEqual(['/var/hda/web-apps/gitlab7/html:/var/www/html']);
    expect(parseCompose(renderCompose(compose, { ...vars, WEBAPP_PATH: '/srv/apps/g7' })).value.services.gitlab7.volumes).toEqual([
      '/srv/apps/g7/html:/var/www/html',
    ]);
  });

  it('a placeholder that makes two keys equal is refused', () => {
    expect(() => renderCompose('services:\n  a:\n    image: x\n    environment:\n      APP_IDENTIFIER: 1\n      gitlab7: 2\n', vars)).toThrow(/appear twice/);
  });

  const refusals: Array<[string, Partial<InstallVars>, string, RegExp]> = [
    ['a hostname with a newline and an Apache directive', { APP_HOSTNAME: 'x\nProxyPass / http://evil/' }, 'placeholder-hostname', /newline/],
    ['an identifier with a newline', { APP_IDENTIFIER: 'a\nb' }, 'placeholder-identifier', /newline/],
    ['a hostname with a quote', { APP_HOSTNAME: "a'.b" }, 'placeholder-hostname', /quote/],
    ['a hostname with a space', { APP_HOSTNAME: 'a b.c' }, 'placeholder-hostname', /whitespace/],
    ['an uppercase hostname', { APP_HOSTNAME: 'Gitlab.home' }, 'placeholder-hostname', /lowercase/],
    ['a label over 63 characters', { APP_HOSTNAME: `${'a'.repeat(64)}.home` }, 'placeholder-hostname', /63/],
    ['a label starting with "-"', { APP_IDENTIFIER: '-x' }, 'placeholder-identifier', /start or end/],
    ['an identifier with a dot', { APP_IDENTIFIER: 'a.b' }, 'placeholder-identifier', /single DNS label/],
    ['an empty domain label', { HDA_DOMAIN: 'home..lan' }, 'placeholder-domain', /empty label/],
    ['a domain with an Apache tag', { HDA_DOMAIN: 'x</VirtualHost>' }, 'placeholder-domain', /metacharacter/],
    ['a port below 1024', { HOST_PORT: 80 }, 'placeholder-port', /1024/],
    ['a port above 65535', { HOST_PORT: 70000 }, 'placeholder-port', /65535/],
    ['a non-integer port', { HOST_PORT: 35000.5 }, 'placeholder-port', /integer/],
    ['a port given as text', { HOST_PORT: '35000' as unknown as number }, 'placeholder-port', /integer/],
    ['a relative WEBAPP_PATH', { WEBAPP_PATH: 'apps/x' }, 'placeholder-path', /absolute/],
    ['WEBAPP_PATH with ..', { WEBAPP_PATH: '/var/hda/../../etc' }, 'placeholder-path', /"\.\."/],
    ['WEBAPP_PATH with a newline directive', { WEBAPP_PATH: '/var/x\nProxyPass /' }, 'placeholder-path', /newline/],
    ['WEBAPP_PATH with a quote', { WEBAPP_PATH: '/var/x"y' }, 'placeholder-path', /quote/],
    ['WEBAPP_PATH with a space', { WEBAPP_PATH: '/var/my apps' }, 'placeholder-path', /whitespace/],
    ['WEBAPP_PATH with a colon', { WEBAPP_PATH: '/var/x:/etc' }, 'placeholder-path', /may only contain/],
  ];
  it.each(refusals)('refuses %s', (_what, bad, rule, msg) => {
    const v = { ...vars, ...bad } as InstallVars;
    let err: unknown;
    try {
      renderCompose(compose, v);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlaceholderError);
    expect((err as PlaceholderError).rule).toBe(rule);
    expect((err as Error).message).toMatch(msg);
    expect(() => validateInstallVars(v)).toThrow(PlaceholderError);
    expect(() => renderFile('x', v)).toThrow(PlaceholderError);
  });

  it('renderFile fills placeholders in non-YAML files the same way', () => {
    expect(renderFile("define('URL','http://APP_HOSTNAME:HOST_PORT/'); // WEBAPP_PATH", vars)).toBe(
      "define('URL','http://gitlab.home.lan:35007/'); // /var/hda/web-apps/gitlab7",
    );
  });
});

describe('DNS names', () => {
  it.each(['a', 'a-b', 'x1', 'a'.repeat(63)])('label %s is valid', (s) => expect(isValidDnsLabel(s)).toBe(true));
  it.each(['', '-a', 'a-', 'A', 'a_b', 'a.b', 'a'.repeat(64), 'a b', 'a\n'])('label %j is not', (s) => expect(isValidDnsLabel(s)).toBe(false));
  it.each(['home', 'gitlab.home.lan', 'a-1.b-2.c'])('hostname %s is valid', (s) => expect(isValidHostname(s)).toBe(true));
  it.each(['', '.a', 'a.', 'a..b', 'A.b', `${`${'a'.repeat(63)}.`.repeat(4)}abc`, 'a.b\nProxyPass'])('hostname %j is not', (s) =>
    expect(isValidHostname(s)).toBe(false),
  );
});
