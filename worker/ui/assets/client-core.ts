/**
 * Client script, part 1: DOM and API helpers and the two delegated listeners (form submit, button
 * click) that dispatch to the named handlers of the other parts. Plain ES2017 served as-is (no build
 * step); written without template literals so it can live in this String.raw constant.
 */
export const CLIENT_CORE = String.raw`
var forms = {};
var clicks = {};
var leaving = false;

function $(sel, root) { return (root || document).querySelector(sel); }
function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

/** Builds an element; text always goes in as text, never as HTML. */
function h(tag, attrs, children) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) {
    var v = attrs[k];
    if (v == null || v === false) return;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  });
  (children || []).forEach(function (c) {
    if (c == null) return;
    node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  });
  return node;
}

function tone(state) { return TONES[state] || 'idle'; }
function setBadge(el, state, label) {
  if (!el) return;
  el.className = 'badge tone-' + tone(state);
  el.setAttribute('data-state', state);
  var text = label || String(state).replace(/_/g, ' ');
  el.textContent = text.charAt(0).toUpperCase() + text.slice(1);
}

function formatBytes(n) {
  if (n == null || !isFinite(n)) return '\u2014';
  var units = ['B', 'KB', 'MB', 'GB', 'TB'];
  var v = n, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)) + ' ' + units[i];
}

function timeAgo(iso) {
  if (!iso) return 'never';
  var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 45) return 'just now';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  if (s < 86400) return Math.round(s / 3600) + ' h ago';
  var d = Math.round(s / 86400);
  return d + (d === 1 ? ' day ago' : ' days ago');
}

function stepLabel(step) { return step ? (STEP_LABELS[step] || step) : 'Task'; }

function ApiFailure(status, body) {
  this.status = status;
  this.body = body || {};
  this.message = (body && body.message) || ('The request failed (' + status + ').');
}

/** The one way the UI changes anything: JSON to /api/..., with the session cookie. */
function api(method, url, body) {
  var init = { method: method, headers: { accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return fetch(url, init).then(function (res) {
    return res.text().then(function (text) {
      var data = null;
      try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
      if (!res.ok) throw new ApiFailure(res.status, data);
      return data;
    });
  }, function () {
    throw new ApiFailure(0, { message: 'The server could not be reached. Check your connection and try again.' });
  });
}

/** A refusal decided in the browser (a form not filled in right), shown like the API's. */
function userError(message) { return new ApiFailure(400, { message: message }); }

function navigate(url) {
  leaving = true;
  location.assign(url);
}

var SEVERITY_WORD = { error: 'Blocked', review: 'Needs review', warning: 'Warning', info: 'Note' };
function findingsList(findings) {
  if (!findings || findings.length === 0) return h('p', { class: 'muted', text: 'No findings.' });
  return h('ul', { class: 'findings' }, findings.map(function (f) {
    return h('li', { class: 'finding sev-' + f.severity }, [
      h('span', { class: 'finding-sev', text: SEVERITY_WORD[f.severity] || f.severity }),
      h('span', { class: 'finding-rule', text: f.rule }),
      h('span', { class: 'finding-msg', text: f.message }),
      f.line ? h('code', { class: 'finding-line', text: 'line ' + f.line + ': ' + (f.text || '') }) : null
    ]);
  }));
}

function errorBox(scope) { return (scope && scope.querySelector && scope.querySelector('.form-error')) || $('#flash'); }
function clearError(scope) {
  var box = errorBox(scope);
  if (box) { box.hidden = true; box.textContent = ''; }
}
function showError(scope, err) {
  var box = errorBox(scope);
  var signedOut = err && err.status === 401;
  box.textContent = '';
  box.appendChild(document.createTextNode(signedOut ? 'Your session has ended: sign in again.' : (err && err.message) || 'Something went wrong.'));
  var findings = err && err.body && err.body.details && err.body.details.findings;
  if (findings && findings.length) box.appendChild(findingsList(findings));
  box.hidden = false;
  if (box.scrollIntoView) box.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  if (signedOut && !/^\/login/.test(location.pathname)) {
    setTimeout(function () { navigate('/login?next=' + encodeURIComponent(location.pathname + location.search)); }, 1500);
  }
}

/** A form's fields as JSON: checkboxes as booleans (or lists with data-list), radios as the checked value. */
function formValues(form) {
  var out = {};
  $all('input[name], select[name], textarea[name]', form).forEach(function (el) {
    if (el.type === 'radio') { if (el.checked) out[el.name] = el.value; return; }
    if (el.type === 'checkbox') {
      if (el.getAttribute('data-list')) {
        out[el.name] = out[el.name] || [];
        if (el.checked) out[el.name].push(el.value);
      } else out[el.name] = el.checked;
      return;
    }
    out[el.name] = el.value;
  });
  return out;
}

function fill(root, key, text) {
  $all('[data-fill="' + key + '"]', root).forEach(function (el) { el.textContent = text; });
}
function fillHref(root, key, href) {
  $all('[data-fill-href="' + key + '"]', root).forEach(function (el) { el.setAttribute('href', href); });
}

document.addEventListener('submit', function (ev) {
  var form = ev.target;
  var name = form.getAttribute && form.getAttribute('data-form');
  if (!name || !forms[name]) return;
  ev.preventDefault();
  var submitter = ev.submitter || form.querySelector('[type=submit]');
  var buttons = $all('button', form);
  clearError(form);
  buttons.forEach(function (b) { b.disabled = true; });
  form.setAttribute('aria-busy', 'true');
  Promise.resolve()
    .then(function () { return forms[name](form, formValues(form), submitter); })
    .catch(function (err) { showError(form, err); })
    .then(function () {
      form.removeAttribute('aria-busy');
      // A button a handler switched off (data-off) stays off.
      if (!leaving) buttons.forEach(function (b) { b.disabled = b.hasAttribute('data-off'); });
    });
});

document.addEventListener('click', function (ev) {
  var btn = ev.target.closest && ev.target.closest('[data-click]');
  if (!btn) return;
  var name = btn.getAttribute('data-click');
  if (!clicks[name]) return;
  ev.preventDefault();
  var scope = btn.closest('.card') || document;
  clearError(scope);
  btn.disabled = true;
  Promise.resolve()
    .then(function () { return clicks[name](btn); })
    .catch(function (err) { showError(scope, err); })
    .then(function () { if (!leaving) btn.disabled = false; });
});
`;
