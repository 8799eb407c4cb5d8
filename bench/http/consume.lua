-- wrk script for bench/run-http-bench.sh: reads a REST Proxy v2 consumer instance in the
-- binary format, one GET of its records after another on one keep-alive connection
-- (run it with -t1 -c1: a consumer instance serves one read at a time).
--   wrk -t1 -c1 ... -s bench/http/consume.lua http://127.0.0.1:PORT -- RECORDS_PATH MAX_BYTES
-- RECORDS_PATH: /consumers/GROUP/instances/NAME/records. Each answer's records are counted
-- (one "offset" field per record). done() prints "WRK_JSON {...}" with wrk's totals, the
-- records and the answers that held none.

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  local path, max_bytes = args[1], tonumber(args[2])
  if not (path and max_bytes) then
    error("usage: -- RECORDS_PATH MAX_BYTES")
  end
  wrk.method = "GET"
  wrk.path = path .. "?timeout=1000&max_bytes=" .. max_bytes
  wrk.headers["Accept"] = "application/vnd.kafka.binary.v2+json"
  records, empty = 0, 0
end

function response(status, headers, body)
  local _, n = body:gsub('"offset":', "")
  records = records + n
  if n == 0 then
    empty = empty + 1
  end
end

function done(summary, latency, requests)
  local total, none = 0, 0
  for _, t in ipairs(threads) do
    total = total + t:get("records")
    none = none + t:get("empty")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"records":%d,"empty_answers":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"p50":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes, total, none,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(99), latency.max))
end
