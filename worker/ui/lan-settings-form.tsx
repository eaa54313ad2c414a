/**
 * The owner's LAN settings on the HDA page: names mode, "Redirect HTTP to HTTPS", certificates from the
 * HDA's CA or ACME. Says whether the chosen settings are in force, pending (the task is queued or
 * running) or failed (with the step and reason), so a change is never silently not applied.
 */
import { NAMES_MODES, TLS_MODES } from '../../core/protocol/lan-modes';
import { LETS_ENCRYPT_DIRECTORY } from '../../core/protocol/lan-settings';
import { FormError } from './components';
import type { LanSettingsView } from './types';

/** Words for the modes this page knows; a mode added later shows by its name. */
const NAMES_WORDS: Record<string, string> = {
  dnsmasq: "This HDA's dnsmasq (point the router's DNS at the HDA)",
  mdns: 'mDNS (app.local names, for a network with its own DNS)',
  off: 'Off (the network publishes the names)',
};
const TLS_WORDS: Record<string, string> = {
  ca: "This HDA's own certificate authority (devices trust it once)",
  acme: "ACME (Let's Encrypt): the HDA's domain must be public and reach this HDA on port 80",
};

type Settings = NonNullable<LanSettingsView['settings']>;

function shown(v: LanSettingsView): Settings {
  if (v.settings) return v.settings;
  const f = v.in_force;
  return { names: f?.names ?? 'dnsmasq', https_redirect: f?.https_redirect ?? false, certificates: f?.certificates ?? 'ca' };
}

const Status = ({ v }: { v: LanSettingsView }) => {
  if (v.pending)
    return (
      <p class="small note" data-lan-settings="pending">
        Your change is pending: the HDA applies it with its next task.
      </p>
    );
  if (v.task?.state === 'failed')
    return (
      <p class="small warning" data-lan-settings="failed">
        The HDA could not apply your last change{v.task.failed_step ? ` (step ${v.task.failed_step})` : ''}: {v.task.detail}. The previous settings stay in
        force. <a href={v.task.url.replace('/api/', '/')}>Details</a>
      </p>
    );
  if (v.settings)
    return (
      <p class="small muted" data-lan-settings="in-force">
        Your settings are in force.
      </p>
    );
  return (
    <p class="small muted" data-lan-settings="flags">
      No settings chosen here yet: the agent's own options are in force.
    </p>
  );
};

const NamesField = ({ s }: { s: Settings }) => (
  <label class="field">
    <span>App names</span>
    <select name="names">
      {NAMES_MODES.map((m) => (
        <option value={m} selected={s.names === m}>
          {NAMES_WORDS[m] ?? m}
        </option>
      ))}
    </select>
  </label>
);

const CertificatesField = ({ s }: { s: Settings }) => (
  <fieldset class="field">
    <legend>Certificates</legend>
    {TLS_MODES.map((m) => (
      <label class="check">
        <input type="radio" name="certificates" value={m} checked={s.certificates === m} /> {TLS_WORDS[m] ?? m}
      </label>
    ))}
    <label class="field">
      <span>ACME account email (ACME only)</span>
      <input name="acme_email" type="email" maxlength={254} value={s.acme_email ?? ''} />
    </label>
    <label class="field">
      <span>ACME directory (ACME only)</span>
      <input name="acme_directory" type="url" maxlength={500} value={s.acme_directory ?? LETS_ENCRYPT_DIRECTORY} />
    </label>
  </fieldset>
);

export const LanSettingsForm = ({ hdaId, view }: { hdaId: string; view: LanSettingsView }) => {
  const s = shown(view);
  return (
    <details class="lan-settings" open={view.pending || view.task?.state === 'failed'}>
      <summary>Change names and HTTPS</summary>
      <Status v={view} />
      <form method="post" action="/ui/needs-script" data-form="lan-settings" data-hda={hdaId} class="stack">
        <NamesField s={s} />
        <label class="check">
          <input type="checkbox" name="https_redirect" checked={s.https_redirect} /> Redirect HTTP to HTTPS
        </label>
        <CertificatesField s={s} />
        <FormError />
        <button type="submit" class="btn btn-primary">
          Apply to this HDA
        </button>
      </form>
    </details>
  );
};
