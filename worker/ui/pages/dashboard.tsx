/** The owner's HDAs at a glance, and "Add HDA" which shows the one-time enrollment command. */
import { Badge, Card, Empty, Facts, FormError, PageHeader, Tags, When } from '../components';
import { Layout } from '../layout';
import type { HdaView } from '../types';
import { must } from '../api';
import type { PageContext } from './context';

const HdaCard = (props: { hda: HdaView; now: number }) => {
  const h = props.hda;
  return (
    <a class="card hda-card link-card" href={`/hdas/${h.id}`} data-hda-id={h.id}>
      <div class="card-head">
        <h2>{h.name}</h2>
        <Badge state={h.status} attrs={{ 'data-live': 'status' }} />
      </div>
      <p class="hda-domain">
        {h.domain} <Tags tags={h.tags} />
      </p>
      <p class="muted small" data-live="seen-line">
        {h.status === 'pending' ? (
          'Waiting for the agent to enroll'
        ) : (
          <>
            Last seen{' '}
            <span data-live="last-seen">
              <When iso={h.last_seen_at} now={props.now} />
            </span>
            {h.hostname ? ` · ${h.hostname}` : ''}
          </>
        )}
      </p>
      <Facts facts={h.facts} compact />
    </a>
  );
};

const AddHdaForm = () => (
  <Card title="Add an HDA" class="add-hda">
    <p class="muted small">Name it and give the domain its apps live under (apps appear at http://&lt;app&gt;.&lt;domain&gt;/).</p>
    <form method="post" action="/ui/needs-script" data-form="create-hda" class="inline-form">
      <label class="field">
        <span>Name</span>
        <input name="name" required maxlength={100} placeholder="Living-room server" />
      </label>
      <label class="field">
        <span>Domain</span>
        <input name="domain" required maxlength={200} placeholder="home.example.com" />
      </label>
      <label class="field">
        <span>Tags (optional, for fleet deployments)</span>
        <input name="tags" maxlength={400} placeholder="office, eu" autocapitalize="none" />
      </label>
      <button type="submit" class="btn btn-primary">
        Add HDA
      </button>
      <FormError />
    </form>
    <div id="enrollment-result" class="enrollment" hidden>
      <h3>Run this on the server</h3>
      <p class="small">
        Paste it in a root shell on <strong data-fill="name"></strong>. The code works once and expires <span data-fill="expires"></span>.
      </p>
      <p class="small warning" data-fill="warning"></p>
      <div class="command">
        <pre>
          <code data-fill="command"></code>
        </pre>
        <button type="button" class="btn btn-small" data-click="copy" data-copy-from="#enrollment-result [data-fill=command]">
          Copy
        </button>
      </div>
      <a class="btn btn-small" data-fill-href="hda-link" href="/">
        Open the HDA page →
      </a>
    </div>
  </Card>
);

export async function dashboardPage(p: PageContext) {
  const { hdas } = await must(p.api.GET('/api/hdas'));
  const online = hdas.filter((h) => h.online).length;
  return (
    <Layout title="Your HDAs" user={p.user} nav="dashboard" page="dashboard">
      <PageHeader
        title="Your HDAs"
        subtitle={
          <span data-live="summary">
            {hdas.length ? `${hdas.length} home server${hdas.length === 1 ? '' : 's'}, ${online} online` : 'Home servers you manage from here'}
          </span>
        }
      />
      {hdas.length === 0 && (
        <Empty>
          <strong>No HDA yet.</strong> Add one below: you get a command to paste on the server, and it shows up here once its agent checks in.
        </Empty>
      )}
      <div class="grid" id="hda-list" hidden={hdas.length === 0}>
        {hdas.map((h) => (
          <HdaCard hda={h} now={p.now} />
        ))}
      </div>
      <AddHdaForm />
    </Layout>
  );
}
