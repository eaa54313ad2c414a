/**
 * One HDA: its facts and tags, its installed apps with state and actions, one-click installs from the
 * catalog, and managing the HDA itself: a new enrollment command, removing unused images, revoking,
 * deleting it from here.
 */
import { Badge, Card, Empty, EnrollmentCommandBlock, Facts, FormError, PageHeader, Tags, When } from '../components';
import { InstallRow, UninstallDialog } from '../install-parts';
import { Layout } from '../layout';
import type { AppView, HdaView, InstallView } from '../types';
import { must } from '../api';
import { NamesAndHttps } from '../lan-parts';
import type { PageContext } from './context';
import { BackupCard, ReplaceCard } from '../backup-card';

const Enrollment = (props: { hda: HdaView }) => (
  <Card title={props.hda.status === 'revoked' ? 'Enroll again' : 'Waiting for the agent'}>
    <p class="small">
      {props.hda.status === 'revoked'
        ? 'This HDA was revoked: its agent can no longer connect. Get a new code to enroll it again.'
        : 'The agent has not enrolled yet. Lost the command, or did the code expire? Get a new one.'}
    </p>
    <button type="button" class="btn" data-click="new-enrollment" data-hda={props.hda.id}>
      Get a new enrollment command
    </button>
    <EnrollmentResult />
  </Card>
);

const EnrollmentResult = () => (
  <div id="enrollment-result" class="enrollment" hidden>
    <EnrollmentCommandBlock />
    <p class="small muted">
      Valid once, until <span data-fill="expires"></span>.
    </p>
  </div>
);

/** For an enrolled HDA: move the agent to a new machine, free disk space, or cut the agent off. */
const Manage = (props: { hda: HdaView }) => {
  const h = props.hda;
  return (
    <Card title="Manage" class="manage">
      <div class="manage-item manage-first">
        <div>
          <strong>Remove unused images</strong>
          <p class="muted small">Deletes images no app uses, keeping those a rollback would need, and reports the space freed.</p>
        </div>
        <button type="button" class="btn btn-small" data-click="prune" data-hda={h.id}>
          Remove unused images
        </button>
      </div>
      <div id="prune-view" aria-live="polite"></div>
      <div class="manage-item">
        <div>
          <strong>New enrollment command</strong>
          <p class="muted small">To move the agent to a new machine. Enrolling with it replaces the agent that is connected now.</p>
        </div>
        <button type="button" class="btn btn-small" data-click="new-enrollment" data-hda={h.id}>
          Get a new command
        </button>
      </div>
      <EnrollmentResult />
      <div class="manage-item">
        <div>
          <strong>Delete from the control plane</strong>
          <p class="muted small">
            Removes this HDA, its apps' records and history from here and cuts its agent off. The apps on the server are left as they are.
          </p>
        </div>
        <button type="button" class="btn btn-small btn-danger" data-click="delete-hda" data-hda={h.id}>
          Delete…
        </button>
      </div>
      <div class="manage-item">
        <div>
          <strong>Revoke</strong>
          <p class="muted small">The agent can no longer connect or receive tasks. Apps keep running on the server; enroll again to manage them.</p>
        </div>
        <button type="button" class="btn btn-small btn-danger" data-click="revoke" data-hda={h.id}>
          Revoke…
        </button>
      </div>
      <FormError />
    </Card>
  );
};

/** An HDA that never joined (or was revoked) can still be deleted. */
const DeleteOnly = (props: { hda: HdaView }) => (
  <Card title="Delete" class="manage">
    <p class="muted small">
      {props.hda.status === 'pending' ? 'Added by mistake, or never going to join? Delete it.' : 'Not coming back? Delete it from here.'}
    </p>
    <button type="button" class="btn btn-small btn-danger" data-click="delete-hda" data-hda={props.hda.id}>
      Delete this HDA…
    </button>
    <FormError />
  </Card>
);

/** What deleting does, spelled out before it is done. */
const DeleteDialog = (props: { hda: HdaView; installs: InstallView[] }) => {
  const running = props.installs.filter((i) => i.state !== 'removed');
  return (
    <dialog id="delete-hda-dialog" class="dialog" aria-labelledby="delete-hda-title" data-hda={props.hda.id}>
      <form method="dialog" class="stack">
        <h2 id="delete-hda-title">Delete {props.hda.name}?</h2>
        <ul class="consequences">
          <li>Its agent's token stops working at once: the server can no longer fetch tasks or report.</li>
          <li>
            {running.length === 0
              ? 'It has no apps installed.'
              : `Its ${running.length} app${running.length === 1 ? '' : 's'} (${running.map((i) => i.app?.name ?? i.identifier).join(', ')}) and their history are removed from this control plane.`}
          </li>
          <li>
            <strong>The apps on the server are not touched</strong>: their containers keep running and their data stays. To remove them from the machine too,
            uninstall them first.
          </li>
          <li>Queued tasks are dropped. The audit log keeps a record that you deleted it.</li>
        </ul>
        <div class="actions actions-end">
          <button type="submit" value="cancel" class="btn">
            Cancel
          </button>
          <button type="submit" value="confirm" class="btn btn-danger" data-confirm="delete-hda">
            Delete this HDA
          </button>
        </div>
      </form>
    </dialog>
  );
};

