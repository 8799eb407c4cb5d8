-- wrk script for bench/run-http-bench.sh: reads a REST Proxy v2 consumer instance in the
-- binary format, one GET of its records after another on one keep-alive connection
-- (run it with -t1 -c1: a consumer instance serves one read at a time).
--   wrk -t1 -c1 ... -s bench/http/consume.lua http://127.0.0.1:PORT -- RECORDS_PATH MAX_BYTES
-- RECORDS_PATH: /consumers/GROUP/instances/NAME/records. There is no response() function on
-- purpose: with one, wrk hands every body to Lua, and copying and scanning answers of
-- megabytes in Lua made wrk, not the server, the limit. The script counts records from the
-- bytes received instead. done() prints "WRK_JSON {...}" with wrk's totals.

function init(args)
  local path, max_bytes = args[1], tonumber(args[2])
  if not (path and max_bytes) then
    error("usage: -- RECORDS_PATH MAX_BYTES")
  end
  wrk.method = "GET"
  wrk.path = path .. "?timeout=1000&max_bytes=" .. max_bytes
  wrk.headers["Accept"] = "application/vnd.kafka.binary.v2+json"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"p50":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(99), latency.max))
end
