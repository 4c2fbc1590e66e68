-- wrk script of scripts/bench.sh: one request mix, configured through the environment, ending in
-- one machine-readable line that bench.sh parses:
--
--   BENCH_RESULT requests=N duration_us=N rps=X p50_ms=X p99_ms=X max_ms=X non2xx=N errors=N
--
-- BENCH_TOKEN    bearer token sent on every request (optional)
-- BENCH_METHOD   GET (default) or POST
-- BENCH_PATHS    one or more paths separated by spaces, sent in turn (e.g. counts, then list)
--                "{id}" in a path is replaced by the next id of BENCH_IDS
-- BENCH_IDS      comma-separated ticket ids for {id}
-- BENCH_BODY     request body (POST); "{n}" is replaced by a per-thread counter
-- BENCH_STATUS   1: count every response that is not 2xx (wrk itself only counts >= 400);
--                costs a little, so only the write and login scenarios turn it on

local function split(text, sep)
  local out = {}
  for item in string.gmatch(text or "", "[^" .. sep .. "]+") do
    out[#out + 1] = item
  end
  return out
end

local method = os.getenv("BENCH_METHOD") or "GET"
local paths = split(os.getenv("BENCH_PATHS") or "/healthz", " ")
local ids = split(os.getenv("BENCH_IDS") or "", ",")
local body = os.getenv("BENCH_BODY")
local token = os.getenv("BENCH_TOKEN")
local count_status = os.getenv("BENCH_STATUS") == "1"

local headers = {}
if token and token ~= "" then
  headers["Authorization"] = "Bearer " .. token
end
if body then
  headers["Content-Type"] = "application/json"
end

-- Requests that never change are formatted once.
local dynamic = body ~= nil and string.find(body, "{n}", 1, true) ~= nil
for _, path in ipairs(paths) do
  if string.find(path, "{id}", 1, true) then
    dynamic = true
  end
end
local fixed = {}

-- wrk calls init in each thread after it has set the Host header, which wrk.format copies.
function init(_args)
  if not dynamic then
    for i, path in ipairs(paths) do
      fixed[i] = wrk.format(method, path, headers, body)
    end
  end
end

local turn = 0
local serial = 0
non2xx = 0

request = function()
  turn = turn + 1
  local i = (turn - 1) % #paths + 1
  if not dynamic then
    return fixed[i]
  end
  local path = paths[i]
  if #ids > 0 then
    path = string.gsub(path, "{id}", ids[(turn - 1) % #ids + 1])
  end
  local payload = body
  if payload then
    serial = serial + 1
    payload = string.gsub(payload, "{n}", tostring(serial))
  end
  return wrk.format(method, path, headers, payload)
end

if count_status then
  response = function(status, _headers, _body)
    if status < 200 or status > 299 then
      non2xx = non2xx + 1
    end
  end
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, _requests)
  local bad = 0
  if count_status then
    for _, thread in ipairs(threads) do
      bad = bad + (thread:get("non2xx") or 0)
    end
  else
    bad = summary.errors.status
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d errors=%d\n",
    summary.requests, summary.duration, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    bad, e.connect + e.read + e.write + e.timeout))
end
