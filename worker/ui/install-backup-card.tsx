/**
 * The install page's off-HDA backup card: whether the app follows its HDA's plan, has its own
 * schedule and retention, or is left out (with what that costs when the HDA is replaced).
 */
import { Card, FormError } from './components';
import type { InstallBackupView } from './types';

type Retention = NonNullable<InstallBackupView['backup']['retention']>;
const PERIODS = ['daily', 'weekly', 'monthly', 'yearly'] as const;

/** "7 daily, 4 weekly, 6 monthly" */
export const retentionText = (r: Retention) =>
  PERIODS.filter((k) => (r[k] ?? 0) > 0)
    .map((k) => `${r[k]} ${k}`)
    .join(', ');
/** "7/4/6/0": what the form's field holds. */
const retentionField = (r: Retention | undefined) => (r ? PERIODS.map((k) => r[k] ?? 0).join('/') : '7/4/6/0');

function statusOf(v: InstallBackupView): string {
  const b = v.backup;
  if (b.mode === 'excluded') return 'Not backed up off the HDA.';
  if (b.mode === 'own' && b.every_hours && b.retention) return `Its own schedule: every ${b.every_hours} h, keeps ${retentionText(b.retention)}.`;
  if (!v.plan) return "Follows the HDA's plan, once the HDA has one (set it up on the HDA's page).";
  return `Follows the HDA's plan: every ${v.plan.every_hours} h, keeps ${retentionText(v.plan.retention)}.`;
}

const ExcludedWarning = () => (
  <p class="small warning" data-install-backup="excluded-warning">
    This app has no copy off the HDA. If the HDA dies and is replaced, the app comes back on the new HDA with empty data.
  </p>
);

const ModeChoice = ({ value, current, label }: { value: string; current: string; label: string }) => (
  <label class="check">
    <input type="radio" name="mode" value={value} checked={value === current} /> {label}
  </label>
);

export const InstallBackupCard = ({ installId, view }: { installId: string; view: InstallBackupView | null }) => {
  if (!view) return null;
  const b = view.backup;
  return (
    <Card title="Off-HDA backup">
      <div class="stack" data-install-backup={b.mode}>
        <p class="small">{statusOf(view)}</p>
        {b.mode === 'excluded' && <ExcludedWarning />}
        <details>
          <summary>Change</summary>
          <form method="post" action="/ui/needs-script" data-form="install-backup" data-install={installId} class="stack">
            <ModeChoice value="plan" current={b.mode} label="Follow the HDA's plan" />
            <ModeChoice value="own" current={b.mode} label="Its own schedule" />
            <div class="field-pair">
              <label class="field">
                <span>Every (hours)</span>
                <input name="every_hours" type="number" min="1" max="168" value={String(b.every_hours ?? 24)} />
              </label>
              <label class="field">
                <span>Keep daily / weekly / monthly / yearly</span>
                <input name="retention" value={retentionField(b.retention)} pattern="\d+/\d+/\d+/\d+" />
              </label>
            </div>
            <ModeChoice value="excluded" current={b.mode} label="Leave it out of the off-HDA backup (a replacement HDA brings it back with empty data)" />
            <FormError />
            <button type="submit" class="btn btn-small">
              Save
            </button>
          </form>
        </details>
      </div>
    </Card>
  );
};
