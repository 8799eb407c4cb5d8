#!/usr/bin/env bash
# Measures the REST Proxy of `brook serve` (HTTP, Confluent REST Proxy v2) with wrk and prints
# one Markdown table, each figure next to the baselines measured in the same run.
#   bench/run-http-bench.sh [--quick] [--duration SECONDS] [--brook PATH] [--baseline PATH]
#                           [--no-perf]
# --quick: 3 s runs instead of 10 s, 50,000 records to consume instead of 200,000, a 3 s
#   profile (a smoke test of the script). --duration: seconds per run.
# --brook: the binary (default build/release/src/app/brook: build the release preset first;
#   this script builds nothing). --baseline: baseline_bench (default: bench/baseline_bench in
#   the binary's build directory). --no-perf: skip the profile.
# $BROOK_BENCH_RESULTS: where the results go (default bench/results); $BROOK_BENCH_SCRATCH:
# where the scratch directory goes (default build/; the data directory and the disk baseline
# share its filesystem).
#
# Load generator: wrk 4.1 (Debian package `wrk`) with bench/http/produce.lua, keep-alive
# connections, a closed loop (each connection sends its next request when the answer came).
# On one `brook serve --kafka-port 0 --http-port 0` (default durability: sync), every topic
# created through REST Proxy v3 with 8 partitions:
#   1. baselines: disk write+fdatasync (1 MiB blocks), loopback TCP (1 MiB writes);
#   2. produce with POST /topics/{topic} (v2), no keys (the server spreads requests over the
#      partitions), 1 KiB values: 1 record per request in the json format (each value a JSON
#      string of 1 KiB) and in the binary format (1 KiB of bytes, base64), then 100 records
#      per request in both, each with 1 connection (1 wrk thread) and 64 (2 threads); after
#      each run the stored records are counted against wrk's answered requests;
#   3. the same at 64 connections for single records and binary batches, on topics set to
#      brook.durability=interval: what the fdatasync before each answer costs;
#   4. latency: fewer connections until the rate falls to half the peak of single-record
#      json produce (64 connections); the run there is "closed loop at about half the peak",
#      not a constant-rate (open loop) measurement: wrk 4.1 has no rate option;
#   5. the Kafka protocol on the same server: `brook bench produce` (librdkafka, acks=all,
#      8 partitions) and `brook bench consume`;
#   6. consume through v2 consumer instances (binary format, earliest, subscribed, a fresh
#      group each) from the topic of the binary batch run: wrk with bench/http/consume.lua
#      on one connection for the run's duration, GET records with max_bytes 1 MiB, then
#      8 MiB (records counted from the bytes received); then bench/http/rest_client.py
#      (Python http.client, one read at a time, decoding the JSON and every value's base64)
#      until N records are read; `brook bench consume` reads the same N records over the
#      Kafka protocol;
#   7. a profile: `perf record -a -g` for 5 s during another single-record json run at 64
#      connections (not one of the measured runs).
# Results: $results/http-<time>.md (the table), .jsonl (every raw figure) and -perf.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source bench/lib.sh

