/** Temporary directories the suites create and always remove. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `base` defaults to the OS temp dir (on disk here); pass /dev/shm for tmpfs. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>, base = tmpdir()): Promise<T> {
  const dir = await mkdtemp(join(base, `hda-bench-${prefix}-`));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
