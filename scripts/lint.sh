#!/usr/bin/env bash
# Runs clang-tidy with the checks of .clang-tidy over every translation unit under src/,
# using the compilation database of a build. Generated sources (the Kafka messages under
# <build>/src/protocol/generated, the embedded OpenAPI document) are neither linted nor
# reported on. Exits non-zero on any finding of a check listed in WarningsAsErrors.
#
#   scripts/lint.sh [BUILD_DIR]        (default build/debug; `make lint` runs it through ctest)
#
# CLANG_TIDY names the clang-tidy binary (default: clang-tidy-14 on PATH).
# LINT_JOBS sets how many clang-tidy processes run at once (default: the number of cores).
# They run at a lower priority (nice 10), so that under `make test` the timed tests that
# ctest runs beside the lint test get the CPU first.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=$(cd "${1:-$root/build/debug}" && pwd)
jobs=${LINT_JOBS:-$(nproc)}

clang_tidy=${CLANG_TIDY:-$(command -v clang-tidy-14 || command -v clang-tidy || true)}
if [[ -z "$clang_tidy" ]]; then
  echo "lint: clang-tidy-14 not found; install it with scripts/install-deps.sh" >&2
  exit 1
fi
if [[ ! -f "$build_dir/compile_commands.json" ]]; then
  echo "lint: no $build_dir/compile_commands.json; configure the build first (cmake --preset debug)" >&2
  exit 1
fi

# The translation units of src/, as compiled; largest first so that the slow ones start early.
mapfile -t files < <(/usr/bin/python3 - "$build_dir/compile_commands.json" "$root/src/" <<'PY'
import json, os, sys
db, src = sys.argv[1], sys.argv[2]
files = {e["file"] if os.path.isabs(e["file"]) else os.path.join(e["directory"], e["file"])
         for e in json.load(open(db))}
files = [f for f in files if f.startswith(src)]
for f in sorted(files, key=lambda f: -os.path.getsize(f)):
    print(f)
PY
)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "lint: no translation unit under $root/src/ in $build_dir/compile_commands.json" >&2
  exit 1
fi

# Diagnostics in headers: only those of src/ (an ERE anchored at the root).
header_filter="^$(printf '%s' "$root/src/" | sed 's/[][\.*^$+?(){}|]/\\&/g')"

start=$(date +%s)
status=0
printf '%s\0' "${files[@]}" |
  nice -n 10 xargs -0 -n 1 -P "$jobs" "$clang_tidy" --quiet -p "$build_dir" \
    --header-filter="$header_filter" 2> >(grep -Ev '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' >&2) ||
  status=$?
echo "lint: clang-tidy over ${#files[@]} files of src/ took $(($(date +%s) - start)) s with $jobs jobs"
if [[ $status -ne 0 ]]; then
  echo "lint: FAILED (see the errors above; the checks are in .clang-tidy)" >&2
  exit 1
fi
