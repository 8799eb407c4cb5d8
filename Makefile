# The two set-up commands of the README. Each installs what is missing first.
#   make run   — release build of brook alone, then `brook serve` with its data in ./data
#   make test  — debug build (ASan + UBSan), then every test (the clang-tidy lint test among them)
#   make lint  — debug build, then clang-tidy over every file of src/ (scripts/lint.py --all)
SHELL := /bin/bash
JOBS ?= $(shell nproc)

.PHONY: all deps release debug run test lint bench clean format

all: release

deps:
	@./scripts/install-deps.sh

release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

debug: deps
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)

# Builds only the brook binary (not the tests and benchmarks), then serves.
run: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS) --target brook
	./build/release/src/app/brook serve --data-dir ./data

test: debug
	ctest --preset debug -j $(JOBS)

lint: debug
	./scripts/lint.py --all --jobs $(JOBS)

bench: release
	./bench/run-storage-bench.sh

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf build
