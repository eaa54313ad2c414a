/**
 * Publish in two steps. Preview asks the catalog what it would make of the version (nothing is
 * stored); Publish is only possible for the input that was previewed and not refused. A new app is
 * created just before its first version, so a refused version never leaves an empty app behind.
 */
import type { NewAppBody, NewVersionBody, VersionPreview, VersionView } from '../types';
import { ApiFailure, call, client, userError } from './api';
import { $, fill, fillHref, must, setBadge } from './dom';
import { findingsList, type FindingLike } from './errors';
import { forms, type FormValues } from './events';

interface Preview {
  key: string;
  status: string | null;
  exists: boolean;
}
let lastPreview: Preview | null = null;

function publishInput(v: FormValues): NewVersionBody {
  const body: NewVersionBody = { version: v.version.trim(), kind: v.kind.trim() };
  if (v.source_kind === 'compose') body.compose = v.source;
  else body.install_script = v.source;
  return body;
}
const publishKey = (v: FormValues) => JSON.stringify([v.slug.trim(), v.name.trim(), v.version.trim(), v.kind.trim(), v.source_kind, v.source]);

function setPublishable(form: HTMLFormElement, on: boolean, hint: string): void {
  const btn = must<HTMLButtonElement>('[data-publish]', form);
  if (on) btn.removeAttribute('data-off');
  else btn.setAttribute('data-off', '1');
  btn.disabled = !on;
  btn.className = on ? 'btn btn-primary' : 'btn';
  must('button[value=preview]', form).className = on ? 'btn' : 'btn btn-primary';
  fill(form, 'publish-hint', hint);
}

const VERDICT: Record<string, string> = {
  ready: 'Ready: owners can install it as it is.',
  needs_review: 'Needs review: it asks for something the safety policy does not allow by default; an owner must allow it for their install.',
  rejected: 'Refused: it cannot be installed as it is. Fix what is blocked below and preview again.',
};

type DialectVerdicts = NonNullable<VersionPreview['dialects']>;

/** One line per Compose dialect: whether an HDA driving it can run the version, and why not. */
function dialectsText(dialects: DialectVerdicts | null | undefined): string {
  if (!dialects) return '';
  return ['v2', 'v1']
    .map((d) => ({ d, verdict: dialects[d as keyof DialectVerdicts] }))
    .filter(({ verdict }) => verdict)
    .map(({ d, verdict }) => `Compose ${d}: ${verdict!.ok ? 'runs it.' : `cannot run it (${(verdict!.reasons ?? []).join('; ')}).`}`)
    .join(' ');
}

function showPublishResult(
  kind: 'preview' | 'published',
  slug: string,
  version: string,
  status: string | null,
  findings: FindingLike[],
  compose: string,
  dialects?: DialectVerdicts | null,
): void {
  const out = must('#publish-result');
  fill(out, 'result-title', kind === 'published' ? 'Published' : 'Preview');
  fill(out, 'title', `${slug} ${version}`);
  const badge = must('[data-fill=status]', out);
  badge.hidden = !status;
  if (status) setBadge(badge, status, status === 'rejected' ? 'refused' : null);
  fill(out, 'verdict', status ? (kind === 'published' ? 'Signed and added to the catalog. ' : 'Nothing is stored yet. ') + VERDICT[status] : '');
  fill(out, 'dialects', dialectsText(dialects));
  const holder = must('[data-fill=findings]', out);
  holder.textContent = '';
  holder.appendChild(findingsList(findings));
  must('[data-compose-block]', out).hidden = !compose;
  fill(out, 'compose', compose || '');
  must('[data-fill-href=app-link]', out).hidden = kind !== 'published';
  fillHref(out, 'app-link', `/catalog/${encodeURIComponent(slug)}`);
  out.hidden = false;
  out.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

async function appExists(slug: string): Promise<boolean> {
  try {
    await call(client.GET('/api/catalog/apps/{slug}', { params: { path: { slug } } }));
    return true;
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 404) return false;
    throw err;
  }
}

