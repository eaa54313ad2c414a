/**
 * The mDNS names provider's own logic, with a stand-in for avahi-publish (a shell script that says
 * what avahi-publish 0.8 says): the argv, the states read from its messages, the restart after it
 * dies, the records. test/integration/lan-mdns.test.ts proves the same against avahi-daemon itself.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Backoff } from '../../../agent/backoff';
import { AvahiPublisher } from '../../../agent/names/avahi-publisher';
import { MdnsNames, mdnsName } from '../../../agent/names/mdns';
import { LanNamesError } from '../../../agent/names/provider';

/** A stand-in publisher: `sh -c SCRIPT fake -a -R <name> <address>` ($3 is the name). */
const fake = (script: string) => ['sh', '-c', script, 'fake'];
const ESTABLISHED = fake(`echo "Established under name '$3'" >&2; exec sleep 60`);
const COLLIDES = fake(`echo "Name collision, picking new name '(null)'." >&2; exit 134`);
const fast = () => new Backoff({ baseMs: 10, capMs: 20 });

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('one published name (avahi-publish child)', () => {
  const running: AvahiPublisher[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
  });
  const start = (command: string[]) => {
    const p = new AvahiPublisher('notes.local', '192.168.1.10', { command, backoff: fast() });
    running.push(p);
    p.start();
    return p;
  };

  it('runs avahi-publish with the name and address as arguments, and is published once avahi says so', async () => {
    expect(new AvahiPublisher('notes.local', '192.168.1.10').argv()).toEqual(['avahi-publish', '-a', '-R', 'notes.local', '192.168.1.10']);
    const p = start(ESTABLISHED);
    expect(await p.settled(5000)).toBe('published');
  });

  it('a child that dies is started again; stop() ends it for good', async () => {
    const p = start(ESTABLISHED);
    await p.settled(5000);
    const first = p.pid!;
    process.kill(first, 'SIGKILL');
    await until(() => p.state === 'published' && p.pid !== undefined && p.pid !== first);
    await p.stop();
    const last = p.pid;
    expect(last).toBeUndefined();
  });

  it('a collision is reported in words and retried after a delay', async () => {
    const p = start(COLLIDES);
    expect(await p.settled(5000)).toBe('collision');
    expect(p.reason).toBe('another device on the network already answers for notes.local');
  });

  it('a publisher that cannot run is failed with the reason', async () => {
    const p = start(['/nonexistent/avahi-publish']);
    await until(() => p.state === 'failed');
    expect(p.reason).toMatch(/cannot run \/nonexistent\/avahi-publish/);
  });
});

describe('the mDNS names of the apps', () => {
  let dir: string;
  let names: MdnsNames;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hda-mdns-unit-'));
    names = new MdnsNames({ address: '192.168.1.10', recordFile: join(dir, 'mdns.json'), pidFile: join(dir, 'none.pid'), publisher: { command: ESTABLISHED } });
  });
  afterEach(async () => {
    await names.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("an app's .local name is its hostname's first label (else its identifier), checked as a DNS label", () => {
    expect(mdnsName('nextcloud', 'cloud.home.example.com')).toBe('cloud.local');
    expect(mdnsName('nextcloud', undefined)).toBe('nextcloud.local');
    expect(() => mdnsName('x', 'bad_label.example.com')).toThrow(LanNamesError);
  });

  it('publishes only the .local names, records them, and says when nothing changed', async () => {
    expect(names.set('notes', ['notes.home.example.com', 'notes', 'notes.local'])).toBe('added');
    expect(JSON.parse(readFileSync(join(dir, 'mdns.json'), 'utf8'))).toEqual({ notes: ['notes.local'] });
    expect(await names.nameHealth('notes', 'notes.home.example.com', 5000)).toEqual({ name: 'notes.local', resolves: true, mdnsState: 'published' });
    expect(names.set('notes', ['notes.home.example.com', 'notes.local'])).toBe('unchanged');
  });

  it('a rename withdraws the old name; a name another app holds is refused; remove withdraws all', async () => {
    names.set('notes', ['notes.local']);
    const old = names.publisher('notes.local')!;
    expect(names.set('notes', ['jot.local'])).toBe('updated');
    expect(names.publisher('notes.local')).toBeUndefined();
    await until(() => old.pid === undefined);
    expect(() => names.set('other', ['jot.local'])).toThrow(/jot\.local is already published for the app notes/);
    expect(names.remove('notes')).toBe('removed');
    expect(names.publisher('jot.local')).toBeUndefined();
    expect(names.remove('notes')).toBe('absent');
  });

  it('a restarted agent publishes what was recorded; avahi-daemon not running is reported from its pid file', async () => {
    names.set('notes', ['notes.local']);
    await names.close();
    const again = new MdnsNames({
      address: '192.168.1.10',
      recordFile: join(dir, 'mdns.json'),
      pidFile: join(dir, 'none.pid'),
      publisher: { command: ESTABLISHED },
    });
    again.start();
    expect((await again.nameHealth('notes', 'x', 5000)).mdnsState).toBe('published');
    await again.close();
    expect(names.daemonState()).toEqual({ running: false, reason: `avahi-daemon is not running (no ${join(dir, 'none.pid')})` });
  });
});
