/**
 * App certificates from an ACME CA (Let's Encrypt, or Pebble in tests) instead of the HDA's own CA,
 * through the `lego` CLI (argv only) with the HTTP-01 challenge answered by Apache from a webroot the
 * agent owns. lego keeps its account key and orders in a 0700 folder of the state dir; the issued pair
 * is checked and copied beside the other apps' certificates (key 0600), so the vhost reads one place.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { runCommand, tailLines } from '../exec';
import { writeFileAtomic } from '../fs-atomic';
import type { LocalCa } from './ca';
import {
  type CertFiles,
  type CertOutcome,
  type CertSource,
  type CertState,
  certFiles,
  checkCertificateNames,
  readCertPair,
  removeCertPair,
  RENEW_BEFORE_MS,
  sameNames,
} from './certs';
import { TlsError } from './openssl';

export interface AcmeOptions {
  /** The ACME directory URL (Let's Encrypt: https://acme-v02.api.letsencrypt.org/directory). */
  directory: string;
  email: string;
  /** lego's folder: account key and orders (0700). */
  legoDir: string;
  /** The folder Apache serves /.well-known/acme-challenge/ from. */
  webroot: string;
  /** Extra CA certificates lego trusts for the directory (a test CA such as Pebble's). */
  caBundle?: string;
  lego?: string;
  renewBeforeMs?: number;
  timeoutMs?: number;
}

/** Only public names with a dot can be validated: the bare identifier and `.local` stay on the HDA's own names. */
export function acmeNames(names: string[]): string[] {
  // `.local` is link-local (mDNS): no public CA validates it.
  return [...new Set(names.filter((n) => n.includes('.') && !n.endsWith('.local')))];
}

export class AcmeCertificates implements CertSource {
  constructor(
    /** The HDA's own CA: a certificate it issued is replaced once ACME is chosen. */
    private readonly localCa: LocalCa | null,
    readonly dir: string,
    private readonly o: AcmeOptions,
  ) {}

  files(base: string): CertFiles {
    return certFiles(this.dir, base);
  }

  read(base: string): ReturnType<CertSource['read']> {
    return readCertPair(this.files(base));
  }

  async ensure(base: string, names: string[], now = Date.now()): Promise<CertOutcome> {
    const wanted = acmeNames(names);
    if (wanted.length === 0) throw new TlsError(`ACME needs a public name with a dot; the app only has ${names.join(', ')}`);
    checkCertificateNames(wanted);
    const have = this.read(base);
    const why = this.staleReason(have, wanted, now);
    if (!why && have) return { certPath: have.certPath, keyPath: have.keyPath, names: have.names, notAfter: have.notAfter, action: 'current' };
    const { issued, leftOut } = await this.issueEach(base, wanted);
    return { ...issued, action: have ? 'renewed' : 'issued', reason: why ?? undefined, ...(leftOut ? { left_out: leftOut } : {}) };
  }

  /**
   * One order for all the app's names; when it fails and the app has more than one, an order for its
   * main name alone (<identifier>.<domain>, first): one name the CA cannot validate does not leave
   * the app without any certificate. What was left out is said, with the first order's reason.
   */
  private async issueEach(base: string, names: string[]): Promise<{ issued: CertState; leftOut?: { names: string[]; reason: string } }> {
    try {
      return { issued: await this.issue(base, names) };
    } catch (e) {
      if (names.length < 2) throw e;
      const issued = await this.issue(base, names.slice(0, 1));
      return { issued, leftOut: { names: names.slice(1), reason: (e as Error).message } };
    }
  }

  private staleReason(have: ReturnType<CertSource['read']>, names: string[], now: number): string | null {
    if (!have) return 'no certificate yet';
    const local = this.localCa?.certificate();
    if (local && have.cert.checkIssued(local)) return "issued by this HDA's own CA, and ACME is chosen";
    if (!sameNames(have.names, names)) return 'the app has other names now';
    if (Date.parse(have.notAfter) - now < (this.o.renewBeforeMs ?? RENEW_BEFORE_MS)) return `expires ${have.notAfter}`;
    return null;
  }

  /** A new order for `names` (the first names lego's files); the pair replaces the app's only when whole. */
  private async issue(base: string, names: string[]): Promise<CertState> {
    mkdirSync(this.o.legoDir, { recursive: true, mode: 0o700 });
    chmodSync(this.o.legoDir, 0o700);
    mkdirSync(join(this.o.webroot, '.well-known', 'acme-challenge'), { recursive: true, mode: 0o755 });
    const argv = [this.o.lego ?? 'lego', '--accept-tos', '--server', this.o.directory, '--email', this.o.email, '--key-type', 'ec256']
      .concat(['--path', this.o.legoDir, '--http', '--http.webroot', this.o.webroot])
      .concat(
        names.flatMap((n) => ['--domains', n]),
        ['run'],
      );
    const env = { ...process.env, ...(this.o.caBundle ? { LEGO_CA_CERTIFICATES: this.o.caBundle } : {}) };
    const r = await runCommand(argv, { env, timeoutMs: this.o.timeoutMs ?? 180_000 });
    this.lockDown(this.o.legoDir);
    if (r.notFound) throw new TlsError(`cannot run ${argv[0]} (is the lego package installed?)`);
    if (r.code !== 0) throw new TlsError(`the ACME order for ${names.join(', ')} failed: ${legoReason(r.stderr || r.stdout) || `exit ${r.code}`}`);
    return this.adopt(base, {
      certPath: join(this.o.legoDir, 'certificates', `${names[0]}.crt`),
      keyPath: join(this.o.legoDir, 'certificates', `${names[0]}.key`),
    });
  }

  /** Copies lego's pair to the app's files after checking it matches (key 0600). */
  private adopt(base: string, from: CertFiles): CertState {
    const got = readCertPair(from);
    if (!got) throw new TlsError('lego reported success but its certificate is missing or does not match its key');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const f = this.files(base);
    writeFileAtomic(`${f.keyPath}.new`, readFileSync(from.keyPath), 0o600);
    writeFileAtomic(`${f.certPath}.new`, readFileSync(from.certPath), 0o644);
    renameSync(`${f.keyPath}.new`, f.keyPath);
    renameSync(`${f.certPath}.new`, f.certPath);
    return { ...f, names: got.names, notAfter: got.notAfter };
  }

  /** Every key lego wrote (account and certificates) 0600, its folders 0700. */
  private lockDown(dir: string): void {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        chmodSync(p, 0o700);
        this.lockDown(p);
      } else if (e.isFile() && e.name.endsWith('.key') && (statSync(p).mode & 0o077) !== 0) chmodSync(p, 0o600);
    }
  }

  remove(base: string): boolean {
    return removeCertPair(this.files(base));
  }

  /** The serial of the certificate on disk (tests and logs tell renewals apart by it). */
  serial(base: string): string | null {
    const f = this.files(base);
    return existsSync(f.certPath) ? new X509Certificate(readFileSync(f.certPath)).serialNumber : null;
  }
}

/** lego's last error line, without its timestamp prefix. */
function legoReason(out: string): string {
  const lines = out.split('\n').filter((l) => l.trim());
  const err = [...lines].reverse().find((l) => /error|fail|problem/i.test(l)) ?? lines.at(-1) ?? '';
  return tailLines(err.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, ''), 2).slice(0, 400);
}
