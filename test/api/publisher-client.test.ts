/**
 * A publisher's script written against a client generated from the OpenAPI document alone
 * (test/publisher) publishes a signed catalog version on the real Node app (`npm start`), over HTTP.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTypes } from '../../scripts/openapi-types';
import type { paths } from '../../worker/ui/api-types.generated';
import { spawnNpmStart, stopNpmStart } from '../helpers/npm-start';
import { publishRelease } from '../publisher/publish-version';

const ROOT = join(import.meta.dirname, '..', '..');
const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };
const PUBLISHER = { email: 'publisher@example.com', password: 'publisher-password-1' };
const COMPOSE = 'services:\n  web:\n    image: example/hello:1\n    container_name: APP_IDENTIFIER\n    ports:\n      - "HOST_PORT:80"\n';

let child: ChildProcess | undefined;
let dataDir: string;
let baseUrl: string;

/** `npm start` on an empty data folder; resolves with its URL once it listens. */
function startNodeApp(env: Record<string, string>): Promise<string> {
  child = spawnNpmStart({ PORT: '0', LOCAL_AGENT: 'false', SEED_CATALOG: 'false', ...env });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not listen within 60 s:\n${out}`)), 60_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child!.stdout!.on('data', read);
    child!.stderr!.on('data', read);
    child!.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'publisher-'));
  baseUrl = await startNodeApp({ DATA_DIR: dataDir, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
  // The admin makes the publisher's account, through the same generated client.
  const anonymous = createClient<paths, 'application/json'>({ baseUrl });
  const { data: session } = await anonymous.POST('/api/auth/login', { body: ADMIN });
  const admin = createClient<paths, 'application/json'>({ baseUrl, headers: { authorization: `Bearer ${session!.token}` } });
  const made = await admin.POST('/api/users', { body: { ...PUBLISHER, role: 'publisher' } });
  expect(made.response.status).toBe(201);
}, 90_000);

afterAll(async () => {
  await stopNpmStart(child);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("a publisher's generated client", () => {
  it('is generated from the document the server serves', async () => {
    const res = await fetch(`${baseUrl}/api/openapi.json`);
    expect(res.status).toBe(200);
    const generated = await apiTypes(await res.json());
    expect(generated === (await readFile(join(ROOT, 'worker/ui/api-types.generated.ts'), 'utf8')), 'stale: run npm run openapi -- --types').toBe(true);
  });

  it('publishes a version the catalog signed, and the catalog lists it', async () => {
    const release = {
      app: { slug: 'hello', name: 'Hello', description: 'Says hello' },
      version: { version: '1.0.0', kind: 'container', compose: COMPOSE },
    };
    const { version, kid } = await publishRelease(baseUrl, PUBLISHER, release);
    expect(version).toMatchObject({ version: '1.0.0', kind: 'container', status: 'ready', key_id: kid });
    expect(version.normalized_compose).toMatch(/^services:/m);

    const listed = await createClient<paths, 'application/json'>({ baseUrl }).GET('/api/catalog/apps/{slug}', { params: { path: { slug: 'hello' } } });
    expect(listed.data?.versions.map((v) => [v.version, v.signature])).toEqual([['1.0.0', version.signature]]);

    // A second version of the now existing app; the same one again is refused with the API's reason.
    await publishRelease(baseUrl, PUBLISHER, { ...release, version: { ...release.version, version: '1.1.0' } });
    await expect(publishRelease(baseUrl, PUBLISHER, release)).rejects.toThrow(/publish: 409 .*immutable/i);
  });

  it("refuses a publisher's wrong password with the API's message", async () => {
    await expect(
      publishRelease(baseUrl, { ...PUBLISHER, password: 'not-the-password' }, { app: { slug: 'x', name: 'X' }, version: { version: '1', kind: 'container' } }),
    ).rejects.toThrow(/sign in: 401 email or password is wrong/);
  });
});
