#!/usr/bin/env bash
# The run command: builds the release binary and starts Groovoo Service Desk.
# Extra arguments go to `servicedesk serve` (e.g. --addr 0.0.0.0:8080 --data-dir /srv/desk).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p api --bin servicedesk
exec target/release/servicedesk serve "$@"
