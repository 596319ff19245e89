#!/usr/bin/env bash
# Fuzz the served REST API (/api/v1/) with Schemathesis, against the schema the portal serves.
#
# A throw-away portal (SQLite and file cache in a temporary VAR_DIR, fresh secrets, a fresh API
# token) is served by gunicorn, seeded with a connection to the built-in iCIMS sandbox tenant
# served over HTTP, so live lookups reach a working iCIMS. Its mirror is filled by one sync, so
# lists return real records. Every check runs; the run fails on any 5xx, any answer the schema does
# not describe, and any schema-valid request the API refuses. Whatever happens, both servers are
# stopped and the temporary folder removed.
#
#   scripts/fuzz_api.sh                    # free ports, the bounds in scripts/fuzz_api.toml
#   FUZZ_PORT=8300 FUZZ_SANDBOX_PORT=8301 scripts/fuzz_api.sh --max-examples 5 --seed 1
#
# Extra arguments go to `st run` (e.g. --seed, --max-examples, --include-path-regex).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-.venv/bin}"

workdir="$(mktemp -d "${TMPDIR:-/tmp}/fuzz-api.XXXXXX")"
pids=()
stop_servers() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
teardown() {
  local status=$?
  stop_servers
  if [[ $status -ne 0 ]]; then
    local log
    for log in sandbox sync portal; do  # not setup.log: it holds the seeded admin's password
      if [[ -s "$workdir/$log.log" ]]; then
        echo "-- the last lines of the $log's log" >&2
        tail -n 30 "$workdir/$log.log" >&2 || true
      fi
    done
  fi
  rm -rf "$workdir"
  exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  "$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for() {  # URL, what, pid: until the URL answers, the process dies, or 120 s pass (a loaded machine is slow)
  local deadline=$((SECONDS + 120))
  while ((SECONDS < deadline)); do
    if "$BIN/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$3" 2>/dev/null; then
      echo "the $2 stopped before it answered" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "the $2 did not answer at $1 within 120 s" >&2
  return 1
}

port="${FUZZ_PORT:-$(free_port)}"
sandbox_port="${FUZZ_SANDBOX_PORT:-$(free_port)}"
portal="http://127.0.0.1:${port}"

# Nothing from the developer's .env or environment: only what this run sets.
unset DATABASE_URL DATABASE_URL_FILE REDIS_URL REDIS_URL_FILE SECRET_KEY_FILE FIELD_ENCRYPTION_KEYS_FILE
export ENV_FILE="" VAR_DIR="$workdir/var" DEBUG=False SECURE_SSL_REDIRECT=False ALLOWED_HOSTS=127.0.0.1
export SECRET_KEY="$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export FIELD_ENCRYPTION_KEYS="$("$BIN/python" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
export ICIMS_ALLOWED_HOSTS="127.0.0.1:${sandbox_port}"
export ICIMS_WEBHOOK_BASE_URL_US="$portal" ICIMS_WEBHOOK_BASE_URL_EU="$portal" ICIMS_WEBHOOK_BASE_URL_CA="$portal"
export LOG_LEVEL=WARNING PORTAL_PORT="$port"
# The fuzzer sends thousands of requests on one token: the per-token rate limit is not under test here.
export API_RATE_LIMIT=""
# The seeded resume link must outlive the run.
export API_RESUME_LINK_MAX_AGE=3600
# Hypothesis (under Schemathesis) keeps its folder with the run's, not in the checkout.
export HYPOTHESIS_STORAGE_DIRECTORY="$workdir/hypothesis"

echo "== a fresh portal in $workdir (portal :$port, iCIMS sandbox :$sandbox_port)"
# The sandbox first: it needs no database, so it starts while the migrations run.
"$BIN/python" manage.py icims_sandbox --port "$sandbox_port" --candidates 300 --users 40 --jobs 40 --workflows 400 \
  >"$workdir/sandbox.log" 2>&1 &
pids+=($!)
sandbox_pid=$!
"$BIN/python" manage.py migrate --no-input >"$workdir/setup.log"
# The seed prints an admin login; this run has no use for it, and it stays out of CI's log.
"$BIN/python" manage.py seed_dev --port "$port" --sandbox-port "$sandbox_port" >>"$workdir/setup.log"
wait_for "http://127.0.0.1:${sandbox_port}/sandbox/export/bins-and-statuses.csv" "iCIMS sandbox" "$sandbox_pid"

# The mirror, filled once from the sandbox, so lists and details have records to show.
"$BIN/python" manage.py icims_sync --customer-id 1000 >"$workdir/sync.log" 2>&1

"$BIN/gunicorn" goodtime_icims.wsgi --bind "127.0.0.1:${port}" --workers 2 --timeout 60 \
  >"$workdir/portal.log" 2>&1 &
pids+=($!)
portal_pid=$!

# Stages, features, a scheduling request for a real application, and a token made now for this run
# only: their ids and the token go to a file, never to the log.
"$BIN/python" scripts/fuzz_api_seed.py "$workdir/fuzz.env"
echo "   seeded in ${SECONDS}s"
set -a
# shellcheck disable=SC1091
source "$workdir/fuzz.env"
set +a
wait_for "${portal}/health/live/" "portal" "$portal_pid"

echo "== schemathesis against ${portal}/api/schema/"
started=$SECONDS
"$BIN/st" --config-file scripts/fuzz_api.toml run "${portal}/api/schema/" "$@"
echo "== schemathesis passed in $((SECONDS - started))s; ${SECONDS}s in all"
