/**
 * The 40 CasaOS app-store compose files beside the Amahi corpus, mapped the way its README says a
 * publisher would: /DATA/AppData/$AppID -> WEBAPP_PATH, the web UI port (x-casaos port_map on the main
 * service) -> HOST_PORT:<container port>, x-casaos dropped.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { CORPUS_PATH } from '../catalog/corpus-data';

export const CASAOS_DIR = join(dirname(CORPUS_PATH), 'appstore-sample', 'casaos');

export function casaosApps(): Array<{ name: string; text: string }> {
  return readdirSync(CASAOS_DIR)
    .filter((n) => statSync(join(CASAOS_DIR, n)).isDirectory())
    .sort()
    .map((name) => ({ name, text: readFileSync(join(CASAOS_DIR, name, 'docker-compose.yml'), 'utf8') }));
}

type Obj = Record<string, unknown>;
const APPDATA = /\/DATA\/AppData\/(\$AppID|\$\{AppID\})/g;

function mapStrings(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(APPDATA, 'WEBAPP_PATH');
  if (Array.isArray(v)) return v.map(mapStrings);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== 'x-casaos')
        .map(([k, x]) => [k, mapStrings(x)]),
    );
  return v;
}

/** The web port mapping of the main service, with its host side replaced by HOST_PORT. */
function mapWebPort(svc: Obj, hostPort: string): void {
  const ports = Array.isArray(svc.ports) ? svc.ports : [];
  svc.ports = ports.map((p) => {
    if (p && typeof p === 'object' && String((p as Obj).published) === hostPort) return { ...(p as Obj), published: 'HOST_PORT' };
    if (typeof p === 'string' && p.split(':').slice(-2)[0] === hostPort) return ['HOST_PORT', p.split(':').slice(-1)[0]].join(':');
    return p;
  });
}

export function mapCasaos(text: string): string {
  const doc = parse(text) as Obj;
  const meta = (doc['x-casaos'] ?? {}) as Obj;
  const out = mapStrings(doc) as Obj & { services: Record<string, Obj> };
  const main = typeof meta.main === 'string' && out.services[meta.main] ? meta.main : Object.keys(out.services)[0];
  if (meta.port_map !== undefined) mapWebPort(out.services[main], String(meta.port_map));
  return stringify(out);
}
