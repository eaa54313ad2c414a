/**
 * /admin/audit: the audit log for admins, newest first. Filters are a plain GET form whose fields
 * are the API's own query parameters, and paging is a link, so the page needs no client script.
 */
import { must, PageError } from '../api';
import { Card, Empty, PageHeader, When } from '../components';
import { formatTime } from '../format';
import { Layout } from '../layout';
import type { PageContext } from './context';
import type { AuditEntry, AuditPage } from '../types';

/** The query parameters the page passes through to GET /api/audit (nothing else is forwarded). */
const FILTERS = ['actor', 'target', 'action', 'since', 'until'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

function queryOf(filters: Filters, cursor?: string): string {
  const q = new URLSearchParams();
  for (const key of FILTERS) if (filters[key]) q.set(key, filters[key]!);
  if (cursor) q.set('cursor', cursor);
  const text = q.toString();
  return text ? `?${text}` : '';
}

const Field = (props: { name: keyof Filters; label: string; value?: string; type?: string; placeholder?: string }) => (
  <label class="field">
    <span>{props.label}</span>
    <input type={props.type ?? 'text'} name={props.name} value={props.value ?? ''} placeholder={props.placeholder} />
  </label>
);

const FilterForm = (props: { filters: Filters }) => (
  <form method="get" action="/admin/audit" class="audit-filters" aria-label="Filter the audit log">
    <div class="field-grid">
      <Field name="actor" label="Actor (email or id)" value={props.filters.actor} placeholder="admin@example.com" />
      <Field name="target" label="Target id" value={props.filters.target} />
      <Field name="action" label="Action, or a prefix ending in a dot" value={props.filters.action} placeholder="auth." />
      <div class="field-pair">
        <Field name="since" label="From (UTC)" type="date" value={props.filters.since} />
        <Field name="until" label="Through (UTC)" type="date" value={props.filters.until} />
      </div>
    </div>
    <button type="submit" class="btn btn-primary">
      Filter
    </button>{' '}
    <a class="btn btn-quiet" href="/admin/audit">
      Clear
    </a>
  </form>
);

const actorOf = (e: AuditEntry) => e.actor.email ?? (e.actor.id ? `${e.actor.kind} ${e.actor.id}` : e.actor.kind === 'user' ? 'not signed in' : e.actor.kind);

const Entries = (props: { entries: AuditEntry[]; now: number }) => (
  <div class="table-wrap">
    <table class="history audit">
      <thead>
        <tr>
          <th>When</th>
          <th>Action</th>
          <th>Actor</th>
          <th>Target</th>
          <th>Address</th>
          <th>Detail</th>
        </tr>
      </thead>
      <tbody>
        {props.entries.map((e) => (
          <tr>
            <td data-label="When">
              <When iso={e.at} now={props.now} />
              <div class="muted tiny">{formatTime(e.at)}</div>
            </td>
            <td data-label="Action">
              <code>{e.action}</code>
            </td>
            <td data-label="Actor">{actorOf(e)}</td>
            <td data-label="Target">{e.target ? `${e.target.kind ?? ''} ${e.target.id ?? ''}`.trim() : ''}</td>
            <td data-label="Address">{e.address ?? ''}</td>
            <td data-label="Detail" class="wrap">
              <code class="small">{e.detail === null ? '' : JSON.stringify(e.detail).slice(0, 300)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

export async function auditPage(p: PageContext) {
  const filters: Filters = {};
  for (const key of FILTERS) {
    const value = p.c.req.query(key)?.trim();
    if (value) filters[key] = value;
  }
  let page: AuditPage | null = null;
  let refusal: string | null = null;
  try {
    const cursor = p.c.req.query('cursor');
    page = await must(p.api.GET('/api/audit', { params: { query: { ...filters, ...(cursor ? { cursor: Number(cursor) } : {}) } } }));
  } catch (err) {
    // A filter the API refuses is shown beside the form, not as an error page.
    if (!(err instanceof PageError) || err.status !== 400) throw err;
    refusal = err.message;
  }
  return (
    <Layout title="Audit log" user={p.user} nav="audit" page="audit">
      <PageHeader title="Audit log" subtitle="Sign-ins, changes and requests: who, what, from where and when" />
      <Card>
        <FilterForm filters={filters} />
        {refusal && (
          <p class="form-error" role="alert">
            {refusal}
          </p>
        )}
      </Card>
      {page && (page.entries.length === 0 ? <Empty>No entry matches.</Empty> : <Entries entries={page.entries} now={p.now} />)}
      {page?.next_cursor && (
        <p>
          <a class="btn" href={`/admin/audit${queryOf(filters, page.next_cursor)}`} rel="next">
            Older entries
          </a>
        </p>
      )}
    </Layout>
  );
}
