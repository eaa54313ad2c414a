import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHostPath, hostPathsOf, HostPathRefused, type HostPath } from '../../../agent/executor/binds';
import { anchorPaths } from '../../../agent/executor/anchor';

let root: string;
let app: string;
let share: string;
const bind = (path: string, readOnly = false): HostPath => ({ path, use: 'bind', readOnly, where: 'service "web" volume 0', grantedBy: ['bind-outside-app'] });
const rules = () => ({ appDir: app, shareRoots: [share] });

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'binds-'));
  app = join(root, 'apps', 'radarr');
  share = join(root, 'files');
  mkdirSync(app, { recursive: true });
  mkdirSync(share, { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('host paths resolved for real before a start', () => {
  it('creates a missing bind folder under the app folder, one level at a time, as a real folder', () => {
    const r = checkHostPath(bind(join(app, 'data', 'db')), rules());
    expect(r.created).toEqual([join(app, 'data'), join(app, 'data', 'db')]);
    expect(statSync(join(app, 'data', 'db')).isDirectory()).toBe(true);
    expect(statSync(join(app, 'data')).mode & 0o777).toBe(0o755);
  });

  it('refuses a bound folder a container replaced with a link to /, naming the path', () => {
    symlinkSync('/', join(app, 'data'));
    const p = join(app, 'data');
    expect(() => checkHostPath(bind(p), rules())).toThrow(HostPathRefused);
    expect(() => checkHostPath(bind(p), rules())).toThrow(new RegExp(`${p.replace(/[/.]/g, '\\$&')} leads to / `));
  });

  it('follows a chain of links and refuses where it ends outside; creates nothing through it', () => {
    const outside = mkdtempSync(join(tmpdir(), 'outside-'));
    try {
      symlinkSync(outside, join(app, 'b'));
      symlinkSync(join(app, 'b'), join(app, 'a'));
      expect(() => checkHostPath(bind(join(app, 'a', 'new')), rules())).toThrow(/leads to .*outside/);
      expect(existsSync(join(outside, 'new'))).toBe(false);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('accepts a link that stays inside the app folder and returns the real path', () => {
    mkdirSync(join(app, 'real'));
    symlinkSync(join(app, 'real'), join(app, 'alias'));
    expect(checkHostPath(bind(join(app, 'alias')), rules()).real).toBe(join(app, 'real'));
  });

  it('refuses `..`, `.` and relative paths (what Docker gets must be what was checked)', () => {
    for (const p of [`${app}/../other`, `${app}/./data`, 'data', `${app}//data`])
      expect(() => checkHostPath(bind(p), rules())).toThrow(/not an absolute, normalized/);
  });

  it('refuses / itself and paths outside every root', () => {
    expect(() => checkHostPath(bind('/'), rules())).toThrow(/never mounted/);
    expect(() => checkHostPath(bind('/etc'), rules())).toThrow(/outside the app folder/);
    expect(() => checkHostPath(bind('/etc/localtime'), rules())).toThrow(/outside/);
  });

  it('accepts the time files read-only, and other host paths only with the owner exception, never /', () => {
    expect(checkHostPath(bind('/etc/hostname', true), { ...rules(), exceptions: ['bind-outside-app'] }).real).toBe('/etc/hostname');
    expect(existsSync('/etc/localtime') ? checkHostPath(bind('/etc/localtime', true), rules()).path : '/etc/localtime').toBe('/etc/localtime');
    const link = join(root, 'to-root');
    symlinkSync('/', link);
    expect(() => checkHostPath(bind(link), { ...rules(), exceptions: ['bind-outside-app'] })).toThrow(/root folder/);
  });

  it("lets the Docker socket through only with the owner's docker-socket exception, as the policy does", () => {
    const [sock] = hostPathsOf({ services: { p: { volumes: ['/var/run/docker.sock:/var/run/docker.sock'] } } });
    expect(sock.grantedBy).toEqual(['docker-socket']);
    expect(() => checkHostPath(sock, rules())).toThrow(/no owner exception \(docker-socket\)/);
    expect(() => checkHostPath(sock, { ...rules(), exceptions: ['bind-outside-app'] })).toThrow(HostPathRefused);
    if (existsSync('/var/run/docker.sock')) expect(checkHostPath(sock, { ...rules(), exceptions: ['docker-socket'] }).path).toBe('/var/run/docker.sock');
    const [parent] = hostPathsOf({ services: { p: { volumes: ['/var/run:/host-run'] } } });
    expect(parent.grantedBy).toEqual(['docker-socket', 'bind-outside-app']);
  });

  it('keeps a share-root path inside that share root: a link from a share into the app folder is refused too', () => {
    mkdirSync(join(share, 'movies'));
    expect(checkHostPath(bind(join(share, 'movies')), rules()).real).toBe(join(share, 'movies'));
    symlinkSync(app, join(share, 'sneaky'));
    expect(() => checkHostPath(bind(join(share, 'sneaky')), rules())).toThrow(/outside/);
  });

  it('creates a missing share root and folders under it', () => {
    rmSync(share, { recursive: true });
    expect(checkHostPath(bind(join(share, 'music')), rules()).created).toEqual([join(share, 'music')]);
  });

  it('checks files Compose reads (env_file) without creating them, refusing one linked outside', () => {
    const envFile: HostPath = { path: join(app, 'app.env'), use: 'read', readOnly: true, where: 'service "web" env_file', grantedBy: ['external-file'] };
    expect(checkHostPath(envFile, rules()).created).toEqual([]);
    expect(existsSync(join(app, 'app.env'))).toBe(false);
    symlinkSync('/etc/shadow', join(app, 'app.env'));
    expect(() => checkHostPath(envFile, rules())).toThrow(/env_file: .* leads to \/etc\/shadow/);
  });

  it('finds every host path of an anchored compose: binds (short and long), build context, env_file, configs', () => {
    const doc = anchorPaths(
      {
        services: {
          web: {
            image: 'x',
            volumes: ['./data:/data:ro', 'named:/n', { type: 'bind', source: 'conf', target: '/c' }],
            env_file: ['./a.env', { path: 'b.env' }],
            build: { context: '.' },
          },
        },
        configs: { c: { file: './c.conf' } },
      },
      app,
    );
    const paths = hostPathsOf(doc).map((p) => `${p.use}:${p.path}:${p.readOnly}`);
    expect(paths).toEqual([
      `bind:${app}/data:true`,
      `bind:${app}/conf:false`,
      `read:${app}:true`,
      `read:${app}/a.env:true`,
      `read:${app}/b.env:true`,
      `read:${app}/c.conf:true`,
    ]);
    expect((doc.services as Record<string, { volumes: unknown[] }>).web.volumes[0]).toBe(`${app}/data:/data:ro`);
  });

  it('writes an anchored path so the kernel reads it as checked: ../ resolved lexically, then refused when outside', () => {
    const doc = anchorPaths({ services: { web: { volumes: ['./data/../../x:/x'] } } }, app);
    const [hp] = hostPathsOf(doc);
    expect(hp.path).toBe(join(root, 'apps', 'x'));
    expect(() => checkHostPath(hp, rules())).toThrow(/outside the app folder/);
  });

  it('a file in place of a folder level is refused, not followed', () => {
    writeFileSync(join(app, 'f'), 'x');
    expect(() => checkHostPath(bind(join(app, 'f', 'sub')), rules())).toThrow(HostPathRefused);
  });
});

describe('paths judged by what they resolve to, and every path a build reads', () => {
  it('a path an owner allowed outside the app folder that links to a Docker socket needs the docker-socket exception too', () => {
    const outside = mkdtempSync(join(tmpdir(), 'granted-'));
    try {
      writeFileSync(join(outside, 'docker.sock'), '');
      symlinkSync(join(outside, 'docker.sock'), join(outside, 'harmless'));
      const hp = bind(join(outside, 'harmless'));
      expect(() => checkHostPath(hp, { ...rules(), exceptions: ['bind-outside-app'] })).toThrow(/exposes the Docker socket/);
      expect(checkHostPath(hp, { ...rules(), exceptions: ['bind-outside-app', 'docker-socket'] }).real).toBe(join(outside, 'docker.sock'));
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('lists and anchors the Dockerfile and local additional build contexts, and refuses one a container linked to /', () => {
    const doc = anchorPaths(
      {
        services: {
          web: {
            build: {
              context: './src',
              dockerfile: 'Dockerfile.prod',
              additional_contexts: { assets: './assets', base: 'docker-image://alpine', svc: 'service:db' },
            },
          },
        },
      },
      app,
    );
    const paths = hostPathsOf(doc);
    expect(paths.map((p) => p.path)).toEqual([join(app, 'src'), join(app, 'src', 'Dockerfile.prod'), join(app, 'assets')]);
    symlinkSync('/', join(app, 'assets'));
    expect(() => checkHostPath(paths[2], rules())).toThrow(/additional build context "assets".*leads to \//);
  });
});
