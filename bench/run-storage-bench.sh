#!/usr/bin/env bash
# Runs the storage benchmark on the disk that holds this checkout and prints its table.
#   bench/run-storage-bench.sh [--quick]
# The scratch directory is removed afterwards. Copy the table into BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d "$PWD/build/bench-XXXXXX")
trap 'rm -rf "$dir"' EXIT
echo "# storage_bench $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(df -h "$dir" | awk 'NR==2{print $1}')"
./build/release/bench/storage_bench "$dir" "$@"
