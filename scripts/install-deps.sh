#!/usr/bin/env bash
# Installs the Debian packages Brook needs to build, test and run, and only those missing.
# Idempotent; works as root, or through sudo when not root. The one list of system packages.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build make pkg-config
  # libraries (see doc/architecture.md for who uses what)
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost1.81-dev libsqlite3-dev libssl-dev
  zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev librdkafka-dev
  libsimdjson-dev
  # the HTTP client (net/http_fetch): OpenID Connect discovery and keys, S3
  libcurl4-openssl-dev
  # the PostgreSQL sink (connect/postgres_sink)
  libpq-dev
  # the log cleaner's 128-bit key digests (XXH3)
  libxxhash-dev
  # libFuzzer for the request-decoding fuzz target
  clang-14 libclang-rt-14-dev
  # the lint test (tests/lint, scripts/lint.py): clang-tidy, and git to find what changed
  clang-tidy-14 git
  # tools used by tests and benchmarks
  python3 util-linux procps curl
  # certificates for the TLS tests (tests/compat/tls_test.py)
  openssl
  # HTTP load generator for the REST Proxy benchmark (bench/run-http-bench.sh)
  wrk
  # real Kafka clients for the compatibility tests (kafkajs comes from npm: tests/compat)
  kcat python3-confluent-kafka python3-kafka python3-requests nodejs
  python3-snappy python3-lz4 python3-zstandard
  # kafka-python writes LZ4 message sets of magic 0 (the legacy-format test) with xxhash
  python3-xxhash
  # the metrics test scrapes brook serve with a real Prometheus server (and promtool)
  prometheus
  # the S3 sink test reads the objects back with an S3 client of its own (s3rver from npm)
  python3-boto3
  # the PostgreSQL sink test: a real server (initdb, pg_ctl) and an independent client
  postgresql python3-psycopg2
  # the web console's browser tests (tests/compat/console): Chromium driven by npm
  # playwright-core, which is pointed at this binary (no browser download)
  chromium
  # keys and signatures made by the tests themselves (Ed25519 agent keys, EC/RSA tokens)
  python3-cryptography
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
