/**
 * /fleet: one app version on many HDAs at once (chosen by ticking them or by tag), with a bounded
 * concurrency, all-or-nothing, and environment values per HDA; the recent fleet deployments.
 * /batches/:id: one fleet deployment followed live (its SSE stream), each HDA's state and task.
 */
import { FINISHED_ITEM_STATES } from '../../../core/fleet/states';
import { FailureBlock } from '../failure-block';
import { Badge, Card, Empty, FormError, PageHeader, Tags, When } from '../components';
import { ACTION_LABELS, BATCH_LABELS, ITEM_LABELS } from '../format';
import { Layout } from '../layout';
import type { AppView, BatchItemView, HdaView } from '../types';
import { must } from '../api';
import type { PageContext } from './context';

const FINAL_BATCH = new Set(['succeeded', 'failed', 'rolled_back', 'cancelled']);

function countsText(items: BatchItemView[]): string {
  const by = new Map<string, number>();
  for (const i of items) by.set(i.state, (by.get(i.state) ?? 0) + 1);
  const parts = [...by.entries()].map(([s, n]) => `${n} ${(ITEM_LABELS[s] ?? s).toLowerCase()}`);
  return `${items.length} HDA${items.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

const BatchForm = (props: { apps: AppView[]; hdas: HdaView[] }) => (
  <form method="post" action="/ui/needs-script" data-form="batch" class="stack batch-form">
    <AppAndVersion apps={props.apps} />
    <WhichHdas tags={[...new Set(props.hdas.flatMap((h) => h.tags))].sort()} />
    <ul class="hda-picks">
      {props.hdas.map((h) => (
        <HdaPick hda={h} />
      ))}
    </ul>
    <p class="muted small">Offline HDAs wait: their part starts when they are back online.</p>
    <div class="field-grid">
      <label class="field">
        <span>At most this many at a time</span>
        <input name="concurrency" type="number" inputmode="numeric" min="1" max="100" value="2" />
      </label>
      <label class="check check-box">
        <input type="checkbox" name="all_or_nothing" /> All or nothing: if one HDA fails, those already done go back to what they ran before
      </label>
    </div>
    <FormError />
    <div class="actions">
      <button type="submit" class="btn btn-primary">
        Deploy
      </button>
    </div>
  </form>
);

const AppAndVersion = ({ apps }: { apps: AppView[] }) => (
  <div class="field-grid">
    <label class="field">
      <span>App</span>
      <select name="app" data-versions-for="1">
        {apps.map((a) => (
          <option value={a.slug}>{a.name}</option>
        ))}
      </select>
    </label>
    <label class="field">
      <span>Version</span>
      <select name="version" data-versions="1">
        <option value="">The newest</option>
      </select>
    </label>
  </div>
);

const WhichHdas = ({ tags }: { tags: string[] }) => (
  <fieldset class="radios">
    <legend>Which HDAs</legend>
    <label class="check">
      <input type="radio" name="target" value="list" checked /> The ones I tick below
    </label>
    <label class="check check-inline">
      <input type="radio" name="target" value="tag" disabled={tags.length === 0} /> Every HDA with the tag
      <select name="tag" aria-label="Tag" disabled={tags.length === 0}>
        {tags.length === 0 ? <option value="">(no HDA has a tag)</option> : tags.map((t) => <option value={t}>{t}</option>)}
      </select>
    </label>
  </fieldset>
);

/** One HDA to tick, with its own environment for this deployment. */
const HdaPick = ({ hda: h }: { hda: HdaView }) => (
  <li class="hda-pick" data-hda-id={h.id} data-hda-name={h.name} data-tags={h.tags.join(' ')}>
    <label class="check pick-head">
      <input type="checkbox" name="hdas" value={h.id} data-list="1" />
      <span class="pick-name">{h.name}</span>
      <Badge state={h.status} />
      <Tags tags={h.tags} />
    </label>
    <details class="pick-env">
      <summary>Environment for this HDA</summary>
      <label class="field">
        <span class="sr-only">Environment for {h.name}, one NAME=value a line</span>
        <textarea name={`env:${h.id}`} rows={3} class="mono" spellcheck={false} placeholder={'GREETING=hello\nTZ=Europe/Berlin'}></textarea>
      </label>
    </details>
  </li>
);

export async function fleetPage(p: PageContext) {
  const [{ apps }, { hdas }, { batches }] = await Promise.all([
    must(p.api.GET('/api/catalog/apps')),
    must(p.api.GET('/api/hdas')),
    must(p.api.GET('/api/batches')),
  ]);
  const recent = await Promise.all(
    batches.slice(0, 10).map(async (b) => {
      const detail = await must(p.api.GET('/api/batches/{id}', { params: { path: { id: b.id } } })).catch(() => null);
      return { ...b, items: detail?.items ?? [], app: detail?.batch.app.name ?? null };
    }),
  );
  const targets = hdas.filter((h) => h.status !== 'revoked' && h.status !== 'pending');
  return (
    <Layout title="Fleet" user={p.user} nav="fleet" page="fleet">
      <PageHeader title="Fleet" subtitle="Install or update one app on many HDAs at once, a few at a time." />
      <div class="columns">
        <div class="col-main">
          <Card title="New fleet deployment">
            {apps.length === 0 ? (
              <p class="muted">The catalog is empty: there is no app to deploy yet.</p>
            ) : targets.length === 0 ? (
              <p class="muted">
                None of your HDAs is enrolled yet. <a href="/">Add one</a> and run its enrollment command first.
              </p>
            ) : (
              <BatchForm apps={apps} hdas={targets} />
            )}
          </Card>
        </div>
        <div class="col-side">
          <Card title="Recent deployments">
            {recent.length === 0 ? (
              <p class="muted">None yet.</p>
            ) : (
              <ul class="batch-list">
                {recent.map((b) => (
                  <li>
                    <div class="batch-list-head">
                      <a href={`/batches/${b.id}`}>{b.app ?? 'Fleet deployment'}</a>
                      <Badge state={b.state} label={BATCH_LABELS[b.state]} tone={b.state === 'running' ? 'busy' : undefined} />
                    </div>
                    <div class="muted small">
                      <When iso={b.created_at} now={p.now} /> · {countsText(b.items)}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </Layout>
  );
}

const ItemRow = (props: { item: BatchItemView; hdaStatus: string | undefined }) => {
  const i = props.item;
  const waitingOffline = i.state === 'pending' && props.hdaStatus && props.hdaStatus !== 'online';
  const block = i.state === 'succeeded' ? 'Finalized' : i.state === 'failed' ? 'Error' : null;
  return (
    <li class="batch-item" data-hda-id={i.hda_id} data-item-state={i.state} data-task-id={i.task_id ?? ''} data-detail={i.detail ?? ''}>
      <div class="bi-head">
        <a class="bi-name" href={`/hdas/${i.hda_id}`}>
          {i.hda_name}
        </a>
        <Badge state={i.state} label={ITEM_LABELS[i.state]} attrs={{ 'data-live': 'item-state' }} />
        <span class="muted small" data-live="action">
          {i.action ? (ACTION_LABELS[i.action] ?? i.action) : ''}
        </span>
      </div>
      <div class="bi-block small" data-live="block">
        {block && <span class={`lh lh-${block}`}>{block}</span>}
      </div>
      <div class="bi-detail muted small" data-live="detail">
        {waitingOffline ? (
          'The HDA is offline: this starts when it comes back.'
        ) : i.state === 'failed' && i.detail ? (
          <FailureBlock detail={i.detail} />
        ) : (
          (i.detail ?? '')
        )}
      </div>
      <div class="bi-links small" data-live="links">
        {i.task_id && <a href={`/tasks/${i.task_id}`}>Task steps →</a>}
        {i.install_id && <a href={`/installs/${i.install_id}`}>The app on this HDA →</a>}
      </div>
    </li>
  );
};

export async function batchPage(p: PageContext, id: string) {
  const [view, { hdas }] = await Promise.all([must(p.api.GET('/api/batches/{id}', { params: { path: { id } } })), must(p.api.GET('/api/hdas'))]);
  const appName = view.batch.app.name;
  const status = new Map(hdas.map((h) => [h.id, h.status]));
  const { batch, items } = view;
  const done = items.filter((i) => FINISHED_ITEM_STATES.has(i.state)).length;
  const final = FINAL_BATCH.has(batch.state);
  return (
    <Layout title={appName ? `Deploy ${appName}` : 'Fleet deployment'} user={p.user} nav="fleet" page="batch">
      <PageHeader
        back={{ href: '/fleet', label: 'Fleet' }}
        title={
          <>
            {appName ? `Deploy ${appName}` : 'Fleet deployment'}{' '}
            <Badge
              state={batch.state}
              label={BATCH_LABELS[batch.state]}
              tone={batch.state === 'running' ? 'busy' : undefined}
              attrs={{ 'data-batch-state': '1' }}
            />
          </>
        }
        subtitle={
          <>
            {items.length} HDA{items.length === 1 ? '' : 's'} · at most {batch.concurrency} at a time{batch.all_or_nothing ? ' · all or nothing' : ''} · started{' '}
            <When iso={batch.created_at} now={p.now} />
          </>
        }
      />
      <Card class="batch" title="Progress">
        <div class="batch-progress" data-batch-id={batch.id} data-final={final ? '1' : '0'}>
          <p class="small" data-live="summary">
            {done} of {items.length} done · {countsText(items)}
          </p>
          <progress max={String(Math.max(items.length, 1))} value={String(done)} aria-label="HDAs done"></progress>
          <p class="result" data-live="banner" hidden={!final}>
            {final ? `${BATCH_LABELS[batch.state] ?? batch.state}.` : ''}
          </p>
        </div>
        <ul class="batch-items">
          {items.map((i) => (
            <ItemRow item={i} hdaStatus={status.get(i.hda_id)} />
          ))}
        </ul>
      </Card>
      {items.length === 0 && <Empty>This deployment has no HDA.</Empty>}
    </Layout>
  );
}
