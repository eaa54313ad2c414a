/**
 * The JSON shapes the pages and the browser code read and send: named parts of the types generated
 * from the API's OpenAPI document (api-types.generated.ts), never written out by hand.
 */
import type { components } from './api-types.generated';

type Schemas = components['schemas'];

export type HdaView = Schemas['Hda'];
export type InstallView = Schemas['Install'];
export type InstallListItem = Schemas['InstallListItem'];
export type DeploymentView = Schemas['Deployment'];
export type TaskView = Schemas['Task'];
export type EventView = Schemas['TaskEvent'];
export type TaskProgress = NonNullable<EventView['progress']>;
export type AppView = Schemas['App'];
export type VersionView = Schemas['AppVersion'];
export type Finding = Schemas['Finding'];
export type PageUser = Schemas['Me'];
export type UserView = Schemas['User'];
export type BatchDetail = Schemas['BatchDetail'];
export type LanView = Schemas['LanView'];
export type LanSettingsView = Schemas['LanSettingsView'];
export type LanSettingsBody = Schemas['LanSettings'];
export type LanAppHealth = NonNullable<Schemas['InstallDetail']['lan']>;
export type PublishedPort = Schemas['PublishedPort'];
export type BatchItemView = Schemas['BatchItem'];
export type MetricsView = Schemas['Metrics'];
export type SnapshotView = Schemas['Snapshot'];
export type VersionPreview = Schemas['VersionPreview'];
export type Enrollment = Schemas['Enrollment'];
export type ApiErrorBody = Schemas['Error'];
export type AuditPage = Schemas['AuditPage'];
export type AuditEntry = Schemas['AuditEntry'];

export type NewHdaBody = Schemas['NewHda'];
export type NewUserBody = Schemas['NewUser'];
export type UserPatchBody = Schemas['UserPatch'];
export type NewPasswordBody = Schemas['NewPassword'];
export type PasswordChangeBody = Schemas['PasswordChange'];
export type NewInstallBody = Schemas['NewInstall'];
export type InstallActionBody = Schemas['InstallAction'];
export type NewAppBody = Schemas['NewApp'];
export type NewVersionBody = Schemas['NewVersion'];
export type NewBatchBody = Schemas['NewBatch'];
export type RestoreSnapshotBody = Schemas['RestoreSnapshot'];
export type UpdateControlBody = Schemas['UpdateControl'];
export type BackupView = Schemas['Backup'];
export type BackupPlanBody = Schemas['BackupPlan'];
export type UpdateOfferView = Schemas['UpdateOffer'];
export type InstallBackupView = Schemas['InstallBackupView'];
export type InstallBackupBody = Schemas['InstallBackup'];
