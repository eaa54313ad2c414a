/**
 * Client script, part 4: keeps the dashboard and HDA pages fresh. One GET every 15 s while the tab is
 * visible (no stream exists for HDA states): online/offline, last seen, install states; on the
 * dashboard a card appears for an HDA added here (at once) or elsewhere, and a pending card fills in
 * once its agent has enrolled.
 */
export const CLIENT_LIVE = String.raw`
var LIVE_EVERY_MS = 15000;

function factRowsOf(f) {
  var compose = f.compose_version ? f.compose_version + (f.compose_flavor ? (f.compose_flavor === 'v2' ? ' (plugin)' : ' (docker-compose v1)') : '') : '\u2014';
  return [
    ['CPU', f.cpus ? f.cpus + ' \u00d7 ' + (f.cpu_model || 'CPU') : (f.cpu_model || '\u2014')],
    ['Memory', formatBytes(f.memory_bytes)],
    ['Disk free', formatBytes(f.disk_free_bytes)],
    ['Docker', f.docker_version || '\u2014'],
    ['Compose', compose]
  ];
}

function compactFacts(f) {
  return h('dl', { class: 'facts facts-compact' }, factRowsOf(f).map(function (r) {
    return h('div', { class: 'fact' }, [h('dt', { text: r[0] }), h('dd', { text: r[1] })]);
  }));
}

function seenLine(hda) {
  if (hda.status === 'pending') return ['Waiting for the agent to enroll'];
  return ['Last seen ', h('span', { 'data-live': 'last-seen', text: timeAgo(hda.last_seen_at) }), hda.hostname ? ' \u00b7 ' + hda.hostname : ''];
}

function tagChips(tags) {
  if (!tags || !tags.length) return null;
  return h('span', { class: 'tags' }, tags.map(function (t) { return h('span', { class: 'tag-chip', text: t }); }));
}

/** The dashboard card of one HDA, built from its API view (same markup as the server's). */
function hdaCard(hda) {
  var badge = h('span', { 'data-live': 'status' });
  setBadge(badge, hda.status);
  var card = h('a', { class: 'card hda-card link-card', href: '/hdas/' + encodeURIComponent(hda.id), 'data-hda-id': hda.id }, [
    h('div', { class: 'card-head' }, [h('h2', { text: hda.name }), badge]),
    h('p', { class: 'hda-domain' }, [hda.domain + ' ', tagChips(hda.tags)]),
    h('p', { class: 'muted small', 'data-live': 'seen-line' }, seenLine(hda))
  ]);
  if (hda.facts) card.appendChild(compactFacts(hda.facts));
  return card;
}

function upsertHdaCard(hda) {
  var list = $('#hda-list');
  if (!list) return;
  var card = $('[data-hda-id="' + hda.id + '"]', list);
  if (!card) {
    list.appendChild(hdaCard(hda));
    list.hidden = false;
    var empty = $('.main > .empty');
    if (empty) empty.remove();
    updateSummary();
    return;
  }
  var badge = $('[data-live=status]', card);
  var was = badge && badge.getAttribute('data-state');
  setBadge(badge, hda.status);
  if (was === 'pending' && hda.status !== 'pending') {
    // Enrolled since the page was drawn: the whole card changes, draw it again.
    card.parentNode.replaceChild(hdaCard(hda), card);
    return;
  }
  var seen = $('[data-live=last-seen]', card);
  if (seen) seen.textContent = timeAgo(hda.last_seen_at);
}

function updateSummary(hdas) {
  var el = $('[data-live=summary]');
  if (!el) return;
  var cards = $all('#hda-list [data-hda-id]');
  var n = hdas ? hdas.length : cards.length;
  var online = hdas ? hdas.filter(function (x) { return x.online; }).length : $all('#hda-list [data-live=status][data-state=online]').length;
  el.textContent = n ? n + ' home server' + (n === 1 ? '' : 's') + ', ' + online + ' online' : 'Home servers you manage from here';
}

function refreshDashboard() {
  return api('GET', '/api/hdas').then(function (r) {
    r.hdas.forEach(upsertHdaCard);
    updateSummary(r.hdas);
  });
}

function refreshHda(id) {
  return api('GET', '/api/hdas/' + encodeURIComponent(id)).then(function (r) {
    setBadge($('.page-header [data-live=status]'), r.hda.status);
    r.installs.forEach(function (i) {
      var row = $('[data-install-id="' + i.id + '"]');
      if (row) setBadge($('[data-live=state]', row), i.state);
    });
  });
}

function startLiveUpdates() {
  var page = document.body.getAttribute('data-page');
  var hdaRoot = $('[data-hda-id]');
  var refresh = page === 'dashboard' ? refreshDashboard : page === 'hda' && hdaRoot ? function () { return refreshHda(hdaRoot.getAttribute('data-hda-id')); } : null;
  if (!refresh) return;
  var last = Date.now();
  var tick = function () {
    if (document.visibilityState !== 'visible') return;
    last = Date.now();
    refresh().catch(function () {});
  };
  setInterval(tick, LIVE_EVERY_MS);
  // Back on a tab after a while: one refresh now rather than waiting for the next tick.
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && Date.now() - last >= LIVE_EVERY_MS) tick();
  });
}
`;
