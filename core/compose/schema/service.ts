/** A service of the Compose Specification: every key the specification defines, each with its shape. */
import { z } from 'zod';
import { bool, command, extraHosts, int, listOfStrings, listOrDict, num, serviceConfigOrSecret, specObject, str, stringOrList, ulimits } from './common';
import {
  blkioSchema, buildSchema, credentialSpecSchema, dependsOnSchema, deploySchema, developSchema, devicesSchema, envFileSchema, extendsSchema,
  gpusSchema, healthcheckSchema, hookSchema, loggingSchema, portSchema, providerSchema, serviceModelsSchema, serviceNetworksSchema, volumeMountSchema,
} from './service-parts';

const opt = <T extends z.ZodType>(t: T) => t.optional();

export const SERVICE_SHAPE = {
  annotations: opt(listOrDict), attach: opt(bool), blkio_config: opt(blkioSchema), build: opt(buildSchema), cap_add: opt(listOfStrings),
  cap_drop: opt(listOfStrings), cgroup: opt(z.enum(['host', 'private'])), cgroup_parent: opt(str), command: opt(command), configs: opt(serviceConfigOrSecret),
  container_name: opt(str), cpu_count: opt(int), cpu_percent: opt(int), cpu_shares: opt(num), cpu_quota: opt(num), cpu_period: opt(num),
  cpu_rt_period: opt(num), cpu_rt_runtime: opt(num), cpus: opt(num), cpuset: opt(str), credential_spec: opt(credentialSpecSchema),
  depends_on: opt(dependsOnSchema), deploy: opt(deploySchema), develop: opt(developSchema), device_cgroup_rules: opt(listOfStrings),
  devices: opt(devicesSchema), dns: opt(stringOrList), dns_opt: opt(listOfStrings), dns_search: opt(stringOrList), domainname: opt(str),
  entrypoint: opt(command), env_file: opt(envFileSchema), label_file: opt(stringOrList), environment: opt(listOrDict),
  expose: opt(z.array(z.union([z.string(), z.number()]))), extends: opt(extendsSchema), provider: opt(providerSchema),
  external_links: opt(listOfStrings), extra_hosts: opt(extraHosts), gpus: opt(gpusSchema), group_add: opt(z.array(z.union([z.string(), z.number()]))),
  healthcheck: opt(healthcheckSchema), hostname: opt(str), image: opt(str), init: opt(bool), ipc: opt(str), isolation: opt(str),
  labels: opt(listOrDict), links: opt(listOfStrings), logging: opt(loggingSchema), mac_address: opt(str), mem_limit: opt(num),
  mem_reservation: opt(num), mem_swappiness: opt(int), memswap_limit: opt(num), network_mode: opt(str), models: opt(serviceModelsSchema),
  networks: opt(serviceNetworksSchema), oom_kill_disable: opt(bool), oom_score_adj: opt(z.union([z.string(), z.number().int().min(-1000).max(1000)])),
  pid: opt(z.union([z.string(), z.null()])), pids_limit: opt(num), platform: opt(str), ports: opt(z.array(portSchema)),
  post_start: opt(z.array(hookSchema)), pre_stop: opt(z.array(hookSchema)), privileged: opt(bool), profiles: opt(listOfStrings),
  pull_policy: opt(str), pull_refresh_after: opt(str), read_only: opt(bool), restart: opt(str), runtime: opt(str), scale: opt(int),
  security_opt: opt(listOfStrings), shm_size: opt(num), secrets: opt(serviceConfigOrSecret), sysctls: opt(listOrDict), stdin_open: opt(bool),
  stop_grace_period: opt(str), stop_signal: opt(str), storage_opt: opt(z.record(z.string(), z.unknown())), tmpfs: opt(stringOrList), tty: opt(bool),
  ulimits: opt(ulimits), use_api_socket: opt(z.boolean()), user: opt(str), uts: opt(str), userns_mode: opt(str), volumes: opt(z.array(volumeMountSchema)),
  volumes_from: opt(listOfStrings), working_dir: opt(str),
};

export const serviceSchema = specObject(SERVICE_SHAPE);
export type ServiceKey = keyof typeof SERVICE_SHAPE;
export type Service = z.output<typeof serviceSchema>;
