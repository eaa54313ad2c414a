/**
 * Where an install runs: its compose project and host port. Slot `a` is the project named like the
 * install (with the agent's namespace, if any) on the install's host port, the control plane's
 * stable identity for it. A blue/green update starts the new version in the other slot (`b`: the
 * project `<name>_b` on a second port), switches Apache to it and stops the old one, so the live
 * slot alternates; the install record says which one is live.
 */
import type { InstallRecord } from './installs';

export type Slot = 'a' | 'b';

export interface LiveSlot {
  slot: Slot;
  project: string;
  port: number;
}

/** Identifiers are DNS labels (no `_`), so `<namespace>_<identifier>_b` can never be another install's name. */
export function projectName(namespace: string, identifier: string, slot: Slot = 'a'): string {
  const base = namespace ? `${namespace}_${identifier}` : identifier;
  return slot === 'a' ? base : `${base}_b`;
}

export function otherSlot(slot: Slot): Slot {
  return slot === 'a' ? 'b' : 'a';
}

/** The slot serving the install now (slot `a` on the install's port when nothing says otherwise). */
export function liveSlot(rec: Pick<InstallRecord, 'slot' | 'live_port'> | undefined, namespace: string, identifier: string, hostPort: number): LiveSlot {
  const slot: Slot = rec?.slot === 'b' && rec.live_port ? 'b' : 'a';
  return { slot, project: projectName(namespace, identifier, slot), port: slot === 'b' ? rec!.live_port! : hostPort };
}

/** Both projects an install may have, live one first (uninstall and status look at both). */
export function allProjects(namespace: string, identifier: string, live: Slot = 'a'): string[] {
  return [projectName(namespace, identifier, live), projectName(namespace, identifier, otherSlot(live))];
}
