/**
 * `include` and `extends` resolved at publish into one self-contained compose: every file Compose
 * would read must be a file the version ships (the install script's heredocs), and the result is what
 * the policy checks and the agent runs.
 */
import { ComposeError } from '../catalog/errors';

/** Reads a shipped YAML file into a plain value (bounded, duplicate keys refused). */
export type ReadYaml = (text: string, what: string) => unknown;

/**
 * Placeholder until resolution lands: refuses any `include` or `extends` with a file, so nothing
 * unread can reach an HDA.
 */
export function resolveIncludes(root: Record<string, unknown>, _files: Readonly<Record<string, string>>, _readYaml: ReadYaml): Record<string, unknown> {
  if (root.include !== undefined) throw new ComposeError('include', 'include is not supported yet');
  const services = root.services;
  if (services && typeof services === 'object') {
    for (const [name, svc] of Object.entries(services as Record<string, unknown>)) {
      const ext = (svc as Record<string, unknown> | null)?.extends;
      if (ext !== undefined) throw new ComposeError('extends', `service "${name}": extends is not supported yet`);
    }
  }
  return root;
}
