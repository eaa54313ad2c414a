/** /installs/:id: the app's state, its actions, the deployment history with rollback, and a live task. */
import { Badge, Card, FormError, PageHeader, When } from '../components';
import { ACTION_LABELS, formatTime } from '../format';
import { InstallActions, Runtime, UninstallDialog } from '../install-parts';
import { Layout } from '../layout';
import { TaskPanel } from '../task-panel';
import type { DeploymentView, InstallView, TaskView, VersionView } from '../types';
import type { PageContext } from './context';

const VERSION_CHANGING = new Set(['install', 'update', 'rollback']);
const UUID = /^[0-9a-f-]{36}$/i;

function whoDid(id: string, p: PageContext, emails: Map<string, string>): string {
  if (id === p.user.id) return 'you';
  return emails.get(id) ?? `user ${id.slice(0, 8)}`;
}

const History = (props: { install: InstallView; deployments: DeploymentView[]; p: PageContext; emails: Map<string, string> }) => {
  const { install, p } = props;
  const canAct = install.state !== 'removed' && !['installing', 'updating', 'uninstalling'].includes(install.state);
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
          {props.deployments.map((d) => {
            const current = d.id === install.current_deployment_id;
            const canRollBack = canAct && !current && d.status === 'succeeded' && VERSION_CHANGING.has(d.action);
            return (
              <tr class={current ? 'current' : ''}>
                <td data-label="When">
                  <When iso={d.created_at} now={p.now} />
                  <div class="muted tiny">{formatTime(d.created_at)}</div>
                </td>
                <td data-label="What">
                  {ACTION_LABELS[d.action] ?? d.action}
                  {current && <span class="tag">current</span>}
                </td>
                <td data-label="Version">{d.version ?? ''}</td>
                <td data-label="Result" class="wrap">
                  <Badge state={d.status} />
                  {d.detail && <div class="muted tiny detail">{d.detail}</div>}
                </td>
                <td data-label="Who">{whoDid(d.created_by, p, props.emails)}</td>
                <td>
                  {canRollBack && (
                    <button type="button" class="btn btn-small" data-click="rollback" data-install={install.id} data-deployment={d.id} data-version={d.version ?? ''}>
                      Roll back to this
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
};

const UpdateForm = (props: { install: InstallView; versions: VersionView[] }) => {
  const others = props.versions.filter((v) => v.version !== props.install.version);
  if (others.length === 0) return <p class="muted small">This is the only published version.</p>;
  return (
    <form method="post" action="/ui/needs-script" data-form="update" data-install={props.install.id} class="inline-form">
      <label class="field">
        <span>Change version to</span>
        <select name="version">
          {others.map((v) => (
            <option value={v.version}>{v.version}</option>
          ))}
        </select>
      </label>
      <button type="submit" class="btn">Update</button>
      <FormError />
    </form>
  );
};

export async function installPage(p: PageContext, id: string, taskId: string | undefined) {
  const path = `/api/installs/${encodeURIComponent(id)}`;
  const [{ install, hda }, { deployments }] = await Promise.all([
    p.get<{ install: InstallView; hda: { id: string; name: string; domain: string } }>(path),
    p.get<{ deployments: DeploymentView[] }>(`${path}/deployments`),
  ]);
  const [catalog, task, users] = await Promise.all([
    install.app ? p.get<{ versions: VersionView[] }>(`/api/catalog/apps/${encodeURIComponent(install.app.slug)}`).catch(() => ({ versions: [] })) : { versions: [] },
    taskId && UUID.test(taskId) ? p.get<{ task: TaskView }>(`/api/tasks/${taskId}`).then((r) => r.task).catch(() => null) : null,
    p.user.role === 'admin' ? p.get<{ users: Array<{ id: string; email: string }> }>('/api/users').catch(() => ({ users: [] })) : { users: [] },
  ]);
  const emails = new Map(users.users.map((u) => [u.id, u.email]));
  const name = install.app?.name ?? install.identifier;
  const removed = install.state === 'removed';
  return (
    <Layout title={name} user={p.user} nav="dashboard" page="install">
      <PageHeader
        back={{ href: `/hdas/${hda.id}`, label: hda.name }}
        title={
          <>
            {name} <Badge state={install.state} />
          </>
        }
        subtitle={`version ${install.version ?? '?'} on ${hda.name}`}
      />
      {task && task.install_id === install.id && <TaskPanel task={task} now={p.now} reloadOnDone collapseWhenFinal title={`${ACTION_LABELS[task.kind] ?? task.kind}`} />}
      <div class="columns">
        <div class="col-main">
          <Card title="App">
            {removed ? (
              <p class="muted">This app has been uninstalled from {hda.name}.</p>
            ) : (
              <>
                <dl class="facts facts-wide">
                  <div class="fact">
                    <dt>Address</dt>
                    <dd>
                      <a href={install.url} target="_blank" rel="noopener noreferrer">
                        {install.url}
                      </a>
                    </dd>
                  </div>
                  <div class="fact">
                    <dt>Runs as</dt>
                    <dd>
                      <Runtime install={install} />
                    </dd>
                  </div>
                  <div class="fact">
                    <dt>Host port</dt>
                    <dd>{install.host_port}</dd>
                  </div>
                  {install.policy_exceptions.length > 0 && (
                    <div class="fact">
                      <dt>Allowed exceptions</dt>
                      <dd>{install.policy_exceptions.join(', ')}</dd>
                    </div>
                  )}
                </dl>
                <InstallActions install={install} />
              </>
            )}
          </Card>
        </div>
        {!removed && (
          <div class="col-side">
            <Card title="Update">
              <UpdateForm install={install} versions={catalog.versions} />
            </Card>
          </div>
        )}
      </div>
      {!removed && (
        <Card title="Container logs">
          <p class="muted small">The HDA sends the last lines each container wrote; they are not stored.</p>
          <button type="button" class="btn btn-small" data-click="logs" data-install={install.id}>
            Show the last 200 lines
          </button>
          <div id="logs-view"></div>
        </Card>
      )}
      <Card title="Deployment history">
        <FormError />
        <History install={install} deployments={deployments} p={p} emails={emails} />
      </Card>
      <UninstallDialog />
    </Layout>
  );
}
