/**
 * The audit log: what is recorded (sign-ins, sign-outs, log requests, changes) with actor, target,
 * address and time; how admins read it (filters, paging, the page); and that old rows are pruned.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { pruneAudit } from '../../worker/jobs/prune';
import { ADMIN, createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
let admin: string;
beforeEach(async () => {
  plane = await createTestPlane({ clientAddressSource: 'x-real-ip' });
  admin = await plane.login(ADMIN.email, ADMIN.password);
});

const from = (address: string) => ({ 'x-real-ip': address });

async function audit(query = '', token = admin) {
  return plane.json('GET', `/api/audit${query}`, { token });
}

async function adminId() {
  return (await plane.json('GET', '/api/auth/me', { token: admin })).body.id as string;
}

describe('audit records', () => {
  it('sign-in success, failure, lockout and sign-out, with actor, target, address and time', async () => {
    const id = await adminId();
    const ok = await plane.json('POST', '/api/auth/login', { body: ADMIN, headers: from('192.0.2.10') });
    for (let i = 0; i < 5; i++) await plane.json('POST', '/api/auth/login', { body: { ...ADMIN, password: 'wrong-password' }, headers: from('192.0.2.66') });
    await plane.json('POST', '/api/auth/logout', { token: ok.body.token, headers: from('192.0.2.10') });

    const { body } = await audit('?action=auth.');
    const rows = body.entries as any[];
    // The plane's own admin session and beforeEach's sign-in come first.
    expect(rows.map((r) => r.action)).toEqual(['auth.logout', 'auth.lockout', ...Array(5).fill('auth.login_failed'), 'auth.login', 'auth.login', 'auth.login']);
    expect(rows[0]).toMatchObject({ actor: { kind: 'user', id, email: ADMIN.email }, target: { kind: 'user', id }, address: '192.0.2.10' });
    expect(rows[1]).toMatchObject({ actor: { id: null }, target: { kind: 'user', id }, address: '192.0.2.66', detail: { email: ADMIN.email, wait_s: 1 } });
    expect(rows[2]).toMatchObject({ actor: { id: null }, target: { kind: 'user', id }, address: '192.0.2.66', detail: { email: ADMIN.email } });
    expect(rows[7]).toMatchObject({ actor: { id, email: ADMIN.email }, address: '192.0.2.10' });
    expect(Math.abs(new Date(rows[0].at).getTime() - plane.clock.now)).toBeLessThan(1000);
  });

  it('a failed sign-in keeps the text tried only when it reads as an email (never a mistyped password)', async () => {
    await plane.json('POST', '/api/auth/login', { body: { email: 'hunter2-my-password', password: 'x' }, headers: from('192.0.2.8') });
    const [row] = (await audit('?action=auth.login_failed')).body.entries;
    expect(row.detail).toEqual({ email: '(not an email address)' });
    expect(JSON.stringify((await audit('')).body)).not.toContain('hunter2');
  });

  it('a failed sign-in to no account names the text tried and no target', async () => {
    await plane.json('POST', '/api/auth/login', { body: { email: 'ghost@example.com', password: 'whatever' }, headers: from('192.0.2.7') });
    const [row] = (await audit('?action=auth.login_failed')).body.entries;
    expect(row).toMatchObject({ target: { kind: 'user', id: null }, address: '192.0.2.7', detail: { email: 'ghost@example.com' } });
  });

  it('a fleet batch acts as a system job for its owner: what it installs is audited as the system, for that owner', async () => {
    const owner = await plane.user('owner');
    await publishApp(plane, 'hello');
    const { hdaId } = await enrolledHda(plane, owner.token);
    const created = await plane.json('POST', '/api/batches', { token: owner.token, body: { app: 'hello', hdas: [hdaId] } });
    expect(created.status).toBe(201);
    const { entries } = (await audit(`?action=install.create`)).body;
    expect(entries).toHaveLength(1);
    expect(entries[0].actor).toMatchObject({ kind: 'system', id: owner.id, email: owner.email });
    expect(entries[0].address).toBeNull();
  });

  it('container-log requests and changes, by the user who made them', async () => {
    const owner = await plane.user('owner');
    await publishApp(plane, 'hello');
    const { hdaId } = await enrolledHda(plane, owner.token);
    const [enrolled] = (await audit(`?action=hda.enroll&target=${hdaId}`)).body.entries;
    expect(enrolled).toMatchObject({ actor: { kind: 'agent', id: hdaId }, target: { kind: 'hda', id: hdaId } });
    const install = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' }, headers: from('192.0.2.20') });
    expect(install.status).toBe(201);
    const installId = install.body.install.id as string;
    expect((await plane.json('POST', `/api/installs/${installId}/logs`, { token: owner.token, body: { tail: 50 }, headers: from('192.0.2.21') })).status).toBe(
      202,
    );

    const logs = (await audit(`?action=install.logs`)).body.entries;
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      actor: { id: owner.id, email: owner.email },
      target: { kind: 'install', id: installId },
      address: '192.0.2.21',
      detail: { tail: 50 },
    });
    const byOwner = (await audit(`?actor=${encodeURIComponent(owner.email)}`)).body.entries.map((e: any) => e.action);
    expect(byOwner).toEqual(['install.logs', 'install.create', 'hda.create', 'auth.login']);
    expect((await audit(`?target=${installId}`)).body.entries.map((e: any) => e.action)).toEqual(['install.logs', 'install.create']);
    expect((await audit('?action=app.')).body.entries.map((e: any) => e.action)).toEqual(['app.publish', 'app.create']);
    expect((await audit('?action=user.create')).body.entries).toHaveLength(2);
  });

  it('role changes, password resets and own password changes, with the address they came from', async () => {
    const user = await plane.user('owner');
    await plane.json('PATCH', `/api/users/${user.id}`, { token: admin, body: { role: 'publisher' }, headers: from('192.0.2.31') });
    await plane.json('PUT', `/api/users/${user.id}/password`, { token: admin, body: { password: 'a-new-password-1' }, headers: from('192.0.2.32') });
    const own = await plane.login(user.email, 'a-new-password-1');
    await plane.json('PUT', '/api/account/password', {
      token: own,
      body: { current_password: 'a-new-password-1', new_password: 'another-password-2' },
      headers: from('192.0.2.33'),
    });
    const rows = (await audit(`?target=${user.id}&action=user.`)).body.entries;
    expect(rows.map((e: any) => [e.action, e.address])).toEqual([
      ['user.password_change', '192.0.2.33'],
      ['user.password_reset', '192.0.2.32'],
      ['user.update', '192.0.2.31'],
      ['user.create', 'unknown'],
    ]);
  });
});

describe('reading the audit log', () => {
  it('pages newest first with a cursor, and filters by time', async () => {
    const start = plane.clock.now;
    for (let i = 0; i < 5; i++) {
      plane.clock.advance(24 * 3600 * 1000);
      admin = await plane.login(ADMIN.email, ADMIN.password);
    }
    // Seven sign-ins: the plane's own, beforeEach's and five a day apart.
    const ids: number[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const page = await audit(`?action=auth.login&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.entries.length).toBeLessThanOrEqual(2);
      ids.push(...page.body.entries.map((e: any) => e.id));
      cursor = page.body.next_cursor ?? '';
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(new Set(ids).size).toBe(7);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);

    const day = (n: number) => new Date(start + n * 24 * 3600 * 1000).toISOString().slice(0, 10);
    const window = await audit(`?action=auth.login&since=${day(2)}&until=${day(3)}`);
    expect(window.body.entries.map((e: any) => e.at.slice(0, 10))).toEqual([day(3), day(2)]);
    const since = await audit(`?action=auth.login&since=${encodeURIComponent(new Date(start + 4 * 24 * 3600 * 1000).toISOString())}`);
    expect(since.body.entries).toHaveLength(2);
  });

  it('is for admins only, and refuses a malformed filter with a 400 naming it', async () => {
    const owner = await plane.user('owner');
    expect((await audit('', owner.token)).status).toBe(403);
    expect((await plane.json('GET', '/api/audit')).status).toBe(401);
    for (const [query, field] of [
      ['?since=yesterday', 'since'],
      ['?action=DROP%20TABLE', 'action'],
      ['?cursor=-1', 'cursor'],
      ['?limit=100000', 'limit'],
      ['?colour=red', 'colour'],
    ]) {
      const r = await audit(query);
      expect(r.status, query).toBe(400);
      expect(r.body.message, query).toContain(field);
    }
  });

  it('admins read it as a page with GET filters; others are refused', async () => {
    await plane.json('POST', '/api/auth/login', { body: { email: 'ghost@example.com', password: 'whatever' }, headers: from('192.0.2.99') });
    const login = await plane.request('POST', '/api/auth/login', { body: ADMIN });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const html = await (await plane.request('GET', '/admin/audit?action=auth.login_failed', { headers: { cookie } })).text();
    expect(html).toContain('ghost@example.com');
    expect(html).toContain('192.0.2.99');
    expect(html).toContain('value="auth.login_failed"');
    expect(html).not.toContain('<code>auth.login</code>');
    const refused = await plane.request('GET', '/admin/audit?since=yesterday', { headers: { cookie } });
    expect(refused.status).toBe(200);
    expect(await refused.text()).toMatch(/role="alert">[^<]*since/);
    const owner = await plane.user('owner');
    const ownerPage = await plane.request('GET', '/admin/audit', { headers: { cookie: `hda_session=${owner.token}` } });
    expect(ownerPage.status).toBe(403);
  });
});

describe('retention', () => {
  it('prunes rows older than the retention period and keeps the rest', async () => {
    const before = (await audit()).body.entries.length;
    expect(before).toBeGreaterThan(0);
    plane.clock.advance((plane.deps.config.auditRetentionDays + 1) * 24 * 3600 * 1000);
    const recent = await plane.login(ADMIN.email, ADMIN.password);
    expect(await pruneAudit(plane.deps)).toBe(before);
    const left = (await audit('', recent)).body.entries;
    expect(left.map((e: any) => e.action)).toEqual(['auth.login']);
  });
});
