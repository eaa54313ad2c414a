/** A task's result (`POST /agent/v1/tasks/:id/result`) and what the control plane answers. */
import { z } from 'zod';
import { AgentText, HostPort, StepField } from './fields';
import { APP_RUN_STATES, RESULT_STATES, TASK_STATES } from './kinds';

export const TaskResultInputSchema = z
  .object({
    state: z.enum(RESULT_STATES),
    /** One line a person can read: what happened, or the step and the reason it failed. */
    detail: AgentText(8000),
    /** The step that failed, when state is failed. */
    step: StepField.optional(),
    /** What the agent actually ran, recorded on the deployment (rendered compose, image digests). */
    rendered_compose: z
      .string()
      .max(512 * 1024)
      .optional(),
    images: z.record(z.string().max(500), z.string().max(200)).optional(),
    /** Installed app state after the task (running, stopped, removed). */
    app_state: z.enum(APP_RUN_STATES).optional(),
    /** The host port the app was given (install: moved off a taken one; reconfigure: the new one). */
    host_port: HostPort.optional(),
  })
  .meta({ id: 'TaskResult' });
export type TaskResultInput = z.input<typeof TaskResultInputSchema>;

/** The task's state once the result is recorded (a result for a task already ended answers its state). */
export const TaskResultAckSchema = z.object({ state: z.enum(TASK_STATES) }).meta({ id: 'TaskResultAck' });
export type TaskResultAck = z.infer<typeof TaskResultAckSchema>;
