#!/usr/bin/env bash
# Regenerates api/src/db/schema.rs from the migrations (needs diesel_cli with sqlite).
# Install once: cargo install diesel_cli --no-default-features --features sqlite-bundled
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
diesel migration run --database-url "$tmp/schema.db" >/dev/null
diesel print-schema --database-url "$tmp/schema.db" > api/src/db/schema.rs
echo "api/src/db/schema.rs regenerated"
