/** How rows look in API responses: ISO times, parsed JSON, no secrets (token and code hashes stay in). */
import type { AppStatus, LanAppHealth, LanHealth } from '../core/protocol';
import type { Deps } from './context';
import type { AppRow, VersionRow } from './services/catalog';
import type { HdaRow } from './services/hdas';
import { isOnline } from './services/presence';
import type { DeploymentRow, InstallRow } from './services/installs';
import type { tasks, taskEvents } from '../db/schema';
import type { z } from '@hono/zod-openapi';
import type { AppSchema, VersionSchema } from './schemas/catalog';
import type { HdaSchema } from './schemas/hdas';
import type { DeploymentSchema, InstallSchema } from './schemas/installs';
import type { TaskEventSchema, TaskSchema } from './schemas/tasks';

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

export function appView(app: AppRow): z.output<typeof AppSchema> {
  return {
    slug: app.slug,
    name: app.name,
    description: app.description,
    homepage: app.homepage,
    category: app.category,
    icon_url: app.iconUrl,
    created_at: iso(app.createdAt),
  };
}

export function versionView(v: VersionRow, opts: { full?: boolean } = {}): z.output<typeof VersionSchema> {
  const content = v.contentJson;
  return {
    id: v.id,
    version: v.version,
    kind: v.kind,
    status: v.status,
    findings: v.findingsJson,
    created_at: iso(v.createdAt),
    key_id: v.keyId,
    release_notes: v.releaseNotes,
    ...(opts.full
      ? {
          normalized_compose: content.compose,
          files: content.files,
          steps: content.steps,
          install_script: v.installScript,
          uninstall_script: v.uninstallScript,
          compose: v.composeOriginal,
          signature: v.signature,
        }
      : {}),
  };
}

export function hdaView(deps: Deps, h: HdaRow): z.output<typeof HdaSchema> {
  const online = isOnline(deps, h);
  return {
    id: h.id,
    name: h.name,
    domain: h.domain,
    tags: h.tagsJson,
    status: h.revokedAt ? 'revoked' : !h.enrolledAt ? 'pending' : online ? 'online' : 'offline',
    online,
    enrolled_at: iso(h.enrolledAt),
    enrollment_expires_at: h.enrollCodeHash ? iso(h.enrollExpiresAt) : null,
    revoked_at: iso(h.revokedAt),
    last_seen_at: iso(h.lastSeenAt),
    /** Whether its agent holds the HDA channel open (it is rung when work is queued) or only polls. */
    channel: h.channelOpen ? 'open' : 'closed',
    hostname: h.hostname,
    facts: h.factsJson ?? null,
  };
}

/** The HDA's CPUs and memory (what resource limits are checked against), when it has reported them. */
export function hostLimits(h: HdaRow): { cpus?: number; memory_bytes?: number } | null {
  if (!h.factsJson) return null;
  const f = h.factsJson;
  return { ...(f.cpus ? { cpus: f.cpus } : {}), ...(f.memory_bytes ? { memory_bytes: f.memory_bytes } : {}) };
}

/** The HDA's names and certificates as last reported; the CA certificate itself is served by its own route. */
export function lanView(h: HdaRow) {
  if (!h.lanJson) return null;
  const lan: LanHealth = h.lanJson;
  const https = lan.https ? (({ ca_pem, ...rest }) => ({ ...rest, ca_download: ca_pem ? `/api/hdas/${h.id}/ca.crt` : null }))(lan.https) : null;
  return { ...lan, https };
}

/** One app's name and certificate health, when the HDA reported it. */
export function appLanOf(h: HdaRow, identifier: string): LanAppHealth | null {
  if (!h.lanJson) return null;
  return h.lanJson.apps.find((a) => a.identifier === identifier) ?? null;
}

/** The HDA's CA certificate (PEM) as its agent reported it, or null. */
export function caCertificateOf(h: HdaRow): string | null {
  return h.lanJson?.https?.ca_pem ?? null;
}

export function appStatesOf(h: HdaRow): Map<string, AppStatus> {
  const list = h.appsJson ?? [];
  return new Map(list.map((a) => [a.identifier, a]));
}

export function installView(
  i: InstallRow,
  extra: { app?: { slug: string; name: string }; version?: string; runtime?: AppStatus | null } = {},
): z.output<typeof InstallSchema> {
  return {
    id: i.id,
    hda_id: i.hdaId,
    identifier: i.identifier,
    hostname: i.hostname,
    url: `http://${i.hostname}/`,
    host_port: i.hostPort,
    state: i.state,
    desired_state: i.desiredState,
    version_id: i.versionId,
    current_deployment_id: i.currentDeploymentId,
    policy_exceptions: i.policyExceptionsJson,
    limits: i.limitsJson,
    overrides: i.overridesJson,
    update_held: i.updateHeld,
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    ...(extra.app ? { app: extra.app } : {}),
    ...(extra.version ? { version: extra.version } : {}),
    ...(extra.runtime !== undefined ? { runtime: extra.runtime } : {}),
  };
}

export function deploymentView(
  d: DeploymentRow,
  version?: string,
  extra: { taskId?: string | null; createdByEmail?: string | null } = {},
): z.output<typeof DeploymentSchema> {
  return {
    id: d.id,
    ...(extra.taskId !== undefined ? { task_id: extra.taskId } : {}),
    ...(extra.createdByEmail !== undefined ? { created_by_email: extra.createdByEmail } : {}),
    install_id: d.installId,
    version_id: d.versionId,
    ...(version ? { version } : {}),
    action: d.action,
    status: d.status,
    rollback_of: d.rollbackOf,
    detail: d.detail,
    rendered_compose: d.renderedCompose,
    images: d.imagesJson ?? null,
    created_by: d.createdBy,
    created_at: iso(d.createdAt),
    finished_at: iso(d.finishedAt),
  };
}

export function taskView(t: typeof tasks.$inferSelect): z.output<typeof TaskSchema> {
  return {
    id: t.id,
    hda_id: t.hdaId,
    install_id: t.installId,
    deployment_id: t.deploymentId,
    kind: t.kind,
    state: t.state,
    attempts: t.attempts,
    detail: t.detail,
    failed_step: t.failedStep,
    lease_until: iso(t.leaseUntil),
    created_at: iso(t.createdAt),
    claimed_at: iso(t.claimedAt),
    finished_at: iso(t.finishedAt),
  };
}

export function eventView(e: typeof taskEvents.$inferSelect): z.output<typeof TaskEventSchema> {
  return {
    seq: e.seq,
    status: e.status,
    step: e.step,
    message: e.message,
    data: e.dataJson ?? null,
    progress: e.progressJson ?? null,
    at: iso(e.at),
  };
}

/** How a route answers for a task it just queued. */
export function queuedTaskView(taskId: string) {
  return { id: taskId, state: 'queued' as const, url: `/api/tasks/${taskId}` };
}
