/** Host facts for enrollment and heartbeats: CPU, memory, disk, OS, Docker, Compose, Apache, agent. */
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import os from 'node:os';
import type { HostFacts } from '../core/protocol';
import type { ApacheControl } from './apache/apache';
import type { DockerProvider } from './docker/client';
import type { ComposeRunner } from './docker/compose';
import { AGENT_VERSION } from './version';

export interface FactSources {
  docker?: DockerProvider;
  compose?: ComposeRunner;
  apache?: ApacheControl;
  /** Disk free is measured where the apps live. */
  appsRoot: string;
}

function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m) return m[1];
  } catch {
    /* not Linux, or no os-release */
  }
  return `${os.type()} ${os.release()}`;
}

export function diskFree(path: string): number | undefined {
  let p = path;
  while (!existsSync(p) && p !== dirname(p)) p = dirname(p);
  try {
    const s = statfsSync(p);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}

export async function collectFacts(src: FactSources): Promise<HostFacts> {
  const cpus = os.cpus();
  const facts: HostFacts = {
    hostname: os.hostname(),
    os: osName(),
    arch: os.arch(),
    cpu_model: cpus[0]?.model?.trim() || 'unknown',
    cpus: cpus.length,
    memory_bytes: os.totalmem(),
    disk_free_bytes: diskFree(src.appsRoot),
    docker_version: null,
    docker_api_version: null,
    compose_version: null,
    compose_flavor: null,
    apache_version: null,
    agent_version: AGENT_VERSION,
  };
  const [docker, compose, apache] = await Promise.allSettled([src.docker?.get(), src.compose?.detect(), src.apache?.version()]);
  if (docker.status === 'fulfilled' && docker.value) {
    facts.docker_version = docker.value.engineVersion;
    facts.docker_api_version = docker.value.apiVersion;
  }
  if (compose.status === 'fulfilled' && compose.value) {
    facts.compose_version = compose.value.version;
    facts.compose_flavor = compose.value.flavor;
  }
  if (apache.status === 'fulfilled') facts.apache_version = apache.value ?? null;
  return facts;
}
