#!/usr/bin/env bash
# Builds the agents' web app (the `web` crate, Leptos -> WASM) into web/dist/, which the release
# `servicedesk` binary embeds. Downloads only from the package registries (crates.io, npm), and is
# idempotent: tools already present are not reinstalled, an unchanged wasm is not re-optimised,
# and an unchanged result leaves web/dist/ untouched (so cargo does not rebuild the server).
#
# Installs when missing: the wasm32-unknown-unknown target (rustup); wasm-bindgen-cli at exactly
# the version of the wasm-bindgen crate in Cargo.lock (cargo install, about 2 minutes, once per
# machine); wasm-opt from npm `binaryen`, pinned in web/package-lock.json (npm ci into
# web/node_modules). Never Debian's binaryen: its wasm-opt 108 emits a module that leaves the page
# blank.
#
# Output (every name but index.html carries a hash of its content, so it can be cached forever):
#   web/dist/index.html                  web/index.html with its {{...}} placeholders filled
#   web/dist/assets/web-<hash>.js        wasm-bindgen's ES module  } one hash for the pair,
#   web/dist/assets/web-<hash>_bg.wasm   the app, wasm-opt -Oz     } which only work together
#   web/dist/assets/boot-<hash>.js       starts the app; a file, not an inline script, so that the
#                                        CSP `script-src 'self' 'wasm-unsafe-eval'` allows it
#   web/dist/assets/style-<hash>.css     web/style/main.css
#   web/dist/assets/favicon-<hash>.svg   web/favicon.svg
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

step() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

target_dir="${CARGO_TARGET_DIR:-target}"
work="$target_dir/build-web"
dist=web/dist
stylesheet=web/style/main.css
# The release budget of the issue: gzip size of the wasm.
gzip_budget=$((400 * 1024))

[ -f "$stylesheet" ] || die "$stylesheet is missing: the web app's stylesheet is required"
command -v npm >/dev/null || die "npm is required for wasm-opt (Debian: apt-get install nodejs npm)"

step "wasm32-unknown-unknown target"
installed_targets=$(rustup target list --installed)
if ! grep -qx wasm32-unknown-unknown <<<"$installed_targets"; then
  rustup target add wasm32-unknown-unknown
fi

step "wasm-bindgen-cli"
# The CLI must be the exact version of the wasm-bindgen crate linked into the app.
wb_version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; split($0, v, "\""); print v[2] }' Cargo.lock)
case "$wb_version" in
  "" | *[!0-9.]*) die "expected exactly one wasm-bindgen version in Cargo.lock, found: '${wb_version//$'\n'/ }'" ;;
esac
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wb_version" ]; then
  # Not --locked: the CLI's own lockfile pins a crate version that crates.io no longer serves.
  cargo install wasm-bindgen-cli --version "=$wb_version"
fi

step "zopfli (precompresses the app: gzip about 5 % smaller than gzip -9, which the server sends as is)"
zopfli_version=0.8.4
if ! cargo install --list | grep -qx "zopfli v$zopfli_version:"; then
  cargo install zopfli --version "=$zopfli_version" --locked
fi

step "wasm-opt (npm binaryen, pinned in web/package-lock.json)"
wasm_opt=web/node_modules/.bin/wasm-opt
npm_stamp=web/node_modules/.build-web.sha256
npm_sum=$(cat web/package.json web/package-lock.json | sha256sum | cut -d' ' -f1)
if [ ! -x "$wasm_opt" ] || [ "$(cat "$npm_stamp" 2>/dev/null || true)" != "$npm_sum" ]; then
  (cd web && npm ci --ignore-scripts --no-audit --no-fund)
  printf '%s\n' "$npm_sum" >"$npm_stamp"
fi
wasm_opt_version=$("$wasm_opt" --version)

step "cargo build -p web (wasm32, profile wasm-release)"
cargo build -p web --target wasm32-unknown-unknown --profile wasm-release --locked
wasm_in="$target_dir/wasm32-unknown-unknown/wasm-release/web.wasm"

# wasm-bindgen and wasm-opt take a while: redo them only when their input or versions change.
key=$({
  sha256sum <"$wasm_in"
  echo "$wb_version $wasm_opt_version zopfli $zopfli_version"
} | sha256sum | cut -c1-16)
bindgen="$work/bindgen-$key"
if [ -f "$bindgen/done" ]; then
  step "wasm-bindgen and wasm-opt: wasm unchanged, reusing $bindgen"
