/** Narrows a claimed task to the kind a test expects, failing the test when it is another. */
import type { ClaimedTask, TaskKind, TaskOf } from '../../core/protocol';

export function ofKind<K extends TaskKind>(task: ClaimedTask, ...kinds: K[]): TaskOf<K> {
  if (!(kinds as TaskKind[]).includes(task.kind)) throw new Error(`expected a ${kinds.join(' or ')} task, got ${task.kind}`);
  return task as TaskOf<K>;
}
