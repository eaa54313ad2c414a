#!/usr/bin/env bash
# Bring up the real parts the agent's integration and end-to-end tests drive: Docker Engine, Docker
# Compose v1, a local registry on 127.0.0.1:5000 holding stand-in images, and a private Apache on
# 127.0.0.1:18080 with HTTPS (mod_ssl) on port 18443 of every address (a client in a network namespace
# reaches it over a veth). dnsmasq, openssl and iproute2 are installed for the name and HTTPS tests,
# which start their own private dnsmasq and namespaces. Pebble (Let's Encrypt's test ACME server) on
# 127.0.0.1:14000 validates HTTP-01 through that Apache (names under .test resolve to 127.0.0.1 at a
# private dnsmasq on :15053); lego is the ACME client the agent drives. avahi-daemon (on a system D-Bus)
# answers multicast DNS on the mDNS test's veth ($MDNS_INTERFACE) for the agent's `<app>.local` names. Idempotent: what already runs is reused and left alone; what this script starts is
# recorded in $TESTBED_DIR/started so down.sh stops exactly that. Writes test/testbed/.env for tests.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTBED_DIR=${TESTBED_DIR:-$HERE/.work}
REGISTRY_ADDR=${TESTBED_REGISTRY:-127.0.0.1:5000}
APACHE_PORT=${TESTBED_APACHE_PORT:-18080}
APACHE_HTTPS_PORT=${TESTBED_APACHE_HTTPS_PORT:-18443}
DOCKER_SOCK=/var/run/docker.sock
# Who recorded what it started: .ci/run and `npm test` each keep their own record, so each stops only its own.
STARTED=${TESTBED_STARTED:-$TESTBED_DIR/started}
ENV_FILE=$HERE/.env
# chromium: the browser tests (test/browser) drive Debian's Chromium. dnsmasq-base: the dnsmasq binary
# without the system service (the tests run a private one); iproute2: `ip netns` for a LAN client.
# restic: the agent's data snapshots. pebble and lego: ACME (Let's Encrypt's test server and the client).
# rclone: `rclone serve restic` is the off-HDA repository the backup tests reach over the loopback.
# avahi-daemon and avahi-utils: mDNS names (avahi-publish is what the agent runs; dbus comes with them).
PACKAGES=(docker.io docker-compose docker-registry apache2 busybox-static curl chromium dnsmasq-base openssl iproute2 restic pebble lego rclone avahi-daemon avahi-utils)

