/**
 * One certificate per app, issued by the HDA's CA for the app's names (subjectAltName), renewed when
 * the names change, when the CA changed or before it expires. The key and certificate are written
 * beside each other and checked as a pair before they replace the old ones: Apache refuses to start
 * with a certificate that does not match its key, and that would take every app down, not just one.
 */
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hostnameProblem } from '../../core/catalog/placeholders';
import { writeNewKey, type LocalCa } from './ca';
import { minimalConfig, openssl, TlsError } from './openssl';

const DAY_MS = 86_400_000;
/** Browsers refuse longer server certificates from some CAs; the same limit keeps ours ordinary. */
export const CERT_DAYS = 397;
/** Renewed this long before it expires. */
export const RENEW_BEFORE_MS = 30 * DAY_MS;

export interface CertFiles {
  certPath: string;
  keyPath: string;
}

export interface CertState extends CertFiles {
  names: string[];
  notAfter: string;
}

export type CertOutcome = CertState & {
  action: 'issued' | 'renewed' | 'current';
  reason?: string;
  /** Names the certificate lacks because their order failed (ACME), and why. */
  left_out?: { names: string[]; reason: string };
};

/** Where the apps' certificates come from: the HDA's own CA (AppCertificates) or ACME (AcmeCertificates). */
export interface CertSource {
  readonly dir: string;
  files(base: string): CertFiles;
  read(base: string): (CertState & { cert: X509Certificate }) | null;
  ensure(base: string, names: string[], now?: number): Promise<CertOutcome>;
  remove(base: string): boolean;
}

/** `<dir>/<base>.crt|.key`; `base` is a vhost stem (checked: it names files). */
export function certFiles(dir: string, base: string): CertFiles {
  if (!/^[a-z0-9_-]{1,100}$/.test(base)) throw new TlsError(`certificate name ${JSON.stringify(base)} has unexpected characters`);
  return { certPath: join(dir, `${base}.crt`), keyPath: join(dir, `${base}.key`) };
}

/** The certificate at `f` when it parses and matches its key; else null. */
export function readCertPair(f: CertFiles): (CertState & { cert: X509Certificate }) | null {
  if (!existsSync(f.certPath) || !existsSync(f.keyPath)) return null;
  try {
    const cert = new X509Certificate(readFileSync(f.certPath));
    if (!cert.checkPrivateKey(createPrivateKey(readFileSync(f.keyPath)))) return null;
    return { ...f, cert, names: sanNames(cert), notAfter: new Date(cert.validTo).toISOString() };
  } catch {
    return null;
  }
}

export function removeCertPair(f: CertFiles): boolean {
  const had = existsSync(f.certPath);
  rmSync(f.certPath, { force: true });
  rmSync(f.keyPath, { force: true });
  return had;
}

export function sameNames(a: string[], b: string[]): boolean {
  return [...a].sort().join(',') === [...b].sort().join(',');
}

/** Refuses a name that cannot be a certificate's DNS name. */
export function checkCertificateNames(names: string[]): void {
  if (names.length === 0) throw new TlsError('a certificate needs at least one name');
  for (const n of names) {
    const p = certificateNameProblem(n);
    if (p) throw new TlsError(`${JSON.stringify(n)} cannot be a certificate name: it ${p}`);
  }
}

/** Why `name` cannot be a certificate's DNS name; null when it can. Checked before anything is written. */
export function certificateNameProblem(name: string): string | null {
  const p = hostnameProblem(name);
  if (p) return p;
  if (/^\d+(\.\d+){3}$/.test(name)) return 'is an IP address, not a DNS name';
  return null;
}

export function sanNames(c: X509Certificate): string[] {
  return (c.subjectAltName ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
}

/** CN is at most 64 characters; browsers read the subjectAltName, the CN only names the certificate. */
function subjectOf(names: string[]): string {
  const cn = names.find((n) => n.length <= 64);
  return cn ? `/O=Amahi HDA/CN=${cn}` : '/O=Amahi HDA';
}

export class AppCertificates implements CertSource {
  constructor(
    private readonly ca: LocalCa,
    readonly dir: string,
    private readonly o: { openssl?: string; days?: number; renewBeforeMs?: number } = {},
  ) {}

  files(base: string): CertFiles {
    return certFiles(this.dir, base);
  }

  /** The certificate on disk when it parses and matches its key; else null. */
  read(base: string): (CertState & { cert: X509Certificate }) | null {
    return readCertPair(this.files(base));
  }

  /** Why the certificate must be (re)issued now, or null when it is current. */
  private staleReason(have: ReturnType<AppCertificates['read']>, names: string[], now: number): string | null {
    if (!have) return 'no certificate yet';
    const ca = this.ca.require();
    if (!have.cert.checkIssued(ca) || !have.cert.verify(ca.publicKey)) return "not issued by this HDA's certificate authority";
    if (!sameNames(have.names, names)) return 'the app has other names now';
    if (Date.parse(have.notAfter) - now < (this.o.renewBeforeMs ?? RENEW_BEFORE_MS)) return `expires ${have.notAfter}`;
    return null;
  }

  /** A current certificate for `names` (first one is the subject), issued or renewed when needed. */
  async ensure(base: string, asked: string[], now = Date.now()): Promise<CertOutcome> {
    checkCertificateNames(asked);
    // A CA constrained to the HDA's domain cannot sign the bare identifier or another domain's name.
    const names = this.ca.signable(asked);
    if (names.length === 0) throw new TlsError(`this HDA's CA may only sign names in ${this.ca.constraints()?.join(', ')}; the app has ${asked.join(', ')}`);
    const have = this.read(base);
    const why = this.staleReason(have, names, now);
    if (!why && have) return { certPath: have.certPath, keyPath: have.keyPath, names: have.names, notAfter: have.notAfter, action: 'current' };
    const issued = await this.issue(base, names);
    return { ...issued, action: have ? 'renewed' : 'issued', reason: why ?? undefined };
  }

  private async issue(base: string, names: string[]): Promise<CertState> {
    this.ca.require();
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const f = this.files(base);
    const tmp = { keyPath: `${f.keyPath}.new`, certPath: `${f.certPath}.new` };
    try {
      writeNewKey(tmp.keyPath);
      const days = String(this.o.days ?? CERT_DAYS);
      const ext = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth', 'authorityKeyIdentifier=keyid'];
      await openssl(
        ['req', '-config', minimalConfig(this.ca.dir), '-x509', '-new', '-key', tmp.keyPath, '-CA', this.ca.certPath, '-CAkey', this.ca.keyPath]
          .concat(['-sha256', '-days', days, '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-subj', subjectOf(names)])
          .concat(['-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`, ...ext.flatMap((e) => ['-addext', e])])
          .concat(['-out', tmp.certPath]),
        this.o.openssl,
      );
      const cert = new X509Certificate(readFileSync(tmp.certPath));
      if (!cert.checkPrivateKey(createPrivateKey(readFileSync(tmp.keyPath)))) throw new TlsError('the new certificate does not match its key');
      renameSync(tmp.keyPath, f.keyPath);
      renameSync(tmp.certPath, f.certPath);
      return { ...f, names: sanNames(cert), notAfter: new Date(cert.validTo).toISOString() };
    } finally {
      rmSync(tmp.keyPath, { force: true });
      rmSync(tmp.certPath, { force: true });
    }
  }

  remove(base: string): boolean {
    return removeCertPair(this.files(base));
  }
}
