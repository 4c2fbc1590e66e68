#!/usr/bin/env bash
# The benchmark suite of issue 4: builds the release `servicedesk`, seeds (or reuses) data dirs of
# 10k, 100k and 1M tickets, drives the server on loopback with wrk and writes BENCHMARKS.md at the
# repository root (regenerated entirely on every run).
#
#   scripts/bench.sh                       # the full suite (10k, 100k, 1M tickets)
#   BENCH_SIZES=10000 scripts/bench.sh     # a quick subset while developing
#
# Settings (environment):
#   BENCH_SIZES              ticket counts to run, space-separated   (10000 100000 1000000)
#   BENCH_DURATION           seconds per wrk run                     (10)
#   BENCH_CONNECTIONS        wrk connections for the read scenarios  (16)
#   BENCH_THREADS            wrk threads                             (2)
#   BENCH_WRITE_CONNECTIONS  connection counts of scenario 4         (16 64)
#   BENCH_LOGIN_CONNECTIONS  wrk connections sending logins (6)      (2)
#   BENCH_PAGES              pages followed in scenario 3            (200)
#   BENCH_SEED               seed of `servicedesk seed`              (42)
#   BENCH_BCRYPT_COST        bcrypt cost of the seeded agents' hash  (12, the server default)
#   BENCH_WEB                0: skip building the web app for scenario 8 (1)
#   BENCH_RESEED             1: reseed cached data dirs made by other migrations or seed.rs (0)
#   BENCH_OUT                report file                             (BENCHMARKS.md)
#
# Seeded data dirs are cached in target/bench-data/<tickets>/seed-<seed>-cost-<cost>/ and never
# modified: every run works on a fresh copy (scenario 4 adds tickets and comments). A cached dir
# seeded from other migrations or api/src/seed.rs is used with a warning in the report. Only
# 127.0.0.1 is contacted; every wrk run has a duration and every wait a timeout; every process the
# script starts is stopped by PID on exit, failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

case "${1:-}" in
  -h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
    exit 0
    ;;
  "") ;;
  *)
    echo "usage: scripts/bench.sh (settings come from BENCH_* variables, see --help)" >&2
    exit 2
    ;;
esac

sizes=${BENCH_SIZES:-10000 100000 1000000}
duration=${BENCH_DURATION:-10}
conns=${BENCH_CONNECTIONS:-16}
threads=${BENCH_THREADS:-2}
write_conns=${BENCH_WRITE_CONNECTIONS:-16 64}
login_conns=${BENCH_LOGIN_CONNECTIONS:-2}
pages=${BENCH_PAGES:-200}
seed=${BENCH_SEED:-42}
cost=${BENCH_BCRYPT_COST:-12}
build_web=${BENCH_WEB:-1}
reseed=${BENCH_RESEED:-0}
out=${BENCH_OUT:-BENCHMARKS.md}

step() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}
for n in $sizes $duration $conns $threads $write_conns $login_conns $pages $seed $cost; do
  case "$n" in "" | *[!0-9]*) die "BENCH_* settings must be whole numbers, got '$n'" ;; esac
done
[ "$threads" -le "$login_conns" ] || die "BENCH_LOGIN_CONNECTIONS must be at least BENCH_THREADS"

suite_start=$(date +%s)
target_dir="${CARGO_TARGET_DIR:-target}"
bench_root="$target_dir/bench-data"
lua="$root/scripts/bench/requests.lua"
tick=$(getconf CLK_TCK)
mkdir -p "$bench_root"
work=$(mktemp -d "$bench_root/run.XXXXXX")

# --- process bookkeeping: everything started in the background is stopped by PID -------------
pids=()
stop_pid() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  pids=()
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
forget_pid() {
  local keep=() pid
  for pid in "${pids[@]}"; do [ "$pid" = "$1" ] || keep+=("$pid"); done
  pids=("${keep[@]}")
}

