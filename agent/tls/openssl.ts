/**
 * The `openssl` CLI, from argv arrays only, for what Node's crypto cannot do (sign an X.509
 * certificate). Keys are files it reads by path: no key ever appears on a command line or in a log.
 */
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, tailLines } from '../exec';

export class TlsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsError';
  }
}

/** A minimal openssl config so the system one (its default extensions) never adds to ours. */
export function minimalConfig(dir: string): string {
  const path = join(dir, 'openssl.cnf');
  if (!existsSync(path)) writeFileSync(path, '[req]\ndistinguished_name = dn\n[dn]\n', { mode: 0o644 });
  return path;
}

export async function openssl(args: string[], bin = 'openssl'): Promise<string> {
  const r = await runCommand([bin, ...args], { timeoutMs: 30_000 });
  if (r.notFound) throw new TlsError(`cannot run ${bin} (is the openssl package installed?)`);
  if (r.code !== 0) throw new TlsError(`openssl ${args[0]} failed: ${tailLines(r.stderr || r.stdout, 3) || `exit ${r.code}`}`);
  return r.stdout;
}
