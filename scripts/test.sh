#!/usr/bin/env bash
# The test command: builds the web app, then runs every test of the workspace: unit, integration
# through HTTP, OpenAPI drift, and the end-to-end tests (the built web app in headless Chromium
# against the real server; needs chromium and chromium-driver, which .ci/run installs).
set -euo pipefail
cd "$(dirname "$0")/.."
# The e2e tests serve web/dist and read axe-core from web/node_modules; the build script makes
# both (and does nothing when they are up to date).
scripts/build-web.sh
# One build of the workspace for every test, the e2e ones included (building api twice, with and
# without the feature, cost CI minutes).
cargo test --workspace --features api/e2e --locked "$@"
