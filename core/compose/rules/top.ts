/**
 * The rule tables for the top level and its named objects (networks, volumes, secrets, configs): each
 * key of the model once. Named objects stay inside the app: project-scoped, default drivers, no
 * external or fixed-name objects another app could share.
 */
import type { ComposeModelSpec } from '../schema/top';
import type { NETWORK_SHAPE, VOLUME_SHAPE, CONFIG_SHAPE } from '../schema/top';
import type { z } from 'zod';
import { describeHostPath, truthy, type PolicyContext } from './context';
import { outsideAppAndShares } from './mounts';
import type { KeyTable } from './table';

type Out<S extends Record<string, z.ZodType>> = { [K in keyof S]?: z.output<S[K]> };
type Network = Out<typeof NETWORK_SHAPE>;
type Volume = Out<typeof VOLUME_SHAPE>;
type SecretOrConfig = Out<typeof CONFIG_SHAPE>;

/** One named object under check: raise() prefixes it and its key path. */
export interface EntryScope {
  ctx: PolicyContext;
  kind: 'networks' | 'volumes' | 'secrets' | 'configs';
  name: string;
  raise(rule: Parameters<PolicyContext['raise']>[0], message: string, ...path: Array<string | number>): void;
}

const isExternal = (v: unknown) => (typeof v === 'object' && v !== null) || truthy(v);
/** A fixed `name:` makes the object global on the HDA; one carrying APP_IDENTIFIER stays the install's. */
const checkName = (v: string, s: EntryScope) => {
  // As a whole word, as the HDA substitutes it: `APP_IDENTIFIER_data` would stay one literal name on every install.
  if (!/(?<![A-Za-z0-9_])APP_IDENTIFIER(?![A-Za-z0-9_])/.test(v))
    s.raise('external-resource', `the fixed name "${v}" is shared by every app that uses it; include APP_IDENTIFIER or drop the name`, 'name');
};

export const NETWORK_RULES: KeyTable<Network, EntryScope> = {
  attachable: 'allow',
  enable_ipv4: 'allow',
  enable_ipv6: 'allow',
  internal: 'allow',
  labels: 'allow',
  name: { check: (v, s) => (v === 'host' ? s.raise('host-network', 'is the host network', 'name') : checkName(v, s)) },
  driver: {
    check: (v, s) => {
      if (v === 'host') s.raise('host-network', 'is the host network (driver: host)', 'driver');
      else if (v !== 'bridge') s.raise('network-driver', `uses the "${v}" network driver; only bridge is allowed`, 'driver');
    },
  },
  driver_opts: { refuse: 'network-driver', why: (v) => `sets driver_opts (${Object.keys(v).join(', ')})`, unless: (v) => Object.keys(v).length === 0 },
  external: { refuse: 'external-resource', why: () => 'is external: a network of another app or of the host', unless: (v) => !isExternal(v) },
  ipam: {
    check: (v, s) => {
      if (v.driver !== undefined && v.driver !== 'default') s.raise('network-driver', `uses the "${v.driver}" IPAM driver`, 'ipam', 'driver');
      // A chosen subnet can be the home LAN's: the host would route that traffic into the app's network.
      if (v.config?.length) s.raise('network-driver', 'chooses its own subnets (ipam.config); Docker picks a free one', 'ipam', 'config');
    },
  },
};

export const VOLUME_RULES: KeyTable<Volume, EntryScope> = {
  labels: 'allow',
  name: { check: checkName },
  driver: { refuse: 'volume-driver', why: (v) => `uses the "${v}" volume driver; only the default local driver is allowed`, unless: (v) => v === 'local' },
  driver_opts: {
    refuse: 'volume-driver',
    why: (v) =>
      `sets driver_opts (${Object.entries(v)
        .map(([k, x]) => `${k}: ${x}`)
        .join(', ')
        .slice(0, 120)}), which can bind any host folder`,
    unless: (v) => Object.keys(v).length === 0,
  },
  external: { refuse: 'external-resource', why: () => 'is external: a volume of another app or created outside it', unless: (v) => !isExternal(v) },
};

export const SECRET_RULES: KeyTable<SecretOrConfig, EntryScope> = {
  name: 'allow',
  labels: 'allow',
  content: 'allow',
  file: {
    check: (v, s) =>
      outsideAppAndShares(v, s.ctx) ? s.raise('bind-outside-app', `reads ${describeHostPath(v, s.ctx.appDir)} from outside the app folder`, 'file') : undefined,
  },
  environment: { refuse: 'variable-interpolation', why: (v) => `reads the agent's environment variable "${v}"` },
  external: { refuse: 'external-resource', why: () => 'is external: created outside the app', unless: (v) => !isExternal(v) },
  driver: { refuse: 'external-resource', why: (v) => `is stored by the "${v}" driver, outside the app` },
  driver_opts: { refuse: 'external-resource', why: () => 'sets driver_opts for a secret store outside the app' },
  template_driver: { refuse: 'external-resource', why: (v) => `is rendered by the "${v}" template driver` },
};

/** Top-level keys; `services` and the named objects are walked by the policy with the tables above. */
export const TOP_RULES: KeyTable<ComposeModelSpec & { version?: unknown }, PolicyContext> = {
  version: 'allow',
  name: 'allow',
  services: 'allow',
  networks: 'allow',
  volumes: 'allow',
  secrets: 'allow',
  configs: 'allow',
  include: { refuse: 'external-file', why: () => 'include was not resolved from the files the version ships' },
  models: { refuse: 'models', why: () => 'declares AI models run by Compose' },
};
