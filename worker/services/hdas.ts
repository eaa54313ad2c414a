/**
 * HDAs: created by an owner with a one-time enrollment code, enrolled by their agent (which gets a
 * token bound to that one HDA), kept fresh by heartbeats that write only when something changed.
 */
import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { EnrollRequest, EnrollResponse, HeartbeatInput } from '../../core/protocol';
import { hdas, installs } from '../../db/schema';
import { randomToken, sha256Hex, timingSafeEqualText } from '../auth/encoding';
import type { AgentIdentity, Deps, Actor } from '../context';
import { atomically } from '../db';
import { conflict, notFound, unauthorized } from '../errors';
import type { BatchItem } from 'drizzle-orm/batch';
import { CHANNEL_SEEN_REFRESH_S, isOnline } from './presence';
import { hangUpHda } from './queue';
import { auditStatement, byUser } from './audit';
import { acceptedSamples, metricStatements } from './metrics';
import { loadJwks } from './signer';

export type HdaRow = typeof hdas.$inferSelect;

/** The HDA if the user may see it; another owner's HDA is indistinguishable from a missing one. */
export async function ownedHda(deps: Deps, user: Actor, hdaId: string): Promise<HdaRow> {
  const [hda] = await deps.db.select().from(hdas).where(eq(hdas.id, hdaId)).limit(1);
  if (!hda || (user.role !== 'admin' && hda.ownerId !== user.id)) throw notFound('HDA');
  return hda;
}

export async function listHdas(deps: Deps, user: Actor): Promise<HdaRow[]> {
  const q = deps.db.select().from(hdas);
  return user.role === 'admin' ? q.orderBy(hdas.name) : q.where(eq(hdas.ownerId, user.id)).orderBy(hdas.name);
}

// Crockford-style alphabet: no 0/O, 1/I/L confusion when a person types the code.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';

function newEnrollmentCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(15));
  const chars = Array.from(bytes, (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]);
  return [0, 5, 10].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

const normalizeCode = (code: string) => code.trim().toUpperCase();

/** An owner's HDAs have distinct names (ignoring case): two "Living room"s cannot be told apart. */
async function assertNameFree(deps: Deps, ownerId: string, name: string): Promise<void> {
  const [taken] = await deps.db
    .select({ id: hdas.id })
    .from(hdas)
    .where(and(eq(hdas.ownerId, ownerId), sql`lower(${hdas.name}) = lower(${name})`))
    .limit(1);
  if (taken) throw conflict(`you already have an HDA named “${name}”: choose another name`, { field: 'name', hda_id: taken.id });
}

export async function createHda(deps: Deps, user: Actor, input: { name: string; domain: string; tags?: string[] }) {
  await assertNameFree(deps, user.id, input.name);
  const now = deps.stamp();
  const code = newEnrollmentCode();
  const hda: HdaRow = {
    id: crypto.randomUUID(),
    ownerId: user.id,
    name: input.name,
    domain: input.domain.toLowerCase(),
    tagsJson: input.tags ?? [],
    tokenHash: null,
    enrollCodeHash: await sha256Hex(code),
    enrollExpiresAt: now + deps.config.enrollTtlS * 1000,
    enrolledAt: null,
    revokedAt: null,
    hostname: null,
    lastSeenAt: null,
    channelOpen: false,
    factsJson: null,
    appsJson: null,
    lanJson: null,
    stateHash: null,
    nextPortSeq: 1,
    backupKeyJson: null,
    backupPlanJson: null,
    backupHealthJson: null,
    lanSettingsJson: null,
    createdAt: now,
  };
  await atomically(deps.db, [
    deps.db.insert(hdas).values(hda),
    auditStatement(deps.db, now, { ...byUser(user), action: 'hda.create', targetKind: 'hda', targetId: hda.id }),
  ]);
  return { hda, code };
}

/** A fresh one-time code for an existing HDA (a new machine, or after a revocation). */
export async function newEnrollment(deps: Deps, user: Actor, hdaId: string) {
  const hda = await ownedHda(deps, user, hdaId);
  const now = deps.now();
  const code = newEnrollmentCode();
  await atomically(deps.db, [
    deps.db
      .update(hdas)
      .set({ enrollCodeHash: await sha256Hex(code), enrollExpiresAt: now + deps.config.enrollTtlS * 1000 })
      .where(eq(hdas.id, hda.id)),
    auditStatement(deps.db, now, { ...byUser(user), action: 'hda.enrollment_code', targetKind: 'hda', targetId: hda.id }),
  ]);
  return { hda, code };
}

export async function revokeHda(deps: Deps, user: Actor, hdaId: string) {
  const hda = await ownedHda(deps, user, hdaId);
  const now = deps.now();
  await atomically(deps.db, [
    deps.db.update(hdas).set({ tokenHash: null, enrollCodeHash: null, revokedAt: now }).where(eq(hdas.id, hda.id)),
    auditStatement(deps.db, now, { ...byUser(user), action: 'hda.revoke', targetKind: 'hda', targetId: hda.id }),
  ]);
  await hangUpHda(deps, hda.id); // waiting polls re-check and get 401; no idle answer survives
}

