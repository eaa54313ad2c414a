/**
 * What a catalog publisher writes with nothing but the control plane's OpenAPI document: a client
 * generated from it (the API's types from openapi-typescript; calls: openapi-fetch) that signs in,
 * creates the app if it is new, previews and publishes a version, then checks the catalog's
 * signature over what was published with the catalog's public keys. It imports no control-plane code.
 */
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import createClient from 'openapi-fetch';
import type { components, paths } from '../../worker/ui/api-types.generated';

type Version = components['schemas']['AppVersion'];

export interface Release {
  app: components['schemas']['NewApp'];
  version: components['schemas']['NewVersion'];
}

/** The answer of a call, or an Error with the API's own message. */
async function ok<T>(what: string, call: Promise<{ data?: T; error?: { message?: string }; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (data === undefined) throw new Error(`${what}: ${response.status} ${error?.message ?? ''}`.trim());
  return data;
}

/** Publishes `release` as the publisher `credentials`; resolves with the version and the kid that signed it. */
export async function publishRelease(baseUrl: string, credentials: { email: string; password: string }, release: Release) {
  const anonymous = createClient<paths, 'application/json'>({ baseUrl });
  const session = await ok('sign in', anonymous.POST('/api/auth/login', { body: credentials }));
  const api = createClient<paths, 'application/json'>({ baseUrl, headers: { authorization: `Bearer ${session.token}` } });
  const slug = release.app.slug;

  const existing = await api.GET('/api/catalog/apps/{slug}', { params: { path: { slug } } });
  if (existing.response.status === 404) await ok('create the app', api.POST('/api/catalog/apps', { body: release.app }));
  else await ok('read the app', Promise.resolve(existing));

  const preview = await ok('preview', api.POST('/api/catalog/apps/{slug}/versions/preview', { params: { path: { slug } }, body: release.version }));
  if (preview.status === 'rejected') throw new Error(`refused: ${preview.findings.map((f) => f.message).join('; ')}`);
  const { version } = await ok('publish', api.POST('/api/catalog/apps/{slug}/versions', { params: { path: { slug } }, body: release.version }));
  return { version, kid: await checkSignature(api, slug, version) };
}

/** The catalog signs each version as a JWS over its content: verify it with the key it names. */
async function checkSignature(api: ReturnType<typeof createClient<paths, 'application/json'>>, slug: string, version: Version): Promise<string> {
  if (!version.signature) throw new Error('the published version carries no signature');
  const { keys } = await ok('read the catalog keys', api.GET('/api/catalog/keys'));
  const header = decodeProtectedHeader(version.signature);
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk || !header.alg) throw new Error(`the signature names key ${header.kid}, which the catalog does not list`);
  const { payload } = await compactVerify(version.signature, await importJWK(jwk, header.alg));
  const signed = JSON.parse(new TextDecoder().decode(payload)) as { app: string; version: string; compose: string };
  if (signed.app !== slug || signed.version !== version.version || signed.compose !== version.normalized_compose)
    throw new Error('the signature covers other content than the version published');
  return header.kid!;
}
