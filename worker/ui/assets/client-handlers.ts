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

forms['create-hda'] = function (form, v) {
  return api('POST', '/api/hdas', { name: v.name, domain: v.domain.trim() }).then(function (r) {
    showEnrollment(r, r.hda.name, r.hda.id);
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

/** Logs are a task too: ask for them, then follow that task inline. */
clicks.logs = function (btn) {
  return api('POST', '/api/installs/' + encodeURIComponent(btn.getAttribute('data-install')) + '/logs', { tail: 200 }).then(function (r) {
    var holder = $('#logs-view');
    holder.textContent = '';
    var panel = h('section', { class: 'task-inline', 'data-task-id': r.task.id, 'data-final': '0' }, [
      h('div', { class: 'card-head' }, [h('h3', { text: 'Last 200 lines' }), h('span', { class: 'badge tone-busy', 'data-task-state': '1', 'data-state': 'queued', text: 'Queued' })]),
      h('p', { class: 'note small', 'data-waiting': '1', text: 'Waiting for the HDA’s agent to send them…' }),
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

/** Publish: create the app if it is new, then the version; show what the catalog made of it. */
forms.publish = function (form, v) {
  var slug = v.slug.trim();
  $('#publish-result').hidden = true;
  var ensureApp = api('GET', '/api/catalog/apps/' + encodeURIComponent(slug)).then(null, function (err) {
    if (err.status !== 404) throw err;
    var app = { slug: slug, name: v.name.trim() };
    if (v.description && v.description.trim()) app.description = v.description.trim();
    if (v.homepage && v.homepage.trim()) app.homepage = v.homepage.trim();
    return api('POST', '/api/catalog/apps', app);
  });
  return ensureApp.then(function () {
    var body = { version: v.version.trim(), kind: v.kind.trim() };
    body[v.source_kind === 'compose' ? 'compose' : 'install_script'] = v.source;
    return api('POST', '/api/catalog/apps/' + encodeURIComponent(slug) + '/versions', body).catch(function (err) {
      if (err.status === 400) err.message = 'Not published: ' + err.message + '.';
      throw err;
    });
  }).then(function (r) {
    var out = $('#publish-result');
    var ver = r.version;
    fill(out, 'title', slug + ' ' + ver.version);
    setBadge($('[data-fill=status]', out), ver.status);
    fill(out, 'compose', ver.normalized_compose || '');
    var holder = $('[data-fill=findings]', out);
    holder.textContent = '';
    holder.appendChild(findingsList(ver.findings));
    fillHref(out, 'app-link', '/catalog/' + encodeURIComponent(slug));
    out.hidden = false;
    out.scrollIntoView({ behavior: 'smooth', block: 'start' });
  });
};
`;
