/** Pieces shared by the HDA page and the install page: action buttons, runtime figures, the uninstall dialog. */
import { Badge } from './components';
import { formatBytes } from './format';
import type { InstallView } from './types';

/** Install states with a task at work: no other action until it ends. */
export const BUSY_STATES = new Set(['installing', 'updating', 'uninstalling']);

export const InstallActions = (props: { install: InstallView }) => {
  const i = props.install;
  if (i.state === 'removed') return null;
  if (BUSY_STATES.has(i.state)) return <span class="muted small">Working on it…</span>;
  const btn = (action: string, label: string, cls = 'btn btn-small') => (
    <button type="button" class={cls} data-click="action" data-install={i.id} data-action={action}>
      {label}
    </button>
  );
  const uninstall = (
    <button type="button" class="btn btn-small btn-danger" data-click="uninstall" data-install={i.id} data-app-name={i.app?.name ?? i.identifier}>
      Uninstall
    </button>
  );
  // A failed install never ran: there is nothing to start or restart, only to try again or remove.
  if (i.state === 'failed')
    return (
      <div class="actions">
        {btn('retry', 'Retry install', 'btn btn-small btn-primary')}
        {uninstall}
      </div>
    );
  return (
    <div class="actions">
      {i.state === 'running' ? btn('stop', 'Stop') : btn('start', 'Start')}
      {btn('restart', 'Restart')}
      <button type="button" class="btn btn-small btn-danger" data-click="uninstall" data-install={i.id} data-app-name={i.app?.name ?? i.identifier}>
        Uninstall
      </button>
    </div>
  );
};

/** State, health, CPU and memory as the agent last reported them. */
export const Runtime = (props: { install: InstallView }) => {
  const r = props.install.runtime;
  if (!r) return <span class="muted small">No runtime report yet</span>;
  return (
    <span class="runtime small">
      <Badge state={r.state} label={`container ${r.state}`} />
      {r.health ? <Badge state={r.health} /> : null}
      {r.cpu_percent != null && <span class="metric">CPU {r.cpu_percent.toFixed(1)}%</span>}
      {r.memory_bytes != null && <span class="metric">RAM {formatBytes(r.memory_bytes)}</span>}
    </span>
  );
};

/** One dialog per page; the client script fills in which app it is about. */
export const UninstallDialog = () => (
  <dialog id="uninstall-dialog" class="dialog" aria-labelledby="uninstall-title">
    <form method="dialog" class="stack">
      <h2 id="uninstall-title">
        Uninstall <span data-fill="app-name"></span>?
      </h2>
      <p>The containers and the web address are removed. The app's data folder is kept unless you purge it.</p>
      <label class="check">
        <input type="checkbox" name="purge" value="1" /> Also delete the app's data (purge). This cannot be undone.
      </label>
      <div class="actions actions-end">
        <button type="submit" value="cancel" class="btn">
          Cancel
        </button>
        <button type="submit" value="confirm" class="btn btn-danger" data-confirm="uninstall">
          Uninstall
        </button>
      </div>
    </form>
  </dialog>
);

/** One app in a list: name, state, version (and which HDA, on the list of every app), its link and actions. */
export const InstallRow = (props: { install: InstallView; hda?: { id: string; name: string }; showRuntime?: boolean }) => {
  const i = props.install;
  return (
    <li class="install-row" data-install-id={i.id}>
      <div class="install-main">
        <a class="install-name" href={`/installs/${i.id}`}>
          {i.app?.name ?? i.identifier}
        </a>
        <Badge state={i.state} attrs={{ 'data-live': 'state' }} />
        <span class="muted small">v{i.version}</span>
        {props.hda && (
          <span class="small">
            on <a href={`/hdas/${props.hda.id}`}>{props.hda.name}</a>
          </span>
        )}
      </div>
      <a class="app-link small" href={i.url} target="_blank" rel="noopener noreferrer">
        {i.url}
      </a>
      {props.showRuntime && <Runtime install={i} />}
      <InstallActions install={i} />
    </li>
  );
};
