/** The LAN names part from the agent's settings: dnsmasq, mDNS through avahi, or null when names are off. */
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { AgentConfig } from '../config';
import { LanNames } from './dnsmasq';
import { MdnsNames } from './mdns';
import type { NamesProvider } from './provider';

/** Interfaces of containers and bridges, never the address a LAN device reaches the HDA on. */
const NOT_LAN = /^(lo|docker|br-|veth|virbr|cni|flannel|tun|tap|wg)/;

/** The HDA's LAN address: the first IPv4 address of an interface that is not a loopback or a bridge. */
export function lanAddress(): string | null {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (NOT_LAN.test(name)) continue;
    const a = addrs?.find((x) => x.family === 'IPv4' && !x.internal);
    if (a) return a.address;
  }
  return null;
}

type NamesConfig = Pick<AgentConfig, 'names' | 'dnsHostsDir' | 'dnsAddress' | 'dnsServer' | 'dnsPidFile' | 'avahiPidFile' | 'namespace' | 'stateDir'>;

export function lanNames(config: NamesConfig): NamesProvider | null {
  if (config.names === 'off') return null;
  const address = config.dnsAddress === 'auto' ? lanAddress() : config.dnsAddress;
  if (!address) return null;
  if (config.names === 'mdns') return new MdnsNames({ address, recordFile: join(config.stateDir, 'mdns-names.json'), pidFile: config.avahiPidFile });
  return new LanNames({ dir: config.dnsHostsDir, address, server: config.dnsServer, pidFile: config.dnsPidFile, namespace: config.namespace || undefined });
}
