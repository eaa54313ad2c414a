/** The owner's HDAs at a glance, and "Add HDA" which shows the one-time enrollment command. */
import { Badge, Card, Empty, EnrollmentCommandBlock, Facts, FormError, PageHeader, Tags, When } from '../components';
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

export interface ReplacementCandidate {
  id: string;
  name: string;
  domain: string;
}

/** "As a replacement for …": only HDAs whose apps' data is in an off-HDA backup. */
const ReplacesField = (props: { candidates: ReplacementCandidate[] }) =>
  props.candidates.length === 0 ? null : (
    <label class="field">
      <span>It is</span>
      <select name="replaces" data-replaces="1">
        <option value="">a new HDA</option>
        {props.candidates.map((c) => (
          <option value={c.id} data-domain={c.domain}>
            a replacement for {c.name} ({c.domain})
          </option>
        ))}
      </select>
    </label>
  );

const HdaFields = (props: { candidates: ReplacementCandidate[] }) => (
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
    <ReplacesField candidates={props.candidates} />
    <button type="submit" class="btn btn-primary">
      Add HDA
    </button>
    <FormError />
  </form>
);

const EnrollmentCommand = () => (
  <div id="enrollment-result" class="enrollment" hidden>
    <h3>Run this on the server</h3>
    <p class="small">
      Paste it in a root shell on <strong data-fill="name"></strong>. The code works once and expires <span data-fill="expires"></span>.
    </p>
    <EnrollmentCommandBlock />
    <a class="btn btn-small" data-fill-href="hda-link" href="/">
      Open the HDA page →
    </a>
  </div>
);

/** After "Add HDA as a replacement": waits for the enrollment, takes the recovery key, follows each app. */
const ReplacementFlow = () => (
  <div id="replacement-flow" class="enrollment stack" hidden>
    <h3>Replacing a dead HDA</h3>
    <p class="small" data-replacement-status="1">
      Waiting for the new HDA to enroll…
    </p>
    <form method="post" action="/ui/needs-script" data-form="replace-with-key" class="stack" hidden>
      <label class="field">
        <span>Recovery key of the HDA it replaces</span>
        <textarea name="recovery_key" rows={3} class="mono" required spellcheck={false} autocomplete="off"></textarea>
      </label>
      <p class="muted small">It is encrypted in this browser to the new HDA's key: the control plane never sees it.</p>
      <FormError />
      <button type="submit" class="btn btn-danger">
        Restore its apps here
      </button>
    </form>
    <div data-replacement-progress="1"></div>
  </div>
);

const AddHdaForm = (props: { candidates: ReplacementCandidate[] }) => (
  <Card title="Add an HDA" class="add-hda">
    <p class="muted small">Name it and give the domain its apps live under (apps appear at http://&lt;app&gt;.&lt;domain&gt;/).</p>
    <HdaFields candidates={props.candidates} />
    <EnrollmentCommand />
    <ReplacementFlow />
  </Card>
);

/** The owner's enrolled HDAs whose off-HDA backup is set up: a new HDA may take their place. */
async function replacementCandidates(p: PageContext, hdas: HdaView[]): Promise<ReplacementCandidate[]> {
  const enrolled = hdas.filter((h) => h.status !== 'pending' && h.status !== 'revoked');
  const plans = await Promise.all(
    enrolled.map((h) =>
      must(p.api.GET('/api/hdas/{id}/backup', { params: { path: { id: h.id } } }))
        .then((b) => !!b.plan)
        .catch(() => false),
    ),
  );
  return enrolled.filter((_, i) => plans[i]).map((h) => ({ id: h.id, name: h.name, domain: h.domain }));
}

export async function dashboardPage(p: PageContext) {
  const { hdas } = await must(p.api.GET('/api/hdas'));
  const online = hdas.filter((h) => h.online).length;
  const candidates = await replacementCandidates(p, hdas);
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
      <AddHdaForm candidates={candidates} />
    </Layout>
  );
}
