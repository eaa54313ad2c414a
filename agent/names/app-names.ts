/**
 * An app's names, declared once for the vhost, its certificate and the renewal pass: <identifier>.<domain>,
 * the bare identifier, its own hostname when different, and what the names provider adds (mDNS: `<label>.local`).
 */
import type { NamesProvider } from './provider';

export function appNameList(identifier: string, domain: string, hostname: string | undefined, provider?: Pick<NamesProvider, 'extraNames'> | null): string[] {
  const extra = provider?.extraNames(identifier, hostname) ?? [];
  return [...new Set([`${identifier}.${domain}`, identifier, ...(hostname ? [hostname] : []), ...extra])];
}
