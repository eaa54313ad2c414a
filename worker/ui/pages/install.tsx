/**
 * /installs/:id: the app's state and actions, its CPU and memory (now and over 24 h), resource
 * limits, container logs (last lines or a 60-second follow), the deployment history with who did
 * what and a link to each task, rollback, and the task in progress (found again after a reload).
 */
import { Badge, Card, FormError, PageHeader, When } from '../components';
import { FailureBlock } from '../failure-block';
import { ACTION_LABELS, DEPLOYMENT_LABELS, formatTime } from '../format';
import { BUSY_STATES, InstallActions, Runtime, UninstallDialog } from '../install-parts';
import { Layout } from '../layout';
import { UsageCharts } from '../metrics-chart';
import { UpdateOffer } from '../update-offer';
import { InstallBackupCard } from '../install-backup-card';
import { TaskPanel } from '../task-panel';
import type { DeploymentView, Finding, InstallView, SnapshotView, TaskView, VersionView } from '../types';
import { must } from '../api';
import { DataLossDialogs, SnapshotsCard, snapshotAsOf } from '../snapshots-card';
import type { PageContext } from './context';
import type { PublishedPort } from '../../../core/compose/web-port';
import { AppLan } from '../lan-parts';

const VERSION_CHANGING = new Set(['install', 'update', 'rollback']);
/** Deployments that changed settings, not the version. */
const RECONFIGURE = new Set(['limits', 'port']);
const OPEN_DEPLOYMENT = new Set(['pending', 'running']);
const FINAL_TASK = new Set(['succeeded', 'failed', 'cancelled']);
const UUID = /^[0-9a-f-]{36}$/i;

function whoDid(d: DeploymentView, p: PageContext): string {
  if (d.created_by === p.user.id) return 'you';
  return d.created_by_email ?? `user ${d.created_by.slice(0, 8)}`;
}

interface HistoryProps {
  install: InstallView;
  deployments: DeploymentView[];
  snapshots: SnapshotView[];
  p: PageContext;
}

/** Roll back to a deployment's version, and, when a snapshot holds its data, with that data too. */
const RollbackButtons = (props: { install: InstallView; d: DeploymentView; asOf: SnapshotView | undefined }) => {
  const { install, d, asOf } = props;
  return (
    <>
      <button type="button" class="btn btn-small" data-click="rollback" data-install={install.id} data-deployment={d.id} data-version={d.version ?? ''}>
        Roll back to this
      </button>
      {asOf && (
        <button
          type="button"
          class="btn btn-small"
          data-click="rollback-with-data"
          data-install={install.id}
          data-deployment={d.id}
          data-version={d.version ?? ''}
          data-when={formatTime(asOf.taken_at)}
        >
          … with its data as of then
        </button>
      )}
    </>
  );
};

const WhatCell = (props: { d: DeploymentView; current: boolean }) => {
  const label = ACTION_LABELS[props.d.action] ?? props.d.action;
  return (
    <td data-label="What">
      {props.d.task_id ? (
        <a href={`/tasks/${props.d.task_id}`} class="history-task" title="Open this task's steps">
          {label}
        </a>
      ) : (
        label
      )}
      {props.current && <span class="tag">current</span>}
    </td>
  );
};

const ResultCell = ({ d }: { d: DeploymentView }) => (
  <td data-label="Result" class="wrap">
    <Badge state={d.status} label={DEPLOYMENT_LABELS[d.status]?.label} tone={DEPLOYMENT_LABELS[d.status]?.tone} />
    {d.detail && (d.status === 'failed' ? <FailureBlock class="tiny detail" detail={d.detail} /> : <div class="muted tiny detail">{d.detail}</div>)}
  </td>
);

const HistoryRow = (props: HistoryProps & { d: DeploymentView; canAct: boolean }) => {
  const { install, d, p } = props;
  const current = d.id === install.current_deployment_id;
  const canRollBack = props.canAct && !current && d.status === 'succeeded' && VERSION_CHANGING.has(d.action);
  return (
    <tr class={current ? 'current' : ''}>
      <td data-label="When">
        <When iso={d.created_at} now={p.now} />
        <div class="muted tiny">{formatTime(d.created_at)}</div>
      </td>
      <WhatCell d={d} current={current} />
      <td data-label="Version">{d.version ?? ''}</td>
      <ResultCell d={d} />
      <td data-label="Who" class="who">
        {whoDid(d, p)}
      </td>
      <td>{canRollBack && <RollbackButtons install={install} d={d} asOf={snapshotAsOf(d, props.deployments, props.snapshots)} />}</td>
    </tr>
  );
};

