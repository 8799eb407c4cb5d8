#!/usr/bin/env bash
# Transactions (issue 17): a transactional producer beside the same run's idempotent one,
# and read_committed consume beside read_uncommitted, with `brook bench` (librdkafka)
# against one `brook serve` (default durability: sync). Prints one Markdown table.
#   bench/run-txn-bench.sh [--quick] [--no-build]
# --quick: 3 s runs instead of 10 s. --no-build: use build/release as it is.
#
#   1. baselines: disk write+fdatasync and loopback TCP;
#   2. produce 1 KiB records to 6 partitions, acks=all, for the duration: idempotent
#      (enable.idempotence), then transactional with a commit every 100 and every 1,000
#      records (each transaction writes a marker to each of the 6 partitions);
#   3. consume the transactional topic (1,000-record transactions) from the beginning,
#      read_uncommitted, then read_committed.
# Results: bench/results/txn-<time>.md and .jsonl.
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
    *) echo "usage: bench/run-txn-bench.sh [--quick] [--no-build]" >&2; exit 2 ;;
  esac
done
duration=10
[[ $quick == 1 ]] && duration=3

release_binaries "$build"
bench_setup txn
record_run_facts
measure_baselines

start_server
common=(--partitions 6 --acks all --duration "$duration")
bench idempotent produce --topic idempotent "${common[@]}" -X enable.idempotence=true
bench txn_100 produce --topic txn-100 "${common[@]}" --transaction-records 100
bench txn_1000 produce --topic txn-1000 "${common[@]}" --transaction-records 1000
bench consume_uncommitted consume --topic txn-1000 -X isolation.level=read_uncommitted
bench consume_committed consume --topic txn-1000 -X isolation.level=read_committed
finish_run

render_table "$duration" "$stamp" "$(debug_build_note "$brook")" <<'PY'
import sys
from table import Facts, Table, yes
facts = Facts(sys.argv[1])
one = facts.one
duration = sys.argv[2]
print(f"Run of {sys.argv[3]}, commit {one('commit')}, {one('machine')}")
print(f"load average before: {one('load_before')}; after: {one('load_after')}\n")
if sys.argv[4]:
    print(f"**{sys.argv[4]}**\n")
table = Table("measurement", "figure", "baseline (same run)", "ratio", "target", "met")
row = table.row
table.baselines(facts)
base = one("idempotent")
def produce(name, label, target=None):
    r = one(name)
    if r is None:
        row(label, "failed (see the script's output)")
        return None
    err = f", {r['errors']} errors ({r['first_error']})" if r["errors"] else ""
    fig = f"{r['mb_per_s']:.1f} MB/s, {r['records_per_s']:.0f} records/s{err}"
    if name == "idempotent" or base is None:
        row(label, fig, f"{one('disk_mb_s'):.1f} MB/s disk",
            f"{r['mb_per_s'] / one('disk_mb_s'):.2f}")
        return r
    ratio = r["records_per_s"] / base["records_per_s"]
    row(label, fig, f"{base['records_per_s']:.0f} records/s idempotent", f"{ratio:.2f}",
        "≥ 0.8 × idempotent" if target else "", yes(ratio >= 0.8) if target else "")
    return r
produce("idempotent", f"produce 1 KiB, 6 partitions, acks=all, idempotent, {duration} s")
produce("txn_100", f"produce 1 KiB, 6 partitions, acks=all, transactions of 100, {duration} s")
produce("txn_1000", f"produce 1 KiB, 6 partitions, acks=all, transactions of 1,000, {duration} s", True)
u, c = one("consume_uncommitted"), one("consume_committed")
if u is None or c is None:
    row("consume", "failed (see the script's output)")
else:
    row(f"consume the transactions of 1,000 ({u['records']} records), read_uncommitted",
        f"{u['mb_per_s']:.1f} MB/s, {u['records_per_s']:.0f} records/s",
        f"{one('loopback_mb_s'):.1f} MB/s loopback", f"{u['mb_per_s'] / one('loopback_mb_s'):.2f}")
    row(f"consume the same, read_committed ({c['records']} records)",
        f"{c['mb_per_s']:.1f} MB/s, {c['records_per_s']:.0f} records/s",
        f"{u['records_per_s']:.0f} records/s read_uncommitted",
        f"{c['records_per_s'] / u['records_per_s']:.2f}")
PY
cat "$table"
