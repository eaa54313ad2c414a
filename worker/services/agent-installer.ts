/**
 * The way onto a new HDA: a POSIX shell script the control plane serves, which fetches the agent
 * bundle from the control plane's public address, checks it against the SHA-256 baked into the script,
 * installs it with a launcher and the systemd unit, sets up the host (host-setup.ts: Apache's HTTPS,
 * the names daemon) and enrolls with the one-time code.
 */
import { HOST_SETUP } from './host-setup';

/** Where the agent bundle is: the Node entry reads dist/; a deployment without one serves no agent. */
export interface AgentBundleSource {
  load(): Promise<{ body: Uint8Array<ArrayBuffer>; sha256: string } | { unavailable: string }>;
}

export const INSTALL_SCRIPT_PATH = '/agent/v1/install.sh';
export const AGENT_BUNDLE_PATH = '/agent/v1/hda-agent.mjs';

/** Only an http(s) origin with an optional plain path goes into the script: nothing a shell reads specially. */
const SAFE_BASE_URL = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[A-Za-z0-9._~-]+)*$/;

/** Why a configured public address cannot be used, in words; null when it can. */
export function publicUrlProblem(value: string): string | null {
  return SAFE_BASE_URL.test(value.replace(/\/+$/, ''))
    ? null
    : `"${value}" must be an http(s) address such as https://cp.example.com (a plain path may follow)`;
}

/** The address shown to owners: PUBLIC_URL when set, else the origin the request came to. */
export function publicBaseUrl(configured: string | undefined, requestUrl: string): string {
  return (configured ?? new URL(requestUrl).origin).replace(/\/+$/, '');
}

/** Why other machines could not use this address, or null. */
export function loopbackProblem(baseUrl: string): string | null {
  const host = new URL(baseUrl).hostname;
  const loopback = host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '[::1]';
  return loopback
    ? `${baseUrl} is this machine's loopback address, which other machines cannot reach: set PUBLIC_URL to the address your HDAs reach the control plane at`
    : null;
}

/** The one line an owner pastes on the new HDA. */
export function installCommand(baseUrl: string, code: string): string {
  return `curl -fsSL ${baseUrl}${INSTALL_SCRIPT_PATH} | sudo sh -s -- --code ${code}`;
}

export function installScript(baseUrl: string, bundleSha256: string): string {
  if (!SAFE_BASE_URL.test(baseUrl)) throw new Error(`the public address "${baseUrl}" cannot be written into the install script`);
  if (!/^[0-9a-f]{64}$/.test(bundleSha256)) throw new Error('the agent bundle digest is not a SHA-256');
  const values: Record<string, string> = { SERVER: baseUrl, SHA256: bundleSha256, BUNDLE_PATH: AGENT_BUNDLE_PATH };
  return SCRIPT.replace('@HOST_SETUP@', () => HOST_SETUP).replace(/@(SERVER|SHA256|BUNDLE_PATH)@/g, (_, name: string) => values[name]);
}

