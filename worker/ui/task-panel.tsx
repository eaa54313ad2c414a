/**
 * The live task view: the server renders the frame and the task's state; the client script fills the
 * steps from the Server-Sent Events stream of /api/tasks/:id (it replays every event from the start).
 */
import { Badge, When } from './components';
import { FailureBlock } from './failure-block';
import { ACTION_LABELS, durationBetween, formatDuration, stepLabel } from './format';
import type { TaskView } from './types';

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

interface TaskPanelProps {
  task: TaskView;
  now: number;
  title?: string;
  /** Reload the page when a task that was running at load time ends (so state and history refresh). */
  reloadOnDone?: boolean;
  /** Fold the steps away when the task had already ended at load time. */
  collapseWhenFinal?: boolean;
}

/** When it was queued, or when it finished and how long it took. */
const Timing = (props: { task: TaskView; now: number }) => {
  const t = props.task;
  if (FINAL.has(t.state)) {
    const took = durationBetween(t.claimed_at ?? t.created_at, t.finished_at);
    return (
      <>
        Finished <When iso={t.finished_at} now={props.now} />
        {t.state !== 'cancelled' && ` · took ${formatDuration(took)}`}
      </>
    );
  }
  return (
    <>
      Queued <When iso={t.created_at} now={props.now} />
    </>
  );
};

export const TaskPanel = (props: TaskPanelProps) => {
  const t = props.task;
  const final = FINAL.has(t.state);
  return (
    <section
      class={`card task${final ? ` task-${t.state}` : ''}`}
      data-task-stream="1"
      data-task-id={t.id}
      data-final={final ? '1' : '0'}
      data-reload-on-done={props.reloadOnDone ? '1' : undefined}
      aria-live="polite"
    >
      <div class="card-head">
        <h2>{props.title ?? `${ACTION_LABELS[t.kind] ?? t.kind} task`}</h2>
        <Badge state={t.state} attrs={{ 'data-task-state': '1' }} />
      </div>
      <p class="muted small">
        <span data-live="timing">
          <Timing task={t} now={props.now} />
        </span>
        {t.attempts > 1 ? ` · attempt ${t.attempts}` : ''}
      </p>
      {t.state === 'queued' && (
        <div class="note small waiting" data-waiting="1">
          <span>Waiting for the HDA's agent to pick this up…</span>
          <button type="button" class="btn btn-small" data-click="cancel-task" data-task={t.id}>
            Cancel
          </button>
          <div class="form-error" role="alert" hidden></div>
        </div>
      )}
      <details class="task-details" open={!(final && props.collapseWhenFinal)}>
        <summary>Steps</summary>
        <ol class="steps" data-steps="1"></ol>
      </details>
      <div class="task-result" data-result="1" hidden={!final}>
        {final && t.state === 'failed' && (
          <FailureBlock class="result result-bad" lead={`Failed${t.failed_step ? ` at “${stepLabel(t.failed_step)}”` : ''}: `} detail={t.detail} />
        )}
        {final && t.state === 'succeeded' && <p class="result result-good">Done. {t.detail ?? ''}</p>}
        {final && t.state === 'cancelled' && <p class="result">Cancelled. {t.detail ?? ''}</p>}
      </div>
    </section>
  );
};
