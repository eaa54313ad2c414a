/**
 * First-start data: the admin account and, for `npm start`, a small sample catalog. Idempotent, and
 * free of Node-only modules so the Workers entry can run it too. The sample catalog is published by
 * a system job acting for the first admin.
 */
import { eq } from 'drizzle-orm';
import { apps, users } from '../db/schema';
import { hashPassword } from './auth/password';
import { randomToken } from './auth/encoding';
import { jobActor, type Deps } from './context';
import { SAMPLE_APPS } from './sample-catalog';
import { createApp, publishVersion } from './services/catalog';
import { Email } from './validation';

export const DEFAULT_ADMIN_EMAIL = 'admin@localhost';

/** The first admin as created: the email exactly as sign-in expects it, and a password to print once. */
export interface SeededAdmin {
  email: string;
  generatedPassword: string | null;
}

/**
 * Creates the admin account when there is no user at all (null when there was one). The email goes
 * through the same check as every account's, so what is printed is what signs in.
 */
export async function seedAdmin(deps: Deps, opts: { email?: string; password?: string }): Promise<SeededAdmin | null> {
  const parsed = Email.safeParse(opts.email || DEFAULT_ADMIN_EMAIL);
  if (!parsed.success) throw new Error(`ADMIN_EMAIL "${opts.email}" ${parsed.error.issues[0]?.message ?? 'is not an email address'}`);
  const [any] = await deps.db.select({ id: users.id }).from(users).limit(1);
  if (any) return null;
  const password = opts.password || randomToken(12);
  await deps.db
    .insert(users)
    .values({
      id: crypto.randomUUID(),
      email: parsed.data,
      passwordHash: await hashPassword(password),
      role: 'admin',
      createdAt: deps.stamp(),
    })
    .onConflictDoNothing();
  return { email: parsed.data, generatedPassword: opts.password ? null : password };
}

/** Publishes the sample apps (as the first admin) unless they are already there. */
export async function seedCatalog(deps: Deps): Promise<void> {
  const [admin] = await deps.db.select().from(users).where(eq(users.role, 'admin')).limit(1);
  if (!admin) return;
  const actor = jobActor('first-start-seed', admin);
  for (const sample of SAMPLE_APPS) {
    const [exists] = await deps.db.select({ id: apps.id }).from(apps).where(eq(apps.slug, sample.slug)).limit(1);
    if (exists) continue;
    await createApp(deps, actor, {
      slug: sample.slug,
      name: sample.name,
      description: sample.description,
      homepage: sample.homepage,
      category: sample.category,
      icon_url: sample.icon_url,
    });
    await publishVersion(deps, actor, sample.slug, { version: sample.version, kind: 'container', install_script: sample.install_script });
  }
}
