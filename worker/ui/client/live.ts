/**
 * Keeps the dashboard and HDA pages fresh. One GET every 15 s while the tab is visible (no stream
 * exists for HDA states): online/offline, last seen, install states; on the dashboard a card appears
 * for an HDA added here (at once) or elsewhere, and a pending card fills in once its agent enrolled.
 */
import { factRows, timeAgo } from '../format';
import type { HdaView } from '../types';
import { call, client } from './api';
import { $, $all, h, setBadge, type Kid } from './dom';

const LIVE_EVERY_MS = 15000;

function compactFacts(f: NonNullable<HdaView['facts']>): HTMLElement {
  return h(
    'dl',
    { class: 'facts facts-compact' },
    factRows(f)
      .slice(0, 5)
      .map(([k, v]) => h('div', { class: 'fact' }, [h('dt', { text: k }), h('dd', { text: v })])),
  );
}

function seenLine(hda: HdaView): Kid[] {
  if (hda.status === 'pending') return ['Waiting for the agent to enroll'];
  return ['Last seen ', h('span', { 'data-live': 'last-seen', text: timeAgo(hda.last_seen_at, Date.now()) }), hda.hostname ? ` \u00b7 ${hda.hostname}` : ''];
}

function tagChips(tags: string[]): HTMLElement | null {
  if (!tags?.length) return null;
  return h(
    'span',
    { class: 'tags' },
    tags.map((t) => h('span', { class: 'tag-chip', text: t })),
  );
}

/** The dashboard card of one HDA, built from its API view (same markup as the server's). */
function hdaCard(hda: HdaView): HTMLElement {
  const badge = h('span', { 'data-live': 'status' });
  setBadge(badge, hda.status);
  const card = h('a', { class: 'card hda-card link-card', href: `/hdas/${encodeURIComponent(hda.id)}`, 'data-hda-id': hda.id }, [
    h('div', { class: 'card-head' }, [h('h2', { text: hda.name }), badge]),
    h('p', { class: 'hda-domain' }, [`${hda.domain} `, tagChips(hda.tags)]),
    h('p', { class: 'muted small', 'data-live': 'seen-line' }, seenLine(hda)),
  ]);
  if (hda.facts) card.appendChild(compactFacts(hda.facts));
  return card;
}

export function upsertHdaCard(hda: HdaView): void {
  const list = $('#hda-list');
  if (!list) return;
  const card = $(`[data-hda-id="${hda.id}"]`, list);
  if (!card) {
    list.appendChild(hdaCard(hda));
    list.hidden = false;
    $('.main > .empty')?.remove();
    updateSummary();
    return;
  }
  const badge = $('[data-live=status]', card);
  const was = badge?.getAttribute('data-state');
  setBadge(badge, hda.status);
  if (was === 'pending' && hda.status !== 'pending') {
    // Enrolled since the page was drawn: the whole card changes, draw it again.
    card.parentNode?.replaceChild(hdaCard(hda), card);
    return;
  }
  const seen = $('[data-live=last-seen]', card);
  if (seen) seen.textContent = timeAgo(hda.last_seen_at, Date.now());
}

function updateSummary(hdas?: HdaView[]): void {
  const el = $('[data-live=summary]');
  if (!el) return;
  const n = hdas ? hdas.length : $all('#hda-list [data-hda-id]').length;
  const online = hdas ? hdas.filter((x) => x.online).length : $all('#hda-list [data-live=status][data-state=online]').length;
  el.textContent = n ? `${n} home server${n === 1 ? '' : 's'}, ${online} online` : 'Home servers you manage from here';
}

async function refreshDashboard(): Promise<void> {
  const r = await call(client.GET('/api/hdas'));
  r.hdas.forEach(upsertHdaCard);
  updateSummary(r.hdas);
}

async function refreshHda(id: string): Promise<void> {
  const r = await call(client.GET('/api/hdas/{id}', { params: { path: { id } } }));
  setBadge($('.page-header [data-live=status]'), r.hda.status);
  for (const i of r.installs) {
    const row = $(`[data-install-id="${i.id}"]`);
    if (row) setBadge($('[data-live=state]', row), i.state);
  }
}

export function startLiveUpdates(): void {
  const page = document.body.getAttribute('data-page');
  const hdaRoot = $('[data-hda-id]');
  const refresh = page === 'dashboard' ? refreshDashboard : page === 'hda' && hdaRoot ? () => refreshHda(hdaRoot.getAttribute('data-hda-id')!) : null;
  if (!refresh) return;
  let last = Date.now();
  const tick = () => {
    if (document.visibilityState !== 'visible') return;
    last = Date.now();
    refresh().catch(() => undefined);
  };
  setInterval(tick, LIVE_EVERY_MS);
  // Back on a tab after a while: one refresh now rather than waiting for the next tick.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && Date.now() - last >= LIVE_EVERY_MS) tick();
  });
}
