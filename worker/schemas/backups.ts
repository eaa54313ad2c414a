/** What the backup and update-control routes answer: an HDA's off-HDA backup, a replacement, an install's update offer. */
import { z } from '@hono/zod-openapi';
import { InstallBackup } from '../../core/backup/install-backup';
import { Retention } from '../../core/backup/plan';
import { PublicJwkSchema } from '../../core/backup/schemas';
import { BackupHealthSchema } from '../../core/protocol';
import { IsoTime, QueuedTask } from './common';

const PlanView = z
  .strictObject({ repository_label: z.string(), every_hours: z.number().int(), retention: Retention, updated_at: IsoTime })
  .openapi('BackupPlanView', { description: 'The plan as stored: no secrets (those exist only sealed to the agent)' });

export const BackupSchema = z
  .strictObject({
    /** The public half only: what the browser seals the repository's secrets to. */
    key: PublicJwkSchema.nullable(),
    plan: PlanView.nullable(),
    health: BackupHealthSchema.nullable(),
  })
  .openapi('Backup');

export const BackupPlanSetSchema = BackupSchema.extend({ task: QueuedTask }).openapi('BackupPlanSet');
export const BackupRunSchema = z.strictObject({ task: QueuedTask }).openapi('BackupRun');

export const ReplacementSchema = z
  .strictObject({ installs: z.array(z.strictObject({ id: z.string(), identifier: z.string(), task: QueuedTask })) })
  .openapi('Replacement');

// Inlined, not a component: the same component both nullable and not reads as nullable everywhere.
const NewerVersion = z.strictObject({ id: z.string(), version: z.string(), release_notes: z.string().nullable(), published_at: IsoTime });

export const UpdateOfferSchema = z
  .strictObject({
    held: z.boolean(),
    skipped_version: z.string().nullable(),
    available: NewerVersion.nullable(),
    newer: z.array(NewerVersion),
  })
  .openapi('UpdateOffer');

export const InstallBackupViewSchema = z
  .strictObject({
    backup: InstallBackup,
    /** The HDA's plan the install follows in mode "plan"; null while the HDA has none. */
    plan: z.strictObject({ every_hours: z.number().int(), retention: Retention }).nullable(),
  })
  .openapi('InstallBackupView');
export const InstallBackupSetSchema = InstallBackupViewSchema.extend({
  /** The backup-config task that hands the change to the agent; null when the HDA has no plan yet. */
  task: QueuedTask.nullable(),
}).openapi('InstallBackupSet');
