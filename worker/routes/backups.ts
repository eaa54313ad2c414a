/** An HDA's off-HDA backup: the plan (secrets as a sealed box only), its health, and "back up now". */
import { createRoute, z } from '@hono/zod-openapi';
import { BackupPlanInput } from '../../core/backup/plan';
import { currentUser } from '../auth/session';
import { asUser, createRouter, errorResponses, jsonBody, jsonContent } from '../openapi';
import { BackupPlanSetSchema, BackupRunSchema, BackupSchema, ReplacementSchema } from '../schemas/backups';
import { backupView, requestBackupRun, setBackupPlan } from '../services/backup-plans';
import { ownedHda } from '../services/hdas';
import { replaceHda } from '../services/replacement';
import { queuedTaskView } from '../views';
import { Id } from '../validation';

export const backupRoutes = createRouter();
const IdParam = z.object({ id: Id });
export type BackupPlanBody = z.input<typeof BackupPlanInput>;

backupRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/hdas/{id}/backup',
    operationId: 'getBackup',
    summary: "An HDA's off-HDA backup: its key, plan and health",
    tags: ['backups'],
    security: asUser,
    request: { params: IdParam },
    responses: { 200: jsonContent(BackupSchema, "The HDA's public backup key, the plan (no secrets) and the backup's health"), ...errorResponses },
  }),
  async (c) => c.json(backupView(await ownedHda(c.get('deps'), currentUser(c), c.req.valid('param').id)), 200),
);

backupRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/api/hdas/{id}/backup',
    operationId: 'setBackupPlan',
    summary: 'Set up the off-HDA backup with secrets sealed to the HDA',
    tags: ['backups'],
    security: asUser,
    request: { params: IdParam, ...jsonBody(BackupPlanInput) },
    responses: { 202: jsonContent(BackupPlanSetSchema, 'Stored; the task that hands the sealed secrets to the agent is queued'), ...errorResponses },
  }),
  async (c) => {
    const { taskId, hda } = await setBackupPlan(c.get('deps'), currentUser(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json({ ...backupView(hda), task: queuedTaskView(taskId) }, 202);
  },
);

backupRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/hdas/{id}/backup/run',
    operationId: 'runBackup',
    summary: 'Back up off the HDA now',
    tags: ['backups'],
    security: asUser,
    request: { params: IdParam },
    responses: { 202: jsonContent(BackupRunSchema, 'The backup-run task, queued'), ...errorResponses },
  }),
  async (c) => {
    const { taskId } = await requestBackupRun(c.get('deps'), currentUser(c), c.req.valid('param').id);
    return c.json({ task: queuedTaskView(taskId) }, 202);
  },
);

backupRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/hdas/{id}/replace',
    operationId: 'replaceHda',
    summary: 'Replace a dead HDA with this empty one',
    tags: ['backups'],
    security: asUser,
    request: { params: IdParam, ...jsonBody(z.strictObject({ old_hda: Id }).openapi('ReplaceHda')) },
    responses: {
      202: jsonContent(ReplacementSchema, "The old HDA's installs, moved here and queued with their data from the off-HDA backup; the old HDA is revoked"),
      ...errorResponses,
    },
  }),
  async (c) => {
    const { tasks } = await replaceHda(c.get('deps'), currentUser(c), c.req.valid('param').id, c.req.valid('json').old_hda);
    return c.json({ installs: tasks.map((t) => ({ id: t.installId, identifier: t.identifier, task: queuedTaskView(t.taskId) })) }, 202);
  },
);
