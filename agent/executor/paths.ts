/** Where an install lives on the host: <apps root>/<identifier>, with the identifier checked first. */
import { join } from 'node:path';
import { hostnameProblem } from '../../core/catalog/placeholders';
import { StepFailure } from './types';

export function appDirFor(appsRoot: string, identifier: string): string {
  const p = hostnameProblem(identifier, true);
  if (p) throw new StepFailure(`install identifier ${JSON.stringify(String(identifier)).slice(0, 80)} ${p}`);
  return join(appsRoot, identifier);
}

export const COMPOSE_FILE = 'docker-compose.yml';
/** During a blue/green switch, the new slot's compose file; renamed to COMPOSE_FILE once it serves. */
export const NEXT_COMPOSE_FILE = '.docker-compose.next.yml';
