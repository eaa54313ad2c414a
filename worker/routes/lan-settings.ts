/** An HDA's LAN settings: how its apps' names are published and how HTTPS is served (owner only). */
import { createRoute, z } from '@hono/zod-openapi';
import { LanSettingsSchema } from '../../core/protocol';
import { currentUser } from '../auth/session';
import { asUser, createRouter, errorResponses, jsonBody, jsonContent } from '../openapi';
import { LanSettingsViewSchema } from '../schemas/lan-settings';
import { getLanSettings, setLanSettings } from '../services/lan-settings';
import { Id } from '../validation';

export const lanSettingsRoutes = createRouter();
const IdParam = z.object({ id: Id });
export type LanSettingsBody = z.input<typeof LanSettingsSchema>;

lanSettingsRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/hdas/{id}/lan-settings',
    operationId: 'getLanSettings',
    summary: "An HDA's LAN settings: the owner's choice, what is in force, and whether a change is pending",
    tags: ['hdas'],
    security: asUser,
    request: { params: IdParam },
    responses: {
      200: jsonContent(LanSettingsViewSchema, "The owner's settings, those the agent reports in force, and the latest task applying them"),
      ...errorResponses,
    },
  }),
  async (c) => c.json(await getLanSettings(c.get('deps'), currentUser(c), c.req.valid('param').id), 200),
);

lanSettingsRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/api/hdas/{id}/lan-settings',
    operationId: 'setLanSettings',
    summary: 'Choose the names mode, the HTTPS redirect and where certificates come from',
    tags: ['hdas'],
    security: asUser,
    request: { params: IdParam, ...jsonBody(LanSettingsSchema) },
    responses: { 202: jsonContent(LanSettingsViewSchema, 'Stored; the lan-settings task that applies them on the HDA is queued'), ...errorResponses },
  }),
  async (c) => c.json(await setLanSettings(c.get('deps'), currentUser(c), c.req.valid('param').id, c.req.valid('json')), 202),
);
