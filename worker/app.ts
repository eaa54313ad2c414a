/**
 * The Hono app both runtimes serve. It imports no Node-only module: the entries (index.ts for
 * Workers, node.ts for Node) build the Deps and hand them in.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv, Deps } from './context';
import { csrfGuard } from './auth/csrf';
import { sessionMiddleware } from './auth/session';
import { ApiError, errorResponse } from './errors';
import { registerSecuritySchemes } from './openapi';
import { agentRoutes } from './routes/agent';
import { agentInstallerRoutes } from './routes/agent-installer';
import { auditRoutes } from './routes/audit';
import { backupRoutes } from './routes/backups';
import { lanSettingsRoutes } from './routes/lan-settings';
import { batchRoutes } from './routes/batches';
import { operationRoutes } from './routes/operations';
import { authRoutes } from './routes/auth';
import { catalogRoutes } from './routes/catalog';
import { hdaRoutes } from './routes/hdas';
import { installRoutes } from './routes/installs';
import { snapshotRoutes } from './routes/snapshots';
import { taskRoutes } from './routes/tasks';
import { userRoutes } from './routes/users';
import { createUiRoutes } from './ui/routes';

export const API_VERSION = '0.1.0';

/**
 * Caps request bodies. GET and HEAD carry none, and skipping them keeps the idle poll from building
 * the full Request object the limiter reads (on Node that costs more than the poll itself).
 */
function limitBody(maxSize: number, label: string): MiddlewareHandler<AppEnv> {
  const limiter = bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `request body is larger than ${label}`);
    },
  });
  return (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limiter(c, next));
}

/**
 * Security headers for what a browser may load: the UI and the owners' API. The agent protocol is
 * spoken only by agents with a bearer token a browser never sends on its own, so the headers would
 * protect nothing there, and on the idle poll, answered thousands of times a second, building and
 * sending them cost more than the rest of the answer.
 */
function browserHeaders(): MiddlewareHandler<AppEnv> {
  const headers = secureHeaders({ crossOriginResourcePolicy: 'same-origin', referrerPolicy: 'same-origin' });
  return (c, next) => (c.req.path.startsWith('/agent/') ? next() : headers(c, next));
}

const DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'HDA control plane', version: API_VERSION, description: 'Catalog, HDAs, installs, deployments and the agent protocol v1.' },
  servers: [{ url: '/', description: 'This control plane' }],
  tags: [
    { name: 'auth', description: 'Sign in and out' },
    { name: 'users', description: 'Accounts and passwords' },
    { name: 'catalog', description: 'Apps and their signed versions' },
    { name: 'hdas', description: 'Home servers and their enrollment' },
    { name: 'installs', description: 'Apps installed on an HDA and what is done to them' },
    { name: 'fleet', description: 'One version deployed to many HDAs' },
    { name: 'tasks', description: 'The work queued for an agent, and its progress' },
    { name: 'audit', description: 'Who did what' },
    { name: 'agent', description: 'The protocol an HDA agent speaks, and how it is installed' },
  ],
};

/** The OpenAPI document of the app's routes (served at /api/openapi.json, dumped by scripts/openapi.ts). */
export function apiDocument(app: OpenAPIHono<AppEnv>) {
  return app.getOpenAPI31Document(DOCUMENT);
}

/** `getDeps` is called per request so the Workers entry can build them from its bindings lazily. */
export function createApp(getDeps: (c: { env: unknown }) => Deps | Promise<Deps>) {
  const app = new OpenAPIHono<AppEnv>();
  registerSecuritySchemes(app);

  app.use('*', async (c, next) => {
    const deps = getDeps(c);
    c.set('deps', deps instanceof Promise ? await deps : deps); // Node's are ready: skip a microtask
    await next();
  });
  app.use('*', browserHeaders());
  app.use('/api/*', limitBody(1024 * 1024, '1 MiB'));
  app.use('/agent/*', limitBody(2 * 1024 * 1024, '2 MiB'));
  app.use('/api/*', sessionMiddleware);
  app.use('/api/*', csrfGuard);

  for (const routes of [
    authRoutes,
    userRoutes,
    catalogRoutes,
    hdaRoutes,
    installRoutes,
    snapshotRoutes,
    operationRoutes,
    batchRoutes,
    backupRoutes,
    lanSettingsRoutes,
    taskRoutes,
    agentRoutes,
    agentInstallerRoutes,
    auditRoutes,
  ]) {
    app.route('/', routes);
  }

  app.get('/healthz', (c) => c.json({ ok: true, version: API_VERSION }));
  app.get('/api/openapi.json', (c) => c.json(apiDocument(app)));

  app.route('/', createUiRoutes(app));

  app.notFound((c) => c.json({ error: 'not_found', message: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  app.onError(errorResponse);
  return app;
}

export type App = ReturnType<typeof createApp>;
