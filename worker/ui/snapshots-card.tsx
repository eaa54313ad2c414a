/**
 * The install page's data snapshots: when, why, size, bytes added, how long the app was down, a
 * snapshot on demand, and a restore that says first that everything written since is lost.
 */
import { Card, Empty, When } from './components';
import { formatBytes, formatDuration, formatTime, SNAPSHOT_REASON_LABELS } from './format';
import type { DeploymentView, SnapshotView } from './types';

/** Downtime is often under a second: say so precisely rather than "0 s". */
const downtime = (ms: number) => (ms < 1000 ? `${ms} ms` : ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : formatDuration(ms));

const LOSS = 'Everything the app wrote since then is lost. A snapshot of the data as it is now is taken first, so this can be undone from this list.';

interface SnapshotsProps {
  installId: string;
  snapshots: SnapshotView[];
  now: number;
  canAct: boolean;
}

const SnapshotRow = (props: Omit<SnapshotsProps, 'snapshots'> & { s: SnapshotView }) => {
  const { s } = props;
  return (
    <tr data-snapshot-id={s.id}>
      <td data-label="When">
        <When iso={s.taken_at} now={props.now} />
        <div class="muted tiny">{formatTime(s.taken_at)}</div>
      </td>
      <td data-label="Why">{SNAPSHOT_REASON_LABELS[s.reason] ?? s.reason}</td>
      <td data-label="Size">{formatBytes(s.size_bytes)}</td>
      <td data-label="Added">{formatBytes(s.added_bytes)}</td>
      <td data-label="App down">{downtime(s.downtime_ms)}</td>
      <td>
        {props.canAct && (
          <button
            type="button"
            class="btn btn-small"
            data-click="restore-snapshot"
            data-install={props.installId}
            data-snapshot={s.id}
            data-when={formatTime(s.taken_at)}
          >
            Restore
          </button>
        )}
      </td>
    </tr>
  );
};

const SnapshotsTable = (props: SnapshotsProps) => (
  <div class="table-wrap">
    <table class="history snapshots-table">
      <thead>
        <tr>
          <th>When</th>
          <th>Why</th>
          <th>Size</th>
          <th>Added</th>
          <th>App down</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        {props.snapshots.map((s) => (
          <SnapshotRow installId={props.installId} now={props.now} canAct={props.canAct} s={s} />
        ))}
      </tbody>
    </table>
  </div>
);

export const SnapshotsCard = (props: SnapshotsProps) => (
  <Card
    title="Data snapshots"
    class="snapshots"
    actions={
      props.canAct ? (
        <button type="button" class="btn btn-small" data-click="take-snapshot" data-install={props.installId}>
          Take a snapshot now
        </button>
      ) : undefined
    }
  >
    <p class="muted small">
      The app's folder and volumes are saved on the HDA before every update, rollback and purge. The app is stopped while a snapshot is taken.
    </p>
    {props.snapshots.length === 0 ? <Empty>No snapshot yet.</Empty> : <SnapshotsTable {...props} />}
  </Card>
);

/** The snapshot that holds the data as of deployment `d`: the one taken before the deployment that followed it. */
export function snapshotAsOf(d: DeploymentView, deployments: DeploymentView[], snapshots: SnapshotView[]): SnapshotView | undefined {
  const next = deployments
    .filter((x) => (x.action === 'update' || x.action === 'rollback') && (x.created_at ?? '') > (d.created_at ?? ''))
    .sort((a, b) => (a.created_at ?? '').localeCompare(b.created_at ?? ''))[0];
  return next ? snapshots.find((s) => s.deployment_id === next.id && (s.reason === 'update' || s.reason === 'rollback')) : undefined;
}

/** Confirmation for a restore and for a rollback with data: both lose what was written since. */
export const DataLossDialogs = () => (
  <>
    <dialog id="restore-dialog" class="dialog" aria-labelledby="restore-title">
      <form method="dialog" class="stack">
        <h2 id="restore-title">
          Put the app's data back as it was at <span data-fill="when"></span>?
        </h2>
        <p class="warning">{LOSS}</p>
        <div class="actions actions-end">
          <button type="submit" value="cancel" class="btn">
            Cancel
          </button>
          <button type="submit" value="confirm" class="btn btn-danger" data-confirm="restore">
            Restore the data
          </button>
        </div>
      </form>
    </dialog>
    <dialog id="rollback-data-dialog" class="dialog" aria-labelledby="rollback-data-title">
      <form method="dialog" class="stack">
        <h2 id="rollback-data-title">
          Roll back to version <span data-fill="version"></span> with its data as of <span data-fill="when"></span>?
        </h2>
        <p class="warning">{LOSS}</p>
        <div class="actions actions-end">
          <button type="submit" value="cancel" class="btn">
            Cancel
          </button>
          <button type="submit" value="confirm" class="btn btn-danger" data-confirm="rollback-data">
            Roll back with the data
          </button>
        </div>
      </form>
    </dialog>
  </>
);
