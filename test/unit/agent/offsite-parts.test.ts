/**
 * How a replacement HDA reads an off-HDA snapshot: which path is the app folder, which is which named
 * volume (from the snapshot's tags), and the name each volume gets in the new HDA's compose project.
 * The whole flow runs on real Docker and restic in test/e2e/replace-hda.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { snapshotParts, volumeNameIn } from '../../../agent/backup/offsite-app';
import type { Snapshot } from '../../../agent/backup/restic';

const snap = (paths: string[], tags: string[]): Snapshot => ({ id: 'a'.repeat(64), shortId: 'aaaaaaaa', time: '', paths, tags, host: 'h' });
const VOL = '/var/lib/docker/volumes/notes_dbvol/_data';

describe('off-HDA snapshot parts', () => {
  it('tells the app folder from each tagged volume', () => {
    const parts = snapshotParts(snap(['/srv/apps/notes', VOL], ['offsite', 'app=notes', 'project:notes', 'volume:dbvol:notes_dbvol']));
    expect(parts).toEqual({ project: 'notes', appPath: '/srv/apps/notes', volumes: [{ key: 'dbvol', name: 'notes_dbvol', path: VOL }] });
  });

  it('reads a snapshot of an app folder alone (taken before volumes were backed up)', () => {
    expect(snapshotParts(snap(['/srv/apps/notes'], ['offsite', 'app=notes']))).toEqual({ appPath: '/srv/apps/notes', volumes: [] });
  });

  it('refuses a snapshot whose volume tag has no data, or that holds two app folders', () => {
    expect(() => snapshotParts(snap(['/srv/apps/notes'], ['volume:dbvol:notes_dbvol']))).toThrow(/holds no data for it/);
    expect(() => snapshotParts(snap(['/srv/apps/notes', '/srv/apps/other'], []))).toThrow(/more than one app folder/);
  });

  it('refuses what it does not understand: a path that could leave the staging folder, a name Docker would not take', () => {
    for (const path of ['/srv/apps/../../etc', 'srv/apps/notes', '/srv/./apps', '/srv//apps'])
      expect(() => snapshotParts(snap([path], ['offsite'])), path).toThrow(/not a plain absolute path/);
    expect(() => snapshotParts(snap(['/srv/apps/notes', VOL], ['volume:dbvol:../notes_dbvol']))).toThrow(/the volume tag/);
    expect(() => snapshotParts(snap(['/srv/apps/notes', VOL], ['volume:dbvol:notes_dbvol:x']))).toThrow(/the volume tag/);
    expect(() => snapshotParts(snap(['/srv/apps/notes'], ['project:-x']))).toThrow(/the project name/);
  });

  it("names a volume as the new project expects: Compose's <project>_<key>, or the name it was given", () => {
    const v = { key: 'dbvol', name: 'notes_dbvol', path: VOL };
    expect(volumeNameIn('ns_notes', v, 'notes')).toBe('ns_notes_dbvol');
    expect(volumeNameIn('ns_notes', { ...v, name: 'shared-db' }, 'notes')).toBe('shared-db');
  });
});
