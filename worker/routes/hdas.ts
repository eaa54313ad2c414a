/** An owner's HDAs: create (with a one-time enrollment code), list, view, re-enroll, revoke, delete. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { currentUser } from '../auth/session';
import { notFound } from '../errors';
import type { AppEnv } from '../context';
import { createRouter, errorResponses, jsonBody, jsonContent, asUser } from '../openapi';
import { Ok } from '../schemas/common';
import { DeletedHdaSchema, HdasSchema, NewEnrollmentSchema, NewHdaResultSchema } from '../schemas/hdas';
import { HdaDetailSchema } from '../schemas/installs';

import { installCommand, loopbackProblem, publicBaseUrl } from '../services/agent-installer';
import { createHda, listHdas, newEnrollment, ownedHda, revokeHda } from '../services/hdas';
import { deleteHda } from '../services/hda-removal';
import { installsOfHda } from '../services/installs';
import { appStatesOf, caCertificateOf, hdaView, installView, lanView } from '../views';
import { Domain, Id, Name, Slug } from '../validation';

export const hdaRoutes = createRouter();

const NewHda = z.strictObject({ name: Name, domain: Domain, tags: z.array(Slug).max(20).optional() }).openapi('NewHda');
const IdParam = z.object({ id: Id });

/** The code and the one command that installs the agent on the new HDA and enrolls it. */
function enrollmentView(c: Context<AppEnv>, code: string, expiresAt: number | null) {
  const base = publicBaseUrl(c.get('deps').config.publicUrl, c.req.url);
  const warning = loopbackProblem(base);
  return {
    code,
    expires_at: expiresAt ? new Date(expiresAt).toISOString() : null,
    server_url: base,
    command: installCommand(base, code),
    ...(warning ? { warning } : {}),
  };
}

hdaRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/hdas',
    tags: ['hdas'],
    operationId: 'createHda',
    summary: 'Add an HDA',
    security: asUser,
    request: jsonBody(NewHda),
    responses: { 201: jsonContent(NewHdaResultSchema, 'The HDA and its one-time enrollment code'), ...errorResponses },
  }),
  async (c) => {
    const deps = c.get('deps');
    const { hda, code } = await createHda(deps, currentUser(c), c.req.valid('json'));
    return c.json({ hda: hdaView(deps, hda), enrollment_code: code, enrollment: enrollmentView(c, code, hda.enrollExpiresAt) }, 201);
  },
);

hdaRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/hdas',
    tags: ['hdas'],
    operationId: 'listHdas',
    summary: 'List your HDAs',
    security: asUser,
    responses: { 200: jsonContent(HdasSchema, 'Your HDAs (all of them for an admin)'), 401: errorResponses[401] },
  }),
  async (c) => {
    const deps = c.get('deps');
    const rows = await listHdas(deps, currentUser(c));
    return c.json({ hdas: rows.map((h) => hdaView(deps, h)) }, 200);
  },
);

hdaRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/hdas/{id}',
    tags: ['hdas'],
    operationId: 'getHda',
    summary: 'An HDA and its installs',
    security: asUser,
    request: { params: IdParam },
    responses: { 200: jsonContent(HdaDetailSchema, 'The HDA, its facts and installs'), ...errorResponses },
  }),
  async (c) => {
    const deps = c.get('deps');
    const hda = await ownedHda(deps, currentUser(c), c.req.valid('param').id);
    const states = appStatesOf(hda);
    const rows = await installsOfHda(deps, hda.id);
    return c.json(
      {
        hda: hdaView(deps, hda),
        lan: lanView(hda),
        installs: rows.map((r) => installView(r.install, { app: r.app, version: r.version, runtime: states.get(r.install.identifier) ?? null })),
      },
      200,
    );
  },
);

hdaRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/hdas/{id}/ca.crt',
    operationId: 'getHdaCaCertificate',
    summary: "Download the HDA's certificate authority",
    security: asUser,
    tags: ['hdas'],
    request: { params: IdParam },
    responses: {
      200: {
        description: "The HDA's certificate authority (PEM) to install on the owner's devices",
        content: { 'application/x-pem-file': { schema: z.string() } },
      },
      ...errorResponses,
    },
  }),
  async (c) => {
    const hda = await ownedHda(c.get('deps'), currentUser(c), c.req.valid('param').id);
    const pem = caCertificateOf(hda);
    if (!pem) throw notFound("this HDA's certificate authority");
    const file = `${hda.name.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40) || 'hda'}-ca.crt`;
    return c.body(pem, 200, { 'content-type': 'application/x-pem-file', 'content-disposition': `attachment; filename="${file}"` });
  },
);

hdaRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/hdas/{id}/enrollment',
    tags: ['hdas'],
    operationId: 'renewEnrollment',
    summary: 'A new enrollment code for an HDA',
    security: asUser,
    request: { params: IdParam },
    responses: { 200: jsonContent(NewEnrollmentSchema, 'A new one-time enrollment code'), ...errorResponses },
  }),
  async (c) => {
    const deps = c.get('deps');
    const { hda, code } = await newEnrollment(deps, currentUser(c), c.req.valid('param').id);
    return c.json({ enrollment_code: code, enrollment: enrollmentView(c, code, deps.now() + deps.config.enrollTtlS * 1000), hda_id: hda.id }, 200);
  },
);

hdaRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/hdas/{id}/revoke',
    tags: ['hdas'],
    operationId: 'revokeHda',
    summary: "Revoke an HDA's agent token",
    security: asUser,
    request: { params: IdParam },
    responses: { 200: jsonContent(Ok, "The HDA's agent token stops working"), ...errorResponses },
  }),
  async (c) => {
    await revokeHda(c.get('deps'), currentUser(c), c.req.valid('param').id);
    return c.json({ ok: true } as const, 200);
  },
);

hdaRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/api/hdas/{id}',
    tags: ['hdas'],
    operationId: 'deleteHda',
    summary: 'Delete an HDA',
    security: asUser,
    request: { params: IdParam },
    responses: {
      200: jsonContent(
        DeletedHdaSchema,
        'The HDA, its installs and their history are removed here; its agent token stops working; apps on the machine are left as they are',
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const removed = await deleteHda(c.get('deps'), currentUser(c), c.req.valid('param').id);
    return c.json({ ok: true as const, installs_removed: removed.installs }, 200);
  },
);
