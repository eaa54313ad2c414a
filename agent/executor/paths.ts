/**
 * Where an install lives on the host: its app folder <apps root>/<identifier> (the identifier checked
 * first), and the compose files the agent runs, kept in its state dir where no container can write.
 */
import { join } from 'node:path';
import { hostnameProblem } from '../../core/catalog/placeholders';
import { StepFailure } from './types';

export function appDirFor(appsRoot: string, identifier: string): string {
  const p = hostnameProblem(identifier, true);
  if (p) throw new StepFailure(`install identifier ${JSON.stringify(String(identifier)).slice(0, 80)} ${p}`);
  return join(appsRoot, identifier);
}

/** <state>/compose/<identifier>: the rendered compose files of one install (0700, secrets inside). */
export function composeDirFor(stateDir: string, identifier: string): string {
  return join(composeRoot(stateDir), identifier);
}

export function composeRoot(stateDir: string): string {
  return join(stateDir, 'compose');
}

/** Compose's working directory and HOME; an identifier never starts with a dot, so never an install's. */
export function composeRunDir(stateDir: string): string {
  return join(composeRoot(stateDir), '.run');
}

export const COMPOSE_FILE = 'docker-compose.yml';
/** During a blue/green switch, the new slot's compose file; renamed to COMPOSE_FILE once it serves. */
export const NEXT_COMPOSE_FILE = '.docker-compose.next.yml';
