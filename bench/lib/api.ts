/** The owner's side of the API over real HTTP: log in, publish apps, create and enroll HDAs, install. */

export type Http = (method: string, path: string, opts?: { token?: string; body?: unknown }) => Promise<{ status: number; body: any }>;

export function http(base: string): Http {
  return async (method, path, opts = {}) => {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}

function expect(r: { status: number; body: unknown }, status: number[], what: string) {
  if (!status.includes(r.status)) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body as any;
}

export async function login(api: Http, email: string, password: string): Promise<string> {
  return expect(await api('POST', '/api/auth/login', { body: { email, password } }), [200], 'login').token as string;
}

export const BENCH_COMPOSE = `services:
  web:
    image: bench/hello:1
    container_name: APP_IDENTIFIER
    ports:
      - "HOST_PORT:80"
`;

/** Publishes app `slug` with one version (the admin may publish). */
export async function publishApp(api: Http, token: string, slug: string): Promise<void> {
  expect(
    await api('POST', '/api/catalog/apps', { token, body: { slug, name: `Bench ${slug}`, description: 'A benchmark app' } }),
    [201, 409],
    `create app ${slug}`,
  );
  expect(
    await api('POST', `/api/catalog/apps/${slug}/versions`, { token, body: { version: '1.0', kind: 'container', compose: BENCH_COMPOSE } }),
    [201, 409],
    `publish ${slug}`,
  );
}

/** Creates an HDA and enrolls it as its agent would; returns the HDA id and the agent token. */
export async function enrolledHda(api: Http, token: string, name: string): Promise<{ hdaId: string; agentToken: string }> {
  const h = expect(await api('POST', '/api/hdas', { token, body: { name, domain: `${name}.example.com` } }), [201], 'create HDA');
  const e = expect(await api('POST', '/agent/v1/enroll', { body: { code: h.enrollment_code, hostname: `${name}-host` } }), [200], 'enroll');
  return { hdaId: h.hda.id as string, agentToken: e.token as string };
}

/** Queues an install of `app` on the HDA; returns the task id. */
export async function install(api: Http, token: string, hdaId: string, app: string): Promise<string> {
  return expect(await api('POST', `/api/hdas/${hdaId}/installs`, { token, body: { app } }), [201], `install ${app}`).task.id as string;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function inParallel<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
