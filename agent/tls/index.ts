/** The HDA's CA and its app certificates, in <state dir>/tls (0700); null when HTTPS is off. */
import { join } from 'node:path';
import type { TlsMode } from '../../core/protocol/lan-modes';
import type { AgentConfig } from '../config';
import { AcmeCertificates } from './acme';
import { LocalCa } from './ca';
import { AppCertificates, type CertSource } from './certs';

export interface TlsParts {
  ca: LocalCa;
  certs: CertSource;
  /** The HDA's own CA issues the apps' certificates, or an ACME CA does. */
  source: TlsMode;
  port: number;
  redirect: boolean;
  /** Set with ACME: the folder every plain vhost serves /.well-known/acme-challenge/ from. */
  acmeWebroot?: string;
  /** identifier -> why its last certificate issue or renewal failed (for the heartbeat). */
  failures: Map<string, string>;
}

type TlsConfig = Pick<AgentConfig, 'stateDir' | 'httpsPort' | 'httpsRedirect'> &
  Partial<Pick<AgentConfig, 'tls' | 'acmeDirectory' | 'acmeEmail' | 'acmeCaBundle' | 'acmeWebroot'>>;

/** `permitted`: the domains a CA made now is constrained to (the HDA's domain; empty before enrollment). */
export function tlsParts(config: TlsConfig, permitted: string[] = []): TlsParts | null {
  if (!config.httpsPort) return null;
  const dir = join(config.stateDir, 'tls');
  const ca = new LocalCa(dir, { permitted });
  const base = { ca, port: config.httpsPort, redirect: config.httpsRedirect, failures: new Map<string, string>() };
  if (config.tls !== 'acme') return { ...base, source: 'ca', certs: new AppCertificates(ca, join(dir, 'apps')) };
  const webroot = config.acmeWebroot ?? '/var/www/hda-agent-acme';
  const acme = new AcmeCertificates(ca, join(dir, 'apps'), {
    directory: config.acmeDirectory ?? 'https://acme-v02.api.letsencrypt.org/directory',
    email: config.acmeEmail ?? '',
    legoDir: join(dir, 'acme'),
    webroot,
    caBundle: config.acmeCaBundle || undefined,
  });
  return { ...base, source: 'acme', certs: acme, acmeWebroot: webroot };
}
