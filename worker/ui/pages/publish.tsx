/**
 * /publish: paste an Amahi install script or a compose file, preview what the catalog makes of it (the
 * normalized compose, the policy findings, the status) and only then publish it. Publishing creates
 * the app first when it is new, and never when the preview says the version would be refused.
 */
import { APP_CATEGORIES } from '../../../db/schema';
import { SLUG_PATTERN } from '../../validation';
import { Card, categoryLabel, FormError, PageHeader } from '../components';
import { Layout } from '../layout';
import { must } from '../api';
import type { PageContext } from './context';

type AppWithVersions = NonNullable<Awaited<ReturnType<typeof existingApp>>>;

const existingApp = (p: PageContext, slug: string | undefined) =>
  slug ? must(p.api.GET('/api/catalog/apps/{slug}', { params: { path: { slug } } })).catch(() => null) : Promise.resolve(null);

export async function publishPage(p: PageContext, slug: string | undefined) {
  const existing = await existingApp(p, slug);
  const app = existing?.app;
  return (
    <Layout title="Publish" user={p.user} nav="publish" page="publish">
      <PageHeader
        title={app ? `Publish a version of ${app.name}` : 'Publish an app'}
        subtitle="Paste an install script or a compose file. It is checked against the safety policy, normalized and signed."
      />
      <form method="post" action="/ui/needs-script" data-form="publish" class="publish-form">
        <AppCard existing={existing} />
        <VersionCard />
      </form>
      <PublishResult />
    </Layout>
  );
}

/** The app's slug and name (fixed once it exists), and for a new app its description, category and icon. */
function AppCard({ existing }: { existing: AppWithVersions | null }) {
  const app = existing?.app;
  return (
    <Card title="App">
      <div class="field-grid">
        <label class="field">
          <span>Slug (the app's address: slug.your-domain)</span>
          <input
            name="slug"
            required
            pattern={SLUG_PATTERN}
            title="Lowercase letters, digits and dashes inside, such as my-app"
            maxlength={40}
            value={app?.slug ?? ''}
            readonly={!!app}
            placeholder="hello"
          />
        </label>
        <label class="field">
          <span>Name</span>
          <input name="name" required maxlength={100} value={app?.name ?? ''} readonly={!!app} placeholder="Hello" />
        </label>
      </div>
      {!app && <NewAppFields />}
      <p class="muted small" data-published-versions="1" hidden={!existing || existing.versions.length === 0}>
        Published versions: <span data-fill="versions">{(existing?.versions ?? []).map((v) => v.version).join(', ')}</span>
      </p>
    </Card>
  );
}

function NewAppFields() {
  return (
    <>
      <label class="field">
        <span>Description</span>
        <textarea name="description" rows={2} maxlength={4000}></textarea>
      </label>
      <label class="field">
        <span>Homepage (optional)</span>
        <input name="homepage" type="url" placeholder="https://" />
      </label>
      <div class="field-grid">
        <label class="field">
          <span>Category (optional)</span>
          <select name="category">
            <option value="">None</option>
            {APP_CATEGORIES.map((c) => (
              <option value={c}>{categoryLabel(c)}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Icon (optional: PNG, WebP or SVG, up to 48 KB)</span>
          <input name="icon_file" type="file" accept="image/png,image/webp,image/svg+xml" />
        </label>
      </div>
    </>
  );
}

function VersionCard() {
  return (
    <Card title="Version">
      <div class="field-grid">
        <label class="field">
          <span>Version</span>
          <input name="version" required maxlength={40} placeholder="1.0" />
        </label>
        <label class="field">
          <span>Kind</span>
          <input name="kind" required value="container" maxlength={40} />
        </label>
      </div>
      <fieldset class="radios">
        <legend>What you paste</legend>
        <label class="check">
          <input type="radio" name="source_kind" value="install_script" checked /> An Amahi install script
        </label>
        <label class="check">
          <input type="radio" name="source_kind" value="compose" /> A compose file
        </label>
      </fieldset>
      <label class="field">
        <span>Script or compose</span>
        <textarea name="source" rows={14} required class="mono" spellcheck={false}></textarea>
      </label>
      <label class="field">
        <span>Release notes</span>
        <textarea name="release_notes" rows={4} maxlength={20000} placeholder="What changed, and anything owners should know before updating"></textarea>
      </label>
      <FormError />
      <div class="actions">
        <button type="submit" name="intent" value="preview" class="btn btn-primary">
          Preview
        </button>
        <button type="submit" name="intent" value="publish" class="btn" disabled data-off="1" data-publish="1">
          Publish
        </button>
        <span class="muted small" data-fill="publish-hint">
          Preview first: nothing is stored until you publish.
        </span>
      </div>
    </Card>
  );
}

/** Filled by the browser with the preview or the published version. */
function PublishResult() {
  return (
    <div id="publish-result" hidden>
      <Card title={<span data-fill="result-title">Preview</span>} class="publish-result">
        <p>
          <strong data-fill="title"></strong> <span data-fill="status" class="badge"></span>
        </p>
        <p class="small" data-fill="verdict"></p>
        <p class="small muted" data-fill="dialects"></p>
        <h3>Findings</h3>
        <div data-fill="findings"></div>
        <div data-compose-block="1">
          <h3>Normalized compose</h3>
          <pre class="code">
            <code data-fill="compose"></code>
          </pre>
        </div>
        <a class="btn btn-small" data-fill-href="app-link" href="/catalog" hidden>
          Open in the catalog →
        </a>
      </Card>
    </div>
  );
}
