/** Client script, part 4: keeps online/offline and install states fresh on the dashboard and HDA pages. */
export const CLIENT_LIVE = String.raw`
var LIVE_EVERY_MS = 15000;

function refreshDashboard() {
  return api('GET', '/api/hdas').then(function (r) {
    r.hdas.forEach(function (hda) {
      var card = $('[data-hda-id="' + hda.id + '"]');
      if (!card) return;
      setBadge($('[data-live=status]', card), hda.status);
      var seen = $('[data-live=last-seen]', card);
      if (seen) seen.textContent = timeAgo(hda.last_seen_at);
    });
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
  setInterval(function () {
    if (document.visibilityState === 'visible') refresh().catch(function () {});
  }, LIVE_EVERY_MS);
}
`;
