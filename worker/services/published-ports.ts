/** The host ports a version publishes on purpose besides its web port (which only Apache reaches): the install page lists them. */
import { parseYamlBounded } from '../../core/catalog/yaml-io';
import { publishedOnPurpose, type PublishedPort } from '../../core/compose/web-port';

export function publishedPortsOf(content: { compose?: unknown }): PublishedPort[] {
  if (typeof content.compose !== 'string' || !content.compose) return [];
  try {
    return publishedOnPurpose(parseYamlBounded(content.compose).value);
  } catch {
    return []; // a stored version was read at publish; an unreadable one publishes nothing listable
  }
}