const RevokeDialog = (props: { hda: HdaView }) => (
  <dialog id="revoke-dialog" class="dialog" aria-labelledby="revoke-title" data-hda={props.hda.id}>
    <form method="dialog" class="stack">
      <h2 id="revoke-title">Revoke {props.hda.name}?</h2>
      <p>
        Its agent's token stops working at once: it cannot fetch tasks or report anymore. The apps on the server keep running but cannot be managed from here
        until you enroll it again.
      </p>
      <div class="actions actions-end">
        <button type="submit" value="cancel" class="btn">
          Cancel
        </button>
        <button type="submit" value="confirm" class="btn btn-danger" data-confirm="revoke">
          Revoke
        </button>
      </div>
    </form>
  </dialog>
);

const InstallFromCatalog = (props: { hda: HdaView; apps: AppView[]; installed: Set<string> }) => {
  const available = props.apps.filter((a) => !props.installed.has(a.slug));
  return (
    <Card
      title="Install an app"
      actions={
        <a class="small" href="/catalog">
          Browse the catalog →
        </a>
      }
    >
      <FormError />
      {available.length === 0 ? (
        <p class="muted">Every app in the catalog is installed here.</p>
      ) : (
        <ul class="app-picker">
          {available.map((a) => (
            <li>
              <div>
                <a href={`/catalog/${a.slug}`} class="app-picker-name">
                  {a.name}
                </a>
                <p class="muted small clamp">{a.description}</p>
              </div>
              <button type="button" class="btn btn-small btn-primary" data-click="install" data-hda={props.hda.id} data-app={a.slug}>
                Install
              </button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
};

export async function hdaPage(p: PageContext, id: string) {
  const [{ hda, installs, lan }, { apps }, backup, { hdas: mine }, lanSettings] = await Promise.all([
    must(p.api.GET('/api/hdas/{id}', { params: { path: { id } } })),
    must(p.api.GET('/api/catalog/apps')),
    must(p.api.GET('/api/hdas/{id}/backup', { params: { path: { id } } })).catch(() => null),
    must(p.api.GET('/api/hdas')),
    must(p.api.GET('/api/hdas/{id}/lan-settings', { params: { path: { id } } })).catch(() => null),
  ]);
  const enrolled = hda.status !== 'pending' && hda.status !== 'revoked';
  // Another HDA of the same domain, still holding its access: this empty one may replace it.
  const replaceable = enrolled && installs.length === 0 ? mine.filter((h) => h.id !== hda.id && h.domain === hda.domain && h.status !== 'revoked') : [];
  const installed = new Set(installs.map((i) => i.identifier));
  return (
    <Layout title={hda.name} user={p.user} nav="dashboard" page="hda">
      <PageHeader
        back={{ href: '/', label: 'All HDAs' }}
        title={
          <>
            {hda.name} <Badge state={hda.status} attrs={{ 'data-live': 'status' }} />
          </>
        }
        subtitle={
          <>
            {hda.domain} · last seen <When iso={hda.last_seen_at} now={p.now} />
            {hda.hostname ? ` · host ${hda.hostname}` : ''} <Tags tags={hda.tags} />
          </>
        }
      />
      <div class="columns" data-hda-id={hda.id}>
        <div class="col-main">
          <Card title={`Apps (${installs.length})`}>
            {installs.length === 0 ? (
              <Empty>No apps installed yet. Pick one below: it is installed with one click.</Empty>
            ) : (
              <ul class="install-list">
                {installs.map((i) => (
                  <InstallRow install={i} showRuntime />
                ))}
              </ul>
            )}
          </Card>
          {hda.status !== 'revoked' && hda.status !== 'pending' && <InstallFromCatalog hda={hda} apps={apps} installed={installed} />}
        </div>
        <div class="col-side">
          {(hda.status === 'pending' || hda.status === 'revoked') && <Enrollment hda={hda} />}
          <Card title="Host">
            <Facts facts={hda.facts} />
          </Card>
          {hda.status !== 'pending' && <NamesAndHttps hda={hda} lan={lan} settings={enrolled ? lanSettings : null} now={p.now} />}
          {backup && enrolled && <BackupCard hdaId={hda.id} b={backup} />}
          <ReplaceCard hdaId={hda.id} candidates={replaceable} ready={!!backup?.plan} />
          {hda.status !== 'pending' && hda.status !== 'revoked' ? <Manage hda={hda} /> : <DeleteOnly hda={hda} />}
        </div>
      </div>
      <UninstallDialog />
      {hda.status !== 'pending' && hda.status !== 'revoked' && <RevokeDialog hda={hda} />}
      <DeleteDialog hda={hda} installs={installs} />
    </Layout>
  );
}