const History = (props: HistoryProps) => {
  const canAct = props.install.state !== 'removed' && !BUSY_STATES.has(props.install.state);
  return (
    <div class="table-wrap">
      <table class="history">
        <thead>
          <tr>
            <th>When</th>
            <th>What</th>
            <th>Version</th>
            <th>Result</th>
            <th>Who</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {props.deployments.map((d) => (
            <HistoryRow {...props} d={d} canAct={canAct} />
          ))}
        </tbody>
      </table>
    </div>
  );
};

const UpdateForm = (props: { install: InstallView; versions: VersionView[] }) => {
  const others = props.versions.filter((v) => v.version !== props.install.version);
  if (others.length === 0) return <p class="muted small">This is the only published version.</p>;
  // While a task works on the app, a second change would only queue behind it: say so instead.
  const busy = BUSY_STATES.has(props.install.state) || props.install.state === 'failed';
  return (
    <form method="post" action="/ui/needs-script" data-form="update" data-install={props.install.id} class="inline-form">
      {busy && (
        <p class="note small" data-update-blocked="1">
          {props.install.state === 'failed' ? 'Retry or uninstall the failed install first.' : 'Wait until the current task ends to change the version.'}
        </p>
      )}
      <label class="field">
        <span>Change version to</span>
        <select name="version" disabled={busy}>
          {others.map((v) => (
            <option value={v.version}>{v.version}</option>
          ))}
        </select>
      </label>
      <button type="submit" class="btn" disabled={busy} data-off={busy ? '1' : undefined}>
        Update
      </button>
      <FormError />
    </form>
  );
};

const LimitsForm = (props: { install: InstallView; hostFacts: { cpus?: number; memory_bytes?: number } | null }) => (
  <form method="post" action="/ui/needs-script" data-form="limits" data-install={props.install.id} class="stack">
    <div class="field-pair">
      <label class="field">
        <span>CPUs</span>
        <input
          name="cpus"
          type="number"
          inputmode="decimal"
          min="0.05"
          max={String(props.hostFacts?.cpus ?? 256)}
          step="0.05"
          placeholder="no limit"
          value={props.install.limits.cpus?.toString()}
        />
      </label>
      <label class="field">
        <span>Memory (MB)</span>
        <input
          name="memory_mb"
          type="number"
          inputmode="numeric"
          min="6"
          max={String(props.hostFacts?.memory_bytes ? Math.floor(props.hostFacts.memory_bytes / 1048576) : 1048576)}
          step="1"
          placeholder="no limit"
          value={props.install.limits.memory_mb?.toString()}
        />
      </label>
    </div>
    <p class="muted small">Applying recreates the containers with these limits (no download; the app restarts). An empty field removes that limit.</p>
    <FormError />
    <button type="submit" class="btn">
      Apply limits
    </button>
  </form>
);

const PortForm = (props: { install: InstallView }) => (
  <form method="post" action="/ui/needs-script" data-form="port" data-install={props.install.id} class="stack">
    <label class="field">
      <span>Host port</span>
      <input name="host_port" type="number" inputmode="numeric" min="1024" max="65535" step="1" required value={String(props.install.host_port)} />
    </label>
    <p class="muted small">The port on the HDA the web server forwards to. Changing it recreates the containers; a port another program uses is refused.</p>
    <FormError />
    <button type="submit" class="btn">
      Change port
    </button>
  </form>
);

/** A settings change that failed after the app ran: it runs on its old settings, or not at all. */
const LastChangeFailed = (props: { install: InstallView; deployments: DeploymentView[] }) => {
  const last = props.deployments[0];
  if (last?.status !== 'failed' || !RECONFIGURE.has(last.action)) return null;
  return (
    <p class="small warning" data-last-change-failed="1">
      The last {ACTION_LABELS[last.action]?.toLowerCase() ?? last.action} change failed. {last.detail}
    </p>
  );
};

