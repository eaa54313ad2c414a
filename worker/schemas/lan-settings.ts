/** What the LAN settings routes answer: the owner's choice, what the agent reports in force, and the task applying it. */
import { z } from '@hono/zod-openapi';
import { LanSettingsSchema, TASK_STATES } from '../../core/protocol';
import { NAMES_MODES, TLS_MODES } from '../../core/protocol/lan-modes';

const InForce = z
  .strictObject({
    names: z.enum(NAMES_MODES),
    /** Null when HTTPS is off on the HDA (the agent's --https-port 0). */
    certificates: z.enum(TLS_MODES).nullable(),
    https_redirect: z.boolean().nullable(),
    https_port: z.number().int().nullable(),
  })
  .openapi('LanInForce', { description: "What the agent's last heartbeat reports in force" });

const LanSettingsTask = z
  .strictObject({
    id: z.string(),
    state: z.enum(TASK_STATES),
    url: z.string(),
    /** What the task's last step said (the reason, when it failed). */
    detail: z.string().nullable(),
    failed_step: z.string().nullable(),
  })
  .openapi('LanSettingsTask');

export const LanSettingsViewSchema = z
  .strictObject({
    /** The owner's settings; absent: the agent's own flags decide (optional, not nullable: the body's component stays non-null). */
    settings: LanSettingsSchema.optional(),
    in_force: InForce.nullable(),
    /** A lan-settings task is queued or running: the settings are not in force yet. */
    pending: z.boolean(),
    task: LanSettingsTask.nullable(),
  })
  .openapi('LanSettingsView');
