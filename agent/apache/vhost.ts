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
  /** More names the vhost answers (mDNS: `<app>.local`), each checked as a hostname. */
  aliases?: string[];
  hostPort: number;
  /** Where Apache writes the app's access_log and error_log (never a folder a container is given). */
  logDir: string;
  /** The port Apache listens on for these vhosts (80 on an HDA). */
  listenPort: number;
  installId?: string;
  /** HTTPS: an SSL vhost next to the plain one (skipped by Apache when mod_ssl is not loaded). */
  tls?: VhostTls;
  /** ACME: the plain vhost serves /.well-known/acme-challenge/ from <it>/.well-known/acme-challenge/. */
  acmeWebroot?: string;
}

export interface VhostTls {
  /** The port Apache listens on for HTTPS (443 on an HDA). */
  port: number;
  certPath: string;
  keyPath: string;
  /** The plain vhost answers with a redirect to HTTPS instead of the app. */
  redirect: boolean;
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

  for (const a of v.aliases ?? []) {
    const ap = hostnameProblem(a);
    if (ap) throw new VhostError(`alias ${JSON.stringify(a).slice(0, 80)} ${ap}`);
  }
  if (v.tls) checkTls(v.tls);
  if (v.acmeWebroot !== undefined) {
    const wp = webappPathProblem(v.acmeWebroot);
    if (wp) throw new VhostError(`ACME webroot ${JSON.stringify(v.acmeWebroot)} ${wp}`);
  }
  const fqdn = `${v.identifier}.${v.domain}`;
  const aliases = [...new Set([fqdn, ...(v.hostname && v.hostname !== fqdn && v.hostname !== v.identifier ? [v.hostname] : []), ...(v.aliases ?? [])])].filter(
    (a) => a !== v.identifier,
  );
  const names = [`\tServerName ${v.identifier}`, `\tServerAlias ${aliases.join(' ')}`, ''];
  const logs = [`\tErrorLog "${v.logDir}/error_log"`, `\tCustomLog "${v.logDir}/access_log" combined env=!dontlog`];
  const challenge = v.acmeWebroot ? challengeBody(v.acmeWebroot) : [];
  const plain = [...challenge, ...(v.tls?.redirect ? redirectBody(fqdn, v.tls.port, challenge.length > 0) : proxyBody(v.hostPort))];
  return [
    `# Written by hda-agent${v.installId ? ` for install ${v.installId}` : ''}; rewritten on every install, removed on uninstall.`,
    `<VirtualHost *:${v.listenPort}>`,
    '',
    ...names,
    ...plain,
    '',
    ...logs,
    '</VirtualHost>',
    ...(v.tls ? sslVhost(v.tls, names, proxyBody(v.hostPort), logs) : []),
    '',
  ].join('\n');
}

function proxyBody(hostPort: number): string[] {
  return ['\tProxyPreserveHost On', '\tProxyVia On', '', `\tProxyPass / http://127.0.0.1:${hostPort}/`, `\tProxyPassReverse / http://127.0.0.1:${hostPort}/`];
}

/** mod_alias's Redirect: every plain path to the same path over HTTPS on the app's own name. */
function redirectBody(fqdn: string, port: number, keepChallenge: boolean): string[] {
  const target = `https://${fqdn}${port === 443 ? '' : `:${port}`}/`;
  // mod_alias applies redirects before aliases: the ACME challenge path is left out of the redirect.
  return keepChallenge ? [`\tRedirectMatch permanent ^/(?!\\.well-known/acme-challenge/)(.*)$ ${target}$1`] : [`\tRedirect permanent / ${target}`];
}

/** HTTP-01: the challenge files lego writes, served by Apache itself and never proxied to the app. */
function challengeBody(webroot: string): string[] {
  const dir = `${webroot}/.well-known/acme-challenge`;
  return [
    `\tAlias /.well-known/acme-challenge/ "${dir}/"`,
    `\t<Directory "${dir}">`,
    '\t\tRequire all granted',
    '\t</Directory>',
    '\tProxyPass /.well-known/acme-challenge/ !',
  ];
}

function sslVhost(t: VhostTls, names: string[], body: string[], logs: string[]): string[] {
  return [
    '# HTTPS with a certificate from this HDA (skipped when mod_ssl is not loaded, so the plain vhost keeps serving).',
    '<IfModule ssl_module>',
    `<VirtualHost *:${t.port}>`,
    '',
    ...names,
    '\tSSLEngine on',
    `\tSSLCertificateFile "${t.certPath}"`,
    `\tSSLCertificateKeyFile "${t.keyPath}"`,
    '',
    ...body,
    '',
    ...logs,
    '</VirtualHost>',
    '</IfModule>',
  ];
}

function checkTls(t: VhostTls): void {
  checkPort('HTTPS port', t.port);
  for (const [what, path] of [
    ['certificate', t.certPath],
    ['certificate key', t.keyPath],
  ] as const) {
    const p = webappPathProblem(path);
    if (p) throw new VhostError(`${what} path ${JSON.stringify(path)} ${p}`);
  }
}

/** `<identifier>` or `<namespace>_<identifier>`: names the app's log folder and certificate files. */
export function vhostStem(identifier: string, namespace = ''): string {
  return vhostFileName(identifier, namespace).slice('hda-app-'.length, -'.conf'.length);
}

/** <apache log dir>/hda-apps/<identifier> (namespaced like the vhost file): the app's Apache logs. */
export function appLogDir(apacheLogDir: string, identifier: string, namespace = ''): string {
  return `${apacheLogDir.replace(/\/+$/, '')}/hda-apps/${vhostStem(identifier, namespace)}`;
}
