#!/usr/bin/env bash
# Measures the web console (doc/console.md) beside the same run's physical baselines and
# prints one Markdown table.
#   bench/run-console-bench.sh [--quick] [--no-build]
# --quick: 100,000 records for the chart instead of 1,000,000.
# --no-build: use build/release (or $BROOK_BENCH_BUILD).
#
# In a scratch directory under build/ (removed afterwards), one `brook serve` without logins:
#   1. the bundle: the gzipped sizes of the page, script and styles the binary serves;
#   2. the chart query (GET /v1/topics/{topic}/chart) over N JSON records of ~50 bytes
#      written by kcat: records per bucket, a field counted by value, the average of a
#      number field; 5 runs each (the server's elapsed_ms and curl's total time). Baseline:
#      kcat reading the same N records from the same server to /dev/null;
#   3. bench/console_bench.js in Debian's chromium: page load, overview shown, and the
#      live tail under 20,000 records produced at once (records/s counted by the page,
#      the longest frame gap).
# Results: bench/results/console-<time>.md (the table) and .jsonl (every raw figure).
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
    *) echo "usage: bench/run-console-bench.sh [--quick] [--no-build]" >&2; exit 2 ;;
  esac
done
records=1000000
[[ $quick == 1 ]] && records=100000

release_binaries "$build"
bench_setup console
record_run_facts
start_server
bootstrap=127.0.0.1:$kafka_port

say "bundle"
gz=0
for f in /ui /ui/app.js /ui/app.css; do
  n=$(curl -s -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$url$f")
  gz=$((gz + n))
done
record bundle_gzip_bytes "$gz"

say "$records records for the chart"
"$python" - "$records" >"$work/records.jsonl" <<'PY'
import json, sys
events = ["click", "view", "buy", "scroll", "share"]
for i in range(int(sys.argv[1])):
    print(json.dumps({"event": events[i % 5], "user": i % 1000, "amount": i % 100}))
PY
kcat -b "$bootstrap" -P -t chart -l "$work/records.jsonl"
kcat -b "$bootstrap" -C -t chart -o beginning -e -q -f '' >/dev/null  # warm the cache
start=$(date +%s%N)
kcat -b "$bootstrap" -C -t chart -o beginning -e -q -f '%s\n' | wc -l >"$work/count"
record kcat_read_ms "$((($(date +%s%N) - start) / 1000000))"
[[ $(cat "$work/count") == "$records" ]] || { echo "kcat read $(cat "$work/count") records" >&2; exit 1; }
from=2000-01-01T00:00:00Z
to=2100-01-01T00:00:00Z
for query in "buckets=60" "buckets=60&field=event" "buckets=60&field=amount&agg=avg"; do
  for run in 1 2 3 4 5; do
    curl -s -o "$work/chart.json" -w '%{time_total}\n' "$url/v1/topics/chart/chart?from=$from&to=$to&$query" >"$work/curl"
    record chart "$("$python" -c '
import json, sys
c = json.load(open(sys.argv[1]))
print(json.dumps({"query": sys.argv[2], "elapsed_ms": c["elapsed_ms"], "total_ms": float(open(sys.argv[3]).read()) * 1000,
                  "matched": c["matched"], "scanned": c["scanned"], "series": len(c["series"])}))' \
      "$work/chart.json" "$query" "$work/curl")"
  done
done

say "the browser"
echo '{"event":"first"}' | kcat -b "$bootstrap" -P -t tail
record browser "$(node bench/console_bench.js "$url" tail "$bootstrap" 20000)"
finish_run

render_table "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(debug_build_note "$brook")" "$records" <<'EOF2'
import statistics, sys
from table import Facts, Table
facts = Facts(sys.argv[1])
when, note, records = sys.argv[2], sys.argv[3], int(sys.argv[4])
one = facts.one
print(f"Run of {when}, commit {one('commit')}, {one('machine')}; load before {one('load_before')}, after {one('load_after')}")
if note:
    print(f"\n**{note}**")
print()
t = Table("measurement", "figure", "baseline (same run)", "ratio", "target")
kcat_ms = one("kcat_read_ms")
t.row(f"kcat reading the {records:,} records to /dev/null", f"{kcat_ms:.0f} ms")
gz = one("bundle_gzip_bytes")
t.row("console bundle (page + script + styles), gzipped", f"{gz / 1024:.1f} KiB", "", "",
      "300 KiB" + (" met" if gz < 300 * 1024 else " **missed**"))
charts = facts.all("chart")
for query in dict.fromkeys(c["query"] for c in charts):
    runs = [c for c in charts if c["query"] == query]
    med = statistics.median(c["elapsed_ms"] for c in runs)
    total = statistics.median(c["total_ms"] for c in runs)
    target = "300 ms" + (" met" if total < 300 else " **missed**") if records >= 1000000 else ""
    t.row(f"chart of {runs[0]['matched']:,} records, {query} (median of {len(runs)})",
          f"{med:.0f} ms in the server, {total:.0f} ms with HTTP", f"{kcat_ms:.0f} ms",
          f"{total / kcat_ms:.2f}x kcat's read", target)
b = one("browser")
t.row("console page load to the login form usable (median of 7)", f"{b['page_load_ms']['median']} ms",
      "", "", "1 s" + (" met" if b["page_load_ms"]["median"] < 1000 else " **missed**"))
t.row("console page load to the overview's figures (median of 7)", f"{b['overview_ms']['median']} ms")
lv = b["live"]
t.row(f"live tail: {lv['records']:,} records produced at once, counted by the page",
      f"{lv['per_s']:.0f} records/s ({lv['all_counted_ms']} ms; {lv['skipped']} skipped)",
      f"kcat produced them in {lv['produce_ms']} ms", "", "1,000 records/s" + (" met" if lv["per_s"] >= 1000 else " **missed**"))
t.row("live tail: longest gap between animation frames meanwhile", f"{lv['max_frame_gap_ms']:.0f} ms",
      "16.7 ms (60 Hz)", "", "no freeze")
EOF2
cat "$table"
