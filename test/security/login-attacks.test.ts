/**
 * Attacks on sign-in, each refused: an open redirect after login, locking someone else's account by
 * failing on purpose, and flushing the throttle's memory with made-up names.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, memoryThrottle } from '../../worker/auth/login-throttle';
import { ADMIN, createTestPlane, type TestPlane } from '../helpers/plane';

/** Sign-in from a given client address (the plane believes X-Real-IP, as behind a proxy). */
function attempt(plane: TestPlane, address: string, email: string, password: string) {
  return plane.json('POST', '/api/auth/login', { body: { email, password }, headers: { 'x-real-ip': address } });
}

const behindProxy = { clientAddressSource: 'x-real-ip' } as const;

/** Whether a browser on this site, over http or https, reads the target as a page of this site. */
const staysHome = (target: string) => ['http://cp.example/', 'https://cp.example/'].every((base) => new URL(target, base).origin === new URL(base).origin);

describe('post-login redirect', () => {
  const hostile = [
    '/%09/evil.example',
    '/%0a/evil.example',
    '/.//evil.example',
    '//evil.example',
    '/%5Cevil.example',
    'https://evil.example/',
    'https:evil.example',
    'javascript:alert(1)',
    '%2F%2Fevil.example',
  ];

  it('sends a signed-in visitor only to paths on this site', async () => {
    const plane = await createTestPlane();
    const login = await plane.request('POST', '/api/auth/login', { body: ADMIN });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    for (const next of hostile) {
      const res = await plane.request('GET', `/login?next=${next}`, { headers: { cookie } });
      expect(res.status, next).toBe(302);
      expect(staysHome(res.headers.get('location')!), `${next} -> ${JSON.stringify(res.headers.get('location'))}`).toBe(true);
    }
    const fine = await plane.request('GET', `/login?next=${encodeURIComponent('/hdas/abc?tab=apps#top')}`, { headers: { cookie } });
    expect(fine.headers.get('location')).toBe('/hdas/abc?tab=apps#top');
  });

  it('hands the sign-in form only a same-site destination', async () => {
    const plane = await createTestPlane();
    for (const next of hostile) {
      const html = await (await plane.request('GET', `/login?next=${next}`)).text();
      const target = /data-next="([^"]*)"/.exec(html)![1].replace(/&amp;/g, '&');
      expect(staysHome(target), `${next} -> ${JSON.stringify(target)}`).toBe(true);
    }
  });
});

describe('failed sign-ins', () => {
  it('do not lock the owner out: failures from other addresses delay only those addresses', async () => {
    const plane = await createTestPlane(behindProxy);
    for (let a = 1; a <= 12; a++) {
      for (let i = 0; i < 5; i++) expect((await attempt(plane, `203.0.113.${a}`, ADMIN.email, 'wrong-password')).status).toBe(401);
    }
    expect((await attempt(plane, '198.51.100.7', ADMIN.email, ADMIN.password)).status).toBe(200);
  });

  it('slow one address down with delays that double, then let the right password in', async () => {
    const plane = await createTestPlane(behindProxy);
    const wrong = () => attempt(plane, '203.0.113.9', ADMIN.email, 'wrong-password');
    for (let i = 0; i < 5; i++) expect((await wrong()).status).toBe(401);
    const first = await wrong();
    expect(first).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    expect(first.body.message).toMatch(/in 1 s/);
    // The plane's clock stands still between advances but steps a millisecond per record it stamps.
    plane.clock.advance(1500);
    expect((await wrong()).status).toBe(401);
    expect((await wrong()).body.message).toMatch(/in 2 s/);
    plane.clock.advance(1500);
    expect((await wrong()).status).toBe(429);
    plane.clock.advance(1000);
    expect((await wrong()).status).toBe(401);
    expect((await attempt(plane, '203.0.113.9', ADMIN.email, ADMIN.password)).body.message).toMatch(/in 4 s/);
    plane.clock.advance(4500);
    expect((await attempt(plane, '203.0.113.9', ADMIN.email, ADMIN.password)).status).toBe(200);
    // The right password cleared that account's count from that address.
    expect((await wrong()).status).toBe(401);
  });

  it('hear only the free attempts of a burst sent in parallel, before any of them is answered', async () => {
    const plane = await createTestPlane(behindProxy);
    const burst = await Promise.all(Array.from({ length: 40 }, () => attempt(plane, '203.0.113.10', ADMIN.email, 'wrong-password')));
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(DEFAULT_POLICY.freePerAccount);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - DEFAULT_POLICY.freePerAccount);
  });

  it('count made-up names against the address that sends them', async () => {
    const plane = await createTestPlane(behindProxy);
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await attempt(plane, '203.0.113.5', `nobody${i}@example.com`, 'wrong-password')).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
    // Another address is not slowed by it.
    expect((await attempt(plane, '203.0.113.6', 'nobody-else@example.com', 'wrong-password')).status).toBe(401);
  });

  it('keep a guesser delayed however many made-up names fill the throttle', async () => {
    const maxKeys = 40;
    const plane = await createTestPlane(behindProxy, { loginThrottle: memoryThrottle({ ...DEFAULT_POLICY, maxKeys }) });
    for (let i = 0; i < 5; i++) await attempt(plane, '203.0.113.66', ADMIN.email, 'wrong-password');
    expect((await attempt(plane, '203.0.113.66', ADMIN.email, 'wrong-password')).status).toBe(429);
    // Three times the book's size in new keys: one made-up name from each of 60 addresses.
    for (let i = 0; i < (maxKeys * 3) / 2; i++) {
      expect((await attempt(plane, `198.18.0.${i + 1}`, `made-up-${i}@example.com`, 'wrong-password')).status).toBe(401);
    }
    expect((await attempt(plane, '203.0.113.66', ADMIN.email, ADMIN.password)).status).toBe(429);
    // The made-up names were let go instead, so someone new still signs in.
    expect((await attempt(plane, '198.51.100.1', ADMIN.email, ADMIN.password)).status).toBe(200);
  });
});