# --- tools --------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  step "installing wrk (Debian)"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq wrk
fi
for tool in curl jq python3 gzip; do
  command -v "$tool" >/dev/null || die "$tool is required"
done

# --- scenario 8 first: the web app is embedded in the release binary built next -----------------
wasm_note="Built by \`scripts/build-web.sh\` in this run."
if [ "$build_web" = 1 ] && [ -x scripts/build-web.sh ]; then
  step "building the web app (scripts/build-web.sh)"
  if ! timeout 1200 scripts/build-web.sh >"$work/build-web.log" 2>&1; then
    tail -n 20 "$work/build-web.log" >&2
    wasm_note="\`scripts/build-web.sh\` failed in this run: sizes of the previous build, if any."
  fi
elif [ ! -x scripts/build-web.sh ]; then
  wasm_note="\`scripts/build-web.sh\` does not exist."
else
  wasm_note="BENCH_WEB=0: not rebuilt in this run; sizes of the last \`scripts/build-web.sh\` build."
fi

step "cargo build --release -p api --locked"
cargo build --release -p api --locked
bin="$target_dir/release/servicedesk"
[ -x "$bin" ] || die "$bin was not built"
build_s=$(($(date +%s) - suite_start))

# --- helpers ------------------------------------------------------------------------------------
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
now_ns() { date +%s%N; }
# CPU time (user + system, clock ticks) of a process.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# A /proc/PID/status field in KiB (VmRSS, VmHWM).
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
# Resets VmHWM (the peak RSS) so that it covers only what follows.
reset_peak() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || true; }
# Value of key=value in a BENCH_RESULT line.
field() { sed -n "s/.*[[:space:]]$2=\([^[:space:]]*\).*/\1/p" <<<"$1"; }
div() { awk -v a="$1" -v b="$2" -v f="${3:-%.3f}" 'BEGIN { if (b > 0) printf f, a / b; else printf "n/a" }'; }
pct() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="=&"))' "$1"; }

warnings=()
seeded_note=""
warn() {
  printf 'WARNING: %s\n' "$*" >&2
  warnings+=("$*")
}

# What the seeded data depends on: a cached dir made from other sources is flagged (or reseeded
# with BENCH_RESEED=1).
seed_source=$(find migrations api/src/seed.rs -type f | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-16)
# seed_dir N: sets `seeded` to the cached, seeded data dir of N tickets (seeding it on first use).
seed_dir() {
  local n=$1 t0 t1 pid
  seeded="$bench_root/$1/seed-$seed-cost-$cost"
  if [ -f "$seeded/.complete" ]; then
    [ "$(cat "$seeded/.source" 2>/dev/null || true)" != "$seed_source" ] || return 0
    if [ "$reseed" != 1 ]; then
      warn "the cached $n-ticket data dir was seeded from other migrations or api/src/seed.rs than the current ones (BENCH_RESEED=1 reseeds)"
      return 0
    fi
  fi
  step "seeding $n tickets into $seeded (cached for later runs)"
  rm -rf "$seeded" "$seeded.partial"
  mkdir -p "$seeded.partial"
  seeded_note+="; seeded $n tickets in this run (time in scenario 7)"
  t0=$(now_ns)
  "$bin" seed --tickets "$n" --seed "$seed" --data-dir "$seeded.partial" --bcrypt-cost "$cost" >&2 &
  pid=$!
  pids+=("$pid")
  wait "$pid" || die "seeding $n tickets failed"
  forget_pid "$pid"
  t1=$(now_ns)
  echo $(((t1 - t0) / 1000000)) >"$seeded.partial/.seed-ms"
  echo "$seed_source" >"$seeded.partial/.source"
  touch "$seeded.partial/.complete"
  mv "$seeded.partial" "$seeded"
}

