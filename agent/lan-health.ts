/**
 * The health of the apps' names and certificates, for the heartbeat: does each name resolve to this
 * HDA at its dnsmasq (resolved for real) or is it published over mDNS (its avahi publisher's state),
 * does each app have a certificate and when does it expire (close to expiry is
 * said in words). Only the CA's certificate is read here, never its key.
 */
import type { LanAppHealth, LanHealth } from '../core/protocol';
import { vhostStem } from './apache/vhost';
import type { InstallRegistry } from './installs';
import type { NamesProvider } from './names/provider';
import type { TlsParts } from './tls/index';
import { RENEW_BEFORE_MS } from './tls/certs';

export interface LanHealthParts {
  installs: InstallRegistry;
  tls?: TlsParts | null;
  names?: NamesProvider | null;
  namespace?: string;
  /** identifier -> why its last certificate renewal failed (renewal.ts). */
  renewalFailures?: ReadonlyMap<string, string>;
  now?: () => number;
}

async function appHealth(p: LanHealthParts, identifier: string, domain: string, now: number): Promise<LanAppHealth> {
  const fqdn = `${identifier}.${domain}`;
  const out: LanAppHealth = { identifier, name: fqdn };
  if (p.names) {
    const h = await p.names.nameHealth(identifier, fqdn);
    out.name = h.name;
    out.resolves = h.resolves;
    if (h.mdnsState) out.mdns_state = h.mdnsState;
    if (h.problem) out.name_problem = h.problem;
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
  const daemon = p.names?.daemonState();
  const names: LanHealth['names'] = p.names
    ? { mode: p.names.mode, address: p.names.address, ...(daemon && !daemon.running ? { problem: daemon.reason } : {}) }
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
