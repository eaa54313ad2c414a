/**
 * Client script, part 5: fleet deployments. The form on /fleet (versions of the chosen app, HDAs by
 * ticking or by tag, per-HDA NAME=value lines) and the live batch page: the batch's own SSE stream
 * (`batch` snapshots until it ends) updates each HDA's state, and the tasks in flight are followed
 * (at most three streams at once, to leave the browser connections free) to show each HDA's latest
 * Lighthouse status: Starting, OK, Warning, Error, Complete, Finalized.
 */
export const CLIENT_FLEET = String.raw`
var ITEM_LABELS = { pending: 'Waiting', queued: 'In progress', succeeded: 'Succeeded', failed: 'Failed', cancelled: 'Cancelled', rolled_back: 'Rolled back' };
var BATCH_LABELS = { running: 'Running', succeeded: 'Succeeded', failed: 'Failed', rolling_back: 'Rolling back', rolled_back: 'Rolled back', cancelled: 'Cancelled' };
var ACTION_WORDS = { install: 'Install', update: 'Update' };
var FINAL_BATCH = { succeeded: 1, failed: 1, rolled_back: 1, cancelled: 1 };
var DONE_ITEM = { succeeded: 1, failed: 1, cancelled: 1, rolled_back: 1 };
var ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** "NAME=value" lines to an object; blank lines and # comments are skipped. */
function parseEnv(text, hdaName) {
  var env = {};
  var count = 0;
  String(text || '').split(/\r?\n/).forEach(function (raw, i) {
    var line = raw.replace(/^\s+/, '');
    if (!line || line.charAt(0) === '#') return;
    var eq = line.indexOf('=');
    var name = eq < 0 ? line.trim() : line.slice(0, eq).trim();
    if (eq < 0 || !ENV_NAME.test(name)) {
      throw userError('Environment for ' + hdaName + ', line ' + (i + 1) + ': write NAME=value, where NAME is letters, digits and _ (not starting with a digit).');
    }
    env[name] = line.slice(eq + 1);
    count++;
  });
  return count ? env : null;
}

function fleetTargets(form, v) {
  var picks = $all('.hda-pick', form);
  if (v.target === 'tag') {
    return picks.filter(function (li) { return (' ' + li.getAttribute('data-tags') + ' ').indexOf(' ' + v.tag + ' ') >= 0; });
  }
  return picks.filter(function (li) { return $('input[name=hdas]', li).checked; });
}

forms.batch = function (form, v) {
  var body = { app: v.app };
  if (v.version) body.version = v.version;
  if (v.target === 'tag') {
    if (!v.tag) throw userError('Choose a tag.');
    body.tag = v.tag;
  } else {
    if (!v.hdas || !v.hdas.length) throw userError('Tick at least one HDA, or choose a tag.');
    body.hdas = v.hdas;
  }
  var c = parseInt(v.concurrency, 10);
  if (c) body.concurrency = c;
  if (v.all_or_nothing) body.all_or_nothing = true;
  var overrides = {};
  fleetTargets(form, v).forEach(function (li) {
    var id = li.getAttribute('data-hda-id');
    var env = parseEnv(v['env:' + id], li.getAttribute('data-hda-name'));
    if (env) overrides[id] = { env: env };
  });
  if (Object.keys(overrides).length) body.overrides = overrides;
  return api('POST', '/api/batches', body).then(function (r) {
    navigate('/batches/' + encodeURIComponent(r.batch.id));
  });
};

function loadVersions(form) {
  var appSel = $('select[data-versions-for]', form);
  var verSel = $('select[data-versions]', form);
  if (!appSel || !verSel || !appSel.value) return;
  var slug = appSel.value;
  api('GET', '/api/catalog/apps/' + encodeURIComponent(slug)).then(function (r) {
    if (appSel.value !== slug) return;
    verSel.textContent = '';
    var versions = (r.versions || []).filter(function (x) { return x.status !== 'rejected'; });
    verSel.appendChild(h('option', { value: '', text: versions.length ? 'The newest (' + versions[0].version + ')' : 'The newest' }));
    versions.forEach(function (x) {
      verSel.appendChild(h('option', { value: x.version, text: x.version + (x.status === 'needs_review' ? ' \u00b7 needs review' : '') }));
    });
  }, function () {});
}

/** Tag mode: the HDAs with the tag are highlighted and the ticks are off. */
function syncTargetMode(form) {
  var v = formValues(form);
  var byTag = v.target === 'tag';
  $all('.hda-pick', form).forEach(function (li) {
    var box = $('input[name=hdas]', li);
    box.disabled = byTag;
    var inTag = byTag && (' ' + li.getAttribute('data-tags') + ' ').indexOf(' ' + v.tag + ' ') >= 0;
    li.classList.toggle('in-tag', inTag);
    li.classList.toggle('dim', byTag && !inTag);
  });
}

function wireFleetForm() {
  var form = $('form[data-form=batch]');
  if (!form) return;
  form.addEventListener('change', function (ev) {
    if (ev.target.matches('select[data-versions-for]')) loadVersions(form);
    if (ev.target.name === 'target' || ev.target.name === 'tag') {
      if (ev.target.name === 'tag') $('input[name=target][value=tag]', form).checked = true;
      syncTargetMode(form);
    }
  });
  loadVersions(form);
  syncTargetMode(form);
}

/** The live batch page. */
function BatchLive(root) {
  this.root = root;
  this.id = root.getAttribute('data-batch-id');
  this.following = {};
  this.waiting = [];
  this.open = 0;
  this.maxStreams = 3;
}

BatchLive.prototype.item = function (hdaId) { return $('.batch-item[data-hda-id="' + hdaId + '"]'); };

BatchLive.prototype.block = function (li, status, step, message) {
  var box = $('[data-live=block]', li);
  box.textContent = '';
  box.appendChild(h('span', { class: 'lh lh-' + status, text: status }));
  if (step) box.appendChild(h('span', { class: 'bi-step', text: stepLabel(step) }));
  if (message) box.appendChild(h('span', { class: 'muted bi-msg', text: message }));
};

BatchLive.prototype.update = function (view) {
  var self = this;
  var b = view.batch;
  var head = $('[data-batch-state]');
  setBadge(head, b.state, BATCH_LABELS[b.state]);
  if (b.state === 'running') head.className = 'badge tone-busy'; // a batch at work, not an app that runs
  var done = 0;
  var counts = {};
  view.items.forEach(function (it) {
    if (DONE_ITEM[it.state]) done++;
    counts[it.state] = (counts[it.state] || 0) + 1;
    var li = self.item(it.hda_id);
    if (!li) return;
    var before = li.getAttribute('data-item-state');
    li.setAttribute('data-item-state', it.state);
    setBadge($('[data-live=item-state]', li), it.state, ITEM_LABELS[it.state]);
    $('[data-live=action]', li).textContent = it.action ? (ACTION_WORDS[it.action] || it.action) : '';
    if (it.detail || before !== it.state) $('[data-live=detail]', li).textContent = it.detail || '';
    if (it.task_id && li.getAttribute('data-task-id') !== it.task_id) {
      li.setAttribute('data-task-id', it.task_id);
      var links = $('[data-live=links]', li);
      links.textContent = '';
      links.appendChild(h('a', { href: '/tasks/' + encodeURIComponent(it.task_id), text: 'Task steps \u2192' }));
      if (it.install_id) links.appendChild(h('a', { href: '/installs/' + encodeURIComponent(it.install_id), text: 'The app on this HDA \u2192' }));
    }
    if (it.state === 'queued' && it.task_id) self.followTask(li, it.task_id);
    if (DONE_ITEM[it.state] && !self.following[it.task_id || it.hda_id]) {
      self.block(li, it.state === 'succeeded' ? 'Finalized' : it.state === 'failed' ? 'Error' : 'Complete', null, null);
    }
  });
  var summary = $('[data-live=summary]', this.root);
  var parts = Object.keys(counts).map(function (s) { return counts[s] + ' ' + (ITEM_LABELS[s] || s).toLowerCase(); });
  summary.textContent = done + ' of ' + view.items.length + ' done \u00b7 ' + view.items.length + ' HDA' + (view.items.length === 1 ? '' : 's') + ': ' + parts.join(', ');
  var bar = $('progress', this.root);
  if (bar) bar.value = done;
  if (FINAL_BATCH[b.state]) {
    this.root.setAttribute('data-final', '1');
    var banner = $('[data-live=banner]', this.root);
    banner.className = 'result ' + (b.state === 'succeeded' ? 'result-good' : 'result-bad');
    banner.textContent = (BATCH_LABELS[b.state] || b.state) + (b.state === 'succeeded' ? ': every HDA runs this version.' : '.');
    banner.hidden = false;
  }
};

/** Follows one HDA's task to show its latest status; at most maxStreams at once, the rest wait. */
BatchLive.prototype.followTask = function (li, taskId) {
  if (this.following[taskId]) return;
  this.following[taskId] = 'waiting';
  this.waiting.push({ li: li, taskId: taskId });
  this.pump();
};

BatchLive.prototype.pump = function () {
  var self = this;
  while (this.open < this.maxStreams && this.waiting.length) {
    var next = this.waiting.shift();
    this.open++;
    (function (li, taskId) {
      self.following[taskId] = 'open';
      var source = new EventSource('/api/tasks/' + encodeURIComponent(taskId));
      var closed = false;
      var close = function () {
        if (closed) return;
        closed = true;
        source.close();
        self.open--;
        self.pump();
      };
      source.addEventListener('progress', function (m) {
        var e = JSON.parse(m.data);
        var d = e.data || {};
        var msg = e.message || '';
        if (e.status === 'Progress' && Number(d.total) > 0) msg = formatBytes(Number(d.current) || 0) + ' of ' + formatBytes(Number(d.total));
        self.block(li, e.status, e.status === 'Finalized' ? null : e.step, msg);
      });
      source.addEventListener('done', function (m) {
        var t = JSON.parse(m.data);
        if (t.state === 'failed') self.block(li, 'Error', t.failed_step, t.detail || 'failed');
        else if (t.state !== 'succeeded') self.block(li, 'Complete', null, 'cancelled');
        close();
      });
      source.onerror = function () { if (source.readyState === EventSource.CLOSED) close(); };
    })(next.li, next.taskId);
  }
};

BatchLive.prototype.follow = function () {
  var self = this;
  if (this.root.getAttribute('data-final') === '1') return;
  var source = new EventSource('/api/batches/' + encodeURIComponent(this.id));
  source.addEventListener('batch', function (m) {
    var view = JSON.parse(m.data);
    self.update(view);
    if (FINAL_BATCH[view.batch.state]) source.close();
  });
  source.onerror = function () {
    if (source.readyState === EventSource.CLOSED && self.root.getAttribute('data-final') !== '1') {
      var banner = $('[data-live=banner]', self.root);
      banner.className = 'result result-bad';
      banner.textContent = 'Live updates stopped. Reload the page to see the latest state.';
      banner.hidden = false;
    }
  };
};

function startBatchView() {
  var root = $('[data-batch-id]');
  if (root) new BatchLive(root).follow();
}
`;
