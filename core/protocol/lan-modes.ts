/**
 * How an HDA serves its apps on the home network, declared once: the agent's options, the heartbeat's
 * LAN health and the owner's settings all take these lists. Plain constants, so the agent may import them.
 */

/**
 * Where the apps' names are published: the HDA's dnsmasq (the router hands it out as DNS server),
 * multicast DNS through avahi (`<app>.local`, for a network with a DNS server of its own), or nowhere.
 */
export const NAMES_MODES = ['dnsmasq', 'mdns', 'off'] as const;
export type NamesMode = (typeof NAMES_MODES)[number];

/** Where app certificates come from: this HDA's own CA, or an ACME CA for a public domain. */
export const TLS_MODES = ['ca', 'acme'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

/** An mDNS name's publication: probing the network, published, taken by another device, or failed. */
export const MDNS_STATES = ['probing', 'published', 'collision', 'failed'] as const;
export type MdnsState = (typeof MDNS_STATES)[number];

export const isNamesMode = (s: string): s is NamesMode => (NAMES_MODES as readonly string[]).includes(s);
export const isTlsMode = (s: string): s is TlsMode => (TLS_MODES as readonly string[]).includes(s);
