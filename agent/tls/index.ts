/** The HDA's CA and its app certificates, in <state dir>/tls (0700); null when HTTPS is off. */
import { join } from 'node:path';
import type { AgentConfig } from '../config';
import { LocalCa } from './ca';
import { AppCertificates } from './certs';

export interface TlsParts {
  ca: LocalCa;
  certs: AppCertificates;
  port: number;
  redirect: boolean;
}

export function tlsParts(config: Pick<AgentConfig, 'stateDir' | 'httpsPort' | 'httpsRedirect'>): TlsParts | null {
  if (!config.httpsPort) return null;
  const ca = new LocalCa(join(config.stateDir, 'tls'));
  return { ca, certs: new AppCertificates(ca, join(config.stateDir, 'tls', 'apps')), port: config.httpsPort, redirect: config.httpsRedirect };
}
