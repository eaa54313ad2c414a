/**
 * Client script, part 3: the live task view. Follows /api/tasks/:id as Server-Sent Events (`progress`
 * events replay from the start, `done` ends the task) and draws them as steps: `Starting` opens a
 * step, `OK | Warning | Error` go inside it, `Progress` with {current,total} is a progress bar with
 * bytes, `Complete` closes it, `Finalized` ends the task.
 */
export const CLIENT_TASK = String.raw`
function TaskView(root) {
  this.root = root;
  this.id = root.getAttribute('data-task-id');
  this.wasFinal = root.getAttribute('data-final') === '1';
  this.steps = $('[data-steps]', root);
  this.result = $('[data-result]', root);
  this.state = $('[data-task-state]', root);
  this.groups = {};
  this.seen = 0;
  this.followS = Number(root.getAttribute('data-follow-s')) || 0;
}

TaskView.prototype.group = function (step) {
  var key = step || 'task';
  var g = this.groups[key];
  if (g) return g;
  var icon = h('span', { class: 'step-icon', 'aria-hidden': 'true', text: '\u2022' });
  var msg = h('span', { class: 'muted small step-msg' });
  var li = h('li', { class: 'step open', 'data-step': key }, [
    h('div', { class: 'step-head' }, [icon, h('span', { class: 'step-title', text: stepLabel(step) }), msg]),
    h('div', { class: 'pulls' }),
    h('ul', { class: 'step-events' })
  ]);
  this.steps.appendChild(li);
  g = { li: li, icon: icon, msg: msg, pulls: li.children[1], events: li.children[2], bars: {} };
  this.groups[key] = g;
  return g;
};

TaskView.prototype.mark = function (g, how) {
  g.li.className = 'step ' + how;
  g.icon.textContent = how === 'done' ? '\u2713' : how === 'failed' ? '\u2715' : '\u2022';
};

TaskView.prototype.line = function (g, status, message) {
  if (!message) return;
  g.events.appendChild(h('li', { class: 'ev-' + status, text: (status === 'Error' ? 'Error: ' : status === 'Warning' ? 'Warning: ' : '') + message }));
};

TaskView.prototype.progress = function (g, data, message) {
  var key = data.image || data.layer || data.id || message || 'progress';
  var bar = g.bars[key];
  if (!bar) {
    var bytes = h('span', { class: 'pull-bytes' });
    var meter = h('progress', { max: '1', 'aria-label': String(key) });
    var row = h('div', { class: 'pull' }, [h('div', { class: 'pull-head' }, [h('span', { class: 'pull-name', text: String(key) }), bytes]), meter]);
    g.pulls.appendChild(row);
    bar = g.bars[key] = { bytes: bytes, meter: meter };
  }
  var current = Number(data.current) || 0;
  var total = Number(data.total) || 0;
  var text;
  if (total > 0) {
    bar.meter.max = total;
    bar.meter.value = Math.min(current, total);
    text = formatBytes(current) + ' of ' + formatBytes(total) + ' (' + Math.floor((100 * Math.min(current, total)) / total) + '%)';
  } else {
    bar.meter.removeAttribute('value');
    text = formatBytes(current);
  }
  if (data.layers) text += ' \u00b7 ' + (data.layers_done || 0) + '/' + data.layers + ' layers';
  bar.bytes.textContent = text;
};

/**
 * Container log lines: a logs task's events carry {container, stream, lines}. Each container's
 * stdout and stderr get their own labelled block, stderr marked in red, so they are never mixed.
 */
TaskView.prototype.logLines = function (g, data) {
  g.logs = g.logs || {};
  var stream = data.stream === 'stderr' ? 'stderr' : 'stdout';
  var key = (data.container || '') + ' ' + stream;
  var pre = g.logs[key];
  if (!pre) {
    pre = h('pre', { class: 'code log log-' + stream, 'data-stream': stream, 'data-container': data.container || '' });
    var head = h('div', { class: 'log-head' }, [
      h('span', { class: 'log-container', text: data.container || 'container' }),
      h('span', { class: 'log-stream log-stream-' + stream, text: stream === 'stderr' ? 'stderr · errors' : 'stdout' })
    ]);
    g.li.appendChild(h('div', { class: 'log-block log-block-' + stream }, [head, pre]));
    g.logs[key] = pre;
  }
  var atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  data.lines.forEach(function (line) { pre.appendChild(document.createTextNode(String(line) + '\n')); });
  if (atBottom) pre.scrollTop = pre.scrollHeight;
};

/** Space freed by a prune: a Finalized event's bytes_freed is the total, else the sum of the others'. */
TaskView.prototype.countFreed = function (e, data) {
  var n = Number(data.bytes_freed);
  if (!isFinite(n) || n < 0) return;
  if (e.status === 'Finalized') this.freedTotal = n;
  else this.freedSum = (this.freedSum || 0) + n;
};

TaskView.prototype.freedBytes = function () {
  return this.freedTotal != null ? this.freedTotal : this.freedSum != null ? this.freedSum : null;
};

TaskView.prototype.banner = function (tone, text) {
  this.result.textContent = '';
  this.result.appendChild(h('p', { class: 'result' + (tone ? ' result-' + tone : ''), text: text }));
  this.result.hidden = false;
};

TaskView.prototype.event = function (e) {
  if (e.seq <= this.seen) return;
  this.seen = e.seq;
  var waiting = $('[data-waiting]', this.root);
  if (waiting) waiting.remove();
  if (this.state && this.state.getAttribute('data-state') === 'queued') setBadge(this.state, 'claimed', 'running');
  var data = e.data || {};
  if (data.bytes_freed != null) this.countFreed(e, data);
  if (e.status === 'Finalized') {
    var freed = this.freedBytes();
    this.banner('good', 'Finalized: ' + (e.message || 'finished') + (freed != null ? ' · ' + formatBytes(freed) + ' freed' : ''));
    return;
  }
  if (this.followS && !this.followUntil) this.startCountdown();
  var g = this.group(e.step);
  if (e.status === 'Starting') {
    this.mark(g, 'open');
    g.msg.textContent = e.message || '';
  } else if (e.status === 'Complete') {
    this.mark(g, 'done');
    if (e.message && !/^(done|ok|complete)\.?$/i.test(e.message) && e.message !== g.msg.textContent) this.line(g, 'Complete', e.message);
  } else if (e.status === 'Progress') {
    this.progress(g, data, e.message);
  } else if (Array.isArray(data.lines)) {
    this.logLines(g, data);
  } else {
    if (e.status === 'Error') this.mark(g, 'failed');
    this.line(g, e.status, e.message);
  }
};

/** A followed logs task: how long it still streams. */
TaskView.prototype.startCountdown = function () {
  var self = this;
  this.followUntil = Date.now() + this.followS * 1000;
  this.countdown = h('p', { class: 'muted small follow-left' });
  this.steps.parentNode.insertBefore(this.countdown, this.steps);
  var tick = function () {
    var left = Math.max(0, Math.round((self.followUntil - Date.now()) / 1000));
    self.countdown.textContent = 'Following: new lines appear as they are written · ' + left + ' s left';
  };
  tick();
  this.timer = setInterval(tick, 1000);
};

TaskView.prototype.stop = function () {
  if (this.source) this.source.close();
  if (this.timer) clearInterval(this.timer);
};

TaskView.prototype.done = function (task) {
  if (this.timer) { clearInterval(this.timer); this.timer = null; }
  if (this.countdown) this.countdown.textContent = 'Stopped following.';
  setBadge(this.state, task.state);
  this.root.classList.add('task-' + task.state);
  var self = this;
  Object.keys(this.groups).forEach(function (k) {
    var g = self.groups[k];
    if (g.li.className.indexOf('open') < 0) return;
    self.mark(g, task.state === 'failed' && (!task.failed_step || task.failed_step === k) ? 'failed' : task.state === 'succeeded' ? 'done' : 'open');
  });
  if (task.state === 'failed') {
    this.banner('bad', 'Failed' + (task.failed_step ? ' at \u201c' + stepLabel(task.failed_step) + '\u201d' : '') + ': ' + (task.detail || 'no reason given'));
  } else if (task.state === 'succeeded') {
    var freed = this.freedBytes();
    if (this.root.getAttribute('data-kind') === 'prune' || freed != null) {
      this.banner('good', 'Done: ' + (freed != null ? formatBytes(freed) + ' freed.' : 'unused images removed.') + (task.detail ? ' ' + task.detail : ''));
      var out = this.result.firstChild;
      if (out && freed != null) out.setAttribute('data-freed-bytes', String(freed));
    } else if (!$('.result-good', this.result)) this.banner('good', 'Done. ' + (task.detail || ''));
  } else {
    this.banner('', 'Cancelled. ' + (task.detail || ''));
  }
  this.root.setAttribute('data-final', '1');
  if (this.root.getAttribute('data-reload-on-done') && !this.wasFinal) {
    setTimeout(function () { if (!leaving) location.reload(); }, 1500);
  }
};

TaskView.prototype.follow = function () {
  var self = this;
  var source = this.source = new EventSource('/api/tasks/' + encodeURIComponent(this.id));
  source.addEventListener('progress', function (m) { self.event(JSON.parse(m.data)); });
  source.addEventListener('done', function (m) {
    source.close();
    self.done(JSON.parse(m.data));
  });
  source.onerror = function () {
    if (source.readyState === EventSource.CLOSED && self.root.getAttribute('data-final') !== '1') {
      self.banner('bad', 'Live updates stopped. Reload the page to see the latest state.');
    }
  };
};

function startTaskViews() {
  $all('[data-task-stream]').forEach(function (root) { new TaskView(root).follow(); });
}
`;
