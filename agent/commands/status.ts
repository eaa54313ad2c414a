/** `hda-agent status`: what the agent knows, without the token: enrollment, tasks in hand, apps. */
import type { AgentConfig } from '../config';
import { hostParts } from '../agent';
import { collectAppStates } from '../heartbeat';
import { InstallRegistry } from '../installs';
import { Journal } from '../journal';

export async function statusCommand(config: AgentConfig, json: boolean, out: (s: string) => void): Promise<number> {
  const { state, docker, compose } = hostParts(config);
  const enrolled = state.isEnrolled();
  const enrollment = enrolled ? state.enrollment() : null;
  const journal = enrolled ? new Journal(config.stateDir).list() : [];
  const installs = enrolled ? new InstallRegistry(config.stateDir) : null;
  const apps = installs ? await collectAppStates(docker, installs, config.namespace) : [];
  const dockerInfo = await docker.get().then(
    (d) => `Docker ${d.engineVersion} (API ${d.apiVersion})`,
    (e: Error) => e.message,
  );
  const composeInfo = await compose.detect().then(
    (c) => `Compose ${c.flavor} ${c.version}`,
    (e: Error) => e.message,
  );
  const report = {
    enrolled,
    enrollment,
    state_dir: config.stateDir,
    apps_root: config.appsRoot,
    apache_sites_dir: config.apacheSitesDir,
    docker: dockerInfo,
    compose: composeInfo,
    tasks_in_hand: journal.filter((r) => r.task).map((r) => ({ id: r.task_id, kind: r.task!.kind, runs: r.runs })),
    events_unacknowledged: journal.reduce((n, r) => n + r.pending.length, 0),
    results_unposted: journal.filter((r) => r.result).length,
    apps: apps.map((a) => ({
      ...a,
      ...(installs?.get(a.identifier) ? { version: installs.get(a.identifier)!.version, host_port: installs.get(a.identifier)!.host_port } : {}),
    })),
  };
  if (json) {
    out(JSON.stringify(report, null, 2));
    return enrolled ? 0 : 1;
  }
  if (!enrollment) out(`not enrolled (state dir ${config.stateDir}); run: hda-agent enroll --server URL --code CODE`);
  else
    out(`HDA "${enrollment.name}" (${enrollment.hda_id}), domain ${enrollment.domain}, control plane ${enrollment.server}, enrolled ${enrollment.enrolled_at}`);
  out(`${dockerInfo}; ${composeInfo}`);
  out(`apps root ${config.appsRoot}; Apache sites ${config.apacheSitesDir}`);
  out(
    `tasks in hand: ${report.tasks_in_hand.length}; events not yet acknowledged: ${report.events_unacknowledged}; results not yet posted: ${report.results_unposted}`,
  );
  if (report.apps.length === 0) out('apps: none');
  for (const a of report.apps) {
    out(
      `  ${a.identifier.padEnd(24)} ${a.state.padEnd(10)} ${a.cpu_percent ?? '-'}% cpu  ${a.memory_bytes ? `${Math.round(a.memory_bytes / 1048576)} MiB` : '-'}`,
    );
  }
  return enrolled ? 0 : 1;
}
