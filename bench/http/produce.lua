-- wrk script for bench/run-http-bench.sh: REST Proxy v2 produce, one fixed request sent
-- over and over on each keep-alive connection.
--   wrk ... -s bench/http/produce.lua http://127.0.0.1:PORT -- TOPIC FORMAT RECORDS VALUE_BYTES
-- FORMAT: json (each value a JSON string whose text is VALUE_BYTES bytes, quotes included)
-- or binary (each value VALUE_BYTES pseudo-random bytes, base64). RECORDS records per
-- request, no keys: the server spreads requests over the partitions in turn.
-- done() prints one line "WRK_JSON {...}" with the totals and latency percentiles
-- (microseconds) for the script to parse.

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(bytes)
  local out = {}
  for i = 1, #bytes, 3 do
    local a, b, c = bytes:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local s = {}
    for k = 1, 4 do
      local index = math.floor(n / 2 ^ (6 * (4 - k))) % 64
      s[k] = alphabet:sub(index + 1, index + 1)
    end
    if not b then
      s[3], s[4] = "=", "="
    elseif not c then
      s[4] = "="
    end
    out[#out + 1] = table.concat(s)
  end
  return table.concat(out)
end

-- Deterministic bytes (a small linear congruential generator, exact in doubles), the same
-- in every run.
local function bytes_of(n, printable)
  local t, x = {}, 12345
  for i = 1, n do
    x = (x * 75 + 74) % 65537
    local v = x % 256
    if printable then
      v = alphabet:byte(v % 62 + 1)  -- letters and digits: nothing to escape in JSON
    end
    t[i] = string.char(v)
  end
  return table.concat(t)
end

function init(args)
  local topic, format = args[1], args[2]
  local records, value_bytes = tonumber(args[3]), tonumber(args[4])
  if not (topic and records and value_bytes) or (format ~= "json" and format ~= "binary") then
    error("usage: -- TOPIC json|binary RECORDS VALUE_BYTES")
  end
  local value
  if format == "json" then
    value = '"' .. bytes_of(value_bytes - 2, true) .. '"'
  else
    value = '"' .. base64(bytes_of(value_bytes, false)) .. '"'
  end
  local record = '{"value":' .. value .. '}'
  local list = {}
  for i = 1, records do
    list[i] = record
  end
  wrk.method = "POST"
  wrk.path = "/topics/" .. topic
  wrk.headers["Content-Type"] = "application/vnd.kafka." .. format .. ".v2+json"
  wrk.headers["Accept"] = "application/vnd.kafka.v2+json"
  wrk.body = '{"records":[' .. table.concat(list, ",") .. ']}'
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"stdev":%.1f,"p50":%d,"p90":%d,"p99":%d,' ..
    '"p99_9":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max))
end
