/**
 * The live task view: the server renders the frame and the task's state; the client script fills the
 * steps from the Server-Sent Events stream of /api/tasks/:id (it replays every event from the start).
 */
import { Badge, When } from './components';
import { ACTION_LABELS, stepLabel } from './format';
import type { TaskView } from './types';

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

export const TaskPanel = (props: { task: TaskView; now: number; reloadOnDone?: boolean; title?: string }) => {
  const t = props.task;
  const final = FINAL.has(t.state);
  return (
    <section
      class="card task"
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
      <ol class="steps" data-steps="1"></ol>
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
