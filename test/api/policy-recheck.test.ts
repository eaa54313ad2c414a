/** A version stored under an older, looser policy: the install page is told what today's would refuse. */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appVersions, installs } from '../../db/schema';
import { createTestPlane, enrolledHda, publishApp } from '../helpers/plane';

describe("re-checking an installed version against today's policy", () => {
  it('names the refusals of a version the old deny-list let through, and none for a clean one', async () => {
    const plane = await createTestPlane();
    const owner = await plane.user('owner');
    await publishApp(plane, 'hello');
    const { hdaId } = await enrolledHda(plane, owner.token);
    const created = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
    const installId = created.body.install.id as string;
    const clean = await plane.json('GET', `/api/installs/${installId}`, { token: owner.token });
    expect(clean.body.policy_recheck).toEqual({ refused: [] });

    // What the old policy stored for an app whose volume binds the host's root through driver_opts.
    const [install] = await plane.deps.db.select().from(installs).where(eq(installs.id, installId));
    const [version] = await plane.deps.db.select().from(appVersions).where(eq(appVersions.id, install.versionId));
    const content = version.contentJson;
    content.compose = `services:\n  web:\n    image: example/hello:1\n    ports: ["HOST_PORT:80"]\n    volumes: ["data:/data"]\nvolumes:\n  data:\n    driver: local\n    driver_opts: {type: none, o: bind, device: ../../../..}\n`;
    await plane.deps.db.update(appVersions).set({ contentJson: content }).where(eq(appVersions.id, version.id));

    const old = await plane.json('GET', `/api/installs/${installId}`, { token: owner.token });
    expect(old.body.policy_recheck.refused.map((f: { rule: string }) => f.rule)).toContain('volume-driver');
    const stranger = await plane.user('owner');
    expect((await plane.json('GET', `/api/installs/${installId}`, { token: stranger.token })).status).toBe(404);
  });
});
