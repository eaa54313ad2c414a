/** Nested objects of a service in the Compose Specification: build, deploy, healthcheck, mounts, ports, ... */
import { z } from 'zod';
import { bool, extraHosts, int, listOfStrings, listOrDict, num, serviceConfigOrSecret, specObject, str, stringOrList, ulimits } from './common';

const opt = <T extends z.ZodType>(t: T) => t.optional();

export const buildSchema = z.union([
  z.string(),
  specObject({
    context: opt(str),
    dockerfile: opt(str),
    dockerfile_inline: opt(str),
    entitlements: opt(listOfStrings),
    args: opt(listOrDict),
    ssh: opt(listOrDict),
    labels: opt(listOrDict),
    cache_from: opt(listOfStrings),
    cache_to: opt(listOfStrings),
    no_cache: opt(bool),
    additional_contexts: opt(listOrDict),
    network: opt(str),
    pull: opt(bool),
    target: opt(str),
    shm_size: opt(num),
    extra_hosts: opt(extraHosts),
    isolation: opt(str),
    privileged: opt(bool),
    secrets: opt(serviceConfigOrSecret),
    tags: opt(listOfStrings),
    ulimits: opt(ulimits),
    platforms: opt(listOfStrings),
  }),
]);

const blkioLimit = specObject({ path: str, rate: int });
const blkioWeight = specObject({ path: str, weight: int });
export const blkioSchema = specObject({
  device_read_bps: opt(z.array(blkioLimit)),
  device_read_iops: opt(z.array(blkioLimit)),
  device_write_bps: opt(z.array(blkioLimit)),
  device_write_iops: opt(z.array(blkioLimit)),
  weight: opt(int),
  weight_device: opt(z.array(blkioWeight)),
});

export const dependsOnSchema = z.union([
  listOfStrings,
  z.record(
    z.string(),
    specObject({ condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']), restart: opt(bool), required: opt(z.boolean()) }),
  ),
]);

const deviceRequest = specObject({
  capabilities: opt(listOfStrings),
  count: opt(z.union([z.number().int(), z.string()])),
  device_ids: opt(listOfStrings),
  driver: opt(str),
  options: opt(listOrDict),
});
export const gpusSchema = z.union([z.literal('all'), z.array(deviceRequest)]);

const updateConfig = specObject({
  parallelism: opt(int),
  delay: opt(str),
  failure_action: opt(str),
  monitor: opt(str),
  max_failure_ratio: opt(num),
  order: opt(z.enum(['start-first', 'stop-first'])),
});
const resourceLimits = specObject({ cpus: opt(num), memory: opt(str), pids: opt(int) });
const resourceReservations = specObject({
  cpus: opt(num),
  memory: opt(str),
  devices: opt(z.array(deviceRequest)),
  generic_resources: opt(z.array(specObject({ discrete_resource_spec: opt(specObject({ kind: opt(str), value: opt(num) })) }))),
});
export const deploySchema = z.union([
  z.null(),
  specObject({
    mode: opt(str),
    endpoint_mode: opt(str),
    replicas: opt(int),
    labels: opt(listOrDict),
    rollback_config: opt(updateConfig),
    update_config: opt(updateConfig),
    resources: opt(specObject({ limits: opt(resourceLimits), reservations: opt(resourceReservations) })),
    restart_policy: opt(specObject({ condition: opt(str), delay: opt(str), max_attempts: opt(int), window: opt(str) })),
    placement: opt(
      specObject({ constraints: opt(listOfStrings), preferences: opt(z.array(specObject({ spread: opt(str) }))), max_replicas_per_node: opt(int) }),
    ),
  }),
]);

export const hookSchema = specObject({
  command: z.union([z.string(), listOfStrings]),
  user: opt(str),
  privileged: opt(bool),
  working_dir: opt(str),
  environment: opt(listOrDict),
});

export const developSchema = z.union([
  z.null(),
  specObject({
    watch: opt(
      z.array(
        specObject({
          ignore: opt(stringOrList),
          include: opt(stringOrList),
          path: str,
          action: z.enum(['rebuild', 'sync', 'restart', 'sync+restart', 'sync+exec']),
          target: opt(str),
          exec: opt(hookSchema),
        }),
      ),
    ),
  }),
]);

export const healthcheckSchema = specObject({
  disable: opt(bool),
  interval: opt(str),
  retries: opt(num),
  test: opt(z.union([z.string(), listOfStrings])),
  timeout: opt(str),
  start_period: opt(str),
  start_interval: opt(str),
});

export const loggingSchema = specObject({ driver: opt(str), options: opt(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))) });

export const serviceNetworksSchema = z.union([
  listOfStrings,
  z.record(
    z.string(),
    z.union([
      z.null(),
      specObject({
        aliases: opt(listOfStrings),
        interface_name: opt(str),
        ipv4_address: opt(str),
        ipv6_address: opt(str),
        link_local_ips: opt(listOfStrings),
        mac_address: opt(str),
        driver_opts: opt(z.record(z.string(), z.union([z.string(), z.number()]))),
        priority: opt(z.number()),
        gw_priority: opt(z.number()),
      }),
    ]),
  ),
]);

export const portSchema = z.union([
  z.number(),
  z.string(),
  specObject({ name: opt(str), mode: opt(str), host_ip: opt(str), target: opt(int), published: opt(int), protocol: opt(str), app_protocol: opt(str) }),
]);

export const volumeMountSchema = z.union([
  z.string(),
  specObject({
    type: z.enum(['bind', 'volume', 'tmpfs', 'cluster', 'npipe', 'image']),
    source: opt(str),
    target: opt(str),
    read_only: opt(bool),
    consistency: opt(str),
    bind: opt(
      specObject({
        propagation: opt(str),
        create_host_path: opt(bool),
        recursive: opt(z.enum(['enabled', 'disabled', 'writable', 'readonly'])),
        selinux: opt(z.enum(['z', 'Z'])),
      }),
    ),
    volume: opt(specObject({ labels: opt(listOrDict), nocopy: opt(bool), subpath: opt(str) })),
    tmpfs: opt(specObject({ size: opt(z.union([z.number().int().min(0), z.string()])), mode: opt(num) })),
    image: opt(specObject({ subpath: opt(str) })),
  }),
]);

export const envFileSchema = z.union([z.string(), z.array(z.union([z.string(), specObject({ path: str, required: opt(bool), format: opt(str) })]))]);
export const devicesSchema = z.array(z.union([z.string(), specObject({ source: str, target: opt(str), permissions: opt(str) })]));
export const extendsSchema = z.union([z.string(), specObject({ service: str, file: opt(str) })]);
export const credentialSpecSchema = specObject({ config: opt(str), file: opt(str), registry: opt(str) });
export const providerSchema = specObject({
  type: str,
  options: opt(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))]))),
});
export const serviceModelsSchema = z.union([listOfStrings, z.record(z.string(), specObject({ endpoint_var: opt(str), model_var: opt(str) }))]);
