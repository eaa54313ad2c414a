/**
 * The HDA page's off-HDA backup card: health (last success, next run, repository size, last error),
 * and the form whose secrets the browser seals to the HDA's key before they leave the page; the
 * recovery key is shown once, by the browser, after the plan is stored.
 */
import type { BackupView } from './types';
import { Card, FormError } from './components';
import { formatBytes, formatTime } from './format';

const Health = ({ b }: { b: BackupView }) => {
  const h = b.health;
  if (!b.plan) return <p class="muted small">No off-HDA backup yet. Your apps' data lives only on this HDA.</p>;
  const retention = Object.entries(b.plan.retention)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return (
    <>
      <dl class="facts" data-backup-health="1">
        <div class="fact">
          <dt>Repository</dt>
          <dd>{b.plan.repository_label}</dd>
        </div>
        <div class="fact">
          <dt>Schedule</dt>
          <dd>
            every {b.plan.every_hours} h; keeps {retention}
          </dd>
        </div>
        <div class="fact">
          <dt>Last success</dt>
          <dd data-backup="last-success">{h?.last_success_at ? formatTime(h.last_success_at) : 'not yet'}</dd>
        </div>
        <div class="fact">
          <dt>Next run</dt>
          <dd>{h?.next_run_at ? formatTime(h.next_run_at) : 'within the hour'}</dd>
        </div>
        <div class="fact">
          <dt>Repository size</dt>
          <dd>{h?.repository_size != null ? formatBytes(h.repository_size) : '—'}</dd>
        </div>
      </dl>
      {h?.last_error && (
        <p class="small warning" data-backup="last-error">
          The last backup failed ({formatTime(h.last_error.at)}): {h.last_error.message}
        </p>
      )}
    </>
  );
};

/** Where the backups go: the fields whose values the browser seals (address, password, credentials). */
const RepositoryFields = () => (
  <>
    <label class="field">
      <span>Recovery key (replacing an HDA: paste it and leave the repository fields empty)</span>
      <textarea name="recovery_key" rows={2} class="mono" spellcheck={false} autocomplete="off"></textarea>
    </label>
    <label class="field">
      <span>restic repository</span>
      <input name="repository" maxlength={500} placeholder="rest:https://backup.example.com/home, s3:https://…/bucket, sftp:user@host:/path" />
    </label>
    <label class="field">
      <span>Label (shown here and in errors)</span>
      <input name="repository_label" required maxlength={200} placeholder="R2 bucket" />
    </label>
    <label class="field">
      <span>Repository password (empty: a new one is generated)</span>
      <input name="password" type="password" autocomplete="new-password" maxlength={1000} />
    </label>
    <label class="field">
      <span>Credentials (NAME=value per line, e.g. AWS_ACCESS_KEY_ID)</span>
      <textarea name="env" rows={2} class="mono" spellcheck={false}></textarea>
    </label>
  </>
);

const ScheduleFields = () => (
  <div class="field-pair">
    <label class="field">
      <span>Every (hours)</span>
      <input name="every_hours" type="number" min="1" max="168" value="24" required />
    </label>
    <label class="field">
      <span>Keep daily / weekly / monthly</span>
      <input name="retention" value="7/4/6" pattern="\d+/\d+/\d+" required />
    </label>
  </div>
);

const PlanForm = ({ hdaId, b }: { hdaId: string; b: BackupView }) => (
  <details class="backup-setup">
    <summary>{b.plan ? 'Change the repository or schedule' : 'Set up backups'}</summary>
    <form method="post" action="/ui/needs-script" data-form="backup-plan" data-hda={hdaId} data-key={JSON.stringify(b.key)} class="stack">
      <p class="muted small">The address, password and credentials are encrypted in this browser to this HDA's key: the control plane never sees them.</p>
      <RepositoryFields />
      <ScheduleFields />
      <FormError />
      <button type="submit" class="btn btn-primary">
        Save and connect
      </button>
    </form>
  </details>
);

/** Filled by the browser right after a new repository is set up; never drawn by the server. */
const RecoveryKeyOnce = () => (
  <div id="recovery-key" hidden>
    <p class="small warning">
      <strong>Your recovery key, shown once.</strong> Print it or keep it in a password manager. Without it nobody can read these backups; with it a new HDA can
      restore them.
    </p>
    <pre class="wrap-code" data-fill="recovery-key"></pre>
  </div>
);

export const BackupCard = ({ hdaId, b }: { hdaId: string; b: BackupView }) => (
  <Card title="Backups off the HDA">
    <Health b={b} />
    {b.plan && (
      <div class="actions">
        <button type="button" class="btn btn-small" data-click="backup-run" data-hda={hdaId}>
          Back up now
        </button>
      </div>
    )}
    {b.key ? <PlanForm hdaId={hdaId} b={b} /> : <p class="muted small">The agent has not sent its backup key yet; it does with its next report.</p>}
    <RecoveryKeyOnce />
  </Card>
);

export interface ReplaceableHda {
  id: string;
  name: string;
}

/** On a new, empty HDA: take the apps of a dead one of the same domain, their data from the off-HDA backup. */
export const ReplaceCard = ({ hdaId, candidates, ready }: { hdaId: string; candidates: ReplaceableHda[]; ready: boolean }) =>
  candidates.length === 0 ? null : (
    <Card title="Replace a dead HDA">
      <form method="post" action="/ui/needs-script" data-form="replace-hda" data-hda={hdaId} class="stack">
        {!ready && <p class="note small">First set up this HDA's backups with the dead HDA's recovery key (above): its apps' data comes from there.</p>}
        <label class="field">
          <span>This HDA replaces</span>
          <select name="old_hda" disabled={!ready}>
            {candidates.map((h) => (
              <option value={h.id}>{h.name}</option>
            ))}
          </select>
        </label>
        <p class="muted small">
          Every app of that HDA is installed here as it was (same addresses, ports and versions) with its latest backed-up data, and that HDA's access is
          revoked.
        </p>
        <FormError />
        <button type="submit" class="btn btn-danger" disabled={!ready} data-off={ready ? undefined : '1'}>
          Replace it
        </button>
      </form>
      <div data-replacement-progress="1"></div>
    </Card>
  );
