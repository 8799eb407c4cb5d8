#!/usr/bin/python3
"""Runs clang-tidy with the checks of .clang-tidy over the source files of src/.

    scripts/lint.py [--all] [--build BUILD_DIR] [--jobs N]

By default it lints what changed since the commit recorded in tests/lint/base (a tree that
passed `--all`): committed, staged, unstaged and untracked files of src/. A changed .cc file
is linted as itself; a changed header through one translation unit that includes it (its
own .cc when there is one). Without git, or when the base commit is not in the checkout
(a shallow clone), it lints nothing and says so. `--all` lints every translation unit of src/.

It reads the compilation database of a build (default build/debug, written by CMake's
CMAKE_EXPORT_COMPILE_COMMANDS); generated sources (build/.../protocol/generated, the
embedded OpenAPI document) are neither linted nor reported on. It exits non-zero when
clang-tidy reports a finding of a check listed in WarningsAsErrors (all of them).

CLANG_TIDY names the clang-tidy binary (default clang-tidy-14). The clang-tidy processes run
at nice 10, so that under `make test` the timed tests that ctest runs beside the lint test
get the CPU first.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src") + os.sep
BASE_FILE = os.path.join(ROOT, "tests", "lint", "base")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def translation_units(build_dir):
    with open(os.path.join(build_dir, "compile_commands.json")) as f:
        entries = json.load(f)
    units = set()
    for e in entries:
        path = os.path.normpath(os.path.join(e["directory"], e["file"]))
        if path.startswith(SRC):
            units.add(path)
    return units


def recorded_base():
    with open(BASE_FILE) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                return line
    return None


def git(*args):
    return subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True)


def changed_files(base):
    """The files of src/ that differ from `base` in the working tree, or None when git or
    the base commit is not available."""
    if shutil.which("git") is None or base is None:
        return None
    if git("cat-file", "-e", base + "^{commit}").returncode != 0:
        return None
    diff = git("diff", "--name-only", "--diff-filter=d", base, "--", "src")
    untracked = git("ls-files", "--others", "--exclude-standard", "--", "src")
    if diff.returncode != 0 or untracked.returncode != 0:
        return None
    names = diff.stdout.split() + untracked.stdout.split()
    return {os.path.join(ROOT, n) for n in names}


def includers(units):
    """For each file of src/, the files of src/ that include it ("module/file.h" form)."""
    result = {}
    for dirpath, _, names in os.walk(SRC):
        for name in names:
            if not name.endswith((".h", ".cc")):
                continue
            path = os.path.join(dirpath, name)
            with open(path, errors="replace") as f:
                text = f.read()
            for inc in INCLUDE.findall(text):
                target = os.path.normpath(os.path.join(SRC, inc))
                result.setdefault(target, []).append(path)
    return result


def unit_for_header(header, units, included_by):
    """One translation unit that includes `header`: its own .cc first, else the nearest
    includer (breadth first through other headers)."""
    own = os.path.splitext(header)[0] + ".cc"
    if own in units:
        return own
    seen, frontier = {header}, [header]
    while frontier:
        next_frontier = []
        for path in frontier:
            for inc in sorted(included_by.get(path, [])):
                if inc in units:
                    return inc
                if inc not in seen:
                    seen.add(inc)
                    next_frontier.append(inc)
        frontier = next_frontier
    return None


def select(units, lint_all):
    if lint_all:
        return sorted(units), "every translation unit of src/"
    base = recorded_base()
    changed = changed_files(base)
    if changed is None:
        # A shallow clone (as CI may make) cannot say what changed: linting all of src/ there
        # would cost ~9 minutes of make test's budget. `make lint` (--all) still lints it all.
        return [], (f"none: the base {base} is not in this checkout (a shallow clone?), so what "
                    "changed is unknown; `make lint` lints every file")
    included_by = includers(units)
    chosen = set()
    for path in changed:
        if path in units:
            chosen.add(path)
        elif path.endswith(".h"):
            unit = unit_for_header(path, units, included_by)
            if unit is not None:
                chosen.add(unit)
    return sorted(chosen), f"{len(changed)} files of src/ changed since {base[:12]}"


def run(clang_tidy, build_dir, header_filter, unit):
    cmd = ["nice", "-n", "10", clang_tidy, "--quiet", "-p", build_dir,
           "--header-filter=" + header_filter, unit]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    noise = re.compile(r"^\d+ warnings?( and \d+ errors?)? generated\.$")
    err = "\n".join(l for l in proc.stderr.splitlines() if not noise.match(l))
    return unit, proc.returncode, proc.stdout + (err + "\n" if err else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--all", action="store_true", help="lint every translation unit of src/")
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "debug"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()

    clang_tidy = os.environ.get("CLANG_TIDY") or shutil.which("clang-tidy-14") or shutil.which("clang-tidy")
    if not clang_tidy:
        sys.exit("lint: clang-tidy-14 not found; install it with scripts/install-deps.sh")
    build_dir = os.path.abspath(args.build)
    if not os.path.isfile(os.path.join(build_dir, "compile_commands.json")):
        sys.exit(f"lint: no {build_dir}/compile_commands.json; configure the build first "
                 "(cmake --preset debug)")

    units, why = select(translation_units(build_dir), args.all)
    print(f"lint: {len(units)} translation units: {why}", flush=True)
    header_filter = "^" + re.sub(r"([][.*^$+?(){}|\\])", r"\\\1", SRC)
    start = time.monotonic()
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        # The largest first, so that the slow ones start early.
        by_size = sorted(units, key=lambda u: -os.path.getsize(u))
        for unit, code, output in pool.map(lambda u: run(clang_tidy, build_dir, header_filter, u), by_size):
            if output.strip():
                print(output, end="", flush=True)
            if code != 0:
                failed.append(os.path.relpath(unit, ROOT))
    print(f"lint: {len(units)} translation units in {time.monotonic() - start:.0f} s with {args.jobs} jobs")
    if failed:
        print("lint: FAILED in " + ", ".join(failed) + " (the checks are in .clang-tidy)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
