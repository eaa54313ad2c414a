/** /installs: every app on every HDA you manage, in one list (as Portainer's or CasaOS's app list). */
import { Badge, Card, Empty, PageHeader } from '../components';
import { InstallActions } from '../install-parts';
import { Layout } from '../layout';
import type { InstallView } from '../types';
import type { PageContext } from './context';

type Row = InstallView & { hda: { id: string; name: string } };

export async function installsPage(p: PageContext) {
  const { installs } = await p.get<{ installs: Row[] }>('/api/installs');
  const hdas = new Set(installs.map((i) => i.hda.id)).size;
  return (
    <Layout title="All apps" user={p.user} nav="installs" page="installs">
      <PageHeader
        title="All apps"
        subtitle={installs.length ? `${installs.length} app${installs.length === 1 ? '' : 's'} on ${hdas} HDA${hdas === 1 ? '' : 's'}` : 'Apps on your HDAs'}
      />
      {installs.length === 0 ? (
        <Empty>
          No app is installed yet. Pick one in the <a href="/catalog">catalog</a>.
        </Empty>
      ) : (
        <Card>
          <ul class="install-list all-installs">
            {installs.map((i) => (
              <li class="install-row" data-install-id={i.id}>
                <div class="install-main">
                  <a class="install-name" href={`/installs/${i.id}`}>
                    {i.app?.name ?? i.identifier}
                  </a>
                  <Badge state={i.state} attrs={{ 'data-live': 'state' }} />
                  <span class="muted small">v{i.version}</span>
                  <span class="small">
                    on <a href={`/hdas/${i.hda.id}`}>{i.hda.name}</a>
                  </span>
                </div>
                <a class="app-link small" href={i.url} target="_blank" rel="noopener noreferrer">
                  {i.url}
                </a>
                <InstallActions install={i} />
              </li>
            ))}
          </ul>
        </Card>
      )}
    </Layout>
  );
}
