#!/usr/bin/env bash
# Regenerates openapi.yaml from the code (the utoipa annotations). A test fails when they drift.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet -p api --bin servicedesk -- openapi > openapi.yaml.tmp
mv openapi.yaml.tmp openapi.yaml
echo "openapi.yaml regenerated"
