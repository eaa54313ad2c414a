/**
 * The install script's host setup, run for real (`sh`, the script the control plane serves, with
 * --setup-only) against a copy of this machine's Debian Apache configuration with mod_ssl switched
 * off: afterwards the real apache2 parses it with mod_ssl loaded and a default TLS vhost on *:443,
 * the real dnsmasq accepts the hostsdir= file, and a second run changes nothing. Packages and service
 * reloads run only on the real /etc: here the script prints them instead (asserted).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installScript } from '../../worker/services/agent-installer';
import { commandWorks, requireOrSkip } from '../helpers/requirements';

const missing = ['apache2', 'dnsmasq', 'openssl'].find((c) => !commandWorks(c, c === 'apache2' ? ['-v'] : c === 'openssl' ? ['version'] : ['--version']));
const problem = missing
  ? `${missing} is not installed`
  : !existsSync('/etc/apache2/mods-available/ssl.load')
    ? 'no Debian Apache configuration in /etc/apache2'
    : null;
const available = requireOrSkip('install script host setup (apache2, dnsmasq, openssl)', problem === null, problem ?? '');

const SCRIPT = installScript('https://cp.example.com', 'a'.repeat(64));

describe.skipIf(!available)("the install script sets up the host's HTTPS and names", () => {
  let root: string;
  let etc: string;

  /** The script as served, from standard input, with this test's root as the host's /etc. */
  function setup(args: string[], env: Record<string, string> = {}) {
    const r = spawnSync('sh', ['-s', '--', '--setup-only', ...args], { input: SCRIPT, encoding: 'utf8', env: { ...process.env, HDA_AGENT_ETC: etc, ...env } });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  }

  /** The real apache2 on the copied configuration, with Debian's envvars pointed inside the root. */
  function apache(define: string) {
    const a = join(etc, 'apache2');
    const vars = `. ${a}/envvars; export APACHE_RUN_DIR=${root}/run APACHE_LOCK_DIR=${root}/lock APACHE_LOG_DIR=${root}/log`;
    const r = spawnSync('sh', ['-c', `${vars}; exec apache2 -d "$1" -f apache2.conf -t -D "$2"`, 'sh', a, define], {
      encoding: 'utf8',
      env: { ...process.env, APACHE_CONFDIR: a },
    });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hda-host-setup-'));
    etc = join(root, 'etc');
    for (const d of ['run', 'lock', 'log', 'etc']) mkdirSync(join(root, d));
    cpSync('/etc/apache2', join(etc, 'apache2'), { recursive: true, verbatimSymlinks: true });
    // A fresh Debian Apache: mod_ssl and its cache off, the admin's default TLS site (if any) off.
    for (const f of ['ssl.load', 'ssl.conf', 'socache_shmcb.load']) rmSync(join(etc, 'apache2/mods-enabled', f), { force: true });
    rmSync(join(etc, 'apache2/sites-enabled/default-ssl.conf'), { force: true });
    expect(apache('DUMP_MODULES').out).not.toContain('ssl_module');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('dnsmasq: mod_ssl on, a default TLS vhost on 443, hostsdir= for dnsmasq, the setting for the agent; the real parts accept it', () => {
    const r = setup([]);
    expect(r.status, r.out).toBe(0);
    const a = join(etc, 'apache2');
    expect(readlinkSync(join(a, 'mods-enabled/ssl.load'))).toBe('../mods-available/ssl.load');
    expect(readlinkSync(join(a, 'sites-enabled/000-hda-agent-default-ssl.conf'))).toBe('../sites-available/000-hda-agent-default-ssl.conf');
    expect(apache('DUMP_MODULES').out).toMatch(/ssl_module/);
    const vhosts = apache('DUMP_VHOSTS');
    expect(vhosts.status, vhosts.out).toBe(0);
    expect(vhosts.out).toMatch(/\*:443\s+default\.invalid/);
    expect(lstatSync(join(etc, 'hda-agent/tls/default.key')).mode & 0o777).toBe(0o600);
    const hostsDir = join(etc, 'hda-agent/hosts.d');
    expect(readFileSync(join(etc, 'dnsmasq.d/hda-agent.conf'), 'utf8')).toContain(`\nhostsdir=${hostsDir}\n`);
    expect(lstatSync(hostsDir).isDirectory()).toBe(true);
    const test = spawnSync('dnsmasq', ['--test', `--conf-file=${join(etc, 'dnsmasq.d/hda-agent.conf')}`], { encoding: 'utf8' });
    expect(test.stderr).toContain('syntax check OK');
    expect(readFileSync(join(etc, 'default/hda-agent'), 'utf8')).toBe(`HDA_AGENT_NAMES=dnsmasq\nHDA_AGENT_DNS_HOSTS_DIR=${hostsDir}\n`);
    // Off the real /etc, commands that change the system are printed, not run.
    expect(r.out).toContain('not run (files only under');
    expect(r.out).toContain('apache2ctl configtest');
  });

  it('a second run changes nothing; switching to mdns rewrites only the setting', () => {
    expect(setup([]).status).toBe(0);
    const conf = join(etc, 'apache2/sites-available/000-hda-agent-default-ssl.conf');
    const before = lstatSync(conf).mtimeMs;
    const again = setup([]);
    expect(again.status).toBe(0);
    expect(again.out).not.toMatch(/wrote|enabled|made/);
    expect(lstatSync(conf).mtimeMs).toBe(before);
    const mdns = setup(['--names', 'mdns']);
    expect(mdns.status, mdns.out).toBe(0);
    expect(readFileSync(join(etc, 'default/hda-agent'), 'utf8').match(/^HDA_AGENT_NAMES=.*$/gm)).toEqual(['HDA_AGENT_NAMES=mdns']);
    expect(mdns.out).toContain('names: mdns');
  });

  it('a ports.conf without Listen 443 gets a snippet that listens once mod_ssl is loaded', () => {
    const ports = join(etc, 'apache2/ports.conf');
    writeFileSync(ports, 'Listen 80\n');
    expect(setup([]).status).toBe(0);
    expect(readlinkSync(join(etc, 'apache2/conf-enabled/hda-agent-https.conf'))).toBe('../conf-available/hda-agent-https.conf');
    const cfg = apache('DUMP_RUN_CFG');
    expect(cfg.status, cfg.out).toBe(0);
    expect(apache('DUMP_VHOSTS').out).toMatch(/\*:443\s+default\.invalid/);
  });

  it('refuses a names mode it does not know and a hosts folder a shell or dnsmasq would read specially, writing nothing', () => {
    const bad = setup(['--names', 'bonjour']);
    expect(bad.status).toBe(1);
    expect(bad.out).toContain('--names must be dnsmasq, mdns or off');
    const odd = setup([], { HDA_AGENT_DNS_HOSTS_DIR: '/srv/hosts\nconf-file=/etc/shadow' });
    expect(odd.status).toBe(1);
    expect(odd.out).toContain('must be letters, digits and ._/-');
    expect(existsSync(join(etc, 'dnsmasq.d'))).toBe(false);
    expect(existsSync(join(etc, 'apache2/mods-enabled/ssl.load'))).toBe(false);
  });
});
