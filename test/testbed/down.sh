#!/usr/bin/env bash
# Stop only what test/testbed/up.sh started (recorded in $TESTBED_DIR/started), newest first.
# Whatever was already running before up.sh is left alone.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTBED_DIR=${TESTBED_DIR:-$HERE/.work}
# Who recorded what it started: .ci/run and `npm test` each keep their own record, so each stops only its own.
STARTED=${TESTBED_STARTED:-$TESTBED_DIR/started}
log() { printf 'testbed: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

[ -s "$STARTED" ] || { log "nothing recorded as started"; exit 0; }

# Stop a recorded process only if it still is the program we started (pids get reused).
stop_pid() { # stop_pid NAME PID SECONDS
  local name=$1 pid=$2 secs=$3
  if ! [ -r "/proc/$pid/cmdline" ] || ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$name"; then
    log "$name ($pid) is no longer running"; return 0
  fi
  log "stopping $name ($pid)"
  as_root kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((secs * 4))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  log "$name ($pid) did not stop in ${secs}s: killing"
  as_root kill -KILL "$pid" 2>/dev/null || true
}

# One entry failing to stop must not keep the others running (or the record from being cleared).
tac "$STARTED" | while read -r what arg || [ -n "$what" ]; do
  case "$what" in
    apache)
      log "stopping private Apache"
      apache2 -f "$arg" -k stop 2>/dev/null || true
      pidfile=$(dirname "$arg")/run/apache2.pid
      for _ in $(seq 1 40); do [ -f "$pidfile" ] || break; sleep 0.25; done
      ;;
    registry) stop_pid docker-registry "$arg" 10 ;;
    pebble) stop_pid pebble "$arg" 10 ;;
    dnsmasq) stop_pid dnsmasq "$arg" 10 ;;
    avahi-daemon) stop_pid avahi-daemon "$arg" 10 ;;
    dbus-daemon) stop_pid dbus-daemon "$arg" 10 ;;
    dockerd)
      # Containers of the tests go down with the daemon; nothing else was running on it before us.
      stop_pid dockerd "$arg" 30
      # dockerd's own containerd exits just after it; a new dockerd started meanwhile would time out.
      cpid=$(cat /var/run/docker/containerd/containerd.pid 2>/dev/null || true)
      if [ -n "$cpid" ]; then stop_pid containerd "$cpid" 15; fi
      ;;
    *) log "unknown entry: $what $arg" ;;
  esac
done || log "some entries did not stop cleanly"
: >"$STARTED"
rm -f "$HERE/.env"
log "down"