else
  step "wasm-bindgen --target web, then wasm-opt -Oz"
  rm -rf "$work"/bindgen-*
  mkdir -p "$bindgen"
  wasm-bindgen --target web --no-typescript --out-dir "$bindgen" --out-name web "$wasm_in"
  # The features rustc enables by default for wasm32-unknown-unknown; every current browser has them.
  "$wasm_opt" -Oz \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$bindgen/web_bg.wasm" -o "$bindgen/web_bg.opt.wasm"
  # The server sends `<file>.gz` as the gzip variant when it holds exactly the file.
  zopfli "$bindgen/web_bg.opt.wasm" "$bindgen/web.js"
  touch "$bindgen/done"
fi

step "assembling web/dist"
stage="$work/dist"
rm -rf "$stage"
mkdir -p "$stage/assets"
hash_of() { cat "$@" | sha256sum | cut -c1-16; }
# put SOURCE NAME: copies SOURCE (and SOURCE.gz, if any) to assets/NAME and prints its URL.
put() {
  cp "$1" "$stage/assets/$2"
  if [ -f "$1.gz" ]; then cp "$1.gz" "$stage/assets/$2.gz"; fi
  printf '/assets/%s' "$2"
}

app_hash=$(hash_of "$bindgen/web.js" "$bindgen/web_bg.opt.wasm")
app_js=$(put "$bindgen/web.js" "web-$app_hash.js")
app_wasm=$(put "$bindgen/web_bg.opt.wasm" "web-${app_hash}_bg.wasm")
style=$(put "$stylesheet" "style-$(hash_of "$stylesheet").css")
favicon=$(put web/favicon.svg "favicon-$(hash_of web/favicon.svg).svg")

boot="$work/boot.js"
cat >"$boot" <<EOF
// Starts the web app. Generated by scripts/build-web.sh.
import init from '$app_js';

init({ module_or_path: '$app_wasm' }).catch((error) => {
  console.error(error);
  const alert = document.createElement('p');
  alert.setAttribute('role', 'alert');
  alert.textContent =
    'Não foi possível carregar o Groovoo Service Desk. Recarregue a página; se o erro continuar, avise o administrador.';
  document.body.append(alert);
});
EOF
boot_js=$(put "$boot" "boot-$(hash_of "$boot").js")

sed -e "s|{{APP_JS}}|$app_js|g" -e "s|{{APP_WASM}}|$app_wasm|g" -e "s|{{BOOT_JS}}|$boot_js|g" \
  -e "s|{{STYLE}}|$style|g" -e "s|{{FAVICON}}|$favicon|g" web/index.html >"$stage/index.html"
if grep -n '{{' "$stage/index.html" >&2; then
  die "web/index.html has a placeholder this script does not know"
fi

if [ -d "$dist" ] && diff -r -q "$stage" "$dist" >/dev/null; then
  step "web/dist is already up to date"
else
  rm -rf "$dist.new"
  cp -R "$stage" "$dist.new"
  rm -rf "$dist"
  mv "$dist.new" "$dist"
  step "web/dist updated"
fi

# Sizes as sent: the precompressed variant (gzip -9 for comparison).
raw=$(wc -c <"$dist$app_wasm")
gz=$(wc -c <"$dist$app_wasm.gz")
gz9=$(gzip -9 -c "$dist$app_wasm" | wc -c)
js_raw=$(wc -c <"$dist$app_js")
js_gz=$(wc -c <"$dist$app_js.gz")
printf 'wasm %s: %d bytes raw (%d KiB), %d bytes gzip (%d KiB; gzip -9: %d)\n' \
  "$app_wasm" "$raw" $((raw / 1024)) "$gz" $((gz / 1024)) "$gz9"
printf 'js   %s: %d bytes raw, %d bytes gzip\n' "$app_js" "$js_raw" "$js_gz"
if [ "$gz" -gt "$gzip_budget" ]; then
  printf 'WARNING: the gzip wasm exceeds the %d KiB budget\n' $((gzip_budget / 1024)) >&2
fi
