/** The JSON shapes pages read from the API (the same view functions the routes answer with). */
import type { appView, deploymentView, eventView, hdaView, installView, taskView, versionView } from '../views';
import type { Role } from '../../db/schema';

export type HdaView = ReturnType<typeof hdaView>;
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