server_pid=""
port=""
base=""
# start_server DIR: starts the server on a free loopback port; sets cold_ms (spawn to first 200
# on /healthz).
start_server() {
  local dir=$1 t0 t1 deadline
  port=$(free_port)
  base="http://127.0.0.1:$port"
  t0=$(now_ns)
  # Rate limits off (0): one token and repeated logins at thousands of requests per second would
  # otherwise be answered 429.
  DESK_BCRYPT_COST=$cost DESK_RATE_LIMIT_API_PER_MINUTE=0 DESK_RATE_LIMIT_LOGIN_PER_MINUTE=0 \
    DESK_RATE_LIMIT_ACCOUNT_PER_MINUTE=0 "$bin" serve --addr "127.0.0.1:$port" --data-dir "$dir" \
    >>"$work/server.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  deadline=$((t0 + 60 * 1000000000))
  until curl -fs -o /dev/null --max-time 1 "$base/healthz"; do
    kill -0 "$server_pid" 2>/dev/null || {
      tail -n 20 "$work/server.log" >&2
      die "the server exited during start-up"
    }
    [ "$(now_ns)" -lt "$deadline" ] || die "no 200 from /healthz within 60 s"
    sleep 0.005
  done
  t1=$(now_ns)
  cold_ms=$(div $((t1 - t0)) 1000000 %.0f)
}
stop_server() {
  [ -n "$server_pid" ] || return 0
  stop_pid "$server_pid"
  forget_pid "$server_pid"
  server_pid=""
}

# run_wrk CONNS [VAR=VALUE...]: one wrk run against the server; prints its BENCH_RESULT line
# followed by the server's cpu_ms_per_req, rss_mb and peak_mb.
run_wrk() {
  local c=$1 cpu0 cpu1 result requests
  shift
  reset_peak "$server_pid"
  cpu0=$(cpu_ticks "$server_pid")
  result=$(env BENCH_TOKEN="$token" "$@" wrk -t "$threads" -c "$c" -d "${duration}s" --timeout 30s \
    -s "$lua" "$base" | grep '^BENCH_RESULT') || die "wrk failed ($*)"
  cpu1=$(cpu_ticks "$server_pid")
  requests=$(field "$result" requests)
  printf '%s cpu_ms_per_req=%s rss_mb=%s peak_mb=%s\n' "$result" \
    "$(div $(((cpu1 - cpu0) * 1000 / tick)) "$requests")" \
    "$(mb "$(status_kb "$server_pid" VmRSS)")" "$(mb "$(status_kb "$server_pid" VmHWM)")"
}
# Table cells of a run_wrk line: req/s | p50 | p99 | CPU ms/req | RSS | peak RSS
cells() {
  printf '%s | %s | %s | %s | %s | %s' "$(field "$1" rps)" "$(field "$1" p50_ms)" \
    "$(field "$1" p99_ms)" "$(field "$1" cpu_ms_per_req)" "$(field "$1" rss_mb)" "$(field "$1" peak_mb)"
}
check_clean() {
  local what=$1 line=$2
  [ "$(field "$line" non2xx)" = 0 ] || warn "$what: $(field "$line" non2xx) non-2xx responses"
  [ "$(field "$line" errors)" = 0 ] || warn "$what: $(field "$line" errors) socket errors/timeouts"
}

api=/api/v1
counts_path="$api/tickets/counts"
list_path="$api/tickets?limit=25"
queries=("category=reembolso&q=conceição" "category=reembolso&q=conceicao" "q=joao")

t1_rows="" t2_rows="" t3_rows="" t4_rows="" t5_rows="" t6_rows="" t7_rows=""
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

