/**
 * JSON columns are read and written as the core types they hold (drizzle's json mode) on the same
 * text as before: rows written as JSON strings by earlier versions read back as objects, and what is
 * written now is the plain JSON text those versions wrote (no data migration, no double encoding).
 */
import { eq, sql } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { hdas, installs, tasks } from '../../db/schema';
import { createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
let owner: { token: string; id: string };
beforeEach(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
});

const raw = async (query: ReturnType<typeof sql>) => (await plane.deps.db.all<Record<string, string | null>>(query))[0];

it('a task, an install and an HDA round-trip through their JSON columns as objects over plain JSON text', async () => {
  await publishApp(plane, 'hello');
  const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
  const created = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
  expect(created.status).toBe(201);
  const installId = created.body.install.id as string;

  const stored = await raw(sql`SELECT payload_json, kind FROM tasks WHERE install_id = ${installId}`);
  expect(typeof stored.payload_json).toBe('string');
  expect(JSON.parse(stored.payload_json!).install.identifier).toBe('hello');
  const [task] = await plane.deps.db.select().from(tasks).where(eq(tasks.installId, installId));
  expect(task.payloadJson).toEqual(JSON.parse(stored.payload_json!));
  expect((await raw(sql`SELECT limits_json FROM installs WHERE id = ${installId}`)).limits_json).toBe('{}');

  // A row as an earlier version wrote it: JSON text put there by hand reads back typed.
  await plane.deps.db.run(sql`UPDATE installs SET overrides_json = '{"env":{"A":"1"}}', policy_exceptions_json = '["docker-socket"]' WHERE id = ${installId}`);
  const [install] = await plane.deps.db.select().from(installs).where(eq(installs.id, installId));
  expect(install.overridesJson).toEqual({ env: { A: '1' } });
  expect(install.policyExceptionsJson).toEqual(['docker-socket']);

  await plane.json('POST', '/agent/v1/heartbeat', { token: agentToken, body: { facts: { cpus: 4 }, apps: [{ identifier: 'hello', state: 'running' }] } });
  const beat = await raw(sql`SELECT facts_json, apps_json FROM hdas WHERE id = ${hdaId}`);
  expect(JSON.parse(beat.facts_json!)).toEqual({ cpus: 4 });
  const [hda] = await plane.deps.db.select().from(hdas).where(eq(hdas.id, hdaId));
  expect(hda.appsJson).toEqual([{ identifier: 'hello', state: 'running' }]);
  expect(hda.tagsJson).toEqual([]);
});
