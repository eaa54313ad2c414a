/**
 * The Apache vhost of one app, from Amahi's app-container template (misc/webapps/app-container.conf):
 * ServerName <identifier>, ServerAlias <identifier>.<domain>, ProxyPreserveHost, ProxyPass and
 * ProxyPassReverse to the app's host port. Every value is validated as a whole value before it is
 * written, so nothing can add an Apache directive.
 * Differences from the template, on purpose: 127.0.0.1 instead of localhost (localhost may resolve to
 * ::1 where Docker publishes nothing), quoted log paths, `ProxyVia On`, whose Via header lets the
 * probe tell this vhost's answer from a default vhost's, and the logs in a root-owned folder under
 * Apache's log dir (appLogDir) instead of the app folder: Apache opens them as root, and a container
 * given the app folder could make a log path a link to any file.
 */
import { hostnameProblem, webappPathProblem } from '../../core/catalog/placeholders';

export interface VhostInput {
  identifier: string;
  domain: string;
  /** The install's hostname; an extra alias when it is not <identifier>.<domain>. */
  hostname?: string;
  hostPort: number;
  /** Where Apache writes the app's access_log and error_log (never a folder a container is given). */
  logDir: string;
  /** The port Apache listens on for these vhosts (80 on an HDA). */
  listenPort: number;
  installId?: string;
}

export class VhostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VhostError';
  }
}

/** `hda-app-<identifier>.conf`, or `hda-app-<namespace>_<identifier>.conf` for an agent with a namespace. */
export function vhostFileName(identifier: string, namespace = ''): string {
  const p = hostnameProblem(identifier, true);
  if (p) throw new VhostError(`identifier ${JSON.stringify(identifier)} ${p}`);
  if (namespace && !/^[a-z0-9]{1,20}$/.test(namespace)) throw new VhostError(`namespace ${JSON.stringify(namespace)} must be lowercase letters or digits`);
  return `hda-app-${namespace ? `${namespace}_` : ''}${identifier}.conf`;
}

function checkPort(name: string, p: number): void {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new VhostError(`${name} must be a port number, got ${JSON.stringify(p)}`);
}

export function renderVhost(v: VhostInput): string {
  const idProblem = hostnameProblem(v.identifier, true);
  if (idProblem) throw new VhostError(`identifier ${JSON.stringify(v.identifier)} ${idProblem}`);
  const domainProblem = hostnameProblem(v.domain);
  if (domainProblem) throw new VhostError(`domain ${JSON.stringify(v.domain)} ${domainProblem}`);
  if (v.hostname !== undefined) {
    const hp = hostnameProblem(v.hostname);
    if (hp) throw new VhostError(`hostname ${JSON.stringify(v.hostname)} ${hp}`);
  }
  const dirProblem = webappPathProblem(v.logDir);
  if (dirProblem) throw new VhostError(`log folder ${JSON.stringify(v.logDir)} ${dirProblem}`);
  checkPort('host port', v.hostPort);
  checkPort('Apache port', v.listenPort);
  if (v.installId !== undefined && !/^[A-Za-z0-9_.:-]{1,100}$/.test(v.installId)) throw new VhostError('install id has unexpected characters');

  const fqdn = `${v.identifier}.${v.domain}`;
  const aliases = [fqdn, ...(v.hostname && v.hostname !== fqdn && v.hostname !== v.identifier ? [v.hostname] : [])];
  return [
    `# Written by hda-agent${v.installId ? ` for install ${v.installId}` : ''}; rewritten on every install, removed on uninstall.`,
    `<VirtualHost *:${v.listenPort}>`,
    '',
    `\tServerName ${v.identifier}`,
    `\tServerAlias ${aliases.join(' ')}`,
    '',
    '\tProxyPreserveHost On',
    '\tProxyVia On',
    '',
    `\tProxyPass / http://127.0.0.1:${v.hostPort}/`,
    `\tProxyPassReverse / http://127.0.0.1:${v.hostPort}/`,
    '',
    `\tErrorLog "${v.logDir}/error_log"`,
    `\tCustomLog "${v.logDir}/access_log" combined env=!dontlog`,
    '</VirtualHost>',
    '',
  ].join('\n');
}

/** <apache log dir>/hda-apps/<identifier> (namespaced like the vhost file): the app's Apache logs. */
export function appLogDir(apacheLogDir: string, identifier: string, namespace = ''): string {
  return `${apacheLogDir.replace(/\/+$/, '')}/hda-apps/${vhostFileName(identifier, namespace).slice('hda-app-'.length, -'.conf'.length)}`;
}
