# shellcheck shell=bash disable=SC2034,SC2154  # variables set for, and by, the scripts
# The harness the bench/run-*-bench.sh scripts share; they source it (it runs nothing by
# itself) from the repository root, with $root set to it. It holds: the scratch directory
# and the result files, one JSON line per figure, the facts of a run (machine, commit,
# load), the physical baselines (disk write+fdatasync, loopback TCP), starting and stopping
# `brook serve`, and `brook bench` runs.
#
# A script sets $brook (the binary) and, before measure_baselines, $baseline
# (baseline_bench); $python is /usr/bin/python3 unless the script sets it first.

python=${python:-/usr/bin/python3}

# release_binaries BUILD: with BUILD=1 configures and builds the release preset's brook and
# baseline_bench first; then sets $brook and $baseline from $BROOK_BENCH_BUILD (another
# build directory, for development; default build/release) and exits if either is missing.
release_binaries() {
  if [[ $1 == 1 ]]; then
    cmake --preset release >/dev/null
    cmake --build --preset release --target brook baseline_bench
  fi
  local bin=${BROOK_BENCH_BUILD:-$root/build/release}
  brook=$bin/src/app/brook
  baseline=$bin/bench/baseline_bench
  local f
  for f in "$brook" "$baseline"; do
    [[ -x $f ]] || { echo "missing $f: build the release preset" >&2; exit 1; }
  done
}

# bench_setup KIND: $work, a scratch directory under $BROOK_BENCH_SCRATCH (default build/;
# data directories and the disk baseline share its filesystem), and $stamp, $jsonl and
# $table, the result files bench/results/KIND-<time>.{jsonl,md} ($BROOK_BENCH_RESULTS:
# another folder). On exit the server and $background are stopped and $work is removed.
bench_setup() {
  local kind=$1 scratch=${BROOK_BENCH_SCRATCH:-$root/build}
  results=${BROOK_BENCH_RESULTS:-$root/bench/results}
  mkdir -p "$results" "$scratch"
  work=$(mktemp -d "$scratch/$kind-bench-XXXXXX")
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  jsonl=$results/$kind-$stamp.jsonl
  table=$results/$kind-$stamp.md
  : >"$jsonl"
  server=
  background=
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_cleanup() {
  if [[ -n $background ]]; then
    kill "$background" 2>/dev/null || true
  fi
  if [[ -n $server ]]; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}

# record NAME JSON_VALUE: one line of $jsonl.
record() { printf '{"name":"%s","value":%s}\n' "$1" "$2" >>"$jsonl"; }
say() { echo "# $*" >&2; }
json_string() { "$python" -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"; }
load_average() { uptime | sed 's/.*load average: //'; }

# record_run_facts: the machine (cores, CPU model, kernel, the scratch filesystem), the
# commit (+dirty with uncommitted changes) and the load average before the run.
record_run_facts() {
  record machine "$(json_string "$(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1), \
$(uname -r), $(df -hT "$work" | awk 'NR==2{print $1" "$2}')")"
  record commit "\"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo +dirty)\""
  record load_before "\"$(load_average)\""
}

# debug_build_note BINARY: a sentence for the table when BINARY is linked with
# AddressSanitizer, else nothing. (grep without -q: an early exit would kill the writer
# with SIGPIPE, a failure to pipefail.)
debug_build_note() {
  if ldd "$1" 2>/dev/null | grep libasan >/dev/null; then
    echo "$1 is a debug build (AddressSanitizer): these figures do not measure Brook's speed"
  fi
}

# measure_baselines [DISK_BYTES]: disk write+fdatasync in 1 MiB blocks (DISK_BYTES in all,
# default 512 MiB) on the scratch filesystem, and loopback TCP in 1 MiB writes (2 threads,
# 3 s), recorded as disk_mb_s and loopback_mb_s.
measure_baselines() {
  local total=${1:-$((512 << 20))}
  say "baselines"
  record disk_mb_s "$("$baseline" disk "$work" 1048576 "$total" | awk '{print $2}')"
  record loopback_mb_s "$("$baseline" loopback 3 | awk '{print $2}')"
}

# listener_port KIND LOG: the port of the KIND (kafka or http) listener LOG names, or nothing.
listener_port() {
  grep -o "$1 listener on [0-9.]*:[0-9]*" "$2" | head -1 | sed 's/.*://' || true
}

# start_server [serve flags...]: starts `brook serve` on $work/data with free ports and
# returns once it has logged both listeners (the log is polled, up to 60 s). Sets $server
# (its pid), $kafka_port, $http_port and $url (the REST Proxy's).
start_server() {
  local log=$work/serve.log deadline=$((SECONDS + 60))
  "$brook" serve --data-dir "$work/data" --kafka-port 0 --http-port 0 --log-level info \
    --log-format text "$@" \
    >"$log" 2>&1 &
  server=$!
  kafka_port=
  http_port=
  while [[ -z $http_port || -z $kafka_port ]]; do
    http_port=$(listener_port http "$log")
    kafka_port=$(listener_port kafka "$log")
    kill -0 "$server" 2>/dev/null || { echo "brook serve exited:" >&2; tail -20 "$log" >&2; exit 1; }
    ((SECONDS < deadline)) || { echo "brook serve did not log its listeners within 60 s" >&2; exit 1; }
    sleep 0.05
  done
  url=http://127.0.0.1:$http_port
}

# stop_server: SIGTERM to $server, then up to 30 s for it to exit (polled) before a
# SIGKILL. Clears $server.
stop_server() {
  [[ -n $server ]] || return 0
  if kill -TERM "$server" 2>/dev/null; then
    local deadline=$((SECONDS + 30))
    while kill -0 "$server" 2>/dev/null; do
      if ((SECONDS >= deadline)); then
        echo "brook serve $server did not stop within 30 s of SIGTERM; killing it" >&2
        kill -KILL "$server" 2>/dev/null || true
        break
      fi
      sleep 0.1
    done
  fi
  wait "$server" 2>/dev/null || true
  server=
}

# finish_run: stops the server (if one runs) and records the load average after the run.
finish_run() {
  stop_server
  record load_after "\"$(load_average)\""
}

# render_table ARGS... <<'EOF' ... EOF: runs the Python program on stdin, with bench/table.py
# importable and $jsonl and ARGS as its arguments; what it prints is $table.
render_table() {
  PYTHONPATH="$root/bench${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1 \
    "$python" - "$jsonl" "$@" >"$table"
}

# bench NAME ARGS...: one `brook bench ARGS` run (librdkafka) against $kafka_port, its JSON
# recorded under NAME (null when it printed nothing).
bench() {
  local name=$1
  shift
  say "brook bench $*"
  local out rc=0
  out=$("$brook" bench --bootstrap "127.0.0.1:$kafka_port" --json "$@" 2>>"$work/bench.log") || rc=$?
  if [[ -z $out ]]; then
    echo "brook bench $* failed (status $rc):" >&2
    tail -5 "$work/bench.log" >&2
    out='null'
  elif [[ $rc != 0 ]]; then
    echo "brook bench $* reported errors (status $rc): $out" >&2
  fi
  record "$name" "$out"
}