const Logs = (props: { install: InstallView }) => (
  <Card title="Container logs">
    <p class="muted small">The HDA sends the last lines each container wrote (standard output and errors apart); they are not stored.</p>
    <div class="actions">
      <button type="button" class="btn btn-small" data-click="logs" data-install={props.install.id} data-tail="200">
        Show the last 200 lines
      </button>
      <button type="button" class="btn btn-small" data-click="logs" data-install={props.install.id} data-tail="50" data-follow="60">
        Follow for 60 s
      </button>
    </div>
    <div id="logs-view" aria-live="polite"></div>
  </Card>
);

/** The task to show: the one named in ?task=, else the newest deployment whose task has not ended. */
async function taskToShow(
  p: PageContext,
  installId: string,
  installState: string,
  taskId: string | undefined,
  deployments: DeploymentView[],
): Promise<TaskView | null> {
  const get = (id: string) =>
    must(p.api.GET('/api/tasks/{id}', { params: { path: { id } } }))
      .then((r) => r.task)
      .catch(() => null);
  if (taskId && UUID.test(taskId)) {
    const t = await get(taskId);
    if (t && t.install_id === installId) return t;
  }
  const open = deployments.find((d) => OPEN_DEPLOYMENT.has(d.status) && d.task_id);
  if (open?.task_id) {
    const t = await get(open.task_id);
    if (t && !FINAL_TASK.has(t.state)) return t;
  }
  // A failed install shows why: the step and the reason of its newest failed task.
  if (installState !== 'failed') return null;
  const failed = deployments.find((d) => d.status === 'failed' && d.task_id);
  return failed?.task_id ? get(failed.task_id) : null;
}

/** Ports the app publishes on purpose (an SSH port): reachable from the network directly, around the web server. */
const PublishedPorts = ({ ports }: { ports: PublishedPort[] }) =>
  ports.length === 0 ? null : (
    <div class="fact" data-published-ports>
      <dt>Also open to the network</dt>
      <dd>
        {ports.map((p) => (
          <div>
            {p.host}/{p.protocol}{' '}
            <span class="muted small">
              (service {p.service}, container port {p.container})
            </span>
          </div>
        ))}
      </dd>
    </div>
  );

/** A version installed under an older policy that today's would refuse: said before its next update fails. */
const PolicyRecheck = ({ refused }: { refused: Finding[] }) =>
  refused.length === 0 ? null : (
    <div class="notice warning" data-policy-recheck>
      <p>
        <strong>Today's safety policy would refuse this version.</strong> It keeps running, but its next update or rollback is checked again on the HDA and
        stops before anything changes until the app moves to a version that passes.
      </p>
      <ul class="findings">
        {refused.map((f) => (
          <li class="finding sev-error">
            <span class="finding-rule">{f.rule}</span> <span class="finding-msg">{f.message}</span>
          </li>
        ))}
      </ul>
    </div>
  );

type InstallDetail = Awaited<ReturnType<typeof loadInstall>>;

/** Everything the page shows, fetched in two rounds (the second needs the install's app and state). */
async function loadInstall(p: PageContext, id: string, taskId: string | undefined) {
  const [detail, { deployments }] = await Promise.all([
    must(p.api.GET('/api/installs/{id}', { params: { path: { id } } })),
    must(p.api.GET('/api/installs/{id}/deployments', { params: { path: { id } } })),
  ]);
  const { install } = detail;
  const removed = install.state === 'removed';
  const [catalog, task, metrics, offer, snaps, backup] = await Promise.all([
    install.app
      ? must(p.api.GET('/api/catalog/apps/{slug}', { params: { path: { slug: install.app.slug } } })).catch(() => ({ versions: [] }))
      : { versions: [] },
    taskToShow(p, install.id, install.state, taskId, deployments),
    removed ? null : must(p.api.GET('/api/installs/{id}/metrics', { params: { path: { id }, query: { hours: 24 } } })).catch(() => null),
    removed ? null : must(p.api.GET('/api/installs/{id}/updates', { params: { path: { id } } })).catch(() => null),
    must(p.api.GET('/api/installs/{id}/snapshots', { params: { path: { id } } })).catch(() => ({ snapshots: [] as SnapshotView[] })),
    removed ? null : must(p.api.GET('/api/installs/{id}/backup', { params: { path: { id } } })).catch(() => null),
  ]);
  return { ...detail, deployments, removed, catalog, task, metrics, offer, snapshots: snaps.snapshots, backup };
}

