/** The catalog: search by name, and one app's details with "Install on <HDA>". */
import { WAIVABLE_RULES } from '../../services/installs';
import { APP_CATEGORIES, type AppCategory } from '../../../db/schema';
import { AppIcon, Badge, Card, categoryLabel, Empty, Findings, FormError, PageHeader, When } from '../components';
import { Layout } from '../layout';
import type { AppView, Finding, HdaView, VersionView } from '../types';
import { must } from '../api';
import type { PageContext } from './context';

const CategoryFilter = (props: { current: string | null; query: string }) => {
  const href = (c: string | null) => {
    const params = new URLSearchParams();
    if (props.query) params.set('q', props.query);
    if (c) params.set('category', c);
    const qs = params.toString();
    return `/catalog${qs ? `?${qs}` : ''}`;
  };
  return (
    <nav class="chips" aria-label="Categories">
      <a class={`chip${props.current ? '' : ' current'}`} href={href(null)} aria-current={props.current ? undefined : 'page'}>
        All
      </a>
      {APP_CATEGORIES.map((c) => (
        <a class={`chip${props.current === c ? ' current' : ''}`} href={href(c)} aria-current={props.current === c ? 'page' : undefined}>
          {categoryLabel(c)}
        </a>
      ))}
    </nav>
  );
};

export async function catalogPage(p: PageContext, q: string, categoryParam: string | undefined) {
  const query = q.trim().slice(0, 100);
  const category = (APP_CATEGORIES as readonly string[]).includes(categoryParam ?? '') ? categoryParam! : null;
  const { apps } = await must(
    p.api.GET('/api/catalog/apps', { params: { query: { ...(query ? { q: query } : {}), ...(category ? { category: category as AppCategory } : {}) } } }),
  );
  return (
    <Layout title="Catalog" user={p.user} nav="catalog" page="catalog">
      <PageHeader title="App catalog" subtitle="Container apps you can install on your HDAs" />
      {/* biome-ignore lint/a11y/useSemanticElements: role="search" on the form is what older browsers and screen readers know */}
      <form class="search" method="get" action="/catalog" role="search">
        <input type="search" name="q" value={query} placeholder="Search apps by name" aria-label="Search apps" />
        {category && <input type="hidden" name="category" value={category} />}
        <button type="submit" class="btn">
          Search
        </button>
      </form>
      <CategoryFilter current={category} query={query} />
      {apps.length === 0 ? (
        <Empty>
          {query || category
            ? `No app matches${query ? ` “${query}”` : ''}${category ? ` in ${categoryLabel(category)}` : ''}.`
            : 'The catalog is empty: a publisher has not published any app yet.'}
        </Empty>
      ) : (
        <div class="grid">
          {apps.map((a) => (
            <a class="card link-card app-card" href={`/catalog/${a.slug}`} data-app={a.slug}>
              <div class="app-card-head">
                <AppIcon name={a.name} icon={a.icon_url} />
                <div>
                  <h2>{a.name}</h2>
                  <p class="muted small">
                    {a.slug}
                    {a.category && <span class="tag-chip category-chip">{categoryLabel(a.category)}</span>}
                  </p>
                </div>
              </div>
              <p class="clamp">{a.description || 'No description.'}</p>
            </a>
          ))}
        </div>
      )}
    </Layout>
  );
}

const blockingRules = (findings: Finding[]) => [
  ...new Set(
    findings.filter((f) => (f.severity === 'error' || f.severity === 'review') && (WAIVABLE_RULES as readonly string[]).includes(f.rule)).map((f) => f.rule),
  ),
];

const InstallOn = (props: { app: AppView; versions: VersionView[]; hdas: HdaView[] }) => {
  // Only HDAs whose agent has joined can take an install; the others are named, not offered.
  const targets = props.hdas.filter((h) => h.status !== 'revoked' && h.status !== 'pending');
  const waiting = props.hdas.filter((h) => h.status === 'pending');
  const latest = props.versions[0];
  if (!latest) return <p class="muted">No version is published yet.</p>;
  if (targets.length === 0)
    return (
      <>
        <p class="muted">
          You have no HDA to install on yet. <a href="/">Add one</a> first.
        </p>
        <NotJoined waiting={waiting} />
      </>
    );
  return (
    <form method="post" action="/ui/needs-script" data-form="install" class="stack install-form">
      <input type="hidden" name="app" value={props.app.slug} />
      <VersionChoice versions={props.versions} />
      <label class="field">
        <span>Host port (optional)</span>
        <input name="host_port" type="number" inputmode="numeric" min="1024" max="65535" step="1" placeholder="chosen for you" />
        <small class="muted">
          Leave empty and the HDA gives the app a free port. A port you choose is never moved: the install fails if another program uses it.
        </small>
      </label>
      <Exceptions rules={blockingRules(latest.findings as Finding[])} />
      <FormError />
      <div class="actions">
        {targets.map((h) => (
          <button type="submit" class="btn btn-primary" name="hda" value={h.id}>
            Install on {h.name}
          </button>
        ))}
      </div>
      <NotJoined waiting={waiting} />
    </form>
  );
};

