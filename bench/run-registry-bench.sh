#!/usr/bin/env bash
# Measures the agent registry (doc/registry.md) with real clients, beside the same run's
# physical baseline, and prints one Markdown table.
#   bench/run-registry-bench.sh [--quick] [--no-build]
# --quick: fewer registrations (100 sequential, 400 concurrent, 20 first records).
# --no-build: use build/release (or $BROOK_BENCH_BUILD).
#
# In a scratch directory under build/ (removed afterwards):
#   1. baselines: disk write+fdatasync in 4 KiB blocks (a registration's durable writes are
#      small: registry.db twice, metadata.db, credentials.db, acls.db, the first record),
#      as fdatasyncs per second, and loopback TCP;
#   2. one `brook serve` (durability sync, the default) with PLAINTEXT and SASL_PLAINTEXT
#      listeners, HTTP Basic and ACLs (the admin registers);
#   3. bench/registry_bench.py: after 20 warm-up registrations, registrations one after
#      another over one keep-alive connection (and their latency), then from 16 clients at
#      once; then, for each of 50 new agents, the time from the registration's answer to
#      its first record acknowledged (acks=all) by a new confluent-kafka producer logging
#      in with the answer's SCRAM credentials.
# Results: bench/results/registry-<time>.md (the table) and .jsonl (every raw figure).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source bench/lib.sh

quick=0
build=1
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    *) echo "usage: bench/run-registry-bench.sh [--quick] [--no-build]" >&2; exit 2 ;;
  esac
done
sequential=500 concurrent=2000 firsts=50
if [[ $quick == 1 ]]; then
  sequential=100 concurrent=400 firsts=20
fi

release_binaries "$build"
bench_setup registry
record_run_facts
say "baselines"
record disk_4k_mb_s "$("$baseline" disk "$work" 4096 $((16 << 20)) | awk '{print $2}')"
record loopback_mb_s "$("$baseline" loopback 3 | awk '{print $2}')"

password=bench-$RANDOM$RANDOM
export BROOK_SECURITY_ADMIN_PASSWORD=$password
start_server --listeners "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0"
sasl_port=$(grep -o "kafka listener on [0-9.]*:[0-9]* .*: SASL_PLAINTEXT" "$work/serve.log" |
  head -1 | sed 's/^kafka listener on [0-9.]*://; s/ .*//')
[[ -n $sasl_port ]] || { echo "no SASL_PLAINTEXT listener in the log" >&2; exit 1; }

say "registrations: $sequential one after another, $concurrent from 16 clients, $firsts first records"
record registry "$("$python" bench/registry_bench.py --url "$url" \
  --bootstrap "127.0.0.1:$sasl_port" --sequential "$sequential" --concurrent "$concurrent" \
  --first-records "$firsts")"
finish_run

render_table "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(debug_build_note "$brook")" <<'EOF'
import sys
from table import Facts, Table
facts = Facts(sys.argv[1])
when, note = sys.argv[2], sys.argv[3]
one = facts.one
print(f"Run of {when}, commit {one('commit')}, {one('machine')}; load before {one('load_before')}, after {one('load_after')}")
if note:
    print(f"\n**{note}**")
print()
fsyncs = one("disk_4k_mb_s") * 1e6 / 4096
r = one("registry")
t = Table("measurement", "figure", "baseline (same run)", "ratio", "target")
t.row("disk: write+fdatasync, 4 KiB blocks", f"{fsyncs:.0f} fdatasyncs/s")
t.row("loopback TCP, 1 MiB writes, 2 threads", f"{one('loopback_mb_s'):.1f} MB/s")
seq, con = r["sequential"], r["concurrent"]
for name, x in (("one after another, 1 client", seq),
                (f"{con['clients']} clients at once", con)):
    t.row(f"registrations/s, {name} ({x['count']})", f"{x['per_s']:.1f}/s",
          f"{fsyncs:.0f} fdatasyncs/s", f"{x['per_s'] / fsyncs:.3f} registrations per fdatasync",
          "200/s" + (" **missed**" if x["per_s"] < 200 else " met"))
lat = r["registration_ms"]
t.row("registration latency (one after another)",
      f"p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms, max {lat['max']:.1f} ms",
      f"{1000 / fsyncs:.2f} ms per fdatasync", f"{lat['p50'] * fsyncs / 1000:.1f} fdatasyncs' time")
f = r["first_record_ms"]
t.row(f"answer to first record acknowledged ({f['count']} new agents; new producer, SCRAM login, acks=all)",
      f"p50 {f['p50']:.1f} ms, p95 {f['p95']:.1f} ms, max {f['max']:.1f} ms", "", "",
      "50 ms" + (" **missed**" if f["p50"] > 50 else " met (p50)"))
t.row("agents registered in the run", r["agents_registered"])
EOF
cat "$table"
