#!/usr/bin/env bash
# `npm test`: every suite this machine can run. Brings the real testbed (Docker, Compose v1 and v2,
# a local registry, a private Apache, Chromium) up where it can - idempotent, leaving what already
# runs alone - and stops afterwards only what this run started. Where the testbed cannot come up
# (no root for apt, no Docker), the suites that need it skip with the reason; under CI=true they fail.
# `npm run test:quick` runs only the fast suites (unit, API, security, Workers) without the testbed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

started=$(mktemp "${TMPDIR:-/tmp}/testbed-started.XXXXXX")
down() { TESTBED_STARTED=$started bash test/testbed/down.sh >/dev/null 2>&1 || true; rm -f "$started"; }
trap down EXIT

if [ "${TESTBED:-on}" = off ]; then
  echo "npm test: TESTBED=off, suites that need Docker, Apache or Chromium skip" >&2
elif ! TESTBED_STARTED=$started bash test/testbed/up.sh 2>"$started.log"; then
  echo "npm test: the testbed could not come up, so suites that need Docker, Apache or Chromium skip:" >&2
  tail -n 3 "$started.log" >&2
  [ "${CI:-}" = true ] && { rm -f "$started.log"; exit 1; }
fi
rm -f "$started.log"

npx vitest run "$@"
