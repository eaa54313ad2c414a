/**
 * One install's place in its HDA's off-HDA backup: it follows the HDA's plan (the default), has its own
 * schedule and retention (same repository: no secrets here), or is left out.
 */
import { z } from 'zod';
import { InstallIdentifier } from '../protocol/fields';
import { Retention } from './plan';

export const EveryHours = z
  .number()
  .int()
  .min(1)
  .max(24 * 7);

export const InstallBackup = z
  .strictObject({
    mode: z.enum(['plan', 'own', 'excluded']),
    every_hours: EveryHours.optional(),
    retention: Retention.optional(),
  })
  .superRefine((v, ctx) => {
    const own = v.mode === 'own';
    for (const field of ['every_hours', 'retention'] as const) {
      if (own && v[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `is required when the install has its own schedule` });
      if (!own && v[field] !== undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: `is only set when the install has its own schedule (mode "own")` });
    }
  })
  .meta({ id: 'InstallBackup' });
export type InstallBackup = z.infer<typeof InstallBackup>;

/** What the agent gets: the installs that differ from the plan, by identifier (absent = plan). */
export const InstallBackups = z.record(InstallIdentifier, InstallBackup);
export type InstallBackups = z.infer<typeof InstallBackups>;

export const FOLLOWS_PLAN: InstallBackup = { mode: 'plan' };
