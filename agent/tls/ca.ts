/**
 * The HDA's own certificate authority, made by the agent on first start: an EC P-256 key (0600, in a
 * 0700 folder of the agent's state dir, never logged, sent or shown) and a self-signed CA certificate
 * the owner installs on their devices. Only the certificate ever leaves this module.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../fs-atomic';
import { minimalConfig, openssl, TlsError } from './openssl';

const CA_DAYS = 3650;

export interface CaInfo {
  subject: string;
  fingerprint256: string;
  validTo: string;
}

/** A new EC P-256 private key (PKCS#8 PEM) written 0600 at `path`. */
export function writeNewKey(path: string): void {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileAtomic(path, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
}

/** Characters openssl's -subj takes literally (no "/", "=", "+", "\\"). */
function subjectText(s: string): string {
  return s.replace(/[^A-Za-z0-9 .-]/g, '-').slice(0, 40) || 'hda';
}

/** `name` is `domain` or inside it (how X.509 name constraints match a DNS name). */
export function withinDomain(name: string, domain: string): boolean {
  const n = name.toLowerCase();
  const d = domain.toLowerCase().replace(/^\./, '');
  return n === d || n.endsWith(`.${d}`);
}

export interface LocalCaOptions {
  label?: string;
  openssl?: string;
  /**
   * The DNS domains a new CA may sign for (X.509 name constraints, critical): a stolen key cannot sign
   * for any other name. Empty or absent: no constraints (an HDA not enrolled yet has no domain).
   */
  permitted?: string[];
}

export class LocalCa {
  readonly keyPath: string;
  readonly certPath: string;
  /** The domains the CA was made constrained to (written beside it; absent for a CA made without). */
  readonly constraintsPath: string;

  constructor(
    readonly dir: string,
    private readonly o: LocalCaOptions = {},
  ) {
    this.keyPath = join(dir, 'ca.key');
    this.certPath = join(dir, 'ca.crt');
    this.constraintsPath = join(dir, 'ca.constraints.json');
  }

  /** The domains a new CA would be constrained to. */
  get permitted(): string[] {
    return this.o.permitted ?? [];
  }

  /** The domains the existing CA is constrained to; null when it was made without name constraints. */
  constraints(): string[] | null {
    if (!existsSync(this.constraintsPath)) return null;
    try {
      const v = JSON.parse(readFileSync(this.constraintsPath, 'utf8')) as unknown;
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : null;
    } catch {
      return null;
    }
  }

  /** The names this CA can sign: all of them when unconstrained, else those inside its domains. */
  signable(names: string[]): string[] {
    const c = this.constraints();
    return c ? names.filter((n) => c.some((d) => withinDomain(n, d))) : names;
  }

  /** Makes the CA when there is none (or only half of one); 'present' when it exists already. */
  async ensure(): Promise<'created' | 'present'> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    if (existsSync(this.keyPath) && this.info()) {
      chmodSync(this.keyPath, 0o600);
      return 'present';
    }
    const tmpKey = `${this.keyPath}.new`;
    const tmpCert = `${this.certPath}.new`;
    writeNewKey(tmpKey);
    try {
      const label = subjectText(this.o.label ?? hostname());
      await openssl(
        [
          'req',
          '-config',
          minimalConfig(this.dir),
          '-x509',
          '-new',
          '-key',
          tmpKey,
          '-sha256',
          '-days',
          String(CA_DAYS),
          '-subj',
          `/O=Amahi HDA/CN=${label} local CA`,
        ]
          .concat(['-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
          .concat(['-addext', 'subjectKeyIdentifier=hash', ...this.constraintArgs(), '-out', tmpCert]),
        this.o.openssl,
      );
    } catch (e) {
      rmSync(tmpKey, { force: true });
      rmSync(tmpCert, { force: true });
      throw e;
    }
    if (this.permitted.length) writeJsonAtomic(this.constraintsPath, this.permitted, 0o644);
    else rmSync(this.constraintsPath, { force: true });
    renameSync(tmpKey, this.keyPath);
    renameSync(tmpCert, this.certPath);
    return 'created';
  }

  private constraintArgs(): string[] {
    for (const d of this.permitted) if (!/^\.?[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i.test(d)) throw new TlsError(`${JSON.stringify(d)} is not a domain`);
    if (!this.permitted.length) return [];
    return ['-addext', `nameConstraints=critical,${this.permitted.map((d) => `permitted;DNS:${d}`).join(',')}`];
  }

  /** The CA certificate (PEM): what the owner downloads and trusts. */
  certPem(): string | null {
    return existsSync(this.certPath) ? readFileSync(this.certPath, 'utf8') : null;
  }

  certificate(): X509Certificate | null {
    const pem = this.certPem();
    if (!pem) return null;
    try {
      return new X509Certificate(pem);
    } catch {
      return null;
    }
  }

  info(): CaInfo | null {
    const c = this.certificate();
    return c?.ca ? { subject: c.subject, fingerprint256: c.fingerprint256, validTo: new Date(c.validTo).toISOString() } : null;
  }

  /** Throws when the CA is missing: a certificate can only come from a CA that exists. */
  require(): X509Certificate {
    const c = this.certificate();
    if (!c || !existsSync(this.keyPath)) throw new TlsError("this HDA's certificate authority is missing (the agent makes it when it starts)");
    return c;
  }
}
