/**
 * Every rule the compose model and policy can raise, declared once. `owner`: an owner exception for
 * one install may allow it (stored exceptions name these ids, so they never change); `never`: the
 * version is refused. The key tables (service.ts, top.ts) say which key raises which rule.
 */
import type { Severity } from '../../catalog/types';

interface RuleDef {
  waiver: 'owner' | 'never';
  /** Severity when raised; policy refusals are errors. */
  severity: Severity;
  about: string;
}

const owner = (about: string, severity: Severity = 'error'): RuleDef => ({ waiver: 'owner', severity, about });
const never = (about: string, severity: Severity = 'error'): RuleDef => ({ waiver: 'never', severity, about });

export const RULES = {
  // Allowed only by a named owner exception.
  privileged: owner('a privileged container, lifecycle hook or build'),
  'host-network': owner('the host network (network_mode: host, a host network, build.network: host)'),
  'host-pid': owner("the host's process namespace"),
  'host-ipc': owner("the host's IPC namespace"),
  'host-namespace': owner('another host namespace (uts, userns_mode, cgroup: host)'),
  'cap-add': owner('added kernel capabilities'),
  'security-opt': owner('any security_opt other than no-new-privileges'),
  devices: owner('host devices, device cgroup rules, block-IO device paths'),
  'docker-socket': owner('the Docker socket or API (mounted, or use_api_socket)'),
  'bind-outside-app': owner('a host path outside the app folder and the shares'),
  'build-outside-app': owner('a build context or Dockerfile outside the app folder'),
  gpus: owner('GPUs and other device reservations'),
  sysctls: owner('kernel parameters (sysctls)'),
  'low-host-port': owner('a host port below 1024'),
  'fixed-host-port': owner('a fixed host port other than HOST_PORT', 'warning'),
  'no-host-port': owner('no HOST_PORT mapping for the web UI', 'review'),
  // Refused by name.
  'other-container': never('a namespace, volumes or links of a container outside the app'),
  provider: never('a provider service (Compose runs a program named by the provider type)'),
  runtime: never('another container runtime'),
  'cgroup-parent': never('a parent cgroup chosen by the app'),
  'oom-score': never('a negative oom_score_adj or a disabled OOM killer'),
  'cpu-realtime': never('real-time CPU scheduling'),
  'storage-opt': never('storage driver options'),
  isolation: never('a container isolation technology'),
  'credential-spec': never('a credential spec (Windows)'),
  'build-privileged': never('a build with entitlements or privileges'),
  'build-host-access': never('a build reading the host (ssh agent, local caches)'),
  'external-file': never('a file outside the app folder (env_file, label_file, include, extends)'),
  'external-resource': never('an external or fixed-name volume, network, secret or config, shared with other apps'),
  'volume-driver': never('a volume driver or driver_opts other than the default local volume'),
  'network-driver': never('a network driver or driver_opts other than the default bridge'),
  'logging-driver': never('a logging driver other than json-file, local, journald or none'),
  models: never('AI models run by Compose'),
  'reserved-label': never('a label reserved for Compose or the Amahi agent'),
  'bind-propagation': never('shared mount propagation'),
  'variable-interpolation': never("$-interpolation from the agent's environment"),
  'host-port-collision': never('a host port another install holds'),
  'port-syntax': never('a port mapping that cannot be read'),
  'volume-syntax': never('a volume entry that cannot be read'),
  'unrecognized-value': never('a value the policy does not recognise for its key'),
  'missing-reference': never('a service, volume, network, secret or config that is not declared'),
  'unknown-key': never('a key the Compose Specification does not define'),
  'compose-schema': never('a value of the wrong shape for its key'),
  'too-many-secrets': never('more per-install secrets than allowed'),
  'unshipped-file': never('a file Compose reads from the app folder that the version does not ship'),
  'env-file-syntax': never('an env file line that is not NAME=value, or that reads a variable with $'),
  // Notes.
  'fixed-container-name': never('a fixed container_name, replaced by a network alias', 'info'),
} as const satisfies Record<string, RuleDef>;

export type RuleId = keyof typeof RULES;
/** Every rule id; owner exceptions and findings name these. */
export const POLICY_RULES = Object.keys(RULES) as RuleId[];
/** The rules an owner may waive for one install. */
export const WAIVABLE_RULES = POLICY_RULES.filter((r) => RULES[r].waiver === 'owner');

export function isRuleId(s: string): s is RuleId {
  return Object.hasOwn(RULES, s);
}

export function isWaivable(rule: string): boolean {
  return isRuleId(rule) && RULES[rule].waiver === 'owner';
}