const AppFacts = ({ d, p }: { d: InstallDetail; p: PageContext }) => (
  <dl class="facts facts-wide">
    <div class="fact">
      <dt>Address</dt>
      <dd>
        <a href={d.install.url} target="_blank" rel="noopener noreferrer">
          {d.install.url}
        </a>
      </dd>
    </div>
    <div class="fact">
      <dt>Runs as</dt>
      <dd>
        <Runtime install={d.install} />
      </dd>
    </div>
    <div class="fact">
      <dt>Host port</dt>
      <dd>
        {d.install.host_port} <span class="muted small">(this HDA only; the network goes through the web server)</span>
      </dd>
    </div>
    <PublishedPorts ports={d.published_ports ?? []} />
    <AppLan lan={d.lan} now={p.now} />
    {d.install.policy_exceptions.length > 0 && (
      <div class="fact">
        <dt>Allowed exceptions</dt>
        <dd>{d.install.policy_exceptions.join(', ')}</dd>
      </div>
    )}
  </dl>
);

const AppCard = ({ d, p }: { d: InstallDetail; p: PageContext }) => (
  <Card title="App">
    {d.removed ? (
      <p class="muted">This app has been uninstalled from {d.hda.name}.</p>
    ) : (
      <>
        <LastChangeFailed install={d.install} deployments={d.deployments} />
        <AppFacts d={d} p={p} />
        <InstallActions install={d.install} />
      </>
    )}
  </Card>
);

/** The side column: the version, limits and port of an app that is still installed. */
const Settings = ({ d }: { d: InstallDetail }) => (
  <div class="col-side">
    <Card title="Update">
      <UpdateOffer install={d.install} offer={d.offer} busy={BUSY_STATES.has(d.install.state) || d.install.state === 'failed'} />
      <UpdateForm install={d.install} versions={d.catalog.versions} />
    </Card>
    <Card title="Resource limits">
      <LimitsForm install={d.install} hostFacts={d.hda.facts ?? null} />
    </Card>
    <Card title="Host port">
      <PortForm install={d.install} />
    </Card>
    <InstallBackupCard installId={d.install.id} view={d.backup} />
  </div>
);

export async function installPage(p: PageContext, id: string, taskId: string | undefined) {
  const d = await loadInstall(p, id, taskId);
  const { install, hda, removed, task } = d;
  const canAct = !removed && !BUSY_STATES.has(install.state);
  const name = install.app?.name ?? install.identifier;
  return (
    <Layout title={name} user={p.user} nav="dashboard" page="install">
      <PageHeader
        back={{ href: `/hdas/${hda.id}`, label: hda.name }}
        title={
          <>
            {name} <Badge state={install.state} attrs={{ 'data-install-state': '1' }} />
          </>
        }
        subtitle={`version ${install.version ?? '?'} on ${hda.name}`}
      />
      {task && <TaskPanel task={task} now={p.now} reloadOnDone collapseWhenFinal title={`${ACTION_LABELS[task.kind] ?? task.kind}`} />}
      {!removed && <PolicyRecheck refused={d.policy_recheck?.refused ?? []} />}
      <div class="columns">
        <div class="col-main">
          <AppCard d={d} p={p} />
          {!removed && (
            <Card title="Usage" class="usage">
              <UsageCharts metrics={d.metrics} current={install.runtime ?? null} now={p.now} />
            </Card>
          )}
        </div>
        {!removed && <Settings d={d} />}
      </div>
      {!removed && <Logs install={install} />}
      <Card title="Deployment history">
        <FormError />
        <History install={install} deployments={d.deployments} snapshots={d.snapshots} p={p} />
      </Card>
      <SnapshotsCard installId={install.id} snapshots={d.snapshots} now={p.now} canAct={canAct} />
      <UninstallDialog />
      <DataLossDialogs />
    </Layout>
  );
}
