import { beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, createTestPlane, publishApp, SIMPLE_COMPOSE, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
beforeEach(async () => {
  plane = await createTestPlane();
});

describe('catalog', () => {
  it('publishers create apps and versions; reads are public and show the normalized compose', async () => {
    const { token } = await publishApp(plane, 'hello');
    const list = await plane.json('GET', '/api/catalog/apps');
    expect(list.body.apps.map((a: { slug: string }) => a.slug)).toEqual(['hello']);
    const detail = await plane.json('GET', '/api/catalog/apps/hello');
    expect(detail.status).toBe(200);
    const [v] = detail.body.versions;
    expect(v).toMatchObject({ version: '1.0', kind: 'container', status: 'ready' });
    expect(v.normalized_compose).toMatch(/services:/);
    expect(v.signature.split('.')).toHaveLength(3);
    // A second version is listed first.
    const v2 = await plane.json('POST', '/api/catalog/apps/hello/versions', {
      token,
      body: { version: '1.1', kind: 'container-php5', compose: SIMPLE_COMPOSE },
    });
    expect(v2.status).toBe(201);
    const again = await plane.json('GET', '/api/catalog/apps/hello');
    expect(again.body.versions.map((x: { version: string }) => x.version)).toEqual(['1.1', '1.0']);
  });

  it('converts a legacy install script at publish time', async () => {
    const script = `cat > docker-compose.yml << 'EOF'\nweb-container:\n  image: 'docker.io/example/web'\n  container_name: "APP_IDENTIFIER"\n  ports:\n    - 'HOST_PORT:80'\nEOF\ndocker-compose up -d\n`;
    await publishApp(plane, 'legacy', { install_script: script });
    const detail = await plane.json('GET', '/api/catalog/apps/legacy');
    expect(detail.body.versions[0].normalized_compose).toMatch(/^services:\n\s+web-container:/m);
    expect(detail.body.versions[0].install_script).toBe(script);
  });

  it('searches by name', async () => {
    await publishApp(plane, 'alpha');
    await publishApp(plane, 'beta');
    const r = await plane.json('GET', '/api/catalog/apps?q=alp');
    expect(r.body.apps.map((a: { slug: string }) => a.slug)).toEqual(['alpha']);
    const literal = await plane.json('GET', '/api/catalog/apps?q=%25');
    expect(literal.body.apps).toEqual([]);
  });

  it('refuses bad publishes with 4xx and a reason, writing nothing', async () => {
    const { token } = await publishApp(plane, 'hello');
    const owner = await plane.user('owner');
    const other = await plane.user('publisher');
    const cases: Array<{ token?: string; path: string; body: unknown; status: number; match?: RegExp }> = [
      { path: '/api/catalog/apps', body: { slug: 'x', name: 'X' }, status: 401 },
      { token: owner.token, path: '/api/catalog/apps', body: { slug: 'x', name: 'X' }, status: 403 },
      { token, path: '/api/catalog/apps', body: { slug: 'Bad_Slug', name: 'X' }, status: 400, match: /slug/i },
      { token, path: '/api/catalog/apps', body: { slug: '-x', name: 'X' }, status: 400 },
      { token, path: '/api/catalog/apps', body: { slug: 'x', name: 'X'.repeat(101) }, status: 400 },
      { token, path: '/api/catalog/apps', body: { slug: 'x', name: 42 }, status: 400, match: /name/i },
      { token, path: '/api/catalog/apps', body: { slug: 'hello', name: 'Dup' }, status: 409 },
      {
        token,
        path: '/api/catalog/apps/hello/versions',
        body: { version: '1.0', kind: 'container', compose: SIMPLE_COMPOSE },
        status: 409,
        match: /immutable/i,
      },
      { token, path: '/api/catalog/apps/hello/versions', body: { version: '2.0', kind: 'container' }, status: 400, match: /install_script or compose/i },
      { token, path: '/api/catalog/apps/hello/versions', body: { version: '2.0', kind: 'vm', compose: SIMPLE_COMPOSE }, status: 400, match: /kind/i },
      { token, path: '/api/catalog/apps/hello/versions', body: { version: '2.0', kind: 'container', compose: 'just: [text' }, status: 400 },
      { token, path: '/api/catalog/apps/hello/versions', body: { version: '2.0', kind: 'container', install_script: '' }, status: 400 },
      { token, path: '/api/catalog/apps/nope/versions', body: { version: '2.0', kind: 'container', compose: SIMPLE_COMPOSE }, status: 404 },
      { token: other.token, path: '/api/catalog/apps/hello/versions', body: { version: '2.0', kind: 'container', compose: SIMPLE_COMPOSE }, status: 403 },
    ];
    for (const c of cases) {
      const r = await plane.json('POST', c.path, { token: c.token, body: c.body });
      expect(r.status, `${c.path} ${JSON.stringify(c.body)}`).toBe(c.status);
      expect(r.body.message).toBeTypeOf('string');
      if (c.match) expect(r.body.message).toMatch(c.match);
    }
    const detail = await plane.json('GET', '/api/catalog/apps/hello');
    expect(detail.body.versions).toHaveLength(1);
    expect((await plane.json('GET', '/api/catalog/apps')).body.apps).toHaveLength(1);
  });

  it('serves the signing keys as a JWKS', async () => {
    const r = await plane.json('GET', '/api/catalog/keys');
    expect(r.body.keys).toHaveLength(1);
    expect(r.body.keys[0].kid).toBeTypeOf('string');
    expect(r.body.keys[0].d).toBeUndefined();
  });
});

describe('HDAs and tenancy', () => {
  it("an owner creates HDAs, sees only their own, and gets 404 for another owner's", async () => {
    const a = await plane.user('owner');
    const b = await plane.user('owner');
    const created = await plane.json('POST', '/api/hdas', { token: a.token, body: { name: 'Home', domain: 'Home.Example.com' } });
    expect(created.status).toBe(201);
    expect(created.body.enrollment_code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    expect(created.body.hda).toMatchObject({ name: 'Home', domain: 'home.example.com', status: 'pending', online: false });
    expect(created.body.enrollment.command).toContain(created.body.enrollment_code);
    const id = created.body.hda.id;

    expect((await plane.json('GET', '/api/hdas', { token: a.token })).body.hdas).toHaveLength(1);
    expect((await plane.json('GET', '/api/hdas', { token: b.token })).body.hdas).toHaveLength(0);
    expect((await plane.json('GET', `/api/hdas/${id}`, { token: b.token })).status).toBe(404);
    expect((await plane.json('POST', `/api/hdas/${id}/revoke`, { token: b.token })).status).toBe(404);
    expect((await plane.json('POST', `/api/hdas/${id}/enrollment`, { token: b.token })).status).toBe(404);
    const admin = await plane.login(ADMIN.email, ADMIN.password);
    expect((await plane.json('GET', `/api/hdas/${id}`, { token: admin })).status).toBe(200);
    expect((await plane.json('GET', '/api/hdas', { token: admin })).body.hdas).toHaveLength(1);
  });

  it('refuses invalid names and domains', async () => {
    const a = await plane.user('owner');
    for (const body of [
      { name: 'x', domain: 'bad domain' },
      { name: 'x', domain: 'a..b' },
      { name: 'x', domain: '-a.com' },
      { name: 'x', domain: `${'x'.repeat(64)}.com` },
      { name: '', domain: 'a.com' },
      { name: 'line\nbreak', domain: 'a.com' },
      { name: 'evil\u202egpj.exe', domain: 'a.com' },
      { name: 'zero\u200bwidth', domain: 'a.com' },
      { name: 'x' },
    ]) {
      expect((await plane.json('POST', '/api/hdas', { token: a.token, body })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await plane.json('GET', '/api/hdas', { token: a.token })).body.hdas).toHaveLength(0);
    expect((await plane.json('GET', '/api/hdas/not-a-uuid', { token: a.token })).status).toBe(400);
  });
});

describe('publish preview', () => {
  it('shows the normalized compose and findings without storing anything', async () => {
    const { token } = await publishApp(plane, 'hello');
    const socket = 'services:\n  web:\n    image: x/y\n    ports: ["HOST_PORT:9000"]\n    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]\n';
    const r = await plane.json('POST', '/api/catalog/apps/hello/versions/preview', { token, body: { version: '2.0', kind: 'container', compose: socket } });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('needs_review');
    expect(r.body.findings.map((f: { rule: string }) => f.rule)).toContain('docker-socket');
    expect(r.body.normalized_compose).toMatch(/docker.sock/);
    // Whether each Compose dialect runs it, and the per-install secrets the agent would generate.
    expect(r.body.dialects).toEqual({ v1: { ok: true }, v2: { ok: true } });
    expect(r.body.secrets).toEqual([]);
    const secret = await plane.json('POST', '/api/catalog/apps/hello/versions/preview', {
      token,
      body: {
        version: '2.0',
        kind: 'container',
        compose: 'services:\n  web:\n    image: x\n    ports: ["HOST_PORT:80"]\n    environment: ["PW=APP_SECRET_DB"]\n',
      },
    });
    expect(secret.body).toMatchObject({ status: 'ready', secrets: ['DB'] });
    expect(secret.body.normalized_compose).toContain('PW=APP_SECRET_DB');
    // A key the Compose Specification does not define is refused by name, never passed through.
    const typo = await plane.json('POST', '/api/catalog/apps/hello/versions/preview', {
      token,
      body: { version: '2.0', kind: 'container', compose: 'services:\n  web:\n    image: x\n    ports: ["HOST_PORT:80"]\n    network-mode: host\n' },
    });
    expect(typo.body).toMatchObject({ status: 'rejected', normalized_compose: '', dialects: null });
    expect(typo.body.findings).toContainEqual(expect.objectContaining({ rule: 'unknown-key', service: 'web', line: 5 }));
    const empty = await plane.json('POST', '/api/catalog/apps/hello/versions/preview', {
      token,
      body: { version: '2.0', kind: 'container', install_script: 'echo hi\n' },
    });
    expect(empty.status).toBe(200);
    expect(empty.body.status).toBe('rejected');
    expect((await plane.json('GET', '/api/catalog/apps/hello')).body.versions).toHaveLength(1);
    // A first version is previewed before its app exists; nothing is created.
    const fresh = await plane.json('POST', '/api/catalog/apps/brand-new/versions/preview', {
      token,
      body: { version: '1.0', kind: 'container', compose: socket },
    });
    expect(fresh.body.status).toBe('needs_review');
    expect((await plane.json('GET', '/api/catalog/apps/brand-new')).status).toBe(404);
    const owner = await plane.user('owner');
    expect(
      (
        await plane.json('POST', '/api/catalog/apps/hello/versions/preview', {
          token: owner.token,
          body: { version: '2.0', kind: 'container', compose: socket },
        })
      ).status,
    ).toBe(403);
  });
});
