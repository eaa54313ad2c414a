/** The app catalog: public reads, publisher writes. */
import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq, or, sql } from 'drizzle-orm';
import { APP_CATEGORIES, apps } from '../../db/schema';
import { requireRole } from '../auth/session';
import { createRouter, errorResponses, jsonBody, jsonContent, asAnyone, asUser } from '../openapi';
import { AppDetailSchema, AppsSchema, CreatedAppSchema, JwksSchema, PublishedVersionSchema, VersionPreviewSchema } from '../schemas/catalog';

import { createApp, findApp, listVersions, previewVersion, publishVersion } from '../services/catalog';
import { loadEndorsedJwks } from '../services/signer';
import { appView, versionView } from '../views';
import { IconUrl, Name, Slug } from '../validation';

export const catalogRoutes = createRouter();

const MAX_SCRIPT = 256 * 1024;

const NewApp = z
  .strictObject({
    slug: Slug,
    name: Name,
    description: z
      .string()
      .max(4000)
      .transform((s) => s.replace(/\u0000/g, '\ufffd'))
      .optional(),
    homepage: z
      .string()
      .url()
      .max(500)
      .regex(/^https?:\/\//, 'must be an http(s) URL')
      .nullable()
      .optional(),
    category: z.enum(APP_CATEGORIES).optional(),
    icon_url: IconUrl.optional(),
  })
  .openapi('NewApp');

const NewVersion = z
  .strictObject({
    version: z
      .string()
      .min(1)
      .max(40)
      .regex(/^[0-9A-Za-z][0-9A-Za-z.+_-]*$/, 'must be letters, digits and . + _ -'),
    kind: z
      .string()
      .max(40)
      .regex(/^container(-[a-z0-9]+)?$/, 'must be "container" or "container-<flavor>" as Amahi uses'),
    install_script: z.string().max(MAX_SCRIPT).nullable().optional(),
    compose: z.string().max(MAX_SCRIPT).nullable().optional(),
    uninstall_script: z.string().max(MAX_SCRIPT).nullable().optional(),
  })
  .openapi('NewVersion');

const SlugParam = z.object({ slug: Slug });

catalogRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/catalog/apps',
    tags: ['catalog'],
    operationId: 'listApps',
    summary: 'Search the catalog',
    security: asAnyone,
    request: { query: z.object({ q: z.string().max(100).optional(), category: z.enum(APP_CATEGORIES).optional() }) },
    responses: { 200: jsonContent(AppsSchema, 'Catalog apps, newest first'), 400: errorResponses[400] },
  }),
  async (c) => {
    const deps = c.get('deps');
    const { q, category } = c.req.valid('query');
    const base = deps.db.select().from(apps);
    // instr() matches the text literally: no LIKE wildcards to escape in what a person typed.
    const has = (col: typeof apps.name | typeof apps.slug | typeof apps.description) => sql`instr(lower(${col}), lower(${q})) > 0`;
    const rows = await base
      .where(and(q ? or(has(apps.name), has(apps.slug), has(apps.description)) : undefined, category ? eq(apps.category, category) : undefined))
      .orderBy(desc(apps.createdAt));
    return c.json({ apps: rows.map(appView) }, 200);
  },
);

catalogRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/catalog/apps/{slug}',
    tags: ['catalog'],
    operationId: 'getApp',
    summary: 'A catalog app and its versions',
    security: asAnyone,
    request: { params: SlugParam },
    responses: { 200: jsonContent(AppDetailSchema, 'The app with its versions (newest first)'), 404: errorResponses[404] },
  }),
  async (c) => {
    const deps = c.get('deps');
    const app = await findApp(deps, c.req.valid('param').slug);
    const versions = await listVersions(deps, app.id);
    return c.json({ app: appView(app), versions: versions.map((v) => versionView(v, { full: true })) }, 200);
  },
);

catalogRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/catalog/apps',
    tags: ['catalog'],
    operationId: 'createApp',
    summary: 'Add an app to the catalog (publishers)',
    security: asUser,
    request: jsonBody(NewApp),
    responses: { 201: jsonContent(CreatedAppSchema, 'Created'), ...errorResponses },
  }),
  async (c) => {
    const user = requireRole(c, 'publisher');
    const app = await createApp(c.get('deps'), user, c.req.valid('json'));
    return c.json({ app: appView(app) }, 201);
  },
);

catalogRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/catalog/apps/{slug}/versions',
    tags: ['catalog'],
    operationId: 'publishVersion',
    summary: 'Publish a version of an app (publishers)',
    security: asUser,
    request: { params: SlugParam, ...jsonBody(NewVersion) },
    responses: { 201: jsonContent(PublishedVersionSchema, 'Published: the normalized compose and the findings'), ...errorResponses },
  }),
  async (c) => {
    const user = requireRole(c, 'publisher');
    const version = await publishVersion(c.get('deps'), user, c.req.valid('param').slug, c.req.valid('json'));
    return c.json({ version: versionView(version, { full: true }) }, 201);
  },
);

catalogRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/catalog/keys',
    tags: ['catalog'],
    operationId: 'getCatalogKeys',
    summary: 'The keys app versions are signed with',
    security: asAnyone,
    responses: { 200: jsonContent(JwksSchema, 'The public keys app versions are signed with (JWKS), with each rotated key endorsed by the one before it') },
  }),
  async (c) => c.json(await loadEndorsedJwks(c.get('deps').db), 200),
);

catalogRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/catalog/apps/{slug}/versions/preview',
    tags: ['catalog'],
    operationId: 'previewVersion',
    summary: 'Check a version without publishing it (publishers)',
    security: asUser,
    request: { params: SlugParam, ...jsonBody(NewVersion) },
    responses: {
      200: jsonContent(
        VersionPreviewSchema,
        'What publishing would store (status, normalized compose, per-install secret names, findings, and whether Compose v1 and v2 can run it); nothing is written',
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const user = requireRole(c, 'publisher');
    const { result } = await previewVersion(c.get('deps'), user, c.req.valid('param').slug, c.req.valid('json'));
    return c.json(
      {
        status: result.status,
        normalized_compose: result.content.compose,
        files: result.content.files,
        steps: result.content.steps,
        secrets: result.content.secrets ?? [],
        findings: result.findings,
        dialects: result.dialects ?? null,
      },
      200,
    );
  },
);