usage() {
  echo "usage: bench/run-http-bench.sh [--quick] [--duration SECONDS] [--brook PATH]" \
    "[--baseline PATH] [--no-perf]" >&2
  exit 2
}
args="$*"
quick=0
duration=
brook=$root/build/release/src/app/brook
baseline=
perf_on=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --duration) [[ $# -ge 2 ]] || usage; duration=$2; shift ;;
    --brook) [[ $# -ge 2 ]] || usage; brook=$2; shift ;;
    --baseline) [[ $# -ge 2 ]] || usage; baseline=$2; shift ;;
    --no-perf) perf_on=0 ;;
    *) usage ;;
  esac
  shift
done
consume_records=200000
search_seconds=2
perf_seconds=5
if [[ $quick == 1 ]]; then
  duration=${duration:-3}
  consume_records=50000
  search_seconds=1
  perf_seconds=3
fi
duration=${duration:-10}
[[ $duration =~ ^[1-9][0-9]*$ ]] || { echo "--duration takes whole seconds" >&2; exit 2; }

client=$root/bench/http/rest_client.py
lua=$root/bench/http/produce.lua
brook=$(realpath "$brook" 2>/dev/null || echo "$brook")
baseline=${baseline:-$(dirname "$(dirname "$(dirname "$brook")")")/bench/baseline_bench}
command -v wrk >/dev/null || { echo "wrk is needed (Debian: apt-get install wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is needed (Debian: apt-get install time)" >&2; exit 1; }
"$python" -c 'import requests' 2>/dev/null ||
  { echo "$python with requests is needed (Debian: python3-requests)" >&2; exit 1; }
[[ -x $brook ]] || { echo "missing $brook: build the release preset (or pass --brook)" >&2; exit 1; }
[[ -x $baseline ]] || { echo "missing $baseline: build baseline_bench (or pass --baseline)" >&2; exit 1; }
# (grep without -q: an early exit would kill the writer with SIGPIPE, a failure to pipefail.)
"$brook" serve --help 2>/dev/null | grep -- --http-port >/dev/null ||
  { echo "$brook serve has no --http-port: a binary without the REST Proxy" >&2; exit 1; }
binary_note=$(debug_build_note "$brook")
[[ -z $binary_note ]] || echo "$binary_note" >&2
if [[ $perf_on == 1 ]] && ! perf record -o /dev/null -q -- true >/dev/null 2>&1; then
  echo "perf is missing or not allowed here: no profile" >&2
  perf_on=0
fi

bench_setup http
perf_txt=$results/http-$stamp-perf.txt

rest() { "$python" "$client" "$1" "$url" "${@:2}"; }

# wait_ready: polls /readyz of the server start_server started until it answers 200 (60 s).
wait_ready() {
  local deadline=$((SECONDS + 60))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/readyz") == 200 ]]; do
    kill -0 "$server" 2>/dev/null || { echo "brook serve exited:" >&2; tail -20 "$work/serve.log" >&2; exit 1; }
    ((SECONDS < deadline)) || { echo "/readyz did not answer 200 within 60 s" >&2; exit 1; }
    sleep 0.05
  done
}

# cpu_snapshot: the server's CPU time (user + system, in clock ticks), then the machine's
# total and idle (idle + iowait) ticks over all cores, from /proc.
cpu_snapshot() {
  echo "$(awk '{print $14 + $15}' "/proc/$server/stat")" \
    "$(awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6}' /proc/stat)"
}

# with_cpu WRK_JSON BEFORE AFTER TIME_FILE: the WRK_JSON with "server_cpu_s" (the server's
# CPU seconds during the run), "wrk_cpu_s" (wrk's, from /usr/bin/time's "USER SYSTEM" in
# TIME_FILE) and "busy_cores" (how many of the machine's cores were busy on average).
with_cpu() {
  local b a t
  read -ra b <<<"$2"
  read -ra a <<<"$3"
  read -ra t < <(tail -1 "$4")
  awk -v w="$1" -v tck="$(getconf CLK_TCK)" -v cores="$(nproc)" -v wu="${t[0]}" -v ws="${t[1]}" \
    -v s="$((a[0] - b[0]))" -v t="$((a[1] - b[1]))" -v i="$((a[2] - b[2]))" \
    'BEGIN { sub(/}$/, "", w); busy = t > 0 ? (t - i) / t * cores : 0
             printf "%s,\"server_cpu_s\":%.2f,\"wrk_cpu_s\":%.2f,\"busy_cores\":%.2f}\n",
                    w, s / tck, wu + ws, busy }'
}

# wrk_produce TOPIC FORMAT RECORDS CONNECTIONS SECONDS: one wrk run; prints its WRK_JSON with
# the CPU figures of with_cpu.
wrk_produce() {
  local topic=$1 format=$2 records=$3 conns=$4 seconds=$5 threads=2 out before after
  local times=$work/wrk-time-$BASHPID
  ((conns < 2)) && threads=1
  before=$(cpu_snapshot)
  out=$(/usr/bin/time -f '%U %S' -o "$times" wrk -t"$threads" -c"$conns" \
    -d"${seconds}s" --timeout 10s -s "$lua" "$url" -- "$topic" "$format" "$records" 1024 2>&1) ||
    { echo "wrk failed: $out" >&2; exit 1; }
  after=$(cpu_snapshot)
  echo "$out" >>"$work/wrk.log"
  with_cpu "$(grep '^WRK_JSON ' <<<"$out" | head -1 | cut -d' ' -f2-)" "$before" "$after" "$times"
}

# produce NAME FORMAT RECORDS CONNECTIONS [sync|interval] [keep]: a fresh topic, one wrk run,
# the records it holds afterwards; recorded under NAME. The topic is deleted afterwards
# unless `keep` (it is then $kept_topic).
produce() {
  local name=$1 format=$2 records=$3 conns=$4 durability=${5:-sync} keep=${6:-} topic
  local configs=() wrk_json stored threads=2
  ((conns < 2)) && threads=1
  topic=$(tr '_' '-' <<<"$name")
  [[ $durability == interval ]] && configs=(brook.durability=interval)
  say "$name: $format, $records record(s) of 1 KiB per request, $conns connection(s)," \
    "$durability durability, ${duration} s"
  rest create-topic "$cluster" "$topic" 8 "${configs[@]}" >/dev/null
  wrk_json=$(wrk_produce "$topic" "$format" "$records" "$conns" "$duration")
  stored=$(rest count "$topic")
  record "$name" "{\"wrk\":$wrk_json,\"stored\":$stored,\"format\":\"$format\",\
\"records_per_request\":$records,\"connections\":$conns,\"threads\":$threads,\
\"durability\":\"$durability\",\"seconds\":$duration}"
  if [[ $keep == keep ]]; then
    kept_topic=$topic
  else
    rest delete-topic "$cluster" "$topic" >/dev/null
  fi
}

# rate_of WRK_JSON: requests per second.
rate_of() {
  "$python" -c 'import json,sys; w=json.loads(sys.argv[1]); print(w["requests"]/w["duration_us"]*1e6)' "$1"
}

record_run_facts
record cores "$(nproc)"
record binary "$(json_string "$brook")"
record binary_note "$(json_string "$binary_note")"
record wrk "$(json_string "$(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')")"
record command "$(json_string "bench/run-http-bench.sh${args:+ $args}")"

disk_total=$((512 << 20))
[[ $quick == 1 ]] && disk_total=$((128 << 20))
measure_baselines "$disk_total"

start_server
wait_ready
record rss_idle_kb "$(awk '/^VmRSS:/ {print $2}' "/proc/$server/status")"
cluster=$(rest cluster-id | tr -d '"')

produce json_1_c1 json 1 1
produce json_1_c64 json 1 64 sync keep
peak_topic=$kept_topic
produce binary_1_c1 binary 1 1
produce binary_1_c64 binary 1 64
produce json_100_c1 json 100 1
produce json_100_c64 json 100 64
produce binary_100_c1 binary 100 1
produce binary_100_c64 binary 100 64 sync keep
consume_topic=$kept_topic
produce interval_json_1_c64 json 1 64 interval
produce interval_binary_100_c64 binary 100 64 interval

# Latency at about half the peak: halve the connections until the rate falls to half the
# rate of json_1_c64, then measure at whichever of the last two counts came closer.
peak=$("$python" -c 'import json, sys
for line in open(sys.argv[1]):
    f = json.loads(line)
    if f["name"] == "json_1_c64":
        print(f["value"]["wrk"]["requests"] / f["value"]["wrk"]["duration_us"] * 1e6)' "$jsonl")
say "latency: looking for the connection count that gives about half of $peak requests/s"
chosen=64 chosen_gap=
for conns in 32 16 8 4 2 1; do
  w=$(wrk_produce "$peak_topic" json 1 "$conns" "$search_seconds")
  r=$(rate_of "$w")
  record latency_search "{\"connections\":$conns,\"requests_per_s\":$r}"
  gap=$("$python" -c "print(abs($r - $peak / 2))")
  if [[ -z $chosen_gap ]] || "$python" -c "import sys; sys.exit(0 if $gap < $chosen_gap else 1)"; then
    chosen=$conns chosen_gap=$gap
  fi
  "$python" -c "import sys; sys.exit(0 if $r <= $peak / 2 else 1)" && break
done
say "latency: $chosen connections, ${duration} s"
w=$(wrk_produce "$peak_topic" json 1 "$chosen" "$duration")
record latency_half "{\"wrk\":$w,\"connections\":$chosen,\"peak_requests_per_s\":$peak}"

bench kafka_produce produce --topic kafka-produce --partitions 8 --record-size 1024 --acks all \
  --duration "$duration"

available=$(rest count "$consume_topic")
n=$((available < consume_records ? available : consume_records))
record consume_topic "{\"topic\":\"$consume_topic\",\"records\":$available}"
for max_bytes in 1048576 8388608; do
  say "consume $consume_topic with wrk through a v2 consumer instance, max_bytes $max_bytes, ${duration} s"
  instance=$(rest open-instance "$consume_topic")
  path=$("$python" -c 'import json,sys; print(json.loads(sys.argv[1])["path"])' "$instance")
  before=$(cpu_snapshot)
  out=$(/usr/bin/time -f '%U %S' -o "$work/wrk-time" wrk -t1 -c1 -d"${duration}s" --timeout 10s \
    -s "$root/bench/http/consume.lua" "$url" -- "$path/records" "$max_bytes" 2>&1) ||
    { echo "wrk failed: $out" >&2; exit 1; }
  after=$(cpu_snapshot)
  echo "$out" >>"$work/wrk.log"
  w=$(with_cpu "$(grep '^WRK_JSON ' <<<"$out" | head -1 | cut -d' ' -f2-)" "$before" "$after" \
    "$work/wrk-time")
  rest close-instance "$path" >/dev/null
  record "wrk_consume_$max_bytes" "{\"wrk\":$w,\"instance\":$instance,\"max_bytes\":$max_bytes}"
done
say "consume $n records of $consume_topic with Python http.client through a v2 consumer instance"
out=$(rest consume "$consume_topic" "$n" 8388608) || out=null
record python_consume "$out"
bench kafka_consume consume --topic "$consume_topic" --count "$n"

if [[ $perf_on == 1 ]]; then
  say "profile: perf record -a -g for $perf_seconds s during json_1_c64 (not a measured run)"
  wrk_produce "$peak_topic" json 1 64 $((perf_seconds + 2)) >"$work/perf-wrk.json" &
  background=$!
  perf record -a -g -F 1999 -o "$work/perf.data" -- sleep "$perf_seconds" >/dev/null 2>&1 || true
  wait "$background" || true
  background=
  {
    echo "perf record -a -g -F 1999, $perf_seconds s, during wrk -c64 json single-record produce"
    echo "wrk during the profile: $(cat "$work/perf-wrk.json")"
    echo
    echo "== CPU samples by command, all CPUs (brook = the server, wrk = the load) =="
    perf report -i "$work/perf.data" --stdio --no-children --sort comm -g none 2>/dev/null |
      grep -v '^#' | grep -v '^$' | head -12 || true
    echo
    echo "== brook serve by shared object (percent of its own samples) =="
    perf report -i "$work/perf.data" --stdio --no-children --pid "$server" \
      --percentage relative --sort dso,sym -g none 2>/dev/null | grep -v '^#' |
      awk 'NF >= 2 { sub("%", "", $1); share[$2] += $1 }
           END { for (d in share) printf "%8.2f%%  %s\n", share[d], d }' |
      sort -rn | head -8 || true
    echo
    echo "== brook serve: system calls and other libc functions, with what runs under them"
    echo "   (the kernel's work included; percent of the server's own samples) =="
    perf report -i "$work/perf.data" --stdio --children --pid "$server" \
      --percentage relative --sort dso,sym -g none 2>/dev/null | grep -v '^#' |
      grep 'libc\.so' | head -14 || true
    echo
    echo "== brook serve, top symbols by self time (percent of its own samples) =="
    perf report -i "$work/perf.data" --stdio --no-children --pid "$server" \
      --percentage relative --sort dso,sym -g none 2>/dev/null |
      grep -v '^#' | grep -v '^$' | cut -c1-200 | head -40 || true
  } >"$perf_txt"
  record perf_report "$(json_string "$perf_txt")"
  # The share of all CPU samples taken by other programs (another build, say): the figures
  # of this run are worth little when it is large.
  record perf_other_share "$(perf report -i "$work/perf.data" --stdio --no-children --sort comm \
    -g none 2>/dev/null | grep -v '^#' | awk '
      NF >= 2 { sub("%", "", $1); comm = $2
                if (comm != "brook" && comm !~ /^rdk:/ && comm != "wrk" && comm != "swapper" &&
                    comm != "perf" && comm != "sleep" && comm !~ /^kworker/) other += $1 }
      END { printf "%.1f\n", other + 0 }' || echo null)"
fi

record rss_peak_kb "$(awk '/^VmHWM:/ {print $2}' "/proc/$server/status")"
finish_run

render_table "$stamp" <<'EOF'
import sys
from table import Facts, Table, yes
facts = Facts(sys.argv[1])
one = facts.one
disk, loop = one("disk_mb_s"), one("loopback_mb_s")
kp, kc = one("kafka_produce"), one("kafka_consume")
cores = one("cores")
print(f"Run of {sys.argv[2]}, commit {one('commit')}, {one('machine')}")
print(f"command: `{one('command')}`; binary: {one('binary')}; load generator: {one('wrk')}")
if one("binary_note"):
    print(f"\n**{one('binary_note')}.**")
other = one("perf_other_share")
busy = f"; other programs' share of all CPU samples during the profile: {other} %" if other is not None else ""
print(f"load average before: {one('load_before')}; after: {one('load_after')}{busy}\n")
table = Table("measurement", "figure", "baseline (same run)", "ratio", "target", "met")
row = table.row
table.baselines(facts)
kafka_rps = kp["records_per_s"] if kp else None
if kp:
    l = kp["latency_ms"]
    err = f", **{kp['errors']} errors**" if kp.get("errors") else ""
    row(f"Kafka protocol: `brook bench produce` (librdkafka), 1 KiB records, 8 partitions, "
        f"acks=all, {kp['seconds']:.0f} s (latency p50 {l['p50']:.1f} / p99 {l['p99']:.1f} ms: queueing)",
        f"{kp['records_per_s']:,.0f} records/s, {kp['mb_per_s']:.1f} MB/s{err}",
        f"{disk:.1f} MB/s disk", f"{kp['mb_per_s'] / disk:.2f} × disk")
else:
    row("Kafka protocol: `brook bench produce`", "failed (see the script's output)")

def ms(us):
    return f"{us / 1000:.2f}"
def lat(l):
    return f"p50 {ms(l['p50'])} / p99 {ms(l['p99'])} / max {ms(l['max'])} ms"
def errors(w, stored, expected_low, expected_high):
    e = w["errors"]
    bad = {k: v for k, v in e.items() if v}
    notes = []
    if bad:
        notes.append("**errors: " + ", ".join(f"{k} {v}" for k, v in bad.items()) + "**")
    if not (expected_low <= stored <= expected_high):
        notes.append(f"**{stored:,} records stored, expected {expected_low:,}–{expected_high:,}**")
    return ("; " + "; ".join(notes)) if notes else ""

def cpu(w):
    """The server's CPU per request and the machine's busy cores during a wrk run."""
    secs = w["duration_us"] / 1e6
    per = w["server_cpu_s"] / max(1, w["requests"]) * 1e6
    server, wrk = w["server_cpu_s"] / secs, w["wrk_cpu_s"] / secs
    other = max(0.0, w["busy_cores"] - server - wrk)
    mark = "**" if other >= 0.3 else ""
    return (f"CPU: server {server:.2f} cores ({per:,.0f} µs per request), wrk {wrk:.2f}, "
            f"rest of the machine {mark}{other:.2f}{mark}")

def produce(name, target=None):
    r = one(name)
    if r is None:
        row(name, "failed (see the script's output)")
        return None
    w = r["wrk"]
    secs = w["duration_us"] / 1e6
    rps = w["requests"] / secs
    k = r["records_per_request"]
    recs = rps * k
    mb = recs * 1024 / 1e6
    low = (w["requests"] - w["errors"]["status"]) * k
    check = errors(w, r["stored"], low, low + r["connections"] * k)
    what = ("1 record" if k == 1 else f"{k} records") + " of 1 KiB per request"
    label = (f"REST produce, {r['format']}, {what}, {r['connections']} connection"
             f"{'s' if r['connections'] > 1 else ''}"
             f"{', brook.durability=interval' if r['durability'] == 'interval' else ''}, {secs:.0f} s")
    fig = (f"{rps:,.0f} requests/s" + (f" = {recs:,.0f} records/s" if k > 1 else "") +
           f", {mb:.1f} MB/s of values; latency {lat(w['latency_us'])}; {cpu(w)}{check}")
    base = f"{disk:.1f} MB/s disk" + (f"; {kafka_rps:,.0f} records/s Kafka" if kafka_rps else "")
    ratio = f"{mb / disk:.2f} × disk" + (f"; {recs / kafka_rps:.2f} × Kafka" if kafka_rps else "")
    t = m = ""
    if target == "requests":
        t, m = "≥ 50,000 requests/s", yes(rps >= 50000)
    elif target == "records":
        t, m = "≥ 300,000 records/s", yes(recs >= 300000)
    row(label, fig, base, ratio, t, m)
    return rps

produce("json_1_c1")
produce("json_1_c64", "requests")
produce("binary_1_c1")
produce("binary_1_c64", "requests")
produce("json_100_c1")
produce("json_100_c64", "records")
produce("binary_100_c1")
produce("binary_100_c64", "records")
produce("interval_json_1_c64")
produce("interval_binary_100_c64")

h = one("latency_half")
if h is None:
    row("latency at about half the peak", "failed (see the script's output)")
else:
    w = h["wrk"]
    rps = w["requests"] / (w["duration_us"] / 1e6)
    l = w["latency_us"]
    search = ", ".join(f"{s['connections']}: {s['requests_per_s']:,.0f}" for s in facts.all("latency_search"))
    row(f"latency, json, 1 record per request, **closed loop** with {h['connections']} connection"
        f"{'s' if h['connections'] > 1 else ''} (requests/s by connections: {search})",
        f"{rps:,.0f} requests/s; p50 {ms(l['p50'])} / p90 {ms(l['p90'])} / p99 {ms(l['p99'])} / "
        f"p99.9 {ms(l['p99_9'])} / max {ms(l['max'])} ms; {cpu(w)}",
        f"{h['peak_requests_per_s']:,.0f} requests/s peak (64 connections)",
        f"{rps / h['peak_requests_per_s']:.2f} × peak", "p99 < 5 ms at half the peak",
        yes(l["p99"] < 5000))

kbase = f"; {kc['mb_per_s']:.1f} MB/s Kafka" if kc else ""
def kratio(mb):
    return f"; {mb / kc['mb_per_s']:.2f} × Kafka" if kc else ""
ct = one("consume_topic") or {}
for mb_name in ("wrk_consume_1048576", "wrk_consume_8388608"):
    c = one(mb_name)
    if c is None:
        row(f"REST consume ({mb_name})", "failed (see the script's output)")
        continue
    w = c["wrk"]
    secs = w["duration_us"] / 1e6
    # Records from the bytes received (the headers, about 100 bytes an answer, are left in:
    # under 0.1 %).
    records = w["bytes"] / c["instance"]["bytes_per_record"]
    rps = records / secs
    mb = rps * 1024 / 1e6
    l = w["latency_us"]
    extra = ""
    if records + c["instance"]["dropped"] >= 0.98 * ct.get("records", 0):
        extra = "; **the reader reached the end of the topic: the rate is a lower bound**"
    bad = {k: v for k, v in w["errors"].items() if v}
    if bad:
        extra += "; **errors: " + ", ".join(f"{k} {v}" for k, v in bad.items()) + "**"
    row(f"REST consume through a consumer instance (binary, subscribed, earliest), wrk, 1 "
        f"connection, max_bytes {c['max_bytes'] // 1048576} MiB, {secs:.0f} s, from a topic of "
        f"{ct.get('records', 0):,} records",
        f"{rps:,.0f} records/s, {mb:.1f} MB/s of values; {w['requests'] / secs:.1f} reads/s, "
        f"{records / max(1, w['requests']):,.0f} records per read; read latency p50 "
        f"{ms(l['p50'])} / p99 {ms(l['p99'])} / max {ms(l['max'])} ms; joining the group: "
        f"{c['instance']['first_record_ms']:.0f} ms; {cpu(w)}{extra}",
        f"{loop:.1f} MB/s loopback{kbase}", f"{mb / loop:.2f} × loopback{kratio(mb)}")
c = one("python_consume")
if c is None:
    row("REST consume with Python", "failed (see the script's output)")
else:
    row(f"REST consume {c['records']:,} records the same way with Python http.client, one read "
        f"at a time, max_bytes {c['max_bytes'] // 1048576} MiB, decoding the JSON and base64",
        f"{c['records_per_s']:,.0f} records/s, {c['mb_per_s']:.1f} MB/s ({c['records_per_read']:,.0f} "
        f"records per read; {c['http_share'] * 100:.0f} % of the time waiting for answers, "
        f"{c['parse_share'] * 100:.0f} % in the client's JSON and base64)",
        f"{loop:.1f} MB/s loopback{kbase}", f"{c['mb_per_s'] / loop:.2f} × loopback{kratio(c['mb_per_s'])}")
if kc:
    row(f"Kafka protocol: `brook bench consume` (librdkafka) of the same {kc['records']:,} records",
        f"{kc['records_per_s']:,.0f} records/s, {kc['mb_per_s']:.1f} MB/s",
        f"{loop:.1f} MB/s loopback", f"{kc['mb_per_s'] / loop:.2f} × loopback")
mib = lambda kb: f"{kb / 1024:.1f} MiB"
row("resident memory idle at start / peak (VmHWM) at the end",
    f"{mib(one('rss_idle_kb'))} / {mib(one('rss_peak_kb'))}")
row("for context only: Confluent REST Proxy, published figure (as quoted in the issue)",
    "about 8,000 requests/s on 24 cores", "not measured here")
print("\nwrk is a closed loop: each connection sends its next request when the answer came, so "
      "latencies at full rate are mostly queueing. Records/s = requests/s × records per request; "
      "MB/s counts record values (1 KiB each). CPU: cores used on average during the run, from "
      "/proc (the server, all its threads), /usr/bin/time (wrk) and /proc/stat (the rest of the "
      "machine: the kernel's block and network threads working for the server, and other "
      "programs; in bold when 0.3 cores or more, which makes that row doubtful). wrk consume "
      "rows count records from the bytes received.")
EOF
cat "$table"
echo
if [[ -f $perf_txt ]]; then
  echo "(profile: $perf_txt)"
fi
echo "(table: $table; raw figures: $jsonl)"