/** `address`: where the enrolling agent connected from, for the audit log. */
export async function enroll(deps: Deps, req: EnrollRequest, address?: string): Promise<EnrollResponse> {
  const now = deps.now();
  const codeHash = await sha256Hex(normalizeCode(req.code));
  const [hda] = await deps.db
    .select()
    .from(hdas)
    .where(and(eq(hdas.enrollCodeHash, codeHash), gt(hdas.enrollExpiresAt, now)))
    .limit(1);
  if (!hda) throw unauthorized('enrollment code is unknown, used or expired');
  const token = `${hda.id}.${randomToken(32)}`;
  const [updated] = (await atomically(deps.db, [
    deps.db
      .update(hdas)
      // The code is spent in the same statement that checks it, so two enrollments cannot both win.
      .set({
        tokenHash: await sha256Hex(token),
        enrollCodeHash: null,
        enrollExpiresAt: null,
        enrolledAt: now,
        revokedAt: null,
        hostname: req.hostname,
        lastSeenAt: now,
        factsJson: req.facts ?? hda.factsJson,
      })
      .where(and(eq(hdas.id, hda.id), eq(hdas.enrollCodeHash, codeHash)))
      .returning({ id: hdas.id }),
    auditStatement(deps.db, now, {
      actorId: hda.id,
      actorKind: 'agent',
      action: 'hda.enroll',
      targetKind: 'hda',
      targetId: hda.id,
      detail: { hostname: req.hostname },
      address,
    }),
  ])) as [Array<{ id: string }>];
  if (updated.length === 0) throw unauthorized('enrollment code is unknown, used or expired');
  await hangUpHda(deps, hda.id); // the old token (if any) stops working now
  return { hda_id: hda.id, token, domain: hda.domain, name: hda.name, keys: (await loadJwks(deps.db)) as EnrollResponse['keys'] };
}

/** Splits `<hda id>.<secret>`; the secret is checked against the stored hash by the caller's query. */
export function parseAgentToken(header: string | undefined): { hdaId: string; token: string } | null {
  const m = header ? /^Bearer\s+([0-9a-f-]{36})\.([A-Za-z0-9_-]{20,})$/i.exec(header) : null;
  return m ? { hdaId: m[1], token: `${m[1]}.${m[2]}` } : null;
}

export async function authenticateAgent(deps: Deps, header: string | undefined): Promise<AgentIdentity> {
  const parsed = parseAgentToken(header);
  if (!parsed) throw unauthorized('agent token required');
  const [row] = await deps.db
    .select({ tokenHash: hdas.tokenHash, lastSeenAt: hdas.lastSeenAt, channelOpen: hdas.channelOpen, stateHash: hdas.stateHash })
    .from(hdas)
    .where(and(eq(hdas.id, parsed.hdaId), isNull(hdas.revokedAt)))
    .limit(1);
  if (!row?.tokenHash || !timingSafeEqualText(row.tokenHash, await sha256Hex(parsed.token))) throw unauthorized('agent token is invalid or revoked');
  return { hdaId: parsed.hdaId, lastSeenAt: row.lastSeenAt, channelOpen: row.channelOpen, stateHash: row.stateHash };
}

async function liveIdentifiers(deps: Deps, hdaId: string): Promise<Set<string>> {
  const rows = await deps.db
    .select({ identifier: installs.identifier })
    .from(installs)
    .where(and(eq(installs.hdaId, hdaId), ne(installs.state, 'removed')));
  return new Set(rows.map((r) => r.identifier));
}

/**
 * Stores facts and app states only when they changed, else refreshes last_seen at most once a minute
 * (every 20 minutes while the channel is open: the socket is the presence then, this its safety net).
 */
export async function recordHeartbeat(deps: Deps, agent: AgentIdentity, beat: HeartbeatInput): Promise<{ wrote: boolean }> {
  const now = deps.now();
  const wasOffline = !isOnline(deps, agent);
  const facts = beat.facts ? JSON.stringify(beat.facts) : null;
  // CPU and memory move on every beat; they are stored with the state, and as 5-minute metrics,
  // but alone they do not make a beat "changed".
  const states = beat.apps ? JSON.stringify(beat.apps.map(({ cpu_percent: _c, memory_bytes: _m, ...rest }) => rest)) : null;
  const lan = beat.lan ? JSON.stringify(beat.lan) : null;
  const backupKey = beat.backup_key ? JSON.stringify(beat.backup_key) : null;
  const backupHealth = beat.backup ? JSON.stringify(beat.backup) : null;
  const backup = backupKey || backupHealth ? `\n${backupKey}\n${backupHealth}` : '';
  const hash = await sha256Hex(`${facts}\n${states}${lan ? `\n${lan}` : ''}${backup}`);
  const metrics = beat.metrics?.length ? acceptedSamples(beat.metrics, await liveIdentifiers(deps, agent.hdaId), now) : [];
  const statements: BatchItem<'sqlite'>[] = [];
  if (hash !== agent.stateHash || metrics.length > 0) {
    statements.push(
      deps.db
        .update(hdas)
        .set({
          lastSeenAt: now,
          stateHash: hash,
          ...(beat.facts ? { factsJson: beat.facts } : {}),
          ...(beat.apps ? { appsJson: beat.apps } : {}),
          ...(beat.lan ? { lanJson: beat.lan } : {}),
          ...(beat.backup_key ? { backupKeyJson: beat.backup_key } : {}),
          ...(beat.backup ? { backupHealthJson: beat.backup } : {}),
        })
        .where(eq(hdas.id, agent.hdaId)),
      ...metricStatements(deps, agent.hdaId, metrics),
    );
  } else if (
    wasOffline ||
    !agent.lastSeenAt ||
    now - agent.lastSeenAt >= (agent.channelOpen ? CHANNEL_SEEN_REFRESH_S : deps.config.heartbeatMinWriteS) * 1000
  ) {
    statements.push(deps.db.update(hdas).set({ lastSeenAt: now }).where(eq(hdas.id, agent.hdaId)));
  }
  await atomically(deps.db, statements);
  // The poll's remembered idle answer carries last_seen too: without this it would write it again.
  if (statements.length > 0) deps.idleHdas?.touch(agent.hdaId, now);
  if (wasOffline) await deps.listeners.hdaOnline(deps, agent.hdaId);
  return { wrote: statements.length > 0 };
}
