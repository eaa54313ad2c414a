/**
 * The app catalog: apps and their immutable, signed versions. Publishing runs the whole catalog
 * pipeline (script parsing, compose conversion, placeholder and policy checks) so a broken entry is
 * refused before any HDA sees it.
 */
import { and, desc, eq } from 'drizzle-orm';
import { normalizeVersion } from '../../core/catalog/normalize';
import type { AppVersionContent } from '../../core/protocol';
import { apps, appVersions, type AppCategory } from '../../db/schema';
import type { Deps, Actor } from '../context';
import { atomically, isUniqueViolation } from '../db';
import { badRequest, conflict, forbidden, notFound } from '../errors';
import { auditStatement, byUser } from './audit';

export type AppRow = typeof apps.$inferSelect;
export type VersionRow = typeof appVersions.$inferSelect;

export async function findApp(deps: Deps, slug: string): Promise<AppRow> {
  const [app] = await deps.db.select().from(apps).where(eq(apps.slug, slug)).limit(1);
  if (!app) throw notFound(`app '${slug}'`);
  return app;
}

export async function listVersions(deps: Deps, appId: number): Promise<VersionRow[]> {
  return deps.db.select().from(appVersions).where(eq(appVersions.appId, appId)).orderBy(desc(appVersions.createdAt), desc(appVersions.id));
}

/** The named version, or the newest one when `version` is absent. */
export async function findVersion(deps: Deps, appId: number, version?: string): Promise<VersionRow> {
  const where = version ? and(eq(appVersions.appId, appId), eq(appVersions.version, version)) : eq(appVersions.appId, appId);
  const [row] = await deps.db.select().from(appVersions).where(where).orderBy(desc(appVersions.createdAt), desc(appVersions.id)).limit(1);
  if (!row) throw notFound(version ? `version '${version}'` : 'a published version of this app');
  return row;
}

export async function createApp(
  deps: Deps,
  user: Actor,
  input: { slug: string; name: string; description?: string; homepage?: string | null; category?: AppCategory; icon_url?: string },
): Promise<AppRow> {
  const now = deps.stamp();
  try {
    const [inserted] = (await atomically(deps.db, [
      deps.db
        .insert(apps)
        .values({
          slug: input.slug,
          name: input.name,
          description: input.description ?? '',
          homepage: input.homepage ?? null,
          category: input.category ?? null,
          iconUrl: input.icon_url ?? null,
          publisherId: user.id,
          createdAt: now,
        })
        .returning(),
      auditStatement(deps.db, now, { ...byUser(user), action: 'app.create', targetKind: 'app', targetId: input.slug }),
    ])) as [AppRow[]];
    return inserted[0];
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`an app with slug '${input.slug}' already exists`);
    throw err;
  }
}

export interface PublishInput {
  version: string;
  kind: string;
  install_script?: string | null;
  compose?: string | null;
  uninstall_script?: string | null;
}

/** Runs the publish pipeline without storing anything: what publishing would store, or why it would refuse. */
export async function previewVersion(deps: Deps, user: Actor, slug: string, input: PublishInput) {
  // A slug nobody owns yet may be previewed too: its first version is checked before the app exists.
  const [app] = await deps.db.select().from(apps).where(eq(apps.slug, slug)).limit(1);
  if (app && user.role !== 'admin' && app.publisherId !== user.id) throw forbidden('only the app publisher or an admin can publish its versions');
  if (!input.install_script?.trim() && !input.compose?.trim()) throw badRequest('one of install_script or compose is required');
  return { app: app ?? null, result: normalizeVersion({ ...input, app: slug }) };
}

export async function publishVersion(deps: Deps, user: Actor, slug: string, input: PublishInput): Promise<VersionRow> {
  const preview = await previewVersion(deps, user, slug, input);
  const app = preview.app ?? (await findApp(deps, slug));
  const { result } = preview;
  if (result.status === 'rejected') {
    throw badRequest('the app version cannot be installed as published', { findings: result.findings });
  }
  const content: AppVersionContent = result.content;
  const signature = await deps.signer.sign(content);
  const now = deps.stamp();
  const id = crypto.randomUUID();
  try {
    const [inserted] = (await atomically(deps.db, [
      deps.db
        .insert(appVersions)
        .values({
          id,
          appId: app.id,
          version: input.version,
          kind: input.kind,
          installScript: input.install_script ?? null,
          uninstallScript: input.uninstall_script ?? null,
          composeOriginal: input.compose ?? null,
          contentJson: content,
          status: result.status,
          findingsJson: result.findings,
          signature,
          keyId: deps.signer.kid,
          publishedBy: user.id,
          createdAt: now,
        })
        .returning(),
      auditStatement(deps.db, now, {
        ...byUser(user),
        action: 'app.publish',
        targetKind: 'app_version',
        targetId: id,
        detail: { app: slug, version: input.version, status: result.status },
      }),
    ])) as [VersionRow[]];
    return inserted[0];
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`version '${input.version}' of '${slug}' is already published; versions are immutable`);
    throw err;
  }
}
