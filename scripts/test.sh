#!/usr/bin/env bash
# The test command: every test of the workspace (unit, integration through HTTP, OpenAPI drift),
# then the end-to-end tests: the built web app in headless Chromium against the real server
# (needs chromium and chromium-driver; .ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked "$@"
# The e2e tests serve web/dist and read axe-core from web/node_modules; the build script makes
# both (and does nothing when they are up to date).
if [ -x scripts/build-web.sh ]; then
  scripts/build-web.sh
fi
cargo test -p api --features e2e --test e2e --locked