async function previewVersion(form: HTMLFormElement, v: FormValues): Promise<void> {
  const slug = v.slug.trim();
  const key = publishKey(v);
  lastPreview = null;
  must('#publish-result').hidden = true;
  const exists = await appExists(slug);
  let r: VersionPreview;
  try {
    r = await call(client.POST('/api/catalog/apps/{slug}/versions/preview', { params: { path: { slug } }, body: publishInput(v) }));
  } catch (err) {
    if (!(err instanceof ApiFailure && err.status === 404 && !exists)) throw err;
    // The server previews versions of apps that exist; a new app's first version is checked when published.
    lastPreview = { key, status: null, exists: false };
    showPublishResult('preview', slug, v.version.trim(), null, [], '');
    fill(
      must('#publish-result'),
      'verdict',
      'This is a new app: the server checks its first version when you publish. If that version is refused, the app is created without a version.',
    );
    setPublishable(form, true, 'Publishing creates the app, then this version.');
    return;
  }
  lastPreview = { key, status: r.status, exists };
  showPublishResult('preview', slug, v.version.trim(), r.status, r.findings, r.normalized_compose, r.dialects);
  if (r.status === 'rejected') setPublishable(form, false, 'This version would be refused: nothing can be published.');
  else setPublishable(form, true, exists ? 'Looks right? Publish it.' : 'Looks right? Publishing creates the app, then this version.');
}

/** "Published versions" as the catalog has them now. */
async function refreshPublished(form: HTMLFormElement, slug: string): Promise<void> {
  const r = await call(client.GET('/api/catalog/apps/{slug}', { params: { path: { slug } } }));
  const line = $('[data-published-versions]', form);
  if (!line) return;
  fill(line, 'versions', r.versions.map((x) => x.version).join(', '));
  line.hidden = r.versions.length === 0;
}

const ICON_MAX = 48 * 1024;

/** The chosen icon file as a data: URL (the catalog stores icons, so pages never load a third party's). */
async function iconDataUrl(form: HTMLFormElement): Promise<string | null> {
  const file = $<HTMLInputElement>('input[name=icon_file]', form)?.files?.[0];
  if (!file) return null;
  if (!['image/png', 'image/webp', 'image/svg+xml'].includes(file.type)) throw userError('Icon must be a PNG, WebP or SVG image.');
  // base64 grows a file by a third: the limit is on the stored text.
  if (Math.ceil(file.size / 3) * 4 + 40 > ICON_MAX) throw userError('Icon must be at most 36 KB as a file (48 KB once stored).');
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(userError('The icon file could not be read.'));
    reader.readAsDataURL(file);
  });
}

async function publish(form: HTMLFormElement, v: FormValues): Promise<void> {
  const slug = v.slug.trim();
  if (!lastPreview || lastPreview.key !== publishKey(v)) {
    setPublishable(form, false, 'The input changed: preview it again first.');
    throw userError('Preview this version first: publishing needs a preview of exactly this input.');
  }
  if (lastPreview.status === 'rejected') throw userError('This version would be refused: fix it and preview again.');
  if (!(await appExists(slug))) {
    const app: NewAppBody = { slug, name: v.name.trim() };
    for (const k of ['description', 'homepage', 'category'] as const) if (v[k] && String(v[k]).trim()) Object.assign(app, { [k]: String(v[k]).trim() });
    const icon = await iconDataUrl(form);
    if (icon) app.icon_url = icon;
    await call(client.POST('/api/catalog/apps', { body: app }));
  }
  let r: { version: VersionView };
  try {
    r = await call(client.POST('/api/catalog/apps/{slug}/versions', { params: { path: { slug } }, body: publishInput(v) }));
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 400) err.message = `Not published: ${err.message}`;
    throw err;
  }
  lastPreview = null;
  setPublishable(form, false, 'Published. Change the version to publish another.');
  showPublishResult('published', slug, r.version.version, r.version.status, r.version.findings, r.version.normalized_compose ?? '');
  await refreshPublished(form, slug);
}

forms.publish = (form, v, submitter) => (submitter && submitter.value === 'publish' ? publish(form, v) : previewVersion(form, v));

export function wirePublishForm(): void {
  const form = $<HTMLFormElement>('form[data-form=publish]');
  if (!form) return;
  form.addEventListener('input', () => {
    if (lastPreview && form.getAttribute('aria-busy') !== 'true') {
      lastPreview = null;
      setPublishable(form, false, 'Changed since the preview: preview again before publishing.');
    }
  });
}