mkdir -p "$TESTBED_DIR/logs"
touch "$STARTED"
log() { printf 'testbed: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
record() { grep -qxF "$1" "$STARTED" || echo "$1" >>"$STARTED"; }
wait_for_quiet() { # wait_for_quiet SECONDS COMMAND...: true once COMMAND succeeds
  local secs=$1; shift
  for _ in $(seq 1 $((secs * 4))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  return 1
}
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs=$1 what=$2; shift 2
  wait_for_quiet "$secs" "$@" || die "$what did not come up within ${secs}s"
}

install_missing_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing missing packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

start_dockerd() {
  if docker info >/dev/null 2>&1; then
    log "dockerd already running (left alone)"
    return 0
  fi
  if pgrep -x dockerd >/dev/null; then
    die "a dockerd runs but does not answer on $DOCKER_SOCK; stop it or fix it first"
  fi
  # The containerd of a dockerd that just stopped may still be exiting; a new dockerd would time out.
  local cpid
  cpid=$(cat /var/run/docker/containerd/containerd.pid 2>/dev/null || true)
  if [ -n "$cpid" ]; then
    for _ in $(seq 1 60); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.25; done
  fi
  log "starting dockerd with registry mirror http://$REGISTRY_ADDR"
  # setsid: the daemon outlives this script and is not in the caller's process group.
  as_root setsid dockerd --registry-mirror "http://$REGISTRY_ADDR" --pidfile "$TESTBED_DIR/dockerd.pid" \
    >"$TESTBED_DIR/logs/dockerd.log" 2>&1 </dev/null &
  if ! wait_for_quiet 90 docker info; then
    [ -f "$TESTBED_DIR/dockerd.pid" ] && as_root kill "$(cat "$TESTBED_DIR/dockerd.pid")" 2>/dev/null || true
    tail -n 5 "$TESTBED_DIR/logs/dockerd.log" >&2 || true
    die "dockerd did not come up within 90s (see $TESTBED_DIR/logs/dockerd.log)"
  fi
  record "dockerd $(cat "$TESTBED_DIR/dockerd.pid")"
}

start_registry() {
  if curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1; then
    log "registry on $REGISTRY_ADDR already running (left alone)"
    return 0
  fi
  mkdir -p "$TESTBED_DIR/registry/data"
  cat >"$TESTBED_DIR/registry/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $TESTBED_DIR/registry/data
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
EOF
  log "starting registry on $REGISTRY_ADDR"
  setsid docker-registry serve "$TESTBED_DIR/registry/config.yml" \
    >"$TESTBED_DIR/logs/registry.log" 2>&1 </dev/null &
  local pid=$!
  wait_for 30 "registry (see $TESTBED_DIR/logs/registry.log)" curl -fsS "http://$REGISTRY_ADDR/v2/"
  record "registry $pid"
}

mirror_configured() {
  docker info --format '{{json .RegistryConfig.Mirrors}}' 2>/dev/null | grep -qF "$REGISTRY_ADDR"
}

build_standin_images() {
  local ctx=$TESTBED_DIR/standin-context mirror=$1
  mkdir -p "$ctx"
  cp "$HERE/standin/Dockerfile" "$HERE/standin/standin.sh" "$HERE/standin/apk" "$ctx/"
  cp "$(command -v busybox)" "$ctx/busybox"
  local repo app ports payload format tagged ref
  while read -r repo app ports payload format; do
    case "$repo" in ''|'#'*) continue ;; esac
    tagged=$repo; [[ "$repo" == *:* ]] || tagged="$repo:latest"
    ref="$REGISTRY_ADDR/$tagged"
    DOCKER_BUILDKIT=0 docker build -q --build-arg "APP=$app" --build-arg "PORTS=${ports//,/ }" --build-arg "PAYLOAD_KB=${payload:-0}" --build-arg "DATA_FORMAT=${format:-}" \
      -t "$ref" "$ctx" >/dev/null 2>>"$TESTBED_DIR/logs/build.log" || die "building $ref failed (see logs/build.log)"
    docker push -q "$ref" >/dev/null 2>>"$TESTBED_DIR/logs/build.log" || die "pushing $ref failed"
    if [ "${payload:-0}" -gt 0 ] && ! docker ps -a --format '{{.Image}}' | grep -qxF "$ref"; then
      docker rmi "$ref" >/dev/null # pulled for real by the tests
      continue
    fi
    if [ "$mirror" = 0 ]; then
      # No mirror on a daemon started before us: catalog names resolve to the local stand-ins by tag.
      docker tag "$ref" "docker.io/$tagged"
    fi
  done <"$HERE/images.txt"
  log "stand-in images built and pushed to $REGISTRY_ADDR"
}

# Compose v2 is not packaged for bookworm; Debian trixie's docker-compose package (a static Go binary)
# runs here as a CLI plugin beside v1. Fetched from the machine's own Debian mirror with a private apt
# state, so the system's sources and installed packages stay as they are.
COMPOSE_V2_PLUGIN=/usr/libexec/docker/cli-plugins/docker-compose
install_compose_v2() {
  if docker compose version >/dev/null 2>&1; then
    log "Compose v2 plugin present: $(docker compose version --short 2>/dev/null)"
    return 0
  fi
  local apt=$TESTBED_DIR/apt-trixie mirror
  mirror=$(grep -hoE '^(URIs:|deb) +[a-z]+://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
    | head -n1 | sed -E 's/^(URIs:|deb) +//; s/ *$//') || true
  [ -n "$mirror" ] || die "no Debian mirror found in the apt sources to fetch Compose v2 from"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/pkg"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/none" -o "Dir::State::Lists=$apt/lists"
    -o "Dir::Cache=$apt/cache" -o "APT::Get::List-Cleanup=0" -o "APT::Sandbox::User=root")
  log "fetching Compose v2 (trixie docker-compose) from $mirror"
  as_root apt-get -q "${opts[@]}" update >"$TESTBED_DIR/logs/apt-trixie.log" 2>&1 || die "apt update for trixie failed (see logs/apt-trixie.log)"
  (cd "$apt/pkg" && as_root apt-get -q "${opts[@]}" download docker-compose/trixie) >>"$TESTBED_DIR/logs/apt-trixie.log" 2>&1 \
    || die "downloading trixie's docker-compose failed (see logs/apt-trixie.log)"
  rm -rf "$apt/x" && dpkg-deb -x "$apt"/pkg/docker-compose_*.deb "$apt/x"
  as_root install -D -m 0755 "$apt/x$COMPOSE_V2_PLUGIN" "$COMPOSE_V2_PLUGIN"
  docker compose version >/dev/null 2>&1 || die "Compose v2 plugin installed at $COMPOSE_V2_PLUGIN but does not run"
  log "Compose v2 plugin installed: $(docker compose version --short)"
}

