#!/usr/bin/env bash
# API fuzzing: schemathesis (version pinned in scripts/fuzz/requirements.txt) against a live
# `servicedesk` on a free loopback port with a throw-away data dir. Every operation of the OpenAPI
# document, every check (`--checks all`), positive and negative data; exits non-zero on any failure.
#
#   scripts/fuzz.sh            # the CI run (.ci/run calls it after the tests)
#   FUZZ_SEED=123 scripts/fuzz.sh
#
# Settings (environment):
#   FUZZ_MAX_EXAMPLES  test cases per operation and phase (default 40: about 2,000 cases, every
#                      operation with valid and invalid data, in 3 to 5 minutes on 2 cores)
#   FUZZ_TIME_LIMIT    hard limit on the schemathesis run, in seconds (default 600)
#   FUZZ_SEED          Hypothesis seed, to replay a run (default: random; schemathesis prints it)
#   FUZZ_WORKERS       concurrent schemathesis workers (default 1: with more, Hypothesis's lambda
#                      descriptions hit a CPython 3.11 `ast.parse` threading bug, "AST constructor
#                      recursion depth mismatch")
#
# Exclusions: none. The operations that end sessions (logout, password change) sign in a
# dedicated agent afresh for every call, and `PATCH /agents/{id}` only ever changes a dedicated
# bystander agent (scripts/fuzz/hooks.py), so no generated call can end the administrator's
# session the rest of the run uses. Rate limits are off for this server: the fuzzer sends far more
# than an agent's 600 requests a minute, and a 429 would only hide what the handler does; the
# limits have their own tests (api/tests/api/rate_limit.rs).
#
# Check settings: scripts/fuzz/schemathesis.toml (412 for a stale If-Match on PATCH /tickets/{id},
# and why). Data the schema cannot express (which category and channel slugs exist, which agents are
# active, cursors the server issued, file contents that are PNG/JPEG/GIF/PDF) comes from the
# seeded server through scripts/fuzz/hooks.py, for positive test cases only; the schema itself is
# used as served, never relaxed.
set -euo pipefail
cd "$(dirname "$0")/.."

MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-40}
TIME_LIMIT=${FUZZ_TIME_LIMIT:-600}
WORKERS=${FUZZ_WORKERS:-1}
VENV=target/schemathesis-venv
REQUIREMENTS=scripts/fuzz/requirements.txt

step() { printf '\n==> fuzz: %s\n' "$*"; }

step "schemathesis (pinned in $REQUIREMENTS, installed into $VENV)"
if ! cmp -s "$REQUIREMENTS" "$VENV/requirements.installed" 2>/dev/null; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$REQUIREMENTS"
  cp "$REQUIREMENTS" "$VENV/requirements.installed"
fi
"$VENV/bin/schemathesis" --version

step "build the server"
cargo build -p api --bin servicedesk --locked
BIN=target/debug/servicedesk

work=$(mktemp -d "${TMPDIR:-/tmp}/servicedesk-fuzz.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "start the server on a free loopback port (data dir $work/data)"
# Every setting is given here, so none leaks in from the caller's DESK_* environment.
env -u DESK_WEB_DIR -u DESK_JWT_SECRET -u DESK_TRUSTED_PROXIES -u DESK_CORS_ORIGINS RUST_LOG=info \
  DESK_RATE_LIMIT_API_PER_MINUTE=0 DESK_RATE_LIMIT_LOGIN_PER_MINUTE=0 \
  DESK_RATE_LIMIT_ACCOUNT_PER_MINUTE=0 \
  "$BIN" serve --addr 127.0.0.1:0 --data-dir "$work/data" --signup admin \
  --bcrypt-cost 4 --max-upload-mb 1 --token-ttl-minutes 120 >"$work/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 300); do
  # The log is coloured when stderr looks like a terminal; the colour codes are dropped first.
  port=$(sed 's/\x1b\[[0-9;]*m//g' "$work/server.log" |
    sed -n 's/.*listening.*port=\([0-9]*\).*/\1/p; s/.*port=\([0-9]*\).*listening.*/\1/p' | head -n 1)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "the server did not report its port:" >&2
  cat "$work/server.log" >&2
  exit 1
fi
base="http://127.0.0.1:$port"
echo "listening on $base"

step "register the administrator and seed tickets, comments and attachments"
"$VENV/bin/python" scripts/fuzz/prepare.py "$base" "$work/fixtures.json"

step "schemathesis run (at most ${TIME_LIMIT}s)"
status=0
# `timeout` is the hard bound; `--request-timeout` keeps a hung request from eating it.
# `too_slow` is a Hypothesis health check of the generator, not of the API: building several
# regex-constrained texts (one up to 20,000 characters) is slow on two shared cores.
# It runs in target/fuzz, where it keeps its cache (.schemathesis/: failures it replays first).
mkdir -p target/fuzz
root=$PWD
(cd target/fuzz && SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$root/scripts/fuzz" \
  FUZZ_FIXTURES="$work/fixtures.json" \
  timeout --signal=INT --kill-after=30 "$TIME_LIMIT" \
  "$root/$VENV/bin/schemathesis" --no-color --config-file "$root/scripts/fuzz/schemathesis.toml" \
  run "$base/api/v1/openapi.json" \
  --url "$base" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "$MAX_EXAMPLES" \
  --workers "$WORKERS" \
  --request-timeout 20 \
  --generation-database none \
  --suppress-health-check too_slow \
  ${FUZZ_SEED:+--seed "$FUZZ_SEED"}) \
  || status=$?

if [ "$status" -eq 0 ] && kill -0 "$server_pid" 2>/dev/null; then
  step "the session-ending operations were reached (audit log)"
  "$VENV/bin/python" scripts/fuzz/reached.py "$work/fixtures.json" || status=1
fi
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "the server died during the run:" >&2
  tail -n 50 "$work/server.log" >&2
  status=1
fi
if grep -q 'internal error' "$work/server.log"; then
  echo "the server logged internal errors:" >&2
  grep 'internal error' "$work/server.log" | head -n 20 >&2
  status=1
fi
if [ "$status" -eq 124 ]; then
  echo "schemathesis did not finish within ${TIME_LIMIT}s" >&2
fi
exit "$status"
