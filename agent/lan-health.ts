/**
 * The health of the apps' names and certificates, for the heartbeat: does each name resolve to this
 * HDA at its dnsmasq, does each app have a certificate and when does it expire (close to expiry is
 * said in words). Only the CA's certificate is read here, never its key.
 */
import type { LanAppHealth, LanHealth } from '../core/protocol';
import { vhostStem } from './apache/vhost';
import type { InstallRegistry } from './installs';
import type { LanNames } from './names/dnsmasq';
import type { TlsParts } from './tls/index';
import { RENEW_BEFORE_MS } from './tls/certs';

export interface LanHealthParts {
  installs: InstallRegistry;
  tls?: TlsParts | null;
  names?: LanNames | null;
  namespace?: string;
  /** identifier -> why its last certificate renewal failed (renewal.ts). */
  renewalFailures?: ReadonlyMap<string, string>;
  now?: () => number;
}

async function appHealth(p: LanHealthParts, identifier: string, domain: string, now: number): Promise<LanAppHealth> {
  const name = `${identifier}.${domain}`;
  const out: LanAppHealth = { identifier, name };
  if (p.names) {
    const r = await p.names.lookup(name);
    out.resolves = 'address' in r && r.address === p.names.o.address;
    if ('error' in r) out.name_problem = r.error;
    else if (!out.resolves) out.name_problem = `${name} resolves to ${r.address}, not to this HDA (${p.names.o.address})`;
  }
  if (p.tls) {
    const cert = p.tls.certs.read(vhostStem(identifier, p.namespace ?? ''));
    out.cert_not_after = cert?.notAfter ?? null;
    if (!cert) out.cert_problem = 'no certificate: the app is served over HTTP only';
    else if (Date.parse(cert.notAfter) <= now) out.cert_problem = `the certificate expired on ${cert.notAfter}`;
    else if (Date.parse(cert.notAfter) - now < RENEW_BEFORE_MS) out.cert_problem = `the certificate expires on ${cert.notAfter} and was not renewed yet`;
    const failed = (p.renewalFailures ?? p.tls.failures)?.get(identifier);
    if (failed) out.cert_problem = out.cert_problem ? `${out.cert_problem}; ${failed}` : failed;
  }
  return out;
}

export async function collectLanHealth(p: LanHealthParts): Promise<LanHealth> {
  const now = (p.now ?? Date.now)();
  const dns = p.names?.dnsmasqState();
  const names: LanHealth['names'] = p.names
    ? { mode: 'dnsmasq', address: p.names.o.address, ...(dns && !dns.running ? { problem: dns.reason } : {}) }
    : { mode: 'off' };
  const apps = await Promise.all(p.installs.list().map((r) => appHealth(p, r.identifier, r.domain, now)));
  return { names, https: httpsHealth(p.tls), apps };
}

function httpsHealth(tls: TlsParts | null | undefined): LanHealth['https'] {
  if (!tls) return null;
  const base = { port: tls.port, certificates: tls.source, redirect: tls.redirect };
  if (tls.source === 'acme') return base; // ACME issues the certificates: this HDA's CA is not used
  const info = tls.ca.info();
  if (!info) return { ...base, problem: "this HDA's certificate authority is missing" };
  const permitted = tls.ca.constraints();
  return {
    ...base,
    ca_pem: tls.ca.certPem() ?? undefined,
    ca_fingerprint: info.fingerprint256,
    ca_valid_to: info.validTo,
    ...(permitted ? { ca_permitted: permitted } : {}),
  };
}
