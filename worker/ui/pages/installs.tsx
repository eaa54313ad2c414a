/** /installs: every app on every HDA you manage, in one list (as Portainer's or CasaOS's app list). */
import { Card, Empty, PageHeader } from '../components';
import { InstallRow } from '../install-parts';
import { Layout } from '../layout';
import { must } from '../api';
import type { PageContext } from './context';

export async function installsPage(p: PageContext) {
  const { installs } = await must(p.api.GET('/api/installs'));
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
              <InstallRow install={i} hda={i.hda} />
            ))}
          </ul>
        </Card>
      )}
    </Layout>
  );
}