for n in $sizes; do
  seed_dir "$n"
  seed_ms=$(cat "$seeded/.seed-ms" 2>/dev/null || echo "?")
  step "$n tickets: copying the seeded data dir"
  data="$work/data-$n"
  rm -rf "$data"
  cp -a "$seeded" "$data"
  db_mb=$(du -sm "$data" | cut -f1)

  # 7. cold start
  step "$n tickets: starting the server (scenario 7)"
  start_server "$data"
  sleep 1
  idle_mb=$(mb "$(status_kb "$server_pid" VmRSS)")
  t7_rows+="| $n | $cold_ms | $idle_mb | $db_mb | $seed_ms |"$'\n'

  token=$(curl -fsS --max-time 30 -X POST "$base$api/auth/login" -H 'Content-Type: application/json' \
    -d '{"email":"ana@groovoo.com.br","password":"groovoo-demo"}' | jq -r .token)
  [ -n "$token" ] && [ "$token" != null ] || die "login failed"
  auth=(-H "Authorization: Bearer $token")

  # 1. dashboard data
  step "$n tickets: scenario 1 (dashboard data)"
  r_counts=$(run_wrk "$conns" BENCH_PATHS="$counts_path")
  r_list=$(run_wrk "$conns" BENCH_PATHS="$list_path")
  r_pair=$(run_wrk "$conns" BENCH_PATHS="$counts_path $list_path")
  check_clean "1 counts ($n)" "$r_counts"
  check_clean "1 list ($n)" "$r_list"
  check_clean "1 pair ($n)" "$r_pair"
  t1_rows+="| $n | \`GET /tickets/counts\` | $(cells "$r_counts") | |"$'\n'
  t1_rows+="| $n | \`GET /tickets?limit=25\` | $(cells "$r_list") | |"$'\n'
  t1_rows+="| $n | both, alternating | $(cells "$r_pair") | $(div "$(field "$r_pair" rps)" 2 %.1f) |"$'\n'

  # 2. filtered search
  step "$n tickets: scenario 2 (category filter and text query)"
  for query in "${queries[@]}"; do
    encoded=$(pct "$query")
    r=$(run_wrk "$conns" BENCH_PATHS="$counts_path?$encoded $list_path&$encoded")
    check_clean "2 $query ($n)" "$r"
    hits=$(curl -fsS --max-time 30 "${auth[@]}" "$base$list_path&$encoded" | jq .total)
    t2_rows+="| $n | \`$query\` | $hits | $(cells "$r") | $(div "$(field "$r" rps)" 2 %.1f) |"$'\n'
  done

  # 3. deep paging
  step "$n tickets: scenario 3 (following next_cursor $pages pages deep)"
  cursor="" page=0 first_ms="" last_ms="" total_ms=0 max_ms=0 seen=0
  t0=$(now_ns)
  : >"$work/page-times"
  while [ "$page" -lt "$pages" ]; do
    args=(-G --data-urlencode "limit=25")
    [ -z "$cursor" ] || args+=(--data-urlencode "cursor=$cursor")
    curl -fsS --max-time 30 "${auth[@]}" "${args[@]}" -o "$work/page.json" \
      -w '%{time_total}\n' "$base$api/tickets" >>"$work/page-times"
    page=$((page + 1))
    read -r items cursor < <(jq -r '"\(.items | length) \(.next_cursor // "")"' "$work/page.json")
    seen=$((seen + items))
    [ -n "$cursor" ] || break
  done
  t1=$(now_ns)
  median_ms=$(sort -g "$work/page-times" | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] * 1000 }')
  read -r first_ms last_ms max_ms sum_ms < <(awk '
    { ms[NR] = $1 * 1000; sum += ms[NR]; if (ms[NR] > max) max = ms[NR] }
    END { printf "%.2f %.2f %.2f %.0f\n", ms[1], ms[NR], max, sum }' "$work/page-times")
  t3_rows+="| $n | $page | $seen | $first_ms | $last_ms | $median_ms | $max_ms | $sum_ms | $(div $((t1 - t0)) 1000000 %.0f) |"$'\n'
  [ "$page" = "$pages" ] || warn "3 ($n): the list ended after $page pages"

  # 5. export of the open tickets
  step "$n tickets: scenario 5 (CSV export of the open tickets)"
  open=$(curl -fsS --max-time 30 "${auth[@]}" "$base$counts_path" | jq .open)
  rss_before=$(status_kb "$server_pid" VmRSS)
  reset_peak "$server_pid"
  (
    peak=0
    while kill -0 "$server_pid" 2>/dev/null; do
      kb=$(status_kb "$server_pid" VmRSS) || break
      [ "${kb:-0}" -le "$peak" ] || {
        peak=$kb
        echo "$peak" >"$work/rss-peak"
      }
      sleep 0.05
    done
  ) &
  sampler=$!
  pids+=("$sampler")
  sleep 0.1
  export_out=$(curl -sS --max-time 120 "${auth[@]}" -o /dev/null \
    -w '%{http_code} %{time_total} %{size_download}' "$base$api/tickets/export?format=csv") ||
    warn "5 ($n): curl failed"
  sleep 0.1
  stop_pid "$sampler"
  forget_pid "$sampler"
  read -r export_code export_s export_bytes <<<"$export_out"
  [ "$export_code" = 200 ] || warn "5 ($n): the export answered HTTP $export_code"
  sampled_peak=$(cat "$work/rss-peak" 2>/dev/null || echo 0)
  hwm=$(status_kb "$server_pid" VmHWM)
  [ "$hwm" -ge "$sampled_peak" ] || hwm=$sampled_peak
  t5_rows+="| $n | $open | $export_code | $(printf '%.3f' "$export_s") | $export_bytes | $(mb "$rss_before") | $(mb "$sampled_peak") | $(mb "$hwm") | $(mb $((hwm - rss_before))) |"$'\n'
  rm -f "$work/rss-peak"

  # 6. logins while the dashboard is loaded
  step "$n tickets: scenario 6 (logins during scenario 1)"
  reset_peak "$server_pid"
  cpu0=$(cpu_ticks "$server_pid")
  env BENCH_METHOD=POST BENCH_PATHS="$api/auth/login" BENCH_STATUS=1 \
    BENCH_BODY='{"email":"ana@groovoo.com.br","password":"groovoo-demo"}' \
    wrk -t "$threads" -c "$login_conns" -d "${duration}s" --timeout 30s -s "$lua" "$base" \
    >"$work/login.out" 2>&1 &
  login_pid=$!
  pids+=("$login_pid")
  r_dash=$(env BENCH_TOKEN="$token" BENCH_PATHS="$counts_path $list_path" \
    wrk -t "$threads" -c "$conns" -d "${duration}s" --timeout 30s -s "$lua" "$base" | grep '^BENCH_RESULT') ||
    die "wrk failed (scenario 6)"
  wait "$login_pid" || die "wrk failed (logins): $(cat "$work/login.out")"
  forget_pid "$login_pid"
  cpu1=$(cpu_ticks "$server_pid")
  r_login=$(grep '^BENCH_RESULT' "$work/login.out") || die "no result from the login wrk"
  check_clean "6 dashboard ($n)" "$r_dash"
  check_clean "6 logins ($n)" "$r_login"
  all=$(($(field "$r_dash" requests) + $(field "$r_login" requests)))
  t6_rows+="| $n | $(field "$r_pair" p99_ms) | $(field "$r_dash" p99_ms) | $(field "$r_pair" rps) | $(field "$r_dash" rps)"
  t6_rows+=" | $(field "$r_login" rps) | $(field "$r_login" p50_ms) | $(field "$r_login" p99_ms) | $(field "$r_login" non2xx)"
  t6_rows+=" | $(div $(((cpu1 - cpu0) * 1000 / tick)) "$all") | $(mb "$(status_kb "$server_pid" VmHWM)") |"$'\n'

  # 4. writes (last: they add tickets)
  step "$n tickets: scenario 4 (ticket and comment creation)"
  ids=$(curl -fsS --max-time 30 "${auth[@]}" "$base$list_path" | jq -r '[.items[].id] | join(",")')
  ticket_body='{"subject":"Ingresso não chegou (bench {n})","customer_name":"João da Conceição","customer_contact":"+55 11 98765-4321","channel":"whatsapp","category":"ingressos","description":"Comprou ontem pelo app e o ingresso não apareceu no e-mail nem na conta."}'
  for c in $write_conns; do
    r=$(run_wrk "$c" BENCH_METHOD=POST BENCH_PATHS="$api/tickets" BENCH_STATUS=1 BENCH_BODY="$ticket_body")
    check_clean "4 POST /tickets c=$c ($n)" "$r"
    t4_rows+="| $n | \`POST /tickets\` | $c | $(cells "$r") | $(field "$r" non2xx) | $(field "$r" errors) |"$'\n'
  done
  for c in $write_conns; do
    r=$(run_wrk "$c" BENCH_METHOD=POST BENCH_PATHS="$api/tickets/{id}/comments" BENCH_IDS="$ids" \
      BENCH_STATUS=1 BENCH_BODY='{"body":"Cliente retornou pelo WhatsApp: ingresso reenviado ({n})."}')
    check_clean "4 POST /comments c=$c ($n)" "$r"
    t4_rows+="| $n | \`POST /tickets/{id}/comments\` | $c | $(cells "$r") | $(field "$r" non2xx) | $(field "$r" errors) |"$'\n'
  done

  stop_server
  rm -rf "$data"
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 8. the web app -----------------------------------------------------------------------------
t8_rows=""
shopt -s nullglob
wasm_files=(web/dist/assets/*.wasm)
shopt -u nullglob
if [ "${#wasm_files[@]}" = 0 ]; then
  t8_rows="| not built | | | |"$'\n'
else
  for f in "${wasm_files[@]}"; do
    raw=$(wc -c <"$f")
    gz9=$(gzip -9 -c "$f" | wc -c)
    # What the server sends to a browser accepting gzip: the build's zopfli variant, if any.
    if [ -f "$f.gz" ]; then sent=$(wc -c <"$f.gz"); else sent=$gz9; fi
    t8_rows+="| \`$f\` | $raw ($(div "$raw" 1024 %.0f) KiB) | $sent ($(div "$sent" 1024 %.0f) KiB) | $gz9 |"$'\n'
  done
fi

# --- the report ---------------------------------------------------------------------------------
suite_s=$(($(date +%s) - suite_start))
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain -- . ":!$out" 2>/dev/null)" ] || commit="$commit (dirty)"
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
ram_gb=$(awk '$1 == "MemTotal:" { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
busy=""
if awk -v a="${load_before%% *}" -v b="${load_after%% *}" -v c="$(nproc)" \
  'BEGIN { exit !(a > c / 2 || b > c / 2) }'; then
  busy=" The load average was high: other processes (e.g. builds) were running during the measurements, so the figures are lower bounds of what this machine can do."
fi
warning_lines=""
for w in "${warnings[@]}"; do warning_lines+="- $w"$'\n'; done
[ -n "$warning_lines" ] || warning_lines="None: no non-2xx responses, socket errors or timeouts in any run."$'\n'

cat >"$out" <<EOF
# Benchmarks

Generated by \`scripts/bench.sh\`; do not edit by hand, rerun it.

| | |
|---|---|
| Machine | $(nproc) CPUs, ${cpu_model:-unknown CPU}, $ram_gb GiB RAM |
| Date (UTC) | $(date -u '+%Y-%m-%d %H:%M') |
| Commit | $commit |
| Load average (1, 5, 15 min) | before: $load_before; after: $load_after |
| Ticket counts | $sizes (seed $seed) |
| wrk runs | ${duration} s each, $threads threads, $conns connections unless stated |
| bcrypt cost | $cost (the seeded agents' hash; the server default is 12) |
| Suite duration | ${suite_s} s, of which ${build_s} s building the web app and the server${seeded_note} |

Server and load generator share the machine (loopback only), so wrk's threads take CPU from
the server. Latencies are in ms, RSS in MB (MiB) from \`/proc/<pid>/status\`: "RSS" is VmRSS after
the run, "peak" is VmHWM reset just before it. "CPU ms/req" is the server's user + system time over
the run (\`/proc/<pid>/stat\`) divided by the requests wrk completed. Every run works on a fresh copy
of the seeded data dir, with a warm OS page cache.${busy}

**Anomalies:**

${warning_lines}
## 1. Dashboard data (no filter)

\`GET /api/v1/tickets/counts\` and \`GET /api/v1/tickets?limit=25\` (first page), each alone and
alternating (what the dashboard loads); pairs/s = req/s ÷ 2.

| Tickets | Request | req/s | p50 | p99 | CPU ms/req | RSS | peak | pairs/s |
|---:|---|---:|---:|---:|---:|---:|---:|---:|
${t1_rows}
## 2. Filtered search

Counts and first page alternating, with the filter (sent percent-encoded); "hits" is the list's
\`total\`.

| Tickets | Filter | hits | req/s | p50 | p99 | CPU ms/req | RSS | peak | pairs/s |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|
${t2_rows}
## 3. Deep paging

Following \`next_cursor\` from the first page, sequentially with curl (25 items a page); times
per request from curl's \`time_total\` in ms; "wall" includes curl and jq start-up.

| Tickets | pages | items | page 1 | last page | median | max | sum | wall |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${t3_rows}
## 4. Writes

\`POST /api/v1/tickets\` (a WhatsApp ticket) and \`POST /api/v1/tickets/{id}/comments\` (spread over
the 25 newest tickets); req/s of 2xx and non-2xx alike, "non-2xx" must be 0.

| Tickets | Request | connections | req/s | p50 | p99 | CPU ms/req | RSS | peak | non-2xx | socket errors |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${t4_rows}
## 5. CSV export of the open tickets

\`GET /api/v1/tickets/export?format=csv\` with curl; "open" from \`/tickets/counts\`. RSS before
the request; the peak sampled every 50 ms and the VmHWM peak during it; growth = VmHWM − before.

| Tickets | open | HTTP | time s | bytes | RSS before | sampled peak | VmHWM peak | growth |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${t5_rows}
## 6. Logins during the dashboard load

\`POST /api/v1/auth/login\` (bcrypt cost $cost) from $login_conns connections while scenario 1's
alternating pair runs from $conns connections (two wrk processes at once). "alone" is
scenario 1's pair run.

| Tickets | dashboard p99 alone | dashboard p99 with logins | dashboard req/s alone | dashboard req/s with logins | logins/s | login p50 | login p99 | login non-2xx | CPU ms/req (all) | peak |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${t6_rows}
## 7. Cold start

From spawning \`servicedesk serve\` to the first 200 on \`/healthz\` (polled every 5 ms);
idle RSS one second later; database size on disk; the one-off seeding time of the cached dir.

| Tickets | cold start ms | idle RSS | data dir MB | seeding ms |
|---:|---:|---:|---:|---:|
${t7_rows}
## 8. Web app (release WASM)

${wasm_note} \`web/dist/assets/*.wasm\`: raw, gzip as the server sends it (the build's zopfli
variant, \`<file>.gz\`), and \`gzip -9\` for comparison.

| File | raw bytes | gzip bytes as sent | gzip -9 bytes |
|---|---:|---:|---:|
${t8_rows}
## How to rerun

\`scripts/bench.sh\` (all sizes; seeded data dirs are cached in \`target/bench-data/\`), or e.g.
\`BENCH_SIZES=10000 BENCH_DURATION=5 scripts/bench.sh\` for a quick subset; \`scripts/bench.sh --help\`
lists the settings.
EOF
step "wrote $out in ${suite_s} s"