apache_running() {
  local pidfile=$TESTBED_DIR/apache/run/apache2.pid
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# The default HTTPS vhost's own certificate: a name no app claims gets it (and a 403), never an app's.
default_tls_cert() {
  local a=$1
  [ -s "$a/tls/default.crt" ] && [ -s "$a/tls/default.key" ] && return 0
  mkdir -p "$a/tls" && chmod 700 "$a/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj /CN=default.invalid \
    -keyout "$a/tls/default.key" -out "$a/tls/default.crt" 2>>"$TESTBED_DIR/logs/openssl.log" || die "making the default TLS certificate failed"
  chmod 600 "$a/tls/default.key"
}

write_apache_conf() {
  local a=$TESTBED_DIR/apache mods=/usr/lib/apache2/modules
  mkdir -p "$a/sites" "$a/run" "$a/logs"
  default_tls_cert "$a"
  local user_lines=""
  if [ "$(id -u)" -eq 0 ]; then user_lines=$'User www-data\nGroup www-data'; fi
  cat >"$a/apache2.conf" <<EOF
# Private Apache for the HDA agent tests (written by test/testbed/up.sh).
ServerRoot "$a"
ServerName 127.0.0.1
PidFile "$a/run/apache2.pid"
DefaultRuntimeDir "$a/run"
Listen 127.0.0.1:$APACHE_PORT
$user_lines
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_http_module $mods/mod_proxy_http.so
LoadModule alias_module $mods/mod_alias.so
LoadModule socache_shmcb_module $mods/mod_socache_shmcb.so
LoadModule ssl_module $mods/mod_ssl.so
Listen $APACHE_HTTPS_PORT
SSLSessionCache "shmcb:$a/run/ssl_scache(512000)"
<IfModule !log_config_module>
  LoadModule log_config_module $mods/mod_log_config.so
</IfModule>
ErrorLog "$a/logs/error.log"
LogLevel warn
LogFormat "%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" combined
CustomLog "$a/logs/access.log" combined
# Requests for a host no app claims get 403 from this first (default) vhost, never another app.
<VirtualHost *:$APACHE_PORT>
  ServerName default.invalid
  <Location />
    Require all denied
  </Location>
</VirtualHost>
<VirtualHost *:$APACHE_HTTPS_PORT>
  ServerName default.invalid
  SSLEngine on
  SSLCertificateFile "$a/tls/default.crt"
  SSLCertificateKeyFile "$a/tls/default.key"
  <Location />
    Require all denied
  </Location>
</VirtualHost>
IncludeOptional "$a/sites/*.conf"
EOF
}

start_apache() {
  write_apache_conf
  local conf=$TESTBED_DIR/apache/apache2.conf
  if apache_running; then
    log "private Apache already running (left alone; config regenerated, graceful)"
    apache2 -f "$conf" -k graceful
    return 0
  fi
  if curl -s -o /dev/null "http://127.0.0.1:$APACHE_PORT/" 2>/dev/null; then
    die "port $APACHE_PORT is taken by something that is not the testbed's Apache"
  fi
  apache2 -f "$conf" -t >/dev/null 2>"$TESTBED_DIR/logs/apache-configtest.log" || die "apache configtest failed"
  log "starting private Apache on 127.0.0.1:$APACHE_PORT"
  apache2 -f "$conf" -k start
  wait_for 20 "Apache" curl -s -o /dev/null "http://127.0.0.1:$APACHE_PORT/"
  record "apache $conf"
}

PEBBLE_PORT=${TESTBED_PEBBLE_PORT:-14000}
PEBBLE_MGMT_PORT=${TESTBED_PEBBLE_MGMT_PORT:-15000}
PEBBLE_DNS_PORT=${TESTBED_PEBBLE_DNS_PORT:-15053}

pebble_running() { curl -s -o /dev/null --cacert "$TESTBED_DIR/pebble/tls.crt" "https://localhost:$PEBBLE_PORT/dir"; }

# Pebble's own TLS certificate (for its directory URL), its config and the resolver it validates with.
write_pebble_conf() {
  local p=$TESTBED_DIR/pebble
  mkdir -p "$p" && chmod 700 "$p"
  if ! [ -s "$p/tls.crt" ] || ! [ -s "$p/tls.key" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj /CN=localhost \
      -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$p/tls.key" -out "$p/tls.crt" \
      2>>"$TESTBED_DIR/logs/openssl.log" || die "making pebble's TLS certificate failed"
    chmod 600 "$p/tls.key"
  fi
  # certificateValidityPeriod: one hour, so a renewal is due well inside a test.
  cat >"$p/pebble-config.json" <<EOF
{"pebble": {"listenAddress": "127.0.0.1:$PEBBLE_PORT", "managementListenAddress": "127.0.0.1:$PEBBLE_MGMT_PORT",
  "certificate": "$p/tls.crt", "privateKey": "$p/tls.key", "httpPort": $APACHE_PORT, "tlsPort": $APACHE_HTTPS_PORT,
  "ocspResponderURL": "", "externalAccountBindingRequired": false, "certificateValidityPeriod": 3600}}
EOF
}

start_pebble() {
  write_pebble_conf
  local p=$TESTBED_DIR/pebble
  if pebble_running; then log "pebble already running (left alone)"; return 0; fi
  if ! [ -f "$p/dnsmasq.pid" ] || ! kill -0 "$(cat "$p/dnsmasq.pid")" 2>/dev/null; then
    dnsmasq --port="$PEBBLE_DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
      --address=/test/127.0.0.1 --pid-file="$p/dnsmasq.pid" --user="$(id -un)" 2>>"$TESTBED_DIR/logs/pebble-dns.log" ||
      die "the resolver for pebble did not start (see $TESTBED_DIR/logs/pebble-dns.log)"
    record "dnsmasq $(cat "$p/dnsmasq.pid")"
  fi
  log "starting pebble on 127.0.0.1:$PEBBLE_PORT (HTTP-01 through Apache on :$APACHE_PORT)"
  # Validation is real (PEBBLE_VA_ALWAYS_VALID is never set); only its random delays are off.
  env -u PEBBLE_VA_ALWAYS_VALID PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 setsid pebble -config "$p/pebble-config.json" \
    -dnsserver "127.0.0.1:$PEBBLE_DNS_PORT" >>"$TESTBED_DIR/logs/pebble.log" 2>&1 </dev/null &
  local pid=$!
  wait_for 20 "pebble" pebble_running
  record "pebble $pid"
}

# The host side of the veth the mDNS test makes: the testbed's avahi-daemon answers on it only.
MDNS_INTERFACE=${TESTBED_MDNS_INTERFACE:-hdamdns0}
DBUS_SOCKET=/run/dbus/system_bus_socket

system_bus_running() { [ -S "$DBUS_SOCKET" ] && dbus-send --system --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetId; }

# avahi's clients (avahi-publish) reach the daemon over the system bus: started when none answers.
start_system_bus() {
  if system_bus_running >/dev/null 2>&1; then log "D-Bus system bus already running (left alone)"; return 0; fi
  local pidfile=/run/dbus/pid
  if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then as_root rm -f "$pidfile"; fi
  as_root mkdir -p /run/dbus
  log "starting the D-Bus system bus"
  local pid
  pid=$(as_root dbus-daemon --system --fork --print-pid) || die "dbus-daemon --system did not start"
  wait_for 10 "the D-Bus system bus" system_bus_running
  record "dbus-daemon $pid"
}

# A private config: mDNS on the test's veth only (not the host's own network), nothing of the host published.
write_avahi_conf() {
  mkdir -p "$TESTBED_DIR/avahi"
  cat >"$TESTBED_DIR/avahi/avahi-daemon.conf" <<EOF
# Written by test/testbed/up.sh: avahi-daemon for the mDNS test, on $MDNS_INTERFACE only.
[server]
use-ipv4=yes
use-ipv6=no
allow-interfaces=$MDNS_INTERFACE
enable-dbus=yes
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[publish]
publish-addresses=no
publish-hinfo=no
publish-workstation=no
[reflector]
[rlimits]
EOF
}

start_avahi() {
  if avahi-daemon --check 2>/dev/null; then log "avahi-daemon already running (left alone)"; return 0; fi
  start_system_bus
  write_avahi_conf
  log "starting avahi-daemon on $MDNS_INTERFACE"
  # In a container: no chroot and no user switch (neither is set up); the test's interface comes and goes.
  as_root setsid avahi-daemon -f "$TESTBED_DIR/avahi/avahi-daemon.conf" --no-chroot --no-drop-root \
    >>"$TESTBED_DIR/logs/avahi.log" 2>&1 </dev/null &
  wait_for 20 "avahi-daemon (see $TESTBED_DIR/logs/avahi.log)" avahi-daemon --check
  record "avahi-daemon $(cat /run/avahi-daemon/pid)"
}

write_env() {
  local a=$TESTBED_DIR/apache mirror=$1
  cat >"$ENV_FILE" <<EOF
# Written by test/testbed/up.sh; read by the agent's integration and e2e tests.
TESTBED_DIR=$TESTBED_DIR
DOCKER_SOCKET=$DOCKER_SOCK
REGISTRY=$REGISTRY_ADDR
REGISTRY_MIRROR=$mirror
STANDIN_IMAGE=$REGISTRY_ADDR/hda-standin/web:latest
STANDIN_IMAGE_ALT=$REGISTRY_ADDR/hda-standin/alt:latest
STANDIN_IMAGE_PULL=$REGISTRY_ADDR/hda-standin/pull:latest
APACHE_BIN=$(command -v apache2)
APACHE_PORT=$APACHE_PORT
APACHE_HTTPS_PORT=$APACHE_HTTPS_PORT
APACHE_CONF=$a/apache2.conf
APACHE_SITES_DIR=$a/sites
APACHE_ERROR_LOG=$a/logs/error.log
COMPOSE_V1=$(command -v docker-compose)
COMPOSE_V2=$COMPOSE_V2_PLUGIN
PEBBLE_DIRECTORY=https://localhost:$PEBBLE_PORT/dir
PEBBLE_CA=$TESTBED_DIR/pebble/tls.crt
PEBBLE_ROOTS=https://localhost:$PEBBLE_MGMT_PORT/roots/0
MDNS_INTERFACE=$MDNS_INTERFACE
AVAHI_PIDFILE=/run/avahi-daemon/pid
EOF
}

install_missing_packages
install_compose_v2
start_dockerd
start_registry
if mirror_configured; then MIRROR=1; else MIRROR=0; log "dockerd has no mirror for $REGISTRY_ADDR: pre-tagging stand-ins"; fi
build_standin_images "$MIRROR"
start_apache
start_pebble
start_avahi
write_env "$MIRROR"
log "ready: docker $(docker version --format '{{.Server.Version}}'), Compose v1 $(docker-compose version --short) and v2 $(docker compose version --short), Apache on 127.0.0.1:$APACHE_PORT (HTTPS on :$APACHE_HTTPS_PORT), pebble on :$PEBBLE_PORT, avahi-daemon on $MDNS_INTERFACE; env in $ENV_FILE"