const SCRIPT = `#!/bin/sh
# Installs the HDA agent from the control plane at @SERVER@ and enrolls this machine.
#   curl -fsSL @SERVER@/agent/v1/install.sh | sudo sh -s -- --code CODE [--prefix DIR] [--no-systemd]
#     [--names dnsmasq|mdns|off] [--no-host-setup] [--setup-only]
# Agent settings (state dir, apps root, Apache paths...) are HDA_AGENT_* variables: hda-agent --help.
# Host setup: Apache's HTTPS (mod_ssl, port 443, a default TLS vhost) and the names daemon (dnsmasq
# reading the agent's hosts folder, or avahi-daemon for mDNS); --setup-only does just that.
set -eu
SERVER='@SERVER@'
BUNDLE_SHA256='@SHA256@'
PREFIX=\${HDA_AGENT_PREFIX:-/usr/local}
SYSTEMD=auto
CODE=
HOST_SETUP=yes
SETUP_ONLY=no

fail() { echo "hda-agent install: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --code) [ $# -ge 2 ] || fail "--code needs the enrollment code"; CODE=$2; shift 2 ;;
    --prefix) [ $# -ge 2 ] || fail "--prefix needs a folder"; PREFIX=$2; shift 2 ;;
    --no-systemd) SYSTEMD=no; shift ;;
    --names) [ $# -ge 2 ] || fail "--names needs dnsmasq, mdns or off"; NAMES=$2; shift 2 ;;
    --no-host-setup) HOST_SETUP=no; shift ;;
    --setup-only) SETUP_ONLY=yes; shift ;;
    *) fail "unknown option $1 (options: --code CODE, --prefix DIR, --no-systemd, --names MODE, --no-host-setup, --setup-only)" ;;
  esac
done
@HOST_SETUP@
if [ "$SETUP_ONLY" = yes ]; then
  [ "$ETC" != /etc ] || [ "$(id -u)" -eq 0 ] || fail "run it as root: the host setup writes Apache's and the names daemon's configuration"
  host_setup
  exit 0
fi
case "$CODE" in
  ''|*[!A-Za-z0-9-]*) fail "--code takes the enrollment code shown by the control plane (Add HDA)" ;;
esac
case "$PREFIX" in
  /*) ;;
  *) fail "--prefix must be an absolute folder" ;;
esac
if [ "$SYSTEMD" != no ] && [ "$(id -u)" -ne 0 ]; then
  fail "run it as root: the agent drives Docker and Apache (... | sudo sh -s -- --code $CODE)"
fi
command -v node >/dev/null 2>&1 || fail "Node.js 20 or later is needed and none was found"
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
[ "$NODE_MAJOR" -ge 20 ] || fail "Node.js 20 or later is needed; this machine has $(node --version)"
command -v docker >/dev/null 2>&1 || echo "hda-agent install: warning: no docker command found; apps cannot start until Docker is installed" >&2

LIB=$PREFIX/lib/hda-agent
BIN=$PREFIX/bin
mkdir -p "$LIB" "$BIN"
TMP=$(mktemp "$LIB/.download.XXXXXX")
trap 'rm -f "$TMP"' EXIT
if command -v curl >/dev/null 2>&1; then
  curl -fsSL "$SERVER@BUNDLE_PATH@" -o "$TMP" || fail "could not download the agent from $SERVER@BUNDLE_PATH@"
elif command -v wget >/dev/null 2>&1; then
  wget -qO "$TMP" "$SERVER@BUNDLE_PATH@" || fail "could not download the agent from $SERVER@BUNDLE_PATH@"
else
  fail "curl or wget is needed to download the agent"
fi
GOT=$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha256").update(f.readFileSync(process.argv[1])).digest("hex"))' "$TMP")
[ "$GOT" = "$BUNDLE_SHA256" ] || fail "the downloaded agent is not the one this script was made for (SHA-256 $GOT, expected $BUNDLE_SHA256); nothing was installed"
chmod 0644 "$TMP"
mv -f "$TMP" "$LIB/hda-agent.mjs"
cat >"$LIB/run.mjs" <<'RUN'
// Runs the agent bundle without V8's optimizing compiler (smaller resident memory; see the agent's README).
import { setFlagsFromString } from 'node:v8';
setFlagsFromString('--no-turbofan');
const { main } = await import('./hda-agent.mjs');
process.exitCode = await main(process.argv.slice(2));
RUN
cat >"$BIN/hda-agent" <<LAUNCHER
#!/bin/sh
exec node "$LIB/run.mjs" "\\$@"
LAUNCHER
chmod 0755 "$BIN/hda-agent"
echo "hda-agent install: agent installed in $LIB (SHA-256 $GOT)"
if [ "$HOST_SETUP" = yes ]; then host_setup; fi

"$BIN/hda-agent" enroll --server "$SERVER" --code "$CODE" || fail "enrollment failed (see above); the agent stays installed, run the command again with a new code"

if [ "$SYSTEMD" != no ] && [ -d /run/systemd/system ]; then
  "$BIN/hda-agent" unit --exec "$BIN/hda-agent" >/etc/systemd/system/hda-agent.service
  systemctl daemon-reload
  systemctl enable --now hda-agent
  echo "hda-agent install: enrolled and running as the hda-agent service (systemctl status hda-agent)"
else
  echo "hda-agent install: enrolled; start the agent with: $BIN/hda-agent run"
fi
`;
