/** Client script, part 2: what each form and button does, always through the JSON API. */
export const CLIENT_HANDLERS = String.raw`
function safeNext(next) { return next && next.charAt(0) === '/' && next.charAt(1) !== '/' && next.charAt(1) !== '\\' ? next : '/'; }
function installTaskUrl(installId, taskId) { return '/installs/' + encodeURIComponent(installId) + '?task=' + encodeURIComponent(taskId); }
function localTime(iso) { return iso ? new Date(iso).toLocaleString() : 'soon'; }

function showEnrollment(result, name, hdaId) {
  var box = $('#enrollment-result');
  if (!box) return;
  fill(box, 'command', result.enrollment.command);
  fill(box, 'expires', localTime(result.enrollment.expires_at));
  fill(box, 'name', name || '');
  if (hdaId) fillHref(box, 'hda-link', '/hdas/' + encodeURIComponent(hdaId));
  box.hidden = false;
}

forms.login = function (form, v) {
  return api('POST', '/api/auth/login', { email: v.email, password: v.password }).then(function () {
    navigate(safeNext(form.getAttribute('data-next')));
  });
};

/** "office, eu" -> ['office', 'eu'] (the API checks each is a slug). */
function parseTags(text) {
  return (text || '').toLowerCase().split(/[\s,]+/).filter(function (t) { return t; });
}

forms['create-hda'] = function (form, v) {
  var body = { name: v.name, domain: v.domain.trim() };
  var tags = parseTags(v.tags);
  if (tags.length) body.tags = tags;
  return api('POST', '/api/hdas', body).then(function (r) {
    showEnrollment(r, r.hda.name, r.hda.id);
    if (typeof upsertHdaCard === 'function') upsertHdaCard(r.hda);
    form.reset();
  });
};

forms['create-user'] = function (form, v) {
  return api('POST', '/api/users', { email: v.email, password: v.password, role: v.role }).then(function () {
    navigate(location.pathname);
  });
};

function install(hdaId, body) {
  return api('POST', '/api/hdas/' + encodeURIComponent(hdaId) + '/installs', body).then(function (r) {
    navigate('/tasks/' + encodeURIComponent(r.task.id));
  });
}

forms.install = function (form, v, submitter) {
  var hdaId = (submitter && submitter.value) || v.hda;
  var body = { app: v.app };
  if (v.version) body.version = v.version;
  if (v.policy_exceptions && v.policy_exceptions.length) body.policy_exceptions = v.policy_exceptions;
  return install(hdaId, body);
};

clicks.install = function (btn) {
  return install(btn.getAttribute('data-hda'), { app: btn.getAttribute('data-app') });
};

function act(installId, body) {
  return api('POST', '/api/installs/' + encodeURIComponent(installId) + '/actions', body).then(function (r) {
    navigate(installTaskUrl(installId, r.task.id));
  });
}

forms.update = function (form, v) { return act(form.getAttribute('data-install'), { action: 'update', version: v.version }); };
clicks.action = function (btn) { return act(btn.getAttribute('data-install'), { action: btn.getAttribute('data-action') }); };
clicks.rollback = function (btn) {
  return act(btn.getAttribute('data-install'), { action: 'rollback', deployment: btn.getAttribute('data-deployment') });
};

/** Uninstall only after the dialog is confirmed; purge is a separate, unchecked box. */
clicks.uninstall = function (btn) {
  var dialog = $('#uninstall-dialog');
  dialog.setAttribute('data-install', btn.getAttribute('data-install'));
  fill(dialog, 'app-name', btn.getAttribute('data-app-name') || 'this app');
  $('input[name=purge]', dialog).checked = false;
  dialog.returnValue = '';
  dialog.showModal();
};

function wireUninstallDialog() {
  var dialog = $('#uninstall-dialog');
  if (!dialog) return;
  dialog.addEventListener('close', function () {
    if (dialog.returnValue !== 'confirm') return;
    var purge = $('input[name=purge]', dialog).checked;
    act(dialog.getAttribute('data-install'), { action: 'uninstall', purge: purge }).catch(function (err) { showError(document, err); });
  });
}

/** Logs are a task too: ask for them, then follow that task inline (for follow_s seconds when following). */
clicks.logs = function (btn) {
  var tail = Number(btn.getAttribute('data-tail')) || 200;
  var follow = Number(btn.getAttribute('data-follow')) || 0;
  var body = { tail: tail };
  if (follow) body.follow_s = follow;
  return api('POST', '/api/installs/' + encodeURIComponent(btn.getAttribute('data-install')) + '/logs', body).then(function (r) {
    var holder = $('#logs-view');
    if (holder.taskView) holder.taskView.stop();
    holder.textContent = '';
    var title = follow ? 'Following for ' + follow + ' s' : 'Last ' + tail + ' lines';
    var panel = h('section', { class: 'task-inline', 'data-task-id': r.task.id, 'data-final': '0', 'data-follow-s': follow ? String(follow) : null }, [
      h('div', { class: 'card-head' }, [h('h3', { text: title }), h('span', { class: 'badge tone-busy', 'data-task-state': '1', 'data-state': 'queued', text: 'Queued' })]),
      h('p', { class: 'note small', 'data-waiting': '1', text: 'Waiting for the HDA’s agent to send them…' }),
      h('ol', { class: 'steps', 'data-steps': '1' }),
      h('div', { class: 'task-result', 'data-result': '1', hidden: true })
    ]);
    holder.appendChild(panel);
    holder.taskView = new TaskView(panel);
    holder.taskView.follow();
  });
};

/** Resource limits: stored, then applied by a re-deploy whose task the page shows. */
forms.limits = function (form, v) {
  var body = {};
  var cpus = String(v.cpus || '').trim();
  var mem = String(v.memory_mb || '').trim();
  if (cpus) {
    body.cpus = Number(cpus);
    if (!(body.cpus >= 0.05)) throw userError('CPUs must be a number from 0.05 up (0.5 is half a core).');
  }
  if (mem) {
    body.memory_mb = Number(mem);
    if (!(body.memory_mb >= 6) || Math.round(body.memory_mb) !== body.memory_mb) throw userError('Memory must be a whole number of MB, 6 or more.');
  }
  var installId = form.getAttribute('data-install');
  return api('PUT', '/api/installs/' + encodeURIComponent(installId) + '/limits', body).then(function (r) {
    navigate(installTaskUrl(installId, r.task.id));
  });
};

/** Revoke only after the dialog is confirmed. */
clicks.revoke = function () {
  var dialog = $('#revoke-dialog');
  dialog.returnValue = '';
  dialog.showModal();
};

function wireRevokeDialog() {
  var dialog = $('#revoke-dialog');
  if (!dialog) return;
  dialog.addEventListener('close', function () {
    if (dialog.returnValue !== 'confirm') return;
    api('POST', '/api/hdas/' + encodeURIComponent(dialog.getAttribute('data-hda')) + '/revoke').then(function () {
      navigate(location.pathname);
    }).catch(function (err) { showError($('.manage') || document, err); });
  });
}

/** Prune is an HDA-wide task: show what is kept, follow it inline, then the space freed. */
clicks.prune = function (btn) {
  return api('POST', '/api/hdas/' + encodeURIComponent(btn.getAttribute('data-hda')) + '/prune').then(function (r) {
    var holder = $('#prune-view');
    holder.textContent = '';
    var keep = r.keep_images || [];
    var panel = h('section', { class: 'task-inline', 'data-task-id': r.task.id, 'data-final': '0', 'data-kind': 'prune' }, [
      h('div', { class: 'card-head' }, [h('h3', { text: 'Unused images' }), h('span', { class: 'badge tone-busy', 'data-task-state': '1', 'data-state': 'queued', text: 'Queued' })]),
      h('p', { class: 'muted small', text: keep.length ? 'Kept for the apps and their rollbacks: ' + keep.join(', ') : 'No image needs keeping for a rollback.' }),
      h('p', { class: 'note small', 'data-waiting': '1', text: 'Waiting for the HDA’s agent to pick this up…' }),
      h('ol', { class: 'steps', 'data-steps': '1' }),
      h('div', { class: 'task-result', 'data-result': '1', hidden: true })
    ]);
    holder.appendChild(panel);
    new TaskView(panel).follow();
  });
};

clicks.logout = function () {
  return api('POST', '/api/auth/logout').then(function () { navigate('/login'); }, function () { navigate('/login'); });
};

clicks['new-enrollment'] = function (btn) {
  return api('POST', '/api/hdas/' + encodeURIComponent(btn.getAttribute('data-hda')) + '/enrollment').then(function (r) {
    showEnrollment(r, '', null);
  });
};

clicks.copy = function (btn) {
  var src = $(btn.getAttribute('data-copy-from'));
  var text = src ? src.textContent : '';
  var done = function () {
    btn.textContent = 'Copied';
    setTimeout(function () { btn.textContent = 'Copy'; }, 1500);
  };
  if (navigator.clipboard && navigator.clipboard.writeText) return navigator.clipboard.writeText(text).then(done, function () { selectText(src); });
  selectText(src);
};
function selectText(el) {
  if (!el) return;
  var range = document.createRange();
  range.selectNodeContents(el);
  var sel = getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}

/**
 * Publish in two steps. Preview asks the catalog what it would make of the version (nothing is
 * stored); Publish is only possible for the input that was previewed and not refused. A new app is
 * created just before its first version, so a refused version never leaves an empty app behind.
 */
var lastPreview = null;

function publishInput(v) {
  var body = { version: v.version.trim(), kind: v.kind.trim() };
  body[v.source_kind === 'compose' ? 'compose' : 'install_script'] = v.source;
  return body;
}
function publishKey(v) { return JSON.stringify([v.slug.trim(), v.name.trim(), v.version.trim(), v.kind.trim(), v.source_kind, v.source]); }

function setPublishable(form, on, hint) {
  var btn = $('[data-publish]', form);
  if (on) { btn.removeAttribute('data-off'); btn.disabled = false; btn.className = 'btn btn-primary'; }
  else { btn.setAttribute('data-off', '1'); btn.disabled = true; btn.className = 'btn'; }
  var preview = $('button[value=preview]', form);
  preview.className = on ? 'btn' : 'btn btn-primary';
  fill(form, 'publish-hint', hint);
}

var VERDICT = {
  ready: 'Ready: owners can install it as it is.',
  needs_review: 'Needs review: it asks for something the safety policy does not allow by default; an owner must allow it for their install.',
  rejected: 'Refused: it cannot be installed as it is. Fix what is blocked below and preview again.'
};

/** One line per Compose dialect: whether an HDA driving it can run the version, and why not. */
function dialectsText(dialects) {
  if (!dialects) return '';
  return ['v2', 'v1'].filter(function (d) { return dialects[d]; }).map(function (d) {
    var v = dialects[d];
    return 'Compose ' + d + ': ' + (v.ok ? 'runs it.' : 'cannot run it (' + (v.reasons || []).join('; ') + ').');
  }).join(' ');
}

function showPublishResult(kind, slug, version, status, findings, compose, dialects) {
  var out = $('#publish-result');
  fill(out, 'result-title', kind === 'published' ? 'Published' : 'Preview');
  fill(out, 'title', slug + ' ' + version);
  var badge = $('[data-fill=status]', out);
  if (status) { badge.hidden = false; setBadge(badge, status, status === 'rejected' ? 'refused' : null); } else badge.hidden = true;
  fill(out, 'verdict', status ? (kind === 'published' ? 'Signed and added to the catalog. ' : 'Nothing is stored yet. ') + VERDICT[status] : '');
  fill(out, 'dialects', dialectsText(dialects));
  var holder = $('[data-fill=findings]', out);
  holder.textContent = '';
  holder.appendChild(findingsList(findings));
  $('[data-compose-block]', out).hidden = !compose;
  fill(out, 'compose', compose || '');
  var link = $('[data-fill-href=app-link]', out);
  link.hidden = kind !== 'published';
  fillHref(out, 'app-link', '/catalog/' + encodeURIComponent(slug));
  out.hidden = false;
  out.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

function appExists(slug) {
  return api('GET', '/api/catalog/apps/' + encodeURIComponent(slug)).then(function () { return true; }, function (err) {
    if (err.status === 404) return false;
    throw err;
  });
}

function previewVersion(form, v) {
  var slug = v.slug.trim();
  var key = publishKey(v);
  lastPreview = null;
  $('#publish-result').hidden = true;
  return appExists(slug).then(function (exists) {
    return api('POST', '/api/catalog/apps/' + encodeURIComponent(slug) + '/versions/preview', publishInput(v)).then(function (r) {
      lastPreview = { key: key, status: r.status, exists: exists };
      showPublishResult('preview', slug, v.version.trim(), r.status, r.findings, r.normalized_compose, r.dialects);
      if (r.status === 'rejected') setPublishable(form, false, 'This version would be refused: nothing can be published.');
      else setPublishable(form, true, exists ? 'Looks right? Publish it.' : 'Looks right? Publishing creates the app, then this version.');
    }, function (err) {
      if (!(err.status === 404 && !exists)) throw err;
      // The server previews versions of apps that exist; a new app's first version is checked when published.
      lastPreview = { key: key, status: null, exists: false };
      showPublishResult('preview', slug, v.version.trim(), null, [], '');
      fill($('#publish-result'), 'verdict', 'This is a new app: the server checks its first version when you publish. If that version is refused, the app is created without a version.');
      setPublishable(form, true, 'Publishing creates the app, then this version.');
    });
  });
}

function publish(form, v) {
  var slug = v.slug.trim();
  if (!lastPreview || lastPreview.key !== publishKey(v)) {
    setPublishable(form, false, 'The input changed: preview it again first.');
    throw userError('Preview this version first: publishing needs a preview of exactly this input.');
  }
  if (lastPreview.status === 'rejected') throw userError('This version would be refused: fix it and preview again.');
  var ensureApp = appExists(slug).then(function (exists) {
    if (exists) return null;
    var app = { slug: slug, name: v.name.trim() };
    if (v.description && v.description.trim()) app.description = v.description.trim();
    if (v.homepage && v.homepage.trim()) app.homepage = v.homepage.trim();
    return api('POST', '/api/catalog/apps', app);
  });
  return ensureApp.then(function () {
    return api('POST', '/api/catalog/apps/' + encodeURIComponent(slug) + '/versions', publishInput(v)).catch(function (err) {
      if (err.status === 400) err.message = 'Not published: ' + err.message + '.';
      throw err;
    });
  }).then(function (r) {
    var ver = r.version;
    lastPreview = null;
    setPublishable(form, false, 'Published. Change the version to publish another.');
    showPublishResult('published', slug, ver.version, ver.status, ver.findings, ver.normalized_compose);
  });
}

forms.publish = function (form, v, submitter) {
  return submitter && submitter.value === 'publish' ? publish(form, v) : previewVersion(form, v);
};

function wirePublishForm() {
  var form = $('form[data-form=publish]');
  if (!form) return;
  form.addEventListener('input', function () {
    if (lastPreview && form.getAttribute('aria-busy') !== 'true') {
      lastPreview = null;
      setPublishable(form, false, 'Changed since the preview: preview again before publishing.');
    }
  });
}
`;
