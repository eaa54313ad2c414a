/**
 * Puts the agent's labels on every service of a rendered compose file, so each container says who
 * started it and for which install (the agent only acts on containers carrying them).
 */
import { LABEL_IDENTIFIER, LABEL_INSTALL, LABEL_MANAGED_BY, MANAGED_BY } from '../docker/containers';

export interface ComposeSummary {
  services: string[];
  /** Images to pull: services that name an image and do not build one. */
  images: string[];
  builds: string[];
}

type Services = Record<string, Record<string, unknown>>;

/** Labels the services of a parsed compose in place; returns it. */
export function addAgentLabels<T extends object>(value: T, identifier: string, installId: string): T {
  const doc = value as { services?: Services };
  if (!doc || typeof doc !== 'object' || !doc.services || typeof doc.services !== 'object') {
    throw new Error('the rendered compose file has no services');
  }
  const ours: Record<string, string> = { [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_IDENTIFIER]: identifier, [LABEL_INSTALL]: installId };
  for (const svc of Object.values(doc.services)) {
    if (!svc || typeof svc !== 'object') continue;
    const labels = svc.labels;
    if (Array.isArray(labels)) {
      const kept = labels.filter((l) => typeof l !== 'string' || !Object.keys(ours).some((k) => l.startsWith(`${k}=`)));
      svc.labels = [...kept, ...Object.entries(ours).map(([k, v]) => `${k}=${v}`)];
    } else {
      svc.labels = { ...((labels as Record<string, unknown>) ?? {}), ...ours };
    }
  }
  return value;
}

export function summarizeCompose(value: object): ComposeSummary {
  const services = ((value as { services?: Services })?.services ?? {}) as Services;
  const out: ComposeSummary = { services: [], images: [], builds: [] };
  for (const [name, svc] of Object.entries(services)) {
    out.services.push(name);
    if (svc && typeof svc === 'object' && svc.build !== undefined) out.builds.push(name);
    else if (svc && typeof svc.image === 'string' && !out.images.includes(svc.image)) out.images.push(svc.image);
  }
  return out;
}
