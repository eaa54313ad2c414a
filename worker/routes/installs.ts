/** Installs on an HDA and the actions on them; each queues one task and records a deployment. */
import { refusedByTodaysPolicy } from '../services/policy-recheck';
import { publishedPortsOf } from '../services/published-ports';
import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { apps, appVersions } from '../../db/schema';
import { currentUser } from '../auth/session';
import { createRouter, errorResponses, jsonBody, jsonContent, asUser } from '../openapi';
import { DeploymentTaskSchema, DeploymentsSchema, InstallDetailSchema, InstallsSchema, NewInstallResultSchema } from '../schemas/installs';

import { createInstall, INSTALL_ACTIONS, installsOfUser, listDeployments, ownedInstall, performAction, WAIVABLE_RULES } from '../services/installs';
import { appLanOf, appStatesOf, deploymentView, hostLimits, installView, queuedTaskView } from '../views';
import { setUpdateControl, updateOffer } from '../services/update-control';
import { InstallBackupSetSchema, InstallBackupViewSchema, UpdateOfferSchema } from '../schemas/backups';
import { InstallBackup } from '../../core/backup/install-backup';
import { installBackupView, setInstallBackup } from '../services/install-backup';
import { HostPort, Id, Slug } from '../validation';

export const installRoutes = createRouter();

const IdParam = z.object({ id: Id });
const NewInstall = z
  .strictObject({
    app: Slug,
    version: z.string().min(1).max(40).optional(),
    policy_exceptions: z.array(z.enum(WAIVABLE_RULES)).max(WAIVABLE_RULES.length).optional(),
    /** The owner's choice; without it the HDA's next free port, moved by the agent if something holds it. */
    host_port: HostPort.optional(),
  })
  .openapi('NewInstall');

const Action = z
  .strictObject({
    action: z.enum(INSTALL_ACTIONS),
    version: z.string().min(1).max(40).optional(),
    deployment: Id.optional(),
    purge: z.boolean().optional(),
    /** rollback: put the data back as of that deployment too (later data is lost: needs confirm). */
    with_data: z.boolean().optional(),
    confirm: z.boolean().optional(),
  })
  .openapi('InstallAction');
const UpdateControl = z
  .strictObject({
    hold: z.boolean().optional(),
    skip_version: z.string().min(1).max(40).nullable().optional(),
  })
  .openapi('UpdateControl');

installRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/hdas/{id}/installs',
    tags: ['installs'],
    operationId: 'createInstall',
    summary: 'Install an app on an HDA',
    security: asUser,
    request: { params: IdParam, ...jsonBody(NewInstall) },
    responses: { 201: jsonContent(NewInstallResultSchema, 'The install, its first deployment and the queued task'), ...errorResponses },
  }),
  async (c) => {
    const deps = c.get('deps');
    const { install, deployment, taskId } = await createInstall(deps, currentUser(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json({ install: installView(install), deployment: deploymentView(deployment), task: queuedTaskView(taskId) }, 201);
  },
);

installRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/installs/{id}/actions',
    tags: ['installs'],
    operationId: 'actOnInstall',
    summary: 'Start, stop, restart, update, roll back, retry or uninstall an install',
    security: asUser,
    request: { params: IdParam, ...jsonBody(Action) },
    responses: { 202: jsonContent(DeploymentTaskSchema, 'The deployment and the queued task'), ...errorResponses },
  }),
  async (c) => {
    const deps = c.get('deps');
    const { deployment, taskId } = await performAction(deps, currentUser(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json({ deployment: deploymentView(deployment), task: queuedTaskView(taskId) }, 202);
  },
);

installRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/installs/{id}',
    tags: ['installs'],
    operationId: 'getInstall',
    summary: 'An install and its runtime state',
    security: asUser,
    request: { params: IdParam },
    responses: { 200: jsonContent(InstallDetailSchema, 'The install and its runtime state'), ...errorResponses },
  }),
  async (c) => {
    const deps = c.get('deps');
    const { install, hda } = await ownedInstall(deps, currentUser(c), c.req.valid('param').id);
    const [meta] = await deps.db
      .select({ slug: apps.slug, name: apps.name, version: appVersions.version, contentJson: appVersions.contentJson })
      .from(appVersions)
      .innerJoin(apps, eq(apps.id, appVersions.appId))
      .where(eq(appVersions.id, install.versionId));
    const runtime = appStatesOf(hda).get(install.identifier) ?? null;
    const refused = refusedByTodaysPolicy(meta.contentJson, install.policyExceptionsJson);
    return c.json(
      {
        install: installView(install, { app: { slug: meta.slug, name: meta.name }, version: meta.version, runtime }),
        published_ports: publishedPortsOf(meta.contentJson),
        lan: appLanOf(hda, install.identifier),
        hda: { id: hda.id, name: hda.name, domain: hda.domain, facts: hostLimits(hda) },
        policy_recheck: { refused },
      },
      200,
    );
  },
);

installRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/installs/{id}/deployments',
    tags: ['installs'],
    operationId: 'listDeployments',
    summary: "An install's deployment history",
    security: asUser,
    request: { params: IdParam },
    responses: { 200: jsonContent(DeploymentsSchema, 'The deployment history, newest first'), ...errorResponses },
  }),
  async (c) => {
    const deps = c.get('deps');
    const { install } = await ownedInstall(deps, currentUser(c), c.req.valid('param').id);
    const rows = await listDeployments(deps, install.id);
    return c.json({ deployments: rows.map((r) => deploymentView(r.deployment, r.version, { taskId: r.taskId, createdByEmail: r.createdByEmail })) }, 200);
  },
);

installRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/installs',
    tags: ['installs'],
    operationId: 'listInstalls',
    summary: 'List the installs on your HDAs',
    security: asUser,
    responses: { 200: jsonContent(InstallsSchema, 'Every live install on your HDAs'), 401: errorResponses[401] },
  }),
  async (c) => {
    const rows = await installsOfUser(c.get('deps'), currentUser(c));
    return c.json({ installs: rows.map((r) => ({ ...installView(r.install, { app: r.app, version: r.version }), hda: r.hda })) }, 200);
  },
);

installRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/installs/{id}/updates',
    operationId: 'getUpdateOffer',
    summary: "An install's update offer with release notes",
    tags: ['installs'],
    security: asUser,
    request: { params: IdParam },
    responses: {
      200: jsonContent(
        UpdateOfferSchema,
        'The newest version offered (none while held), every newer version with its release notes, the hold and the skipped version',
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const deps = c.get('deps');
    const { install } = await ownedInstall(deps, currentUser(c), c.req.valid('param').id);
    return c.json(await updateOffer(deps, install), 200);
  },
);

installRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/api/installs/{id}/updates',
    operationId: 'setUpdateControl',
    summary: 'Hold an install at its version, or skip one version',
    tags: ['installs'],
    security: asUser,
    request: { params: IdParam, ...jsonBody(UpdateControl) },
    responses: {
      200: jsonContent(UpdateOfferSchema, 'The offer after the change: hold the install at its version, or skip one newer version'),
      ...errorResponses,
    },
  }),
  async (c) => c.json(await setUpdateControl(c.get('deps'), currentUser(c), c.req.valid('param').id, c.req.valid('json')), 200),
);

installRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/installs/{id}/backup',
    operationId: 'getInstallBackup',
    summary: "An install's place in its HDA's off-HDA backup",
    tags: ['installs'],
    security: asUser,
    request: { params: IdParam },
    responses: {
      200: jsonContent(
        InstallBackupViewSchema,
        "Whether the install follows the HDA's plan, has its own schedule and retention, or is left out; and the HDA's plan",
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const { install, hda } = await ownedInstall(c.get('deps'), currentUser(c), c.req.valid('param').id);
    return c.json(installBackupView(install, hda), 200);
  },
);

installRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/api/installs/{id}/backup',
    operationId: 'setInstallBackup',
    summary: "Make an install follow the HDA's backup plan, have its own schedule, or leave it out",
    tags: ['installs'],
    security: asUser,
    request: { params: IdParam, ...jsonBody(InstallBackup) },
    responses: {
      200: jsonContent(InstallBackupSetSchema, 'Stored; when the HDA has a plan, the backup-config task that hands the change to the agent is queued'),
      ...errorResponses,
    },
  }),
  async (c) => c.json(await setInstallBackup(c.get('deps'), currentUser(c), c.req.valid('param').id, c.req.valid('json')), 200),
);
