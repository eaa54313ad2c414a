/**
 * The live task view: the server renders the frame and the task's state; the client script fills the
 * steps from the Server-Sent Events stream of /api/tasks/:id (it replays every event from the start).
 */
import { Badge, When } from './components';
import { ACTION_LABELS, stepLabel } from './format';
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
        Queued <When iso={t.created_at} now={props.now} />
        {t.attempts > 1 ? ` · attempt ${t.attempts}` : ''}
      </p>
      {!final && t.state === 'queued' && (
        <p class="note small" data-waiting="1">
          Waiting for the HDA's agent to pick this up…
        </p>
      )}
      <details class="task-details" open={!(final && props.collapseWhenFinal)}>
        <summary>Steps</summary>
        <ol class="steps" data-steps="1"></ol>
      </details>
      <div class="task-result" data-result="1" hidden={!final}>
        {final && t.state === 'failed' && (
          <p class="result result-bad">
            Failed{t.failed_step ? ` at “${stepLabel(t.failed_step)}”` : ''}: {t.detail ?? 'no reason given'}
          </p>
        )}
        {final && t.state === 'succeeded' && <p class="result result-good">Done. {t.detail ?? ''}</p>}
        {final && t.state === 'cancelled' && <p class="result">Cancelled. {t.detail ?? ''}</p>}
      </div>
    </section>
  );
};
