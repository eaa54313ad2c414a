/** The JSON shapes pages read from the API (the same view functions the routes answer with). */
import type { appView, deploymentView, eventView, hdaView, lanView, installView, taskView, versionView } from '../views';
import type { Role } from '../../db/schema';

export type HdaView = ReturnType<typeof hdaView>;
export type LanView = NonNullable<ReturnType<typeof lanView>>;
export type InstallView = ReturnType<typeof installView>;
export type DeploymentView = ReturnType<typeof deploymentView>;
export type TaskView = ReturnType<typeof taskView>;
export type EventView = ReturnType<typeof eventView>;
export type AppView = ReturnType<typeof appView>;
export type VersionView = ReturnType<typeof versionView> & { normalized_compose?: string };

export type { Finding } from '../../core/catalog/types';

export interface PageUser {
  id: string;
  email: string;
  role: Role;
}

/** GET /api/batches/:id (and each `batch` event of its stream). */
export interface BatchDetail {
  batch: { id: string; state: string; concurrency: number; all_or_nothing: boolean; created_at: string | null; finished_at: string | null };
  items: BatchItemView[];
}

export interface BatchItemView {
  hda_id: string;
  hda_name: string;
  state: string;
  action: string | null;
  install_id: string | null;
  task_id: string | null;
  detail: string | null;
  updated_at: string | null;
}

/** GET /api/installs/:id/metrics */
export interface MetricsView {
  resolution: '5m' | '1h';
  points: Array<{ at: string; cpu_avg: number; cpu_max: number; memory_avg: number; memory_max: number; samples: number }>;
}
