/** /tasks/:id: one task followed live. */
import { PageHeader } from '../components';
import { ACTION_LABELS } from '../format';
import { Layout } from '../layout';
import { TaskPanel } from '../task-panel';
import type { TaskView } from '../types';
import type { PageContext } from './context';

export async function taskPage(p: PageContext, id: string) {
  const { task } = await p.get<{ task: TaskView }>(`/api/tasks/${encodeURIComponent(id)}`);
  const install = task.install_id
    ? await p.get<{ install: { id: string; identifier: string; app?: { name: string } } }>(`/api/installs/${task.install_id}`).catch(() => null)
    : null;
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
