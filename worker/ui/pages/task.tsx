/** /tasks/:id: one task followed live. */
import { PageHeader } from '../components';
import { ACTION_LABELS } from '../format';
import { Layout } from '../layout';
import { TaskPanel } from '../task-panel';
import { must } from '../api';
import type { PageContext } from './context';

export async function taskPage(p: PageContext, id: string) {
  const { task } = await must(p.api.GET('/api/tasks/{id}', { params: { path: { id } } }));
  const install = task.install_id ? await must(p.api.GET('/api/installs/{id}', { params: { path: { id: task.install_id } } })).catch(() => null) : null;
  const appName = install?.install.app?.name ?? install?.install.identifier;
  const verb = ACTION_LABELS[task.kind] ?? task.kind;
  return (
    <Layout title={`${verb}${appName ? ` ${appName}` : ''}`} user={p.user} nav="dashboard" page="task">
      <PageHeader
        back={install ? { href: `/installs/${install.install.id}`, label: appName ?? 'The app' } : { href: `/hdas/${task.hda_id}`, label: 'The HDA' }}
        title={`${verb}${appName ? ` ${appName}` : ''}`}
        subtitle="Each step appears here as the HDA reports it."
      />
      <TaskPanel task={task} now={p.now} title="Progress" />
      <div class="link-row">
        {install && (
          <a class="btn btn-small" href={`/installs/${install.install.id}`}>
            Go to the app →
          </a>
        )}
        <a class="btn btn-small" href={`/hdas/${task.hda_id}`}>
          Go to the HDA →
        </a>
      </div>
    </Layout>
  );
}
