/**
 * The host ports of an HDA's installs on the control plane: the next automatic one (35000 + n, past
 * any port an agent moved an install to), the ports the agent must not move onto, and the refusal
 * of a port another install holds. The unique (hda, host_port) index stays the last guard.
 */
import { and, eq, ne } from 'drizzle-orm';
import { HOST_PORT_RANGE, type PortHints } from '../../core/protocol';
import { installs } from '../../db/schema';
import type { Deps } from '../context';
import { conflict } from '../errors';

export const BASE_PORT = HOST_PORT_RANGE.from - 1;
const MAX_PORT = HOST_PORT_RANGE.to;

/** The live installs of an HDA and the host ports they hold. */
async function heldPorts(deps: Deps, hdaId: string): Promise<Array<{ id: string; identifier: string; port: number }>> {
  return deps.db
    .select({ id: installs.id, identifier: installs.identifier, port: installs.hostPort })
    .from(installs)
    .where(and(eq(installs.hdaId, hdaId), ne(installs.state, 'removed')));
}

/** What lets the agent move an automatic port off a taken one without taking another install's. */
export async function portHints(deps: Deps, hdaId: string, installId: string): Promise<PortHints> {
  const held = (await heldPorts(deps, hdaId)).filter((h) => h.id !== installId).map((h) => h.port);
  return { held: held.sort((a, b) => a - b), from: HOST_PORT_RANGE.from, to: HOST_PORT_RANGE.to };
}

/** Refuses a port another live install of the HDA holds, naming it. */
export async function assertPortNotHeld(deps: Deps, hdaId: string, port: number, installId?: string): Promise<void> {
  const holder = (await heldPorts(deps, hdaId)).find((h) => h.port === port && h.id !== installId);
  if (holder) throw conflict(`port ${port} is already used by ${holder.identifier} on this HDA; choose another port`, { install_id: holder.id });
}

/** The next port from the per-HDA counter that no live install holds (an agent may have moved one onto it). */
export async function nextFreePort(deps: Deps, hdaId: string, seq: number): Promise<number> {
  const used = new Set((await heldPorts(deps, hdaId)).map((r) => r.port));
  for (let port = Math.min(BASE_PORT + seq, MAX_PORT + 1); port <= MAX_PORT; port++) if (!used.has(port)) return port;
  for (let port = BASE_PORT + 1; port <= MAX_PORT; port++) if (!used.has(port)) return port;
  throw conflict('this HDA has no free host port left');
}
