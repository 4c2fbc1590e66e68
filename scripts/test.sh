#!/usr/bin/env bash
# The test command: every test of the workspace (unit, integration through HTTP, OpenAPI drift).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked "$@"
