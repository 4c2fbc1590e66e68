#!/usr/bin/env bash
# The run command: builds the web app, then the release binary (which embeds it), and starts
# Groovoo Service Desk. Works on a fresh machine: scripts/build-web.sh installs what the web build
# needs (wasm32 target, wasm-bindgen-cli, npm binaryen) from the package registries.
# Extra arguments go to `servicedesk serve` (e.g. --addr 0.0.0.0:8080 --data-dir /srv/desk).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-web.sh
cargo build --release --locked -p api --bin servicedesk
exec "${CARGO_TARGET_DIR:-target}/release/servicedesk" serve "$@"
