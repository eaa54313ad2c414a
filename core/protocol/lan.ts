/**
 * The health of an HDA's app names and certificates (`lan` of a heartbeat), with what the owner needs
 * to trust and point at it: the address for the router and the CA certificate (its public part only).
 */
import { z } from 'zod';
import { InstallIdentifier, Port } from './fields';
import { MDNS_STATES, NAMES_MODES, TLS_MODES } from './lan-modes';
import { APPS_PER_HEARTBEAT_MAX } from './limits';

const Problem = z.string().max(500).optional();
const IsoTime = z.string().datetime();

/** A PEM certificate and nothing else: a block that could carry a private key is refused. */
const CertificatePem = z
  .string()
  .max(8000)
  .regex(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n?$/, 'must be one PEM certificate');

export const LanAppHealthSchema = z.object({
  identifier: InstallIdentifier,
  name: z.string().max(253),
  /** Whether the name resolves to this HDA (dnsmasq) or is published on the LAN (mDNS); absent when names are off. */
  resolves: z.boolean().optional(),
  /** mDNS only: the state of the name's publication through avahi. */
  mdns_state: z.enum(MDNS_STATES).optional(),
  name_problem: Problem,
  cert_not_after: IsoTime.nullable().optional(),
  /** No certificate, one close to expiry, or a failed renewal, in words. */
  cert_problem: Problem,
});
export type LanAppHealth = z.infer<typeof LanAppHealthSchema>;

export const LanHealthSchema = z
  .object({
    names: z.object({
      mode: z.enum(NAMES_MODES),
      /** The address app names point to: what the router hands out as DNS server. */
      address: z.ipv4().optional(),
      /** Set when the HDA's dnsmasq (or, for mDNS, avahi-daemon) is not running: names do not resolve on the LAN. */
      problem: Problem,
    }),
    /** Null when HTTPS is off on this HDA. */
    https: z
      .object({
        port: Port,
        /** Where the apps' certificates come from: this HDA's own CA (the default) or an ACME CA. */
        certificates: z.enum(TLS_MODES).optional(),
        /** The CA certificate the owner installs on their devices. */
        ca_pem: CertificatePem.optional(),
        ca_fingerprint: z.string().max(200).optional(),
        ca_valid_to: IsoTime.optional(),
        /** The domains the CA may sign for (X.509 name constraints); absent: a CA made without them. */
        ca_permitted: z.array(z.string().max(253)).max(10).optional(),
        /** Plain HTTP answers with a redirect to HTTPS. */
        redirect: z.boolean().optional(),
        problem: Problem,
      })
      .nullable(),
    apps: z.array(LanAppHealthSchema).max(APPS_PER_HEARTBEAT_MAX),
  })
  .meta({ id: 'LanHealth' });
export type LanHealth = z.infer<typeof LanHealthSchema>;