const NotJoined = ({ waiting }: { waiting: HdaView[] }) =>
  waiting.length > 0 && (
    <p class="muted small" data-not-joined="1">
      Not joined yet, so not offered: {waiting.map((h) => h.name).join(', ')}. Run the enrollment command on {waiting.length === 1 ? 'it' : 'them'} first.
    </p>
  );

const VersionChoice = ({ versions }: { versions: VersionView[] }) => (
  <label class="field">
    <span>Version</span>
    <select name="version">
      {versions.map((v, i) => (
        <option value={v.version}>
          {v.version}
          {i === 0 ? ' (newest)' : ''}
          {v.status === 'needs_review' ? ' · needs review' : ''}
        </option>
      ))}
    </select>
  </label>
);

/** The policy rules the owner may waive for this install, one box each. */
const Exceptions = ({ rules }: { rules: string[] }) =>
  rules.length > 0 && (
    <fieldset class="exceptions">
      <legend>This app asks for more than the safety policy allows</legend>
      {rules.map((rule) => (
        <label class="check">
          <input type="checkbox" name="policy_exceptions" value={rule} data-list="1" /> Allow <code>{rule}</code> for this install
        </label>
      ))}
    </fieldset>
  );

const VersionBlock = (props: { v: VersionView; open: boolean; now: number }) => (
  <details class="version" open={props.open}>
    <summary>
      <strong>{props.v.version}</strong> <Badge state={props.v.status} />{' '}
      <span class="muted small">
        published <When iso={props.v.created_at} now={props.now} />
      </span>
    </summary>
    <h3>Findings</h3>
    <Findings findings={props.v.findings as Finding[]} />
    <h3>Normalized compose</h3>
    <pre class="code">
      <code>{props.v.normalized_compose ?? ''}</code>
    </pre>
  </details>
);

export async function appDetailPage(p: PageContext, slug: string) {
  const [{ app, versions }, { hdas }] = await Promise.all([
    must(p.api.GET('/api/catalog/apps/{slug}', { params: { path: { slug } } })),
    must(p.api.GET('/api/hdas')),
  ]);
  const canPublish = p.user.role === 'publisher' || p.user.role === 'admin';
  return (
    <Layout title={app.name} user={p.user} nav="catalog" page="app">
      <PageHeader
        back={{ href: '/catalog', label: 'Catalog' }}
        title={
          <span class="title-with-icon">
            <AppIcon name={app.name} icon={app.icon_url} size="large" /> {app.name}
          </span>
        }
        subtitle={
          <>
            {app.slug}
            {app.category && <span class="tag-chip category-chip">{categoryLabel(app.category)}</span>}
          </>
        }
        actions={
          canPublish ? (
            <a class="btn btn-small" href={`/publish?app=${encodeURIComponent(app.slug)}`}>
              Publish a new version
            </a>
          ) : undefined
        }
      />
      <div class="columns">
        <div class="col-main">
          <Card title="About">
            <p class="description">{app.description || 'No description.'}</p>
            {app.homepage && /^https?:\/\//.test(app.homepage) && (
              <p class="small">
                <a href={app.homepage} rel="noopener noreferrer nofollow" target="_blank">
                  {app.homepage}
                </a>
              </p>
            )}
          </Card>
          <Card title={`Versions (${versions.length})`}>
            {versions.length === 0 ? <p class="muted">No version published yet.</p> : versions.map((v, i) => <VersionBlock v={v} open={i === 0} now={p.now} />)}
          </Card>
        </div>
        <div class="col-side phone-first">
          <Card title="Install">
            <InstallOn app={app} versions={versions} hdas={hdas} />
          </Card>
        </div>
      </div>
    </Layout>
  );
}
